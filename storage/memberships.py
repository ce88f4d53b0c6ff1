"""Who belongs to which trajectory, in which role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import utcnow_iso


@dataclass(frozen=True)
class Membership:
    id: int
    person_id: int
    trajectory_id: int
    role: str
    status: str


_COLS = ", ".join(Membership.__dataclass_fields__)


def _m(row: dict) -> Membership:
    return Membership(**{k: row[k] for k in Membership.__dataclass_fields__})


def add(db: sqlite_utils.Database, *, person_id: int, trajectory_id: int, role: str,
        now: datetime) -> Membership:
    """Join (or re-join) a trajectory; joining twice changes nothing."""
    db.execute(
        "INSERT INTO memberships (person_id, trajectory_id, role, status, joined_at)"
        " VALUES (?, ?, ?, 'active', ?)"
        " ON CONFLICT (person_id, trajectory_id) DO UPDATE SET role = excluded.role,"
        " status = 'active'",
        [person_id, trajectory_id, role, utcnow_iso(now)],
    )
    return get(db, person_id, trajectory_id)


def get(db: sqlite_utils.Database, person_id: int, trajectory_id: int) -> Membership | None:
    rows = list(db.query(
        f"SELECT {_COLS} FROM memberships WHERE person_id = ? AND trajectory_id = ?",
        [person_id, trajectory_id]))
    return _m(rows[0]) if rows else None


def of_person(db: sqlite_utils.Database, person_id: int, *, active_only: bool = True
              ) -> list[Membership]:
    """Asked on every update (who may do what): plain statements, no savepoint."""
    sql = f"SELECT {_COLS} FROM memberships WHERE person_id = ?"
    if active_only:
        sql += " AND status = 'active'"
    rows = db.execute(sql + " ORDER BY trajectory_id", [person_id]).fetchall()
    return [Membership(*row) for row in rows]


def of_trajectory(db: sqlite_utils.Database, trajectory_id: int, role: str | None = None,
                  *, active_only: bool = True) -> list[Membership]:
    sql = f"SELECT {_COLS} FROM memberships WHERE trajectory_id = ?"
    params: list = [trajectory_id]
    if role:
        sql += " AND role = ?"
        params.append(role)
    if active_only:
        sql += " AND status = 'active'"
    return [_m(r) for r in db.query(sql + " ORDER BY id", params)]


def with_role(db: sqlite_utils.Database, role: str) -> list[Membership]:
    """Every active membership with this role, in all trajectories."""
    return [_m(r) for r in db.query(
        f"SELECT {_COLS} FROM memberships WHERE role = ? AND status = 'active' ORDER BY id",
        [role])]


def count_participants(db: sqlite_utils.Database, trajectory_id: int) -> int:
    row = db.execute(
        "SELECT COUNT(*) FROM memberships WHERE trajectory_id = ? AND role = 'participant'"
        " AND status = 'active'", [trajectory_id]).fetchone()
    return row[0]


def remove(db: sqlite_utils.Database, person_id: int, trajectory_id: int) -> None:
    db.execute("UPDATE memberships SET status = 'removed' WHERE person_id = ? AND trajectory_id = ?",
               [person_id, trajectory_id])
