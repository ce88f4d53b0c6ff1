"""Answers to guided conversations: one row per person, flow, instance, question and repeat
index. Only the latest value counts; an edit moves the earlier value into the history table.

`instance` tells runs of the same flow apart: '' for single flows, the chain number for five
whys, the session id for evaluations. Values are stored as JSON; a skipped optional question is
a row with `skipped = 1` and no value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from storage.db import parse_iso, transaction, utcnow_iso


@dataclass(frozen=True)
class Answer:
    flow: str
    instance: str
    question: str
    idx: int
    value: Any
    skipped: bool
    created_at: datetime
    updated_at: datetime


_COLUMNS = "flow, instance, question, idx, value, skipped, created_at, updated_at"


def _answer(row) -> Answer:
    flow, instance, question, idx, value, skipped, created, updated = row
    return Answer(flow, instance, question, idx, None if value is None else json.loads(value),
                  bool(skipped), parse_iso(created), parse_iso(updated))


def of(db: sqlite_utils.Database, person_id: int, flow: str, instance: str = "") -> list[Answer]:
    """The current answers of one run of a flow."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM flow_answers WHERE person_id = ? AND flow = ?"
                      " AND instance = ? ORDER BY id", [person_id, flow, instance]).fetchall()
    return [_answer(r) for r in rows]


def values_of(db: sqlite_utils.Database, person_id: int, flow: str, instance: str = ""
              ) -> list[tuple[str, int, Any, bool]]:
    """(question, idx, value, skipped) of one run's current answers: what the engine needs,
    read on every answer, without building Answer objects."""
    rows = db.execute("SELECT question, idx, value, skipped FROM flow_answers"
                      " WHERE person_id = ? AND flow = ? AND instance = ? ORDER BY id",
                      [person_id, flow, instance]).fetchall()
    return [(q, i, None if v is None else json.loads(v), bool(s)) for q, i, v, s in rows]


def of_flow(db: sqlite_utils.Database, person_id: int, flow: str) -> list[Answer]:
    """Every current answer of one person in one flow, all instances."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM flow_answers WHERE person_id = ? AND flow = ?"
                      " ORDER BY id", [person_id, flow]).fetchall()
    return [_answer(r) for r in rows]


def save(db: sqlite_utils.Database, person_id: int, flow: str, instance: str, question: str,
         idx: int, value: Any, *, skipped: bool = False, now: datetime, new: bool = False
         ) -> bool:
    """Store the latest value; an earlier, different value goes to the history table.
    Returns False when the value was already stored (nothing changed). `new=True` promises
    there is no earlier value (the caller just read the answers in the same transaction); a
    broken promise still fails safely on the unique key."""
    encoded = None if skipped else json.dumps(value, ensure_ascii=False)
    stamp = utcnow_iso(now)
    with transaction(db):
        row = None if new else db.execute("SELECT id, value, skipped, updated_at FROM flow_answers"
                         " WHERE person_id = ? AND flow = ? AND instance = ? AND question = ?"
                         " AND idx = ?", [person_id, flow, instance, question, idx]).fetchone()
        if row is None:
            db.execute("INSERT INTO flow_answers (person_id, flow, instance, question, idx,"
                       " value, skipped, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [person_id, flow, instance, question, idx, encoded, int(skipped), stamp,
                        stamp])
            return True
        answer_id, old_value, old_skipped, old_updated = row
        if old_value == encoded and bool(old_skipped) == skipped:
            return False
        db.execute("INSERT INTO flow_answer_history (person_id, flow, instance, question, idx,"
                   " value, skipped, answered_at, replaced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [person_id, flow, instance, question, idx, old_value, old_skipped,
                    old_updated, stamp])
        db.execute("UPDATE flow_answers SET value = ?, skipped = ?, updated_at = ? WHERE id = ?",
                   [encoded, int(skipped), stamp, answer_id])
        return True


def history(db: sqlite_utils.Database, person_id: int, flow: str, instance: str, question: str,
            idx: int = 0) -> list[tuple[Any, bool, datetime]]:
    """Earlier values of one answer, oldest first: (value, skipped, replaced_at)."""
    rows = db.execute("SELECT value, skipped, replaced_at FROM flow_answer_history"
                      " WHERE person_id = ? AND flow = ? AND instance = ? AND question = ?"
                      " AND idx = ? ORDER BY id",
                      [person_id, flow, instance, question, idx]).fetchall()
    return [(None if v is None else json.loads(v), bool(s), parse_iso(r)) for v, s, r in rows]


def instances(db: sqlite_utils.Database, person_id: int, flow: str) -> list[str]:
    rows = db.execute("SELECT DISTINCT instance FROM flow_answers WHERE person_id = ?"
                      " AND flow = ? ORDER BY instance", [person_id, flow]).fetchall()
    return [r[0] for r in rows]


def last_activity(db: sqlite_utils.Database, person_id: int) -> datetime | None:
    row = db.execute("SELECT MAX(updated_at) FROM flow_answers WHERE person_id = ?",
                     [person_id]).fetchone()
    return parse_iso(row[0]) if row and row[0] else None
