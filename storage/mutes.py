"""Per-person mute of homework nudges (session reminders are never muted)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Mute:
    person_id: int
    muted_until: datetime | None   # None: until further notice
    muted_at: datetime


def mute(db: sqlite_utils.Database, person_id: int, until: datetime | None,
         now: datetime) -> Mute:
    db.execute(
        "INSERT INTO nudge_mutes (person_id, muted_until, muted_at) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET muted_until = excluded.muted_until,"
        " muted_at = excluded.muted_at",
        [person_id, utcnow_iso(until) if until else None, utcnow_iso(now)])
    return Mute(person_id, until, now)


def unmute(db: sqlite_utils.Database, person_id: int) -> bool:
    return db.execute("DELETE FROM nudge_mutes WHERE person_id = ?",
                      [person_id]).rowcount == 1


def active(db: sqlite_utils.Database, person_id: int, now: datetime) -> Mute | None:
    """The person's mute if it is in force at `now`."""
    row = db.execute("SELECT muted_until, muted_at FROM nudge_mutes WHERE person_id = ?",
                     [person_id]).fetchone()
    if row is None:
        return None
    until = parse_iso(row[0])
    if until is not None and until <= now:
        return None
    return Mute(person_id, until, parse_iso(row[1]))


def all_active(db: sqlite_utils.Database, now: datetime) -> list[Mute]:
    rows = db.execute(
        "SELECT person_id, muted_until, muted_at FROM nudge_mutes"
        " WHERE muted_until IS NULL OR muted_until > ? ORDER BY muted_at",
        [utcnow_iso(now)]).fetchall()
    return [Mute(r[0], parse_iso(r[1]), parse_iso(r[2])) for r in rows]
