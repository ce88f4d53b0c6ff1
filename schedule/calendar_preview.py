"""What moving, cancelling or adding a session would change, before the coordinator confirms:
the change is applied inside a transaction that is rolled back, so the preview is exactly what
the planner and the homework rules would do (reminders re-planned, deadlines that move)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from core.settings import Settings
from programme import calendar
from schedule.planner import Planner, PlanReport
from storage import calendar as calendar_store
from storage import memberships, trajectories
from storage.assignments import Assignment


@dataclass(frozen=True)
class Preview:
    session: trajectories.Session | None
    report: PlanReport
    # (assignment, due before, due after): the assignment's title is shown in the reader's language
    deadlines: list[tuple[Assignment, datetime | None, datetime | None]] = field(
        default_factory=list)
    members: int = 0
    sequence: int = 0              # the .ics SEQUENCE everyone receives


class _Rollback(Exception):
    pass


def _deadlines(db, s: Settings, trajectory_id: int) -> dict[int, tuple[Assignment, datetime]]:
    return {w.assignment.id: (w.assignment, w.due_at)
            for w in calendar.windows_for(db, s, trajectory_id)}


def _preview(db: sqlite_utils.Database, s: Settings, trajectory_id: int, session_id: int | None,
             change, now: datetime) -> Preview:
    before = _deadlines(db, s, trajectory_id)
    result: dict = {}
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        change()
        result["report"] = Planner(s).plan_trajectory(db, trajectory_id, now)
        after = _deadlines(db, s, trajectory_id)
        result["session"] = trajectories.get_session(db, session_id) if session_id else None
    finally:
        conn.execute("ROLLBACK")
    deadlines = [(title, due, after.get(aid, (title, None))[1])
                 for aid, (title, due) in before.items()
                 if after.get(aid, (title, None))[1] != due]
    deadlines += [(title, None, due) for aid, (title, due) in after.items() if aid not in before]
    members = len(memberships.of_trajectory(db, trajectory_id))
    sequence = calendar_store.sequence(db, session_id) + 1 if session_id else 0
    return Preview(result["session"], result["report"], deadlines, members, sequence)


def preview_move(db: sqlite_utils.Database, s: Settings, session_id: int, starts_at: datetime,
                 ends_at: datetime, now: datetime) -> Preview:
    session = trajectories.get_session(db, session_id)
    return _preview(db, s, session.trajectory_id, session_id, lambda: (
        calendar_store.update_session(db, session_id, starts_at=starts_at, ends_at=ends_at),
        calendar_store.set_status(db, session_id, "planned")), now)


def preview_cancel(db: sqlite_utils.Database, s: Settings, session_id: int, now: datetime
                   ) -> Preview:
    session = trajectories.get_session(db, session_id)
    return _preview(db, s, session.trajectory_id, session_id,
                    lambda: calendar_store.set_status(db, session_id, "cancelled"), now)
