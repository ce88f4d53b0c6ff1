"""Wrong invite codes typed per Telegram user, so guessing can be throttled across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


def record_wrong(db: sqlite_utils.Database, telegram_id: int, now: datetime) -> None:
    db.execute("INSERT INTO invite_attempts (telegram_id, attempted_at) VALUES (?, ?)",
               [telegram_id, utcnow_iso(now)])


def wrong_since(db: sqlite_utils.Database, telegram_id: int, since: datetime) -> list[datetime]:
    """Times of this user's wrong codes after `since`, oldest first."""
    rows = db.execute("SELECT attempted_at FROM invite_attempts WHERE telegram_id = ?"
                      " AND attempted_at > ? ORDER BY attempted_at, id",
                      [telegram_id, utcnow_iso(since)]).fetchall()
    return [parse_iso(r[0]) for r in rows]


def prune(db: sqlite_utils.Database, now: datetime, keep: timedelta = timedelta(days=1)) -> int:
    return db.execute("DELETE FROM invite_attempts WHERE attempted_at < ?",
                      [utcnow_iso(now - keep)]).rowcount
