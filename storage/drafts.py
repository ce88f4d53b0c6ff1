"""A text too long for the question it answers, kept until the person shortens it, splits it or
uses the rest of it: what was typed is never dropped (one draft per run of a flow)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso


@dataclass(frozen=True)
class Draft:
    question: str   # the question it was too long for; '' for the rest of a split text
    idx: int
    text: str


def get(db: sqlite_utils.Database, person_id: int, flow: str, instance: str) -> Draft | None:
    row = db.execute("SELECT question, idx, text FROM answer_drafts WHERE person_id = ?"
                     " AND flow = ? AND instance = ?", [person_id, flow, instance]).fetchone()
    return Draft(row[0], row[1], row[2]) if row else None


def save(db: sqlite_utils.Database, person_id: int, flow: str, instance: str, question: str,
         idx: int, text: str, now: datetime) -> None:
    db.execute("INSERT INTO answer_drafts (person_id, flow, instance, question, idx, text,"
               " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (person_id, flow, instance)"
               " DO UPDATE SET question = excluded.question, idx = excluded.idx,"
               " text = excluded.text, updated_at = excluded.updated_at",
               [person_id, flow, instance, question, idx, text, utcnow_iso(now)])


def drop(db: sqlite_utils.Database, person_id: int, flow: str, instance: str) -> None:
    db.execute("DELETE FROM answer_drafts WHERE person_id = ? AND flow = ? AND instance = ?",
               [person_id, flow, instance])
