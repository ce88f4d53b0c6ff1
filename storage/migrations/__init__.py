"""Ordered, idempotent schema migrations.

Each module `mNNNN_<name>.py` in this package defines `VERSION` (int, unique) and
`apply(db)`, and is listed in MIGRATIONS below (a new migration is one import and one line).
They run in VERSION order, each in its own transaction together with the row that records it
in `schema_version`; running them twice changes nothing.

Version ranges: 1-9 foundation, 10-19 flows, 20-29 calendar and outbox, 30-39 homework,
40-49 coordinator tools, 50-59 trust and privacy, 60-69 wiring, 70-79 inbox, 80-89 trust 2,
90-99 what coaches see, 100-109 conversations, 110-119 follow-up, 120-129 sharing,
130-139 English programme content, 140-149 the hot path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType

import sqlite_utils

from storage.migrations import (
    m0001_foundation,
    m0010_flows,
    m0020_calendar,
    m0030_homework,
    m0040_coordinator,
    m0041_announcements,
    m0050_trust,
    m0060_wiring,
    m0070_inbox,
    m0090_coaches,
    m0100_conversations,
    m0110_followup,
    m0120_sharing,
    m0130_english,
    m0140_hot_path,
)

MIGRATIONS: tuple[ModuleType, ...] = (
    m0001_foundation,
    m0010_flows,
    m0020_calendar,
    m0030_homework,
    m0040_coordinator,
    m0041_announcements,
    m0050_trust,
    m0060_wiring,
    m0070_inbox,
    m0090_coaches,
    m0100_conversations,
    m0110_followup,
    m0120_sharing,
    m0130_english,
    m0140_hot_path,
)


def discover() -> list[ModuleType]:
    modules = sorted(MIGRATIONS, key=lambda m: m.VERSION)
    versions = [m.VERSION for m in modules]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return modules


def apply_migrations(db: sqlite_utils.Database) -> list[int]:
    """Apply what is missing; return the versions applied now."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {row["version"] for row in db.query("SELECT version FROM schema_version")}
    done = []
    for module in discover():
        if module.VERSION in applied:
            continue
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the lock.
            if db.execute("SELECT 1 FROM schema_version WHERE version = ?",
                          [module.VERSION]).fetchone():
                conn.execute("ROLLBACK")
                continue
            module.apply(db)
            db.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                [module.VERSION, module.__name__.rsplit(".", 1)[-1],
                 datetime.now(UTC).isoformat(timespec="seconds")],
            )
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        done.append(module.VERSION)
    return done


def current_version(db: sqlite_utils.Database) -> int:
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0
