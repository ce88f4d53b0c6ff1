"""Keep the outbox in line with the calendar when the domain changes.

Subscribed to `programme.events` (loaded by it on first use, so `admin import` re-plans too):
a new member or a new, moved or cancelled session re-plans that trajectory's timed messages,
and a moved or cancelled session queues one short notice per member.
"""

from __future__ import annotations

from programme import events
from schedule import planner
from storage import trajectories


def on_session_changed(db, session_id: int, change: str, now) -> None:
    session = trajectories.get_session(db, session_id)
    if session is None:
        return
    planner.plan_trajectory(db, session.trajectory_id, now)
    if change in ("moved", "cancelled"):
        planner.notify_change(db, session_id, change, now)


def on_enrolled(db, person_id: int, trajectory_id: int | None, role: str, now) -> None:
    if trajectory_id is not None:
        planner.plan_trajectory(db, trajectory_id, now)


if on_session_changed not in events.SESSION_CHANGED:
    events.SESSION_CHANGED.append(on_session_changed)
if on_enrolled not in events.ENROLLED:
    events.ENROLLED.append(on_enrolled)
