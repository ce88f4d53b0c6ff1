"""The audit log: who (a coach or coordinator) opened or exported whose data, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Entry:
    id: int
    actor_id: int | None
    action: str
    subject_person_id: int | None
    detail: str
    created_at: datetime


def record(db: sqlite_utils.Database, actor_id: int | None, action: str,
           subject_person_id: int | None, now: datetime, detail: str = "") -> None:
    db.execute("INSERT INTO audit_log (actor_id, action, subject_person_id, detail, created_at)"
               " VALUES (?, ?, ?, ?, ?)",
               [actor_id, action, subject_person_id, detail, utcnow_iso(now)])


def recent(db: sqlite_utils.Database, limit: int = 30) -> list[Entry]:
    return [Entry(r["id"], r["actor_id"], r["action"], r["subject_person_id"], r["detail"],
                  parse_iso(r["created_at"]))
            for r in db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", [limit])]
