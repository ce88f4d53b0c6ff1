"""Submissions of homework, minimal: whether a person handed an assignment in.

Issue 5 (homework) extends this table with items and feedback in its own migration.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso


def has_submitted(db: sqlite_utils.Database, person_id: int, assignment_id: int) -> bool:
    return db.execute(
        "SELECT 1 FROM submissions WHERE person_id = ? AND assignment_id = ?"
        " AND status = 'submitted'", [person_id, assignment_id]).fetchone() is not None


def mark_submitted(db: sqlite_utils.Database, person_id: int, assignment_id: int,
                   now: datetime) -> None:
    """Record a hand-in (draft or not yet there -> submitted)."""
    stamp = utcnow_iso(now)
    db.execute(
        "INSERT INTO submissions (assignment_id, person_id, status, submitted_at, created_at,"
        " updated_at) VALUES (?, ?, 'submitted', ?, ?, ?)"
        " ON CONFLICT (assignment_id, person_id) DO UPDATE SET status = 'submitted',"
        " submitted_at = excluded.submitted_at, updated_at = excluded.updated_at",
        [assignment_id, person_id, stamp, stamp, stamp])
