"""People: participants, coaches and coordinators, keyed by their Telegram id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso

ROLES = ("participant", "coach", "coordinator")


@dataclass(frozen=True)
class Person:
    id: int
    telegram_id: int | None
    name: str
    language: str
    role: str
    municipality: str
    department: str
    organisation: str
    status: str

    @property
    def is_active(self) -> bool:
        return self.status in ("active", "unreachable")


def _person(row: dict | None) -> Person | None:
    if row is None:
        return None
    return Person(**{k: row[k] for k in Person.__dataclass_fields__})


_COLUMNS = ", ".join(Person.__dataclass_fields__)


def get(db: sqlite_utils.Database, person_id: int) -> Person | None:
    rows = list(db.query(f"SELECT {_COLUMNS} FROM people WHERE id = ?", [person_id]))
    return _person(rows[0] if rows else None)


_BY_TELEGRAM_ID = f"SELECT {_COLUMNS} FROM people WHERE telegram_id = ?"
_FIELDS = tuple(Person.__dataclass_fields__)


def by_telegram_id(db: sqlite_utils.Database, telegram_id: int) -> Person | None:
    """Asked on every update: one plain statement (db.query would wrap it in a savepoint)."""
    row = db.execute(_BY_TELEGRAM_ID, [telegram_id]).fetchone()
    return Person(*row) if row is not None else None


_WITH_ROLES = (f"SELECT {', '.join('p.' + f for f in _FIELDS)}, m.trajectory_id, m.role"
               " FROM people p LEFT JOIN memberships m ON m.person_id = p.id"
               " AND m.status = 'active' WHERE p.telegram_id = ? ORDER BY m.trajectory_id")


def with_roles(db: sqlite_utils.Database, telegram_id: int
               ) -> tuple[Person | None, dict[int, str]]:
    """The person with this Telegram id and the role they hold in each trajectory they are an
    active member of: who may do what, asked on every update, in one statement."""
    rows = db.execute(_WITH_ROLES, [telegram_id]).fetchall()
    if not rows:
        return None, {}
    width = len(_FIELDS)
    return Person(*rows[0][:width]), {r[width]: r[width + 1] for r in rows
                                      if r[width] is not None}


def by_name(db: sqlite_utils.Database, name: str) -> list[Person]:
    rows = db.query(f"SELECT {_COLUMNS} FROM people WHERE name LIKE ? ORDER BY id",
                    [f"%{name}%"])
    return [_person(r) for r in rows]


def all_people(db: sqlite_utils.Database) -> list[Person]:
    return [_person(r) for r in db.query(f"SELECT {_COLUMNS} FROM people ORDER BY id")]


def create(db: sqlite_utils.Database, *, telegram_id: int | None, name: str, role: str,
           language: str, now: datetime, municipality: str = "", department: str = "",
           organisation: str = "") -> Person:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    cursor = db.execute(
        "INSERT INTO people (telegram_id, name, language, role, municipality, department,"
        " organisation, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
        [telegram_id, name, language, role, municipality, department, organisation,
         utcnow_iso(now), utcnow_iso(now)],
    )
    return get(db, cursor.lastrowid)


_UPDATABLE = {"name", "language", "role", "municipality", "department", "organisation",
              "status", "telegram_id"}


def update(db: sqlite_utils.Database, person_id: int, now: datetime, **fields) -> Person:
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if fields:
        assignments = ", ".join(f"{k} = ?" for k in fields)
        db.execute(f"UPDATE people SET {assignments}, updated_at = ? WHERE id = ?",
                   [*fields.values(), utcnow_iso(now), person_id])
    return get(db, person_id)
