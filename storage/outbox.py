"""The outbox: every timed or bulk message is a row before it is sent.

A row is identified by its unique key (`kind:person:subject:offset`), so planning the same
message twice, a restart or two dispatchers never create or send a second copy. Status changes
are conditional UPDATEs (`... WHERE status = 'pending'`) whose rowcount tells the caller whether
it won: that is what makes claiming a row atomic across connections and processes.

    pending --claim--> sending --> sent | pending (retry, not_before) | failed | unreachable
    pending --> skipped (too late, muted, session started) | cancelled (no longer planned)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"
CANCELLED = "cancelled"
UNREACHABLE = "unreachable"
STATUSES = (PENDING, SENDING, SENT, FAILED, SKIPPED, CANCELLED, UNREACHABLE)
FINAL = (SENT, FAILED, SKIPPED, CANCELLED, UNREACHABLE)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    person_id: int | None
    trajectory_id: int | None
    subject: str
    planned_at: datetime
    not_before: datetime | None
    unique_key: str
    status: str
    attempts: int
    claimed_at: datetime | None
    sent_at: datetime | None
    message_id: int | None
    error: str
    payload: dict = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    interrupted: bool = False  # failed because a crash came between the claim and the answer

    @property
    def effective_at(self) -> datetime:
        """When the row may go: its planned time, or later when a retry waits (not_before)."""
        if self.not_before is not None and self.not_before > self.planned_at:
            return self.not_before
        return self.planned_at

    def subject_id(self, prefix: str) -> int | None:
        """`session` of subject 'session:12' -> 12 (None when the subject is of another kind)."""
        kind, _, value = self.subject.partition(":")
        return int(value) if kind == prefix and value.isdigit() else None


_FIELDS = list(OutboxRow.__dataclass_fields__)
_COLS = ", ".join(_FIELDS)
_TIMES = ("planned_at", "not_before", "claimed_at", "sent_at", "created_at", "updated_at")


def _row(row: dict) -> OutboxRow:
    values = {k: row[k] for k in _FIELDS}
    for name in _TIMES:
        values[name] = parse_iso(values[name])
    values["payload"] = json.loads(values["payload"] or "{}")
    values["interrupted"] = bool(values["interrupted"])
    return OutboxRow(**values)


def make_key(kind: str, person_id: int | None, subject: str, offset: str | int = "0") -> str:
    """The unique key of a message: kind, person, subject and offset."""
    return f"{kind}:{person_id if person_id is not None else '-'}:{subject}:{offset}"


def _select(db: sqlite_utils.Database, where: str, params: list, suffix: str = ""
            ) -> list[OutboxRow]:
    return [_row(r) for r in db.query(f"SELECT {_COLS} FROM outbox WHERE {where} {suffix}",
                                      params)]


def get(db: sqlite_utils.Database, row_id: int) -> OutboxRow | None:
    rows = _select(db, "id = ?", [row_id])
    return rows[0] if rows else None


def by_key(db: sqlite_utils.Database, unique_key: str) -> OutboxRow | None:
    rows = _select(db, "unique_key = ?", [unique_key])
    return rows[0] if rows else None


def enqueue(db: sqlite_utils.Database, *, kind: str, person_id: int | None, subject: str,
            planned_at: datetime, now: datetime, offset: str | int = "0",
            unique_key: str | None = None, trajectory_id: int | None = None,
            payload: dict | None = None) -> tuple[OutboxRow, bool]:
    """Add a row unless its unique key exists. Returns (row, created)."""
    key = unique_key or make_key(kind, person_id, subject, offset)
    stamp = utcnow_iso(now)
    cursor = db.execute(
        "INSERT OR IGNORE INTO outbox (kind, person_id, trajectory_id, subject, planned_at,"
        " unique_key, status, payload, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        [kind, person_id, trajectory_id, subject, utcnow_iso(planned_at), key,
         json.dumps(payload or {}, ensure_ascii=False, sort_keys=True), stamp, stamp])
    return by_key(db, key), cursor.rowcount == 1


def reschedule(db: sqlite_utils.Database, row_id: int, planned_at: datetime, now: datetime,
               payload: dict | None = None) -> bool:
    """Move a pending row to a new planned time (a moved session); clears a retry wait."""
    params: list = [utcnow_iso(planned_at), utcnow_iso(now)]
    extra = ""
    if payload is not None:
        extra = ", payload = ?"
        params.append(json.dumps(payload, ensure_ascii=False, sort_keys=True))
    cursor = db.execute(
        f"UPDATE outbox SET planned_at = ?, not_before = NULL, updated_at = ?{extra}"
        " WHERE id = ? AND status = 'pending'", [*params, row_id])
    return cursor.rowcount == 1


def revive(db: sqlite_utils.Database, row_id: int, planned_at: datetime, now: datetime) -> bool:
    """A cancelled row that is planned again (a session un-cancelled, a member back)."""
    cursor = db.execute(
        "UPDATE outbox SET status = 'pending', planned_at = ?, not_before = NULL, error = '',"
        " updated_at = ? WHERE id = ? AND status = 'cancelled'",
        [utcnow_iso(planned_at), utcnow_iso(now), row_id])
    return cursor.rowcount == 1


def pending_of_trajectory(db: sqlite_utils.Database, trajectory_id: int,
                          kinds: tuple[str, ...]) -> list[OutboxRow]:
    marks = ", ".join("?" for _ in kinds)
    return _select(db, f"trajectory_id = ? AND kind IN ({marks}) AND status = 'pending'",
                   [trajectory_id, *kinds], "ORDER BY id")


def keys_of_trajectory(db: sqlite_utils.Database, trajectory_id: int,
                       kinds: tuple[str, ...]) -> dict[str, OutboxRow]:
    """Every row (any status) of these kinds for a trajectory, by unique key."""
    marks = ", ".join("?" for _ in kinds)
    return {r.unique_key: r for r in _select(
        db, f"trajectory_id = ? AND kind IN ({marks})", [trajectory_id, *kinds])}


def due(db: sqlite_utils.Database, now: datetime, limit: int = 500) -> list[OutboxRow]:
    """Pending rows whose time has come, oldest first."""
    stamp = utcnow_iso(now)
    return _select(db, "status = 'pending' AND planned_at <= ?"
                   " AND (not_before IS NULL OR not_before <= ?)", [stamp, stamp],
                   f"ORDER BY planned_at, id LIMIT {int(limit)}")


def next_due_at(db: sqlite_utils.Database) -> datetime | None:
    """The earliest time a pending row may go (None when nothing is pending)."""
    row = db.execute("SELECT MIN(MAX(planned_at, COALESCE(not_before, planned_at)))"
                     " FROM outbox WHERE status = 'pending'").fetchone()
    return parse_iso(row[0]) if row and row[0] else None


def claim(db: sqlite_utils.Database, row_id: int, now: datetime) -> bool:
    """pending -> sending, atomically: True for exactly one caller, whatever the connection."""
    cursor = db.execute(
        "UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1,"
        " updated_at = ? WHERE id = ? AND status = 'pending'",
        [utcnow_iso(now), utcnow_iso(now), row_id])
    return cursor.rowcount == 1


def mark_sent(db: sqlite_utils.Database, row_id: int, now: datetime,
              message_id: int | None = None) -> bool:
    cursor = db.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = '',"
        " updated_at = ? WHERE id = ? AND status = 'sending'",
        [utcnow_iso(now), message_id, utcnow_iso(now), row_id])
    return cursor.rowcount == 1


def retry_later(db: sqlite_utils.Database, row_id: int, not_before: datetime, now: datetime,
                error: str, *, count_attempt: bool = True) -> bool:
    """sending -> pending with a wait (RetryAfter, network error). A wait that is not a failed
    attempt (RetryAfter) gives the attempt back."""
    give_back = "" if count_attempt else ", attempts = MAX(attempts - 1, 0)"
    cursor = db.execute(
        f"UPDATE outbox SET status = 'pending', not_before = ?, error = ?, updated_at = ?"
        f"{give_back} WHERE id = ? AND status = 'sending'",
        [utcnow_iso(not_before), error, utcnow_iso(now), row_id])
    return cursor.rowcount == 1


def finish(db: sqlite_utils.Database, row_id: int, status: str, now: datetime, error: str,
           *, from_status: str = SENDING) -> bool:
    """Close a row as failed / unreachable / skipped / cancelled, with the reason."""
    if status not in FINAL or status == SENT:
        raise ValueError(f"not a closing status: {status!r}")
    cursor = db.execute(
        "UPDATE outbox SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = ?",
        [status, error, utcnow_iso(now), row_id, from_status])
    return cursor.rowcount == 1


def defer(db: sqlite_utils.Database, row_id: int, not_before: datetime, now: datetime,
          reason: str) -> bool:
    """Keep a pending row waiting until not_before (quiet hours at send time)."""
    cursor = db.execute(
        "UPDATE outbox SET not_before = ?, error = ?, updated_at = ?"
        " WHERE id = ? AND status = 'pending'",
        [utcnow_iso(not_before), reason, utcnow_iso(now), row_id])
    return cursor.rowcount == 1


def fail_stale_sending(db: sqlite_utils.Database, claimed_before: datetime | None,
                       now: datetime) -> int:
    """Rows left in 'sending' (a crash between claim and result) are reported, not resent:
    Telegram may have delivered them, and a double is worse than a visible failure. They are
    marked `interrupted`, so a report can name who may have missed the message. With
    `claimed_before=None` every such row (at start-up, when the process lock guarantees that
    no other process is sending)."""
    cursor = db.execute(
        "UPDATE outbox SET status = 'failed', interrupted = 1, updated_at = ?,"
        " error = 'interrupted while sending (claimed at ' || claimed_at ||"
        " '); not resent because Telegram may have delivered it'"
        " WHERE status = 'sending' AND (? IS NULL OR claimed_at < ?)",
        [utcnow_iso(now), *([utcnow_iso(claimed_before)] * 2 if claimed_before else [None] * 2)])
    return cursor.rowcount


def requeue_failed(db: sqlite_utils.Database, subject: str, kind: str, now: datetime) -> int:
    """Send again, now, the failed rows of one subject (interrupted or not): a coordinator
    asked for it after reading who may have missed the message."""
    stamp = utcnow_iso(now)
    cursor = db.execute(
        "UPDATE outbox SET status = 'pending', interrupted = 0, error = '', planned_at = ?,"
        " not_before = NULL, attempts = 0, updated_at = ? WHERE subject = ? AND kind = ? AND status = 'failed'",
        [stamp, stamp, subject, kind])
    return cursor.rowcount


def cancel_pending(db: sqlite_utils.Database, now: datetime, reason: str, *,
                   subject: str | None = None, person_id: int | None = None,
                   kinds: tuple[str, ...] | None = None) -> int:
    """Cancel pending rows matching every given filter (at least one filter)."""
    clauses, params = ["status = 'pending'"], []
    if subject is not None:
        clauses.append("subject = ?")
        params.append(subject)
    if person_id is not None:
        clauses.append("person_id = ?")
        params.append(person_id)
    if kinds:
        clauses.append(f"kind IN ({', '.join('?' for _ in kinds)})")
        params.extend(kinds)
    if len(clauses) == 1:
        raise ValueError("cancel_pending needs a filter")
    cursor = db.execute(
        f"UPDATE outbox SET status = 'cancelled', error = ?, updated_at = ?"
        f" WHERE {' AND '.join(clauses)}", [reason, utcnow_iso(now), *params])
    return cursor.rowcount


def find(db: sqlite_utils.Database, *, kind: str | None = None, person_id: int | None = None,
         subject: str | None = None, status: str | None = None,
         trajectory_id: int | None = None) -> list[OutboxRow]:
    """Rows matching every given filter, in planned order (reports, tests)."""
    clauses, params = ["1 = 1"], []
    for name, value in (("kind", kind), ("person_id", person_id), ("subject", subject),
                        ("status", status), ("trajectory_id", trajectory_id)):
        if value is not None:
            clauses.append(f"{name} = ?")
            params.append(value)
    return _select(db, " AND ".join(clauses), params, "ORDER BY planned_at, id")


def counts(db: sqlite_utils.Database, *, subject: str | None = None,
           kind: str | None = None) -> dict[str, int]:
    """Number of rows per status (an announcement's delivery figures, for instance)."""
    clauses, params = ["1 = 1"], []
    if subject is not None:
        clauses.append("subject = ?")
        params.append(subject)
    if kind is not None:
        clauses.append("kind = ?")
        params.append(kind)
    result = dict.fromkeys(STATUSES, 0)
    for status, n in db.execute(
            f"SELECT status, COUNT(*) FROM outbox WHERE {' AND '.join(clauses)}"
            " GROUP BY status", params).fetchall():
        result[status] = n
    return result
