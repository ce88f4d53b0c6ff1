"""Telegram update ids already handled, so a redelivered update is not applied twice.

Telegram redelivers every update the bot did not confirm (the next getUpdates offset, the
webhook's 200) before a crash. Handlers that change state record the update id in the same
transaction; `storage.inbox.done` records the others once their handlers ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from storage.db import utcnow_iso


def seen(db: sqlite_utils.Database, update_id: int) -> bool:
    return db.execute("SELECT 1 FROM processed_updates WHERE update_id = ?",
                      [update_id]).fetchone() is not None


def mark(db: sqlite_utils.Database, update_id: int, now: datetime) -> bool:
    """Record it; False when it was already there."""
    cursor = db.execute("INSERT OR IGNORE INTO processed_updates (update_id, processed_at)"
                        " VALUES (?, ?)", [update_id, utcnow_iso(now)])
    db.kernbot_last_marked = update_id  # per connection; read by storage.inbox.done
    return cursor.rowcount == 1


def prune(db: sqlite_utils.Database, now: datetime, keep: timedelta = timedelta(days=2)) -> int:
    return db.execute("DELETE FROM processed_updates WHERE processed_at < ?",
                      [utcnow_iso(now - keep)]).rowcount


def highest(db: sqlite_utils.Database) -> int:
    """The highest update id handled so far (0 if none): the console continues after it."""
    row = db.execute("SELECT MAX(update_id) FROM processed_updates").fetchone()
    return row[0] or 0
