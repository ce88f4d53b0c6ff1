"""Opening the one SQLite file: WAL, busy timeout, foreign keys, migrations applied."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from storage.migrations import apply_migrations


def connect(path: str | Path, *, busy_timeout_ms: int = 5000, migrate: bool = True
            ) -> sqlite_utils.Database:
    """Open (and create) the database. `:memory:` works for tests."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=busy_timeout_ms / 1000,
                           check_same_thread=False, isolation_level=None)
    # isolation_level=None: autocommit; every multi-statement change uses transaction().
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.execute("PRAGMA foreign_keys = ON")
    # Deleted content is overwritten, not left in free pages: an erase leaves nothing behind.
    db.execute("PRAGMA secure_delete = ON")
    if str(path) != ":memory:":
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints fsync; the bot runs them from a timer job (checkpoint()) instead of
        # every 1000 pages inside whichever update happens to cross the line.
        db.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
    if migrate:
        apply_migrations(db)
    return db


WAL_AUTOCHECKPOINT_PAGES = 20_000  # a safety net (about 80 MB of WAL); see checkpoint()


def checkpoint(db: sqlite_utils.Database) -> None:
    """Copy the WAL back into the database file without blocking readers or writers."""
    db.execute("PRAGMA wal_checkpoint(PASSIVE)")


def checkpoint_truncate(db: sqlite_utils.Database) -> None:
    """Copy the WAL back and empty it (after an erase: no old page copy stays in the WAL)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextmanager
def transaction(db: sqlite_utils.Database):
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error). Nested calls join the outer one."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def utcnow_iso(moment: datetime) -> str:
    """Timestamps are stored as ISO 8601 UTC text, comparable as strings."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_iso(text: str | None) -> datetime | None:
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
