"""What coaches see (tables of m0090): snapshots of flow answers handed in as homework, the
group feedback after a session ("koppel terug"), and the staff nudges already sent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


# -- snapshots ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    submission_id: int
    flow: str
    instance: str
    section: str
    answers: list[tuple[str, int, Any, bool]]   # (question, idx, value, skipped), stored order
    taken_at: datetime


def save_snapshot(db: sqlite_utils.Database, submission_id: int, *, flow: str, instance: str,
                  section: str, answers: list[tuple[str, int, Any, bool]], now: datetime
                  ) -> None:
    db.execute("INSERT INTO submission_snapshots (submission_id, flow, instance, section,"
               " answers, taken_at) VALUES (?, ?, ?, ?, ?, ?)",
               [submission_id, flow, instance, section,
                json.dumps([list(a) for a in answers], ensure_ascii=False), utcnow_iso(now)])


def snapshots(db: sqlite_utils.Database, submission_id: int) -> list[Snapshot]:
    """The parts kept at the latest hand-in of a submission (a second hand-in takes new
    ones; one part per brief step or chain)."""
    rows = db.execute("SELECT submission_id, flow, instance, section, answers, taken_at"
                      " FROM submission_snapshots WHERE submission_id = ? AND taken_at ="
                      " (SELECT MAX(taken_at) FROM submission_snapshots WHERE submission_id = ?)"
                      " ORDER BY id", [submission_id, submission_id]).fetchall()
    return [Snapshot(r[0], r[1], r[2], r[3],
                     [(q, int(i), v, bool(s)) for q, i, v, s in json.loads(r[4])],
                     parse_iso(r[5])) for r in rows]


# -- group feedback after a session -------------------------------------------------------------
@dataclass(frozen=True)
class SessionFeedback:
    id: int
    session_id: int
    author_id: int | None
    text: str
    created_at: datetime


def add_session_feedback(db: sqlite_utils.Database, session_id: int, author_id: int | None,
                         text: str, now: datetime) -> SessionFeedback:
    cursor = db.execute("INSERT INTO session_feedback (session_id, author_id, text, created_at)"
                        " VALUES (?, ?, ?, ?)", [session_id, author_id, text, utcnow_iso(now)])
    return session_feedback(db, cursor.lastrowid)


def session_feedback(db: sqlite_utils.Database, feedback_id: int) -> SessionFeedback | None:
    row = db.execute("SELECT id, session_id, author_id, text, created_at FROM session_feedback"
                     " WHERE id = ?", [feedback_id]).fetchone()
    return SessionFeedback(*row[:4], parse_iso(row[4])) if row else None


def feedback_of_session(db: sqlite_utils.Database, session_id: int) -> list[SessionFeedback]:
    return [SessionFeedback(r[0], r[1], r[2], r[3], parse_iso(r[4])) for r in db.execute(
        "SELECT id, session_id, author_id, text, created_at FROM session_feedback"
        " WHERE session_id = ? AND text != '' ORDER BY id", [session_id])]


# -- staff nudges -------------------------------------------------------------------------------
def record_nudge(db: sqlite_utils.Database, person_id: int, trajectory_id: int, subject: str,
                 by: int | None, now: datetime) -> None:
    db.execute("INSERT INTO staff_nudges (person_id, trajectory_id, subject, nudged_at,"
               " nudged_by) VALUES (?, ?, ?, ?, ?)",
               [person_id, trajectory_id, subject, utcnow_iso(now), by])


def nudged_since(db: sqlite_utils.Database, person_id: int, since: datetime) -> set[str]:
    """The items (subjects) a staff nudge named to this person at or after `since`."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT subject FROM staff_nudges WHERE person_id = ? AND nudged_at >= ?",
        [person_id, utcnow_iso(since)])}


def reminded_since(db: sqlite_utils.Database, person_id: int, since: datetime) -> set[str]:
    """The items the follow-up ladder reminded this person of at or after `since` (sent)."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT subject FROM outbox WHERE person_id = ? AND kind = 'followup'"
        " AND status = 'sent' AND sent_at >= ?", [person_id, utcnow_iso(since)])}
