"""Domain events between features, without import cycles: a feature subscribes a function.

SESSION_CHANGED: called as fn(db, session_id, change, now) inside the transaction that moved
("moved"), cancelled ("cancelled") or created ("created") a session; the calendar re-plans the
timed messages of that session. ENROLLED: fn(db, person_id, trajectory_id, role, now).
"""

from __future__ import annotations

from collections.abc import Callable

SESSION_CHANGED: list[Callable] = []
ENROLLED: list[Callable] = []


def session_changed(db, session_id: int, change: str, now) -> None:
    for fn in SESSION_CHANGED:
        fn(db, session_id, change, now)


def enrolled(db, person_id: int, trajectory_id: int | None, role: str, now) -> None:
    for fn in ENROLLED:
        fn(db, person_id, trajectory_id, role, now)
