"""The photos (and images sent as files) answering a question of a guided conversation, with
their captions and a local copy: the design brief shows them beside their step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso


@dataclass(frozen=True)
class FlowFile:
    id: int
    question: str
    idx: int
    file_id: str
    caption: str
    local_path: str | None


_COLUMNS = "id, question, idx, file_id, caption, local_path"


def add(db: sqlite_utils.Database, person_id: int, flow: str, instance: str, question: str,
        idx: int, file_id: str, caption: str, now: datetime) -> FlowFile:
    db.execute("INSERT INTO flow_files (person_id, flow, instance, question, idx, file_id,"
               " caption, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE"
               " SET caption = CASE WHEN excluded.caption != '' THEN excluded.caption"
               " ELSE caption END",
               [person_id, flow, instance, question, idx, file_id, caption, utcnow_iso(now)])
    row = db.execute(f"SELECT {_COLUMNS} FROM flow_files WHERE person_id = ? AND flow = ? AND"
                     " instance = ? AND question = ? AND idx = ? AND file_id = ?",
                     [person_id, flow, instance, question, idx, file_id]).fetchone()
    return FlowFile(*row)


def of_run(db: sqlite_utils.Database, person_id: int, flow: str, instance: str = ""
           ) -> list[FlowFile]:
    return [FlowFile(*r) for r in db.execute(
        f"SELECT {_COLUMNS} FROM flow_files WHERE person_id = ? AND flow = ? AND instance = ?"
        " ORDER BY id", [person_id, flow, instance]).fetchall()]


def record_copy(db: sqlite_utils.Database, file_row_id: int, path: str) -> None:
    db.execute("UPDATE flow_files SET local_path = ? WHERE id = ?", [path, file_row_id])


def without_copy(db: sqlite_utils.Database, person_id: int, limit: int = 50
                 ) -> list[tuple[int, int, str]]:
    """(row id, person id, file id) of the person's files whose local copy is missing."""
    return [tuple(r) for r in db.execute(
        "SELECT id, person_id, file_id FROM flow_files WHERE person_id = ? AND local_path IS NULL"
        " ORDER BY id LIMIT ?", [person_id, limit]).fetchall()]
