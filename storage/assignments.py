"""Homework assignments: each belongs to a session.

`opens_at` / `due_at` are None unless a coordinator fixed them; the effective times (end of the
session / before the next one) are worked out in programme.calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso

KINDS = ("brief_step", "whys", "text", "files")


@dataclass(frozen=True)
class Assignment:
    id: int
    session_id: int
    title: str
    instructions: str
    kind: str
    brief_step: int | None
    opens_at: datetime | None
    due_at: datetime | None
    title_en: str = ""    # the English texts; "" when not given (programme/content.py)
    instructions_en: str = ""


_FIELDS = list(Assignment.__dataclass_fields__)
_COLS = ", ".join(f"a.{f}" for f in _FIELDS)


def _a(row: dict) -> Assignment:
    values = {k: row[k] for k in _FIELDS}
    values["opens_at"] = parse_iso(values["opens_at"])
    values["due_at"] = parse_iso(values["due_at"])
    return Assignment(**values)


def upsert(db: sqlite_utils.Database, *, session_id: int, title: str, kind: str, now: datetime,
           instructions: str = "", brief_step: int | None = None,
           opens_at: datetime | None = None, due_at: datetime | None = None,
           title_en: str = "", instructions_en: str = "") -> Assignment:
    """Insert or update by (session, title)."""
    if kind not in KINDS:
        raise ValueError(f"unknown hand-in kind {kind!r}")
    db.execute(
        "INSERT INTO assignments (session_id, title, instructions, kind, brief_step, opens_at,"
        " due_at, title_en, instructions_en, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (session_id, title) DO UPDATE SET instructions = excluded.instructions,"
        " kind = excluded.kind, brief_step = excluded.brief_step,"
        " opens_at = excluded.opens_at, due_at = excluded.due_at,"
        " title_en = excluded.title_en, instructions_en = excluded.instructions_en",
        [session_id, title, instructions, kind, brief_step,
         utcnow_iso(opens_at) if opens_at else None, utcnow_iso(due_at) if due_at else None,
         title_en, instructions_en, utcnow_iso(now)])
    rows = list(db.query(f"SELECT {_COLS} FROM assignments a WHERE session_id = ? AND title = ?",
                         [session_id, title]))
    return _a(rows[0])


def get(db: sqlite_utils.Database, assignment_id: int) -> Assignment | None:
    rows = list(db.query(f"SELECT {_COLS} FROM assignments a WHERE id = ?", [assignment_id]))
    return _a(rows[0]) if rows else None


def of_session(db: sqlite_utils.Database, session_id: int) -> list[Assignment]:
    return [_a(r) for r in db.query(
        f"SELECT {_COLS} FROM assignments a WHERE session_id = ? ORDER BY id", [session_id])]


def of_trajectory(db: sqlite_utils.Database, trajectory_id: int) -> list[Assignment]:
    return [_a(r) for r in db.query(
        f"SELECT {_COLS} FROM assignments a JOIN sessions s ON s.id = a.session_id"
        " WHERE s.trajectory_id = ? ORDER BY s.number, a.id", [trajectory_id])]


def set_times(db: sqlite_utils.Database, assignment_id: int, *,
              opens_at: datetime | None, due_at: datetime | None) -> None:
    """Fix (or, with None, un-fix) the opening and due time of one assignment."""
    db.execute("UPDATE assignments SET opens_at = ?, due_at = ? WHERE id = ?",
               [utcnow_iso(opens_at) if opens_at else None,
                utcnow_iso(due_at) if due_at else None, assignment_id])


IMPORT_KINDS = {"five_whys": "whys"}  # the programme file's names -> ours


def import_upsert(db: sqlite_utils.Database, *, session_id: int, number: int, title: str,
                  instructions: str, kind: str, now: datetime | None = None,
                  title_en: str = "", instructions_en: str = "") -> bool:
    """The programme import: the `number`-th assignment of a session (its identity in the file)
    is inserted or updated in place. A brief_step assignment is about the step of its session.
    Returns True when something changed."""
    from datetime import UTC

    kind = IMPORT_KINDS.get(kind, kind)
    if kind not in KINDS:
        raise ValueError(f"unknown hand-in kind {kind!r}")
    step = None
    if kind == "brief_step":
        step = db.execute("SELECT number FROM sessions WHERE id = ?", [session_id]).fetchone()[0]
    existing = of_session(db, session_id)
    if number <= len(existing):
        current = existing[number - 1]
        if (current.title, current.instructions, current.kind, current.brief_step,
                current.title_en, current.instructions_en) == (
                title, instructions, kind, step, title_en, instructions_en):
            return False
        db.execute("UPDATE assignments SET title = ?, instructions = ?, kind = ?, brief_step = ?,"
                   " title_en = ?, instructions_en = ? WHERE id = ?",
                   [title, instructions, kind, step, title_en, instructions_en, current.id])
        return True
    db.execute(
        "INSERT INTO assignments (session_id, title, instructions, kind, brief_step,"
        " title_en, instructions_en, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [session_id, title, instructions, kind, step, title_en, instructions_en,
         utcnow_iso(now or datetime.now(UTC))])
    return True


def set_instructions(db: sqlite_utils.Database, assignment_id: int, instructions: str,
                     language: str = "nl") -> bool:
    """A coordinator edits an assignment's text in the chat, in their language: Dutch changes
    `instructions`, English `instructions_en`."""
    column = "instructions_en" if language == "en" else "instructions"
    return db.execute(f"UPDATE assignments SET {column} = ? WHERE id = ?",
                      [instructions, assignment_id]).rowcount == 1
