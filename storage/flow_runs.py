"""Where each person stands in each guided conversation: one row per person, flow and
instance, with the question being asked and a status (active, paused, done). At most one run
per person is active (a partial unique index guards it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, transaction, utcnow_iso

STATUSES = ("active", "paused", "done")


@dataclass(frozen=True)
class Run:
    person_id: int
    flow: str
    instance: str
    section: str
    status: str
    question: str | None
    idx: int
    mode: str  # "ask": next is the first unanswered question; "edit": back to the summary
    started_at: datetime
    updated_at: datetime


_COLUMNS = ("person_id, flow, instance, section, status, question, idx, mode, started_at,"
            " updated_at")


def _run(row) -> Run | None:
    if row is None:
        return None
    values = list(row)
    values[8], values[9] = parse_iso(values[8]), parse_iso(values[9])
    return Run(*values)


def get(db: sqlite_utils.Database, person_id: int, flow: str, instance: str = "") -> Run | None:
    return _run(db.execute(f"SELECT {_COLUMNS} FROM flow_runs WHERE person_id = ? AND flow = ?"
                           " AND instance = ?", [person_id, flow, instance]).fetchone())


def active(db: sqlite_utils.Database, person_id: int) -> Run | None:
    return _run(db.execute(f"SELECT {_COLUMNS} FROM flow_runs WHERE person_id = ?"
                           " AND status = 'active'", [person_id]).fetchone())


def of_flow(db: sqlite_utils.Database, person_id: int, flow: str) -> list[Run]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM flow_runs WHERE person_id = ? AND flow = ?"
                      " ORDER BY started_at, instance", [person_id, flow]).fetchall()
    return [_run(r) for r in rows]


def of_person(db: sqlite_utils.Database, person_id: int) -> list[Run]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM flow_runs WHERE person_id = ?"
                      " ORDER BY updated_at DESC, flow, instance", [person_id]).fetchall()
    return [_run(r) for r in rows]


def activate(db: sqlite_utils.Database, person_id: int, flow: str, instance: str, *,
             section: str = "", now: datetime) -> Run:
    """Make this run the active one (pausing any other active run of the person)."""
    stamp = utcnow_iso(now)
    with transaction(db):
        db.execute("UPDATE flow_runs SET status = 'paused', updated_at = ? WHERE person_id = ?"
                   " AND status = 'active' AND NOT (flow = ? AND instance = ?)",
                   [stamp, person_id, flow, instance])
        db.execute("INSERT INTO flow_runs (person_id, flow, instance, section, status, question,"
                   " idx, mode, started_at, updated_at) VALUES (?, ?, ?, ?, 'active', NULL, 0,"
                   " 'ask', ?, ?) ON CONFLICT (person_id, flow, instance) DO UPDATE SET"
                   " status = 'active', section = excluded.section, updated_at = excluded.updated_at",
                   [person_id, flow, instance, section, stamp, stamp])
    return get(db, person_id, flow, instance)


def move(db: sqlite_utils.Database, person_id: int, flow: str, instance: str, *,
         question: str | None, idx: int = 0, mode: str = "ask", status: str | None = None,
         now: datetime) -> None:
    """Record the question being asked (None: at the summary) and optionally the status."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    if status is None:  # status untouched: the one-active index is not rewritten
        db.execute(_MOVE, [question, idx, mode, utcnow_iso(now), person_id, flow, instance])
        return
    db.execute(_MOVE_STATUS, [question, idx, mode, status, utcnow_iso(now), person_id, flow,
                              instance])


_MOVE = ("UPDATE flow_runs SET question = ?, idx = ?, mode = ?, updated_at = ?"
         " WHERE person_id = ? AND flow = ? AND instance = ?")
_MOVE_STATUS = ("UPDATE flow_runs SET question = ?, idx = ?, mode = ?, status = ?, updated_at = ?"
                " WHERE person_id = ? AND flow = ? AND instance = ?")


def pause(db: sqlite_utils.Database, person_id: int, now: datetime) -> Run | None:
    """Pause the active run, if any; returns it."""
    run = active(db, person_id)
    if run is not None:
        db.execute("UPDATE flow_runs SET status = 'paused', updated_at = ? WHERE person_id = ?"
                   " AND status = 'active'", [utcnow_iso(now), person_id])
    return run
