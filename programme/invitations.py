"""Making, listing and revoking invites, and a trajectory's maximum number of participants.

Used by `/uitnodiging` in the bot and by `bot.py admin invite`; the rules live here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from programme.enrolment import new_code
from storage import invites, memberships, trajectories
from storage.db import transaction

DEFAULT_USES = 1
DEFAULT_DAYS = 30
MAX_USES = 100
MAX_DAYS = 365
MAX_PARTICIPANTS_LIMIT = 50
INVITE_ROLES = ("participant", "coach", "coordinator")
PREFILL_MAX = 100


class InviteError(ValueError):
    """A rule was broken; `reason` names it (a message key suffix), `values` fill the message."""

    def __init__(self, reason: str, **values) -> None:
        super().__init__(f"{reason}: {values}" if values else reason)
        self.reason = reason
        self.values = values


@dataclass(frozen=True)
class Places:
    taken: int
    maximum: int

    @property
    def free(self) -> int:
        return max(0, self.maximum - self.taken)


def link(bot_username: str, code: str) -> str:
    """The deep link that opens the bot and sends `/start CODE`."""
    return f"https://t.me/{bot_username}?start={code}"


def places(db: sqlite_utils.Database, trajectory: trajectories.Trajectory) -> Places:
    return Places(memberships.count_participants(db, trajectory.id), trajectory.max_participants)


def create(db: sqlite_utils.Database, *, role: str, trajectory_id: int | None, now: datetime,
           uses: int = DEFAULT_USES, days: int = DEFAULT_DAYS, created_by: int | None = None,
           name: str = "", municipality: str = "", department: str = "") -> invites.Invite:
    """A new invite with an unguessable code, valid `days` days and `uses` times."""
    if role not in INVITE_ROLES:
        raise InviteError("bad_role", role=role)
    if not 1 <= uses <= MAX_USES:
        raise InviteError("bad_uses", maximum=MAX_USES)
    if not 1 <= days <= MAX_DAYS:
        raise InviteError("bad_days", maximum=MAX_DAYS)
    prefill = {"prefill_name": name.strip(), "prefill_municipality": municipality.strip(),
               "prefill_department": department.strip()}
    if any(len(v) > PREFILL_MAX for v in prefill.values()):
        raise InviteError("too_long", maximum=PREFILL_MAX)
    with transaction(db):
        trajectory = None
        if trajectory_id is not None:
            trajectory = trajectories.get(db, trajectory_id)
            if trajectory is None:
                raise InviteError("unknown_trajectory")
        elif role != "coordinator":
            raise InviteError("needs_trajectory")
        if role == "coordinator":
            trajectory_id = None
        if role == "participant" and places(db, trajectory).free == 0:
            raise InviteError("full", number=trajectory.number,
                              maximum=trajectory.max_participants)
        return invites.create(db, code=new_code(), role=role, trajectory_id=trajectory_id,
                              max_uses=uses, expires_at=now + timedelta(days=days), now=now,
                              created_by=created_by, **prefill)


def open_invites(db: sqlite_utils.Database, trajectory_id: int, now: datetime
                 ) -> list[invites.Invite]:
    return invites.open_of_trajectory(db, trajectory_id, now)


def revoke(db: sqlite_utils.Database, code: str, now: datetime) -> invites.Invite:
    """Withdraw an invite; people who already used it stay enrolled."""
    with transaction(db):
        invite = invites.by_code(db, code.strip())
        if invite is None:
            raise InviteError("unknown_code")
        if not invites.revoke(db, invite.code, now):
            raise InviteError("already_revoked")
        return invites.by_code(db, invite.code)


def set_max_participants(db: sqlite_utils.Database, trajectory_number: int, value: int
                         ) -> trajectories.Trajectory:
    """Raise (or lower) the maximum; never below the participants already enrolled."""
    with transaction(db):
        trajectory = trajectories.by_number(db, trajectory_number)
        if trajectory is None:
            raise InviteError("unknown_trajectory")
        taken = memberships.count_participants(db, trajectory.id)
        if not 1 <= value <= MAX_PARTICIPANTS_LIMIT:
            raise InviteError("bad_maximum", limit=MAX_PARTICIPANTS_LIMIT)
        if value < taken:
            raise InviteError("below_enrolled", taken=taken)
        trajectories.set_max_participants(db, trajectory.id, value)
        return trajectories.get(db, trajectory.id)
