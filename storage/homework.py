"""Submissions with their items and feedback thread (the homework a participant hands in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Submission:
    id: int
    assignment_id: int
    person_id: int
    status: str            # draft | submitted
    submitted_at: datetime | None
    late: bool
    updated_at: datetime


@dataclass(frozen=True)
class Item:
    id: int
    submission_id: int
    kind: str
    text: str
    file_id: str | None
    file_name: str
    mime_type: str
    size: int | None
    local_path: str | None
    download_status: str
    download_attempts: int
    download_error: str


@dataclass(frozen=True)
class Feedback:
    id: int
    submission_id: int
    author_id: int | None
    kind: str
    text: str
    file_id: str | None
    created_at: datetime


def _submission(row) -> Submission:
    return Submission(row["id"], row["assignment_id"], row["person_id"], row["status"],
                      parse_iso(row["submitted_at"]), bool(row["late"]),
                      parse_iso(row["updated_at"]))


_S = "id, assignment_id, person_id, status, submitted_at, late, updated_at"
_I = ", ".join(Item.__dataclass_fields__)


def get(db: sqlite_utils.Database, submission_id: int) -> Submission | None:
    rows = list(db.query(f"SELECT {_S} FROM submissions WHERE id = ?", [submission_id]))
    return _submission(rows[0]) if rows else None


def of(db: sqlite_utils.Database, person_id: int, assignment_id: int) -> Submission | None:
    rows = list(db.query(f"SELECT {_S} FROM submissions WHERE person_id = ? AND assignment_id = ?",
                         [person_id, assignment_id]))
    return _submission(rows[0]) if rows else None


def of_person(db: sqlite_utils.Database, person_id: int) -> list[Submission]:
    """Every submission (drafts too) of one person."""
    rows = db.query(f"SELECT {_S} FROM submissions WHERE person_id = ? ORDER BY id",
                    [person_id])
    return [_submission(r) for r in rows]


def has_submitted(db: sqlite_utils.Database, person_id: int, assignment_id: int) -> bool:
    """Whether the person handed the assignment in (a draft does not count)."""
    return db.execute(
        "SELECT 1 FROM submissions WHERE person_id = ? AND assignment_id = ?"
        " AND status = 'submitted'", [person_id, assignment_id]).fetchone() is not None


def of_assignment(db: sqlite_utils.Database, assignment_id: int) -> list[Submission]:
    return [_submission(r) for r in db.query(
        f"SELECT {_S} FROM submissions WHERE assignment_id = ? ORDER BY id", [assignment_id])]


def ensure_draft(db: sqlite_utils.Database, person_id: int, assignment_id: int,
                 now: datetime) -> Submission:
    stamp = utcnow_iso(now)
    db.execute("INSERT OR IGNORE INTO submissions (assignment_id, person_id, status, created_at,"
               " updated_at) VALUES (?, ?, 'draft', ?, ?)",
               [assignment_id, person_id, stamp, stamp])
    return of(db, person_id, assignment_id)


def add_item(db: sqlite_utils.Database, submission_id: int, *, kind: str, now: datetime,
             text: str = "", file_id: str | None = None, file_unique_id: str | None = None,
             file_name: str = "", mime_type: str = "", size: int | None = None) -> Item:
    cursor = db.execute(
        "INSERT INTO submission_items (submission_id, kind, text, file_id, file_unique_id,"
        " file_name, mime_type, size, download_status, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [submission_id, kind, text, file_id, file_unique_id, file_name, mime_type, size,
         "pending" if file_id else "none", utcnow_iso(now)])
    db.execute("UPDATE submissions SET updated_at = ? WHERE id = ?",
               [utcnow_iso(now), submission_id])
    return item(db, cursor.lastrowid)


def item(db: sqlite_utils.Database, item_id: int) -> Item | None:
    rows = list(db.query(f"SELECT {_I} FROM submission_items WHERE id = ?", [item_id]))
    return Item(**rows[0]) if rows else None


def items(db: sqlite_utils.Database, submission_id: int) -> list[Item]:
    return [Item(**r) for r in db.query(
        f"SELECT {_I} FROM submission_items WHERE submission_id = ? AND removed_at IS NULL"
        " ORDER BY id", [submission_id])]


def remove_item(db: sqlite_utils.Database, item_id: int, now: datetime) -> None:
    """An item that may not be kept (too big once downloaded): no longer part of anything."""
    db.execute("UPDATE submission_items SET removed_at = ?, local_path = NULL WHERE id = ?",
               [utcnow_iso(now), item_id])


def usage(db: sqlite_utils.Database, person_id: int, submission_id: int | None = None
          ) -> tuple[int, int]:
    """(pieces, bytes) of a person's current homework, or of one submission."""
    sql = ("SELECT COUNT(*), COALESCE(SUM(i.size), 0) FROM submission_items i"
           " JOIN submissions s ON s.id = i.submission_id"
           " WHERE i.removed_at IS NULL AND s.person_id = ?")
    params: list = [person_id]
    if submission_id is not None:
        sql += " AND s.id = ?"
        params.append(submission_id)
    count, size = db.execute(sql, params).fetchone()
    return count, size


def clear_items(db: sqlite_utils.Database, submission_id: int, now: datetime) -> int:
    """Replace a submission: earlier items are kept in the table but no longer count."""
    return db.execute("UPDATE submission_items SET removed_at = ? WHERE submission_id = ?"
                      " AND removed_at IS NULL", [utcnow_iso(now), submission_id]).rowcount


def last_removal(db: sqlite_utils.Database, submission_id: int) -> str | None:
    """When the pieces were last set aside ("opnieuw beginnen"), as stored; None: never."""
    row = db.execute("SELECT MAX(removed_at) FROM submission_items WHERE submission_id = ?",
                     [submission_id]).fetchone()
    return row[0] if row else None


def restore_items(db: sqlite_utils.Database, submission_id: int, removed_at: str,
                  now: datetime) -> int:
    """Undo one "opnieuw beginnen": the pieces set aside at `removed_at` count again."""
    count = db.execute("UPDATE submission_items SET removed_at = NULL WHERE submission_id = ?"
                       " AND removed_at = ?", [submission_id, removed_at]).rowcount
    db.execute("UPDATE submissions SET updated_at = ? WHERE id = ?",
               [utcnow_iso(now), submission_id])
    return count


def submit(db: sqlite_utils.Database, submission_id: int, now: datetime, late: bool) -> None:
    db.execute("UPDATE submissions SET status = 'submitted', submitted_at = ?, late = ?,"
               " updated_at = ? WHERE id = ?",
               [utcnow_iso(now), int(late), utcnow_iso(now), submission_id])


def pending_downloads(db: sqlite_utils.Database, max_attempts: int) -> list[Item]:
    return [Item(**r) for r in db.query(
        f"SELECT {_I} FROM submission_items WHERE removed_at IS NULL AND"
        " (download_status = 'pending' OR (download_status = 'failed' AND download_attempts < ?))"
        " ORDER BY id", [max_attempts])]


def failed_downloads(db: sqlite_utils.Database) -> list[Item]:
    return [Item(**r) for r in db.query(
        f"SELECT {_I} FROM submission_items WHERE removed_at IS NULL"
        " AND download_status = 'failed' ORDER BY id")]


def record_download(db: sqlite_utils.Database, item_id: int, *, path: str | None,
                    error: str = "", size: int | None = None) -> None:
    if path is not None:
        db.execute("UPDATE submission_items SET download_status = 'done', local_path = ?,"
                   " download_attempts = download_attempts + 1, download_error = '',"
                   " size = COALESCE(?, size) WHERE id = ?", [path, size, item_id])
    else:
        db.execute("UPDATE submission_items SET download_status = 'failed',"
                   " download_attempts = download_attempts + 1, download_error = ?"
                   " WHERE id = ?", [error, item_id])


def add_feedback(db: sqlite_utils.Database, submission_id: int, author_id: int | None, *,
                 text: str, now: datetime, kind: str = "text", file_id: str | None = None
                 ) -> Feedback:
    cursor = db.execute(
        "INSERT INTO feedback (submission_id, author_id, kind, text, file_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [submission_id, author_id, kind, text, file_id, utcnow_iso(now)])
    return thread(db, submission_id)[-1] if cursor.lastrowid else None


def thread(db: sqlite_utils.Database, submission_id: int) -> list[Feedback]:
    return [Feedback(r["id"], r["submission_id"], r["author_id"], r["kind"], r["text"],
                     r["file_id"], parse_iso(r["created_at"])) for r in db.query(
        "SELECT * FROM feedback WHERE submission_id = ? ORDER BY id", [submission_id])]


def submitted_between(db: sqlite_utils.Database, trajectory_id: int, since: datetime,
                      until: datetime) -> list[Submission]:
    """Submissions of a trajectory handed in (or updated after hand-in) in [since, until)."""
    return [_submission(r) for r in db.query(
        "SELECT s.id, s.assignment_id, s.person_id, s.status, s.submitted_at, s.late,"
        " s.updated_at FROM submissions s JOIN assignments a ON a.id = s.assignment_id"
        " JOIN sessions se ON se.id = a.session_id WHERE se.trajectory_id = ?"
        " AND s.status = 'submitted' AND s.submitted_at >= ? AND s.submitted_at < ?"
        " ORDER BY s.submitted_at", [trajectory_id, utcnow_iso(since), utcnow_iso(until)])]


def last_activity(db: sqlite_utils.Database, person_id: int) -> datetime | None:
    """The latest moment the person worked on homework: a piece added, a hand-in, or a
    message in a feedback thread."""
    row = db.execute(
        "SELECT MAX(t) FROM ("
        " SELECT MAX(updated_at) AS t FROM submissions WHERE person_id = ?"
        " UNION ALL SELECT MAX(created_at) FROM feedback WHERE author_id = ?)",
        [person_id, person_id]).fetchone()
    return parse_iso(row[0]) if row and row[0] else None
