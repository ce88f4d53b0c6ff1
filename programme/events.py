"""Domain events between features, without import cycles: a feature subscribes a function.

SESSION_CHANGED: called as fn(db, session_id, change, now) inside the transaction that moved
("moved"), cancelled ("cancelled") or created ("created") a session; the calendar re-plans the
timed messages of that session. ENROLLED: fn(db, person_id, trajectory_id, role, now).

The modules in SUBSCRIBERS are imported before the first event is delivered, so every path
(the bot, `admin import`, a test) gets the same reactions without importing them itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

SESSION_CHANGED: list[Callable] = []
ENROLLED: list[Callable] = []
SUBSCRIBERS = ("schedule.subscriptions",)
_loaded = False


def _load_subscribers() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name in SUBSCRIBERS:
            importlib.import_module(name)


def session_changed(db, session_id: int, change: str, now) -> None:
    _load_subscribers()
    for fn in list(SESSION_CHANGED):
        fn(db, session_id, change, now)


def enrolled(db, person_id: int, trajectory_id: int | None, role: str, now) -> None:
    _load_subscribers()
    for fn in list(ENROLLED):
        fn(db, person_id, trajectory_id, role, now)
