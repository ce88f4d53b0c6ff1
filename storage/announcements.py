"""Announcements a coordinator sent (the deliveries themselves are outbox rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Announcement:
    id: int
    author_id: int | None
    text: str
    photo_file_id: str | None
    document_file_id: str | None
    audience: dict
    audience_label: str
    recipients: int
    planned_at: datetime
    status: str
    status_chat_id: int | None
    status_message_id: int | None
    created_at: datetime
    finished_at: datetime | None
    status_text: str = ""   # the status message's text as last shown (edited only on change)
    cancelled_at: datetime | None = None

    @property
    def subject(self) -> str:
        return f"announcement:{self.id}"


_FIELDS = list(Announcement.__dataclass_fields__)
_COLS = ", ".join(_FIELDS)


def _a(row: dict) -> Announcement:
    values = {k: row[k] for k in _FIELDS}
    values["audience"] = json.loads(values["audience"])
    for name in ("planned_at", "created_at", "finished_at", "cancelled_at"):
        values[name] = parse_iso(values[name])
    return Announcement(**values)


def create(db: sqlite_utils.Database, *, author_id: int | None, text: str, audience: dict,
           audience_label: str, recipients: int, planned_at: datetime, now: datetime,
           photo_file_id: str | None = None, document_file_id: str | None = None
           ) -> Announcement:
    cursor = db.execute(
        "INSERT INTO announcements (author_id, text, photo_file_id, document_file_id, audience,"
        " audience_label, recipients, planned_at, status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)",
        [author_id, text, photo_file_id, document_file_id, json.dumps(audience, sort_keys=True),
         audience_label, recipients, utcnow_iso(planned_at), utcnow_iso(now)])
    return get(db, cursor.lastrowid)


def get(db: sqlite_utils.Database, announcement_id: int) -> Announcement | None:
    rows = list(db.query(f"SELECT {_COLS} FROM announcements WHERE id = ?", [announcement_id]))
    return _a(rows[0]) if rows else None


def recent(db: sqlite_utils.Database, limit: int = 10) -> list[Announcement]:
    return [_a(r) for r in db.query(
        f"SELECT {_COLS} FROM announcements ORDER BY id DESC LIMIT ?", [limit])]


def queued(db: sqlite_utils.Database) -> list[Announcement]:
    return [_a(r) for r in db.query(
        f"SELECT {_COLS} FROM announcements WHERE status = 'queued' ORDER BY id")]


def set_status_message(db: sqlite_utils.Database, announcement_id: int, chat_id: int,
                       message_id: int) -> None:
    db.execute("UPDATE announcements SET status_chat_id = ?, status_message_id = ? WHERE id = ?",
               [chat_id, message_id, announcement_id])


def set_status_text(db: sqlite_utils.Database, announcement_id: int, text: str) -> None:
    db.execute("UPDATE announcements SET status_text = ? WHERE id = ?", [text, announcement_id])


def finish(db: sqlite_utils.Database, announcement_id: int, now: datetime) -> bool:
    return db.execute("UPDATE announcements SET status = 'done', finished_at = ?"
                      " WHERE id = ? AND status = 'queued'",
                      [utcnow_iso(now), announcement_id]).rowcount == 1


def cancel(db: sqlite_utils.Database, announcement_id: int, now: datetime) -> bool:
    """A planned announcement that will not go out."""
    return db.execute("UPDATE announcements SET status = 'done', finished_at = ?,"
                      " cancelled_at = ? WHERE id = ? AND status = 'queued'",
                      [utcnow_iso(now), utcnow_iso(now), announcement_id]).rowcount == 1


def set_text(db: sqlite_utils.Database, announcement_id: int, text: str) -> bool:
    return db.execute("UPDATE announcements SET text = ? WHERE id = ? AND status = 'queued'",
                      [text, announcement_id]).rowcount == 1


def set_recipients(db: sqlite_utils.Database, announcement_id: int, count: int) -> None:
    db.execute("UPDATE announcements SET recipients = ? WHERE id = ?", [count, announcement_id])


def reopen(db: sqlite_utils.Database, announcement_id: int) -> bool:
    """A finished announcement is being sent again to some recipients: follow it again (its
    status message is edited, and a new report comes when it is done)."""
    return db.execute("UPDATE announcements SET status = 'queued', finished_at = NULL"
                      " WHERE id = ? AND status = 'done'", [announcement_id]).rowcount == 1
