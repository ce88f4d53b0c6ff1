"""Invite codes: role, trajectory, uses, expiry, revocation, and who redeemed them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Invite:
    id: int
    code: str
    trajectory_id: int | None
    role: str
    max_uses: int
    uses: int
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: int | None
    prefill_name: str
    prefill_municipality: str
    prefill_department: str
    prefill_organisation: str = ""


_COLS = ", ".join(Invite.__dataclass_fields__)


def _invite(row: dict) -> Invite:
    values = {k: row[k] for k in Invite.__dataclass_fields__}
    values["expires_at"] = parse_iso(values["expires_at"])
    values["revoked_at"] = parse_iso(values["revoked_at"])
    return Invite(**values)


def create(db: sqlite_utils.Database, *, code: str, role: str, trajectory_id: int | None,
           max_uses: int, expires_at: datetime | None, now: datetime,
           created_by: int | None = None, prefill_name: str = "",
           prefill_municipality: str = "", prefill_department: str = "",
           prefill_organisation: str = "") -> Invite:
    db.execute(
        "INSERT INTO invites (code, trajectory_id, role, max_uses, uses, expires_at, created_by,"
        " created_at, prefill_name, prefill_municipality, prefill_department,"
        " prefill_organisation) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
        [code, trajectory_id, role, max_uses, utcnow_iso(expires_at) if expires_at else None,
         created_by, utcnow_iso(now), prefill_name, prefill_municipality, prefill_department,
         prefill_organisation],
    )
    return by_code(db, code)


def ensure(db: sqlite_utils.Database, **kwargs) -> Invite:
    """Create the invite unless one with that code exists (demo seeding)."""
    existing = by_code(db, kwargs["code"])
    return existing or create(db, **kwargs)


def by_code(db: sqlite_utils.Database, code: str) -> Invite | None:
    rows = list(db.query(f"SELECT {_COLS} FROM invites WHERE code = ?", [code]))
    return _invite(rows[0]) if rows else None


def by_code_key(db: sqlite_utils.Database, key: str) -> Invite | None:
    """The invite whose code, in upper case and without hyphens, is `key` (a code typed in
    another case); None when none or more than one is."""
    if not key:
        return None
    rows = list(db.query(f"SELECT {_COLS} FROM invites WHERE REPLACE(UPPER(code), '-', '') = ?"
                         " LIMIT 2", [key]))
    return _invite(rows[0]) if len(rows) == 1 else None


def get(db: sqlite_utils.Database, invite_id: int) -> Invite | None:
    rows = list(db.query(f"SELECT {_COLS} FROM invites WHERE id = ?", [invite_id]))
    return _invite(rows[0]) if rows else None


def open_of_trajectory(db: sqlite_utils.Database, trajectory_id: int, now: datetime
                       ) -> list[Invite]:
    """Invites of the trajectory that can still be used: not revoked, not expired, uses left."""
    return [_invite(r) for r in db.query(
        f"SELECT {_COLS} FROM invites WHERE trajectory_id = ? AND revoked_at IS NULL"
        " AND uses < max_uses AND (expires_at IS NULL OR expires_at > ?) ORDER BY id",
        [trajectory_id, utcnow_iso(now)])]


def coach_invite_named(db: sqlite_utils.Database, trajectory_id: int, name: str
                       ) -> Invite | None:
    """The (not revoked) coach invite of the trajectory made for this name (programme import)."""
    rows = list(db.query(
        f"SELECT {_COLS} FROM invites WHERE trajectory_id = ? AND role = 'coach'"
        " AND prefill_name = ? AND revoked_at IS NULL ORDER BY id LIMIT 1",
        [trajectory_id, name]))
    return _invite(rows[0]) if rows else None


_IMPORT_UPDATABLE = {"trajectory_id", "role", "max_uses", "expires_at", "prefill_name",
                     "prefill_municipality", "prefill_department", "prefill_organisation"}


def update(db: sqlite_utils.Database, invite_id: int, **fields) -> Invite:
    """Change an invite's limits or prefill (programme import); uses and revocation stay."""
    unknown = set(fields) - _IMPORT_UPDATABLE
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if "expires_at" in fields and fields["expires_at"] is not None:
        fields["expires_at"] = utcnow_iso(fields["expires_at"])
    if fields:
        db.execute(f"UPDATE invites SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                   [*fields.values(), invite_id])
    return get(db, invite_id)


def of_trajectory(db: sqlite_utils.Database, trajectory_id: int) -> list[Invite]:
    return [_invite(r) for r in db.query(
        f"SELECT {_COLS} FROM invites WHERE trajectory_id = ? ORDER BY id", [trajectory_id])]


def was_redeemed_by(db: sqlite_utils.Database, invite_id: int, person_id: int) -> bool:
    return db.execute("SELECT 1 FROM invite_redemptions WHERE invite_id = ? AND person_id = ?",
                      [invite_id, person_id]).fetchone() is not None


def record_redemption(db: sqlite_utils.Database, invite_id: int, person_id: int,
                      now: datetime) -> bool:
    """Count one use for this person; False when the last use was taken meanwhile."""
    cursor = db.execute("UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses",
                        [invite_id])
    if cursor.rowcount != 1:
        return False
    db.execute("INSERT INTO invite_redemptions (invite_id, person_id, redeemed_at)"
               " VALUES (?, ?, ?)", [invite_id, person_id, utcnow_iso(now)])
    return True


def revoke(db: sqlite_utils.Database, code: str, now: datetime) -> bool:
    cursor = db.execute("UPDATE invites SET revoked_at = ? WHERE code = ? AND revoked_at IS NULL",
                        [utcnow_iso(now), code])
    return cursor.rowcount == 1
