"""The inspiration library's stored entries (imported or published; the shipped ones are a file,
see programme/library.py), the author's consent to publish, and the practices a participant
chose in brief step 2."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class PracticeRow:
    key: str
    origin: str
    themes: str
    link: str
    source: str
    title_nl: str
    place_nl: str
    what_nl: str
    title_en: str
    place_en: str
    what_en: str
    author_id: int | None
    item_id: int | None


_P = ", ".join(PracticeRow.__dataclass_fields__)


def all_rows(db: sqlite_utils.Database) -> list[PracticeRow]:
    return [PracticeRow(*r) for r in db.execute(
        f"SELECT {_P} FROM practices ORDER BY created_at, key").fetchall()]


def get(db: sqlite_utils.Database, key: str) -> PracticeRow | None:
    row = db.execute(f"SELECT {_P} FROM practices WHERE key = ?", [key]).fetchone()
    return PracticeRow(*row) if row else None


def upsert(db: sqlite_utils.Database, *, key: str, origin: str, themes: list[int], link: str,
           source: str, nl: tuple[str, str, str], en: tuple[str, str, str] | None,
           now: datetime, author_id: int | None = None, item_id: int | None = None) -> bool:
    """Insert or update one entry; True when something changed (a re-import of the same file
    changes nothing, not even a timestamp)."""
    en = en or ("", "", "")
    values = {"origin": origin, "themes": json.dumps(themes), "link": link, "source": source,
              "title_nl": nl[0], "place_nl": nl[1], "what_nl": nl[2], "title_en": en[0],
              "place_en": en[1], "what_en": en[2], "author_id": author_id, "item_id": item_id}
    current = get(db, key)
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return False
    stamp = utcnow_iso(now)
    columns = ", ".join(values)
    db.execute(
        f"INSERT INTO practices (key, {columns}, created_at, updated_at)"
        f" VALUES (?, {', '.join('?' for _ in values)}, ?, ?)"
        f" ON CONFLICT (key) DO UPDATE SET "
        + ", ".join(f"{k} = excluded.{k}" for k in values) + ", updated_at = excluded.updated_at",
        [key, *values.values(), stamp, stamp])
    return True


def of_item(db: sqlite_utils.Database, item_id: int) -> PracticeRow | None:
    row = db.execute(f"SELECT {_P} FROM practices WHERE item_id = ?", [item_id]).fetchone()
    return PracticeRow(*row) if row else None


# -- consent to publish a shared item ------------------------------------------------------------
@dataclass(frozen=True)
class Consent:
    item_id: int
    asked_by: int | None
    asked_at: datetime
    answer: str | None


def ask_consent(db: sqlite_utils.Database, item_id: int, asked_by: int, now: datetime) -> None:
    """Ask (again): an earlier answer is forgotten, the author decides anew."""
    db.execute("INSERT INTO practice_consents (item_id, asked_by, asked_at) VALUES (?, ?, ?)"
               " ON CONFLICT (item_id) DO UPDATE SET asked_by = excluded.asked_by,"
               " asked_at = excluded.asked_at, answer = NULL, answered_at = NULL",
               [item_id, asked_by, utcnow_iso(now)])


def consent(db: sqlite_utils.Database, item_id: int) -> Consent | None:
    row = db.execute("SELECT item_id, asked_by, asked_at, answer FROM practice_consents"
                     " WHERE item_id = ?", [item_id]).fetchone()
    return Consent(row[0], row[1], parse_iso(row[2]), row[3]) if row else None


def answer_consent(db: sqlite_utils.Database, item_id: int, answer: str, now: datetime) -> bool:
    """Record the author's answer to an open question; False when none was open."""
    return db.execute("UPDATE practice_consents SET answer = ?, answered_at = ?"
                      " WHERE item_id = ? AND answer IS NULL",
                      [answer, utcnow_iso(now), item_id]).rowcount == 1


# -- chosen in brief step 2 -----------------------------------------------------------------------
@dataclass(frozen=True)
class Chosen:
    key: str
    title: str
    place: str
    chosen_at: datetime


def choose(db: sqlite_utils.Database, person_id: int, key: str, title: str, place: str,
           now: datetime) -> bool:
    """True when newly chosen (choosing it again changes nothing)."""
    return db.execute("INSERT OR IGNORE INTO chosen_practices (person_id, practice_key, title,"
                      " place, chosen_at) VALUES (?, ?, ?, ?, ?)",
                      [person_id, key, title, place, utcnow_iso(now)]).rowcount == 1


def unchoose(db: sqlite_utils.Database, person_id: int, key: str) -> bool:
    return db.execute("DELETE FROM chosen_practices WHERE person_id = ? AND practice_key = ?",
                      [person_id, key]).rowcount == 1


def chosen(db: sqlite_utils.Database, person_id: int) -> list[Chosen]:
    return [Chosen(r[0], r[1], r[2], parse_iso(r[3])) for r in db.execute(
        "SELECT practice_key, title, place, chosen_at FROM chosen_practices WHERE person_id = ?"
        " ORDER BY chosen_at, practice_key", [person_id]).fetchall()]
