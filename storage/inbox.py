"""The durable inbox: an update is a committed row before Telegram hears that it arrived.

    received --store()--> inbox row (+ the next polling offset, same transaction)
    handled  --effects + processed_updates row, one transaction (flow answers), then the reply
    replied  --done()--> row deleted (and processed_updates recorded if no handler did)

At start-up a row still here is either not handled yet (its id is not in processed_updates:
handle it now) or handled but its reply may not have reached Telegram (a reply is owed).
Ids already in processed_updates are never stored again, so a redelivery is not handled twice
and never looks like an owed reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, transaction, utcnow_iso


@dataclass(frozen=True)
class InboxRow:
    update_id: int
    chat_id: int | None
    payload: str
    received_at: datetime
    processed: bool  # its effects are committed (a reply may be owed)


_INSERT = ("INSERT OR IGNORE INTO inbox (update_id, chat_id, payload, received_at)"
           " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
           " (SELECT 1 FROM processed_updates WHERE update_id = ?)")


def store(db: sqlite_utils.Database, rows: list[tuple[int, int | None, str]], now: datetime,
          *, next_offset: int | None = None) -> set[int]:
    """Commit (update_id, chat_id, payload) rows, and the next polling offset when given, in
    one transaction. Returns the ids that are new: not in the inbox and never handled."""
    stamp = utcnow_iso(now)
    fresh: set[int] = set()
    if len(rows) == 1 and next_offset is None and not db.conn.in_transaction:
        # one statement is atomic on its own (the webhook, the console, the tests)
        update_id, chat_id, payload = rows[0]
        cursor = db.execute(_INSERT, [update_id, chat_id, payload, stamp, update_id])
        if cursor.rowcount != 1:
            return fresh
        fresh.add(update_id)
        _fresh(db).add(update_id)
        return fresh
    with transaction(db):
        for update_id, chat_id, payload in rows:
            cursor = db.execute(_INSERT, [update_id, chat_id, payload, stamp, update_id])
            if cursor.rowcount == 1:
                fresh.add(update_id)
        if next_offset is not None:
            db.execute("INSERT INTO inbox_offset (id, next_offset) VALUES (1, ?)"
                       " ON CONFLICT (id) DO UPDATE SET next_offset ="
                       " MAX(next_offset, excluded.next_offset)", [next_offset])
    _fresh(db).update(fresh)
    return fresh


def _fresh(db: sqlite_utils.Database) -> set[int]:
    """Ids this connection stored as new and that were not handled yet (see `first_time`)."""
    fresh = getattr(db, "kernbot_fresh", None)
    if fresh is None:
        fresh = db.kernbot_fresh = set()
    return fresh


def first_time(db: sqlite_utils.Database, update_id: int) -> bool:
    """True when this connection stored the update as new and it is handled now for the first
    time: then it cannot have been processed before (saves the guard's SELECT). False means
    "ask processed_updates" (an update of an earlier process, or handled once already)."""
    fresh = getattr(db, "kernbot_fresh", None)
    if fresh is None or update_id not in fresh:
        return False
    fresh.discard(update_id)
    return True


def next_offset(db: sqlite_utils.Database) -> int:
    """The getUpdates offset that confirms every update already stored (0: none yet)."""
    row = db.execute("SELECT next_offset FROM inbox_offset WHERE id = 1").fetchone()
    return row[0] if row else 0


def done(db: sqlite_utils.Database, update_id: int, now: datetime) -> None:
    """The update is handled and its replies are accepted: record it as processed (unless a
    handler did so in its own transaction) and take it out of the inbox, in one step."""
    if getattr(db, "kernbot_last_marked", None) == update_id:
        db.execute("DELETE FROM inbox WHERE update_id = ?", [update_id])
    else:
        with transaction(db):
            db.execute("INSERT OR IGNORE INTO processed_updates (update_id, processed_at)"
                       " VALUES (?, ?)", [update_id, utcnow_iso(now)])
            db.execute("DELETE FROM inbox WHERE update_id = ?", [update_id])
        db.kernbot_last_marked = update_id
    db.kernbot_last_done = update_id  # per connection; read by is_done


def is_done(db: sqlite_utils.Database, update_id: int) -> bool:
    """Whether done() ran for this update last on this connection (saves a statement)."""
    return getattr(db, "kernbot_last_done", None) == update_id


def waiting(db: sqlite_utils.Database) -> list[InboxRow]:
    """Every row still in the inbox, oldest update first, with whether it was handled."""
    rows = db.execute(
        "SELECT i.update_id, i.chat_id, i.payload, i.received_at,"
        " EXISTS (SELECT 1 FROM processed_updates p WHERE p.update_id = i.update_id)"
        " FROM inbox i ORDER BY i.update_id").fetchall()
    return [InboxRow(r[0], r[1], r[2], parse_iso(r[3]), bool(r[4])) for r in rows]


def count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0]
