"""Changing a session's time or place, and its iCalendar sequence number.

The sessions table belongs to storage.trajectories; these are the writes the calendar needs.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso


def sequence(db: sqlite_utils.Database, session_id: int) -> int:
    row = db.execute("SELECT sequence FROM session_calendar WHERE session_id = ?",
                     [session_id]).fetchone()
    return row[0] if row else 0


def bump_sequence(db: sqlite_utils.Database, session_id: int, now: datetime) -> int:
    db.execute(
        "INSERT INTO session_calendar (session_id, sequence, updated_at) VALUES (?, 1, ?)"
        " ON CONFLICT (session_id) DO UPDATE SET sequence = sequence + 1,"
        " updated_at = excluded.updated_at", [session_id, utcnow_iso(now)])
    return sequence(db, session_id)


def update_session(db: sqlite_utils.Database, session_id: int, *, starts_at: datetime,
                   ends_at: datetime, location: str | None = None,
                   video_link: str | None = None) -> bool:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("session times must be timezone-aware")
    sets, params = ["starts_at = ?", "ends_at = ?"], [utcnow_iso(starts_at), utcnow_iso(ends_at)]
    if location is not None:
        sets.append("location = ?")
        params.append(location)
    if video_link is not None:
        sets.append("video_link = ?")
        params.append(video_link)
    cursor = db.execute(f"UPDATE sessions SET {', '.join(sets)} WHERE id = ?",
                        [*params, session_id])
    return cursor.rowcount == 1


def set_status(db: sqlite_utils.Database, session_id: int, status: str) -> bool:
    cursor = db.execute("UPDATE sessions SET status = ? WHERE id = ? AND status != ?",
                        [status, session_id, status])
    return cursor.rowcount == 1
