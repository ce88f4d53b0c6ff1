"""Follow-up data: extensions, snoozes ("herinner me morgen"), absences, chat edits of the
calendar, what the weekly overview reported, and after-care answers (tables of m0110)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


# -- extensions ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Extension:
    person_id: int
    assignment_id: int
    due_at: datetime
    granted_by: int | None
    granted_at: datetime


def grant_extension(db: sqlite_utils.Database, person_id: int, assignment_id: int,
                    due_at: datetime, granted_by: int | None, now: datetime) -> Extension:
    db.execute(
        "INSERT INTO extensions (person_id, assignment_id, due_at, granted_by, granted_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_id, assignment_id) DO UPDATE SET"
        " due_at = excluded.due_at, granted_by = excluded.granted_by,"
        " granted_at = excluded.granted_at",
        [person_id, assignment_id, utcnow_iso(due_at), granted_by, utcnow_iso(now)])
    return extension(db, person_id, assignment_id)


def extension(db: sqlite_utils.Database, person_id: int, assignment_id: int
              ) -> Extension | None:
    row = db.execute("SELECT due_at, granted_by, granted_at FROM extensions"
                     " WHERE person_id = ? AND assignment_id = ?",
                     [person_id, assignment_id]).fetchone()
    if row is None:
        return None
    return Extension(person_id, assignment_id, parse_iso(row[0]), row[1], parse_iso(row[2]))


def extensions_of(db: sqlite_utils.Database, person_id: int) -> dict[int, Extension]:
    return {r[0]: Extension(person_id, r[0], parse_iso(r[1]), r[2], parse_iso(r[3]))
            for r in db.execute("SELECT assignment_id, due_at, granted_by, granted_at"
                                " FROM extensions WHERE person_id = ?", [person_id])}


# -- snoozes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snooze:
    person_id: int
    subject: str
    rung: str
    until: datetime


def snooze(db: sqlite_utils.Database, person_id: int, subject: str, rung: str,
           until: datetime, now: datetime) -> bool:
    """Once per person, item and rung: False when this rung was already snoozed."""
    cursor = db.execute("INSERT OR IGNORE INTO snoozes (person_id, subject, rung, until,"
                        " created_at) VALUES (?, ?, ?, ?, ?)",
                        [person_id, subject, rung, utcnow_iso(until), utcnow_iso(now)])
    return cursor.rowcount == 1


def snoozes_of(db: sqlite_utils.Database, person_ids: list[int]) -> list[Snooze]:
    if not person_ids:
        return []
    marks = ", ".join("?" for _ in person_ids)
    return [Snooze(r[0], r[1], r[2], parse_iso(r[3])) for r in db.execute(
        f"SELECT person_id, subject, rung, until FROM snoozes WHERE person_id IN ({marks})"
        " ORDER BY person_id, subject, rung", person_ids)]


def last_snooze(db: sqlite_utils.Database, person_id: int) -> datetime | None:
    row = db.execute("SELECT MAX(created_at) FROM snoozes WHERE person_id = ?",
                     [person_id]).fetchone()
    return parse_iso(row[0]) if row and row[0] else None


# -- absences -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Absence:
    id: int
    person_id: int
    starts_at: datetime
    last_day: date          # away up to and including this local date
    created_at: datetime
    ended_at: datetime | None


def _absence(row) -> Absence:
    return Absence(row[0], row[1], parse_iso(row[2]), date.fromisoformat(row[3]),
                   parse_iso(row[4]), parse_iso(row[5]))


_A = "id, person_id, starts_at, last_day, created_at, ended_at"


def start_absence(db: sqlite_utils.Database, person_id: int, last_day: date,
                  now: datetime) -> Absence:
    """A new absence replaces one still open."""
    db.execute("UPDATE absences SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
               [utcnow_iso(now), person_id])
    cursor = db.execute("INSERT INTO absences (person_id, starts_at, last_day, created_at)"
                        " VALUES (?, ?, ?, ?)",
                        [person_id, utcnow_iso(now), last_day.isoformat(), utcnow_iso(now)])
    row = db.execute(f"SELECT {_A} FROM absences WHERE id = ?", [cursor.lastrowid]).fetchone()
    return _absence(row)


def end_absence(db: sqlite_utils.Database, person_id: int, now: datetime) -> bool:
    return db.execute("UPDATE absences SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
                      [utcnow_iso(now), person_id]).rowcount > 0


def absences_of(db: sqlite_utils.Database, person_id: int) -> list[Absence]:
    """Every absence of the person (ended ones keep the stretch they covered)."""
    return [_absence(r) for r in db.execute(
        f"SELECT {_A} FROM absences WHERE person_id = ? ORDER BY id", [person_id])]


# -- chat edits ---------------------------------------------------------------------------------
def mark_edited(db: sqlite_utils.Database, entity: str, entity_id: int, fields: list[str],
                by: int | None, now: datetime) -> None:
    for name in fields:
        db.execute("INSERT INTO chat_edits (entity, entity_id, field, edited_by, edited_at)"
                   " VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity, entity_id, field) DO UPDATE"
                   " SET edited_by = excluded.edited_by, edited_at = excluded.edited_at",
                   [entity, entity_id, name, by, utcnow_iso(now)])


def edited_fields(db: sqlite_utils.Database, entity: str, entity_id: int
                  ) -> dict[str, datetime]:
    return {r[0]: parse_iso(r[1]) for r in db.execute(
        "SELECT field, edited_at FROM chat_edits WHERE entity = ? AND entity_id = ?",
        [entity, entity_id])}


# -- escalations --------------------------------------------------------------------------------
def reported(db: sqlite_utils.Database, kind: str, ref: str) -> bool:
    return db.execute("SELECT 1 FROM escalations WHERE kind = ? AND ref = ?",
                      [kind, ref]).fetchone() is not None


def report(db: sqlite_utils.Database, kind: str, ref: str, person_id: int | None,
           now: datetime) -> bool:
    return db.execute("INSERT OR IGNORE INTO escalations (kind, ref, person_id, reported_at)"
                      " VALUES (?, ?, ?, ?)",
                      [kind, ref, person_id, utcnow_iso(now)]).rowcount == 1


def submitted_in(db: sqlite_utils.Database, trajectory_id: int) -> list[dict]:
    """Every handed-in submission of a trajectory: id, person, assignment title (and its
    English title), when."""
    return [dict(r) for r in db.query(
        "SELECT s.id, s.person_id, s.submitted_at, a.title, a.title_en FROM submissions s"
        " JOIN assignments a ON a.id = s.assignment_id"
        " JOIN sessions x ON x.id = a.session_id"
        " WHERE x.trajectory_id = ? AND s.status = 'submitted' ORDER BY s.id",
        [trajectory_id])]


def opened_by(db: sqlite_utils.Database, owner_id: int, title: str) -> set[int]:
    """Who opened (or answered) a submission: the audit log's "opened_submission" entries for
    its owner and assignment, and the authors of its feedback."""
    return {r[0] for r in db.execute(
        "SELECT actor_id FROM audit_log WHERE action = 'opened_submission'"
        " AND subject_person_id = ? AND detail = ? AND actor_id IS NOT NULL",
        [owner_id, title]).fetchall()}


def feedback_authors(db: sqlite_utils.Database, submission_id: int) -> set[int]:
    return {r[0] for r in db.execute(
        "SELECT author_id FROM feedback WHERE submission_id = ? AND author_id IS NOT NULL",
        [submission_id]).fetchall()}


def last_feedback(db: sqlite_utils.Database, submission_id: int) -> dict | None:
    """The latest message of a submission's feedback thread (author, when)."""
    row = db.execute("SELECT id, author_id, created_at FROM feedback WHERE submission_id = ?"
                     " ORDER BY id DESC LIMIT 1", [submission_id]).fetchone()
    return {"id": row[0], "author_id": row[1], "created_at": parse_iso(row[2])} if row else None


# -- after-care ---------------------------------------------------------------------------------
def answer_aftercare(db: sqlite_utils.Database, person_id: int, trajectory_id: int, answer: str,
                     now: datetime) -> None:
    db.execute("INSERT INTO aftercare_answers (person_id, trajectory_id, answer, answered_at)"
               " VALUES (?, ?, ?, ?) ON CONFLICT (person_id, trajectory_id) DO UPDATE SET"
               " answer = excluded.answer, answered_at = excluded.answered_at",
               [person_id, trajectory_id, answer, utcnow_iso(now)])


def aftercare_answers(db: sqlite_utils.Database, trajectory_id: int) -> dict[int, str]:
    return {r[0]: r[1] for r in db.execute(
        "SELECT person_id, answer FROM aftercare_answers WHERE trajectory_id = ?",
        [trajectory_id])}


# -- contact ------------------------------------------------------------------------------------
def last_sent_to(db: sqlite_utils.Database, person_id: int, before: datetime) -> datetime | None:
    """The latest timed or bulk message the person received (before `before`)."""
    row = db.execute("SELECT MAX(sent_at) FROM outbox WHERE person_id = ? AND status = 'sent'"
                     " AND sent_at <= ?", [person_id, utcnow_iso(before)]).fetchone()
    return parse_iso(row[0]) if row and row[0] else None


def joined_at(db: sqlite_utils.Database, person_id: int, trajectory_id: int) -> datetime | None:
    row = db.execute("SELECT joined_at FROM memberships WHERE person_id = ? AND trajectory_id = ?",
                     [person_id, trajectory_id]).fetchone()
    return parse_iso(row[0]) if row else None
