"""Enrolment with an invite code: who may join which trajectory in which role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlite_utils

from core.events import Enrolled, EventBus
from storage import invite_attempts, invites, memberships, people, trajectories
from storage.db import transaction

ROLE_RANK = {"participant": 0, "coach": 1, "coordinator": 2}

# Guessing codes: after WRONG_CODE_LIMIT unknown codes within WRONG_CODE_WINDOW, a Telegram user
# is refused for WRONG_CODE_PAUSE without any code being looked up.
WRONG_CODE_LIMIT = 5
WRONG_CODE_WINDOW = timedelta(minutes=10)
WRONG_CODE_PAUSE = timedelta(minutes=15)


class Outcome(StrEnum):
    ENROLLED = "enrolled"          # new person, or new trajectory for a known person
    ALREADY = "already"            # this person already used this code: nothing changes
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED_UP = "used_up"
    FULL = "full"                  # the trajectory has its maximum number of participants
    THROTTLED = "throttled"        # too many wrong codes lately: not even looked up
    CONFIRM = "confirm"            # an enrolled person: the invite adds a role; ask first
    OTHER_ROLE = "other_role"      # already in this trajectory with another role: refused


@dataclass(frozen=True)
class Held:
    """A role a person holds: in a trajectory, or (trajectory None) as coordinator."""
    trajectory: trajectories.Trajectory | None
    role: str


@dataclass(frozen=True)
class Enrolment:
    outcome: Outcome
    person: people.Person | None = None
    trajectory: trajectories.Trajectory | None = None
    role: str | None = None
    is_new_person: bool = False
    held: tuple[Held, ...] = ()    # CONFIRM / OTHER_ROLE: what the person is now


def roles_held(db: sqlite_utils.Database, person: people.Person | None) -> tuple[Held, ...]:
    """Every role the person holds now: coordinator of the programme, and per trajectory."""
    if person is None or person.status not in ("active", "unreachable"):
        return ()
    held = [Held(None, "coordinator")] if person.role == "coordinator" else []
    for m in memberships.of_person(db, person.id):
        held.append(Held(trajectories.get(db, m.trajectory_id), m.role))
    return tuple(held)


# Invite codes are read aloud and typed over: no characters that look alike (0/O, 1/I/L, 5/S,
# 2/Z, 8/B), and any case is accepted.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_GROUPS, CODE_GROUP_SIZE = 4, 5


def normalise_code(code: str) -> str:
    return code.strip()


def code_key(code: str) -> str:
    """How a typed code is compared: upper case, without spaces and hyphens."""
    return "".join(ch for ch in code.upper() if ch not in " -")


def new_code(prefix: str = "") -> str:
    """An unguessable invite code: 20 characters of 25 (92 random bits) in groups of five,
    like KX7TM-...; fits a /start deep link."""
    groups = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_SIZE))
              for _ in range(CODE_GROUPS)]
    return prefix + "-".join(groups)


def throttled_until(wrong_times: list[datetime]) -> datetime | None:
    """The end of the latest pause earned by these wrong attempts (oldest first), if any."""
    until = None
    for last in range(WRONG_CODE_LIMIT - 1, len(wrong_times)):
        if wrong_times[last] - wrong_times[last - WRONG_CODE_LIMIT + 1] <= WRONG_CODE_WINDOW:
            until = wrong_times[last] + WRONG_CODE_PAUSE
    return until


def is_throttled(db: sqlite_utils.Database, telegram_id: int, now: datetime) -> bool:
    """Wrong codes recorded "in the future" (the clock was set back) do not count, so a clock
    that jumps backwards never extends the pause beyond WRONG_CODE_PAUSE."""
    recent = [t for t in invite_attempts.wrong_since(db, telegram_id,
                                                      now - WRONG_CODE_WINDOW - WRONG_CODE_PAUSE)
              if t <= now]
    until = throttled_until(recent)
    return until is not None and now < until <= now + WRONG_CODE_PAUSE


def redeem(db: sqlite_utils.Database, bus: EventBus, *, code: str, telegram_id: int,
           display_name: str, language: str, now: datetime, confirmed: bool = False
           ) -> Enrolment:
    """Enrol the Telegram user with the invite; one transaction, safe to call twice.

    A role belongs to one trajectory: an invite never changes what a person is elsewhere. Someone
    already enrolled gets CONFIRM (nothing changed yet) until they confirm; an invite for a
    trajectory where they already have another role is refused (OTHER_ROLE)."""
    code = normalise_code(code)
    with transaction(db):
        if is_throttled(db, telegram_id, now):
            return Enrolment(Outcome.THROTTLED)
        invite = invites.by_code(db, code) or invites.by_code_key(db, code_key(code))
        if invite is None:
            invite_attempts.prune(db, now)
            invite_attempts.record_wrong(db, telegram_id, now)
            return Enrolment(Outcome.UNKNOWN)
        trajectory = trajectories.get(db, invite.trajectory_id) if invite.trajectory_id else None
        person = people.by_telegram_id(db, telegram_id)
        if person is not None and invites.was_redeemed_by(db, invite.id, person.id):
            return Enrolment(Outcome.ALREADY, person, trajectory, invite.role)
        if invite.revoked_at is not None:
            return Enrolment(Outcome.REVOKED)
        if invite.expires_at is not None and invite.expires_at <= now:
            return Enrolment(Outcome.EXPIRED)
        if invite.uses >= invite.max_uses:
            return Enrolment(Outcome.USED_UP)
        held = roles_held(db, person)
        current = next((h.role for h in held if trajectory is not None and h.trajectory
                        and h.trajectory.id == trajectory.id), None)
        if invite.role != "coordinator" and current == invite.role or \
                invite.role == "coordinator" and any(h.role == "coordinator" for h in held):
            return Enrolment(Outcome.ALREADY, person, trajectory, invite.role)
        if current is not None:
            return Enrolment(Outcome.OTHER_ROLE, person, trajectory, invite.role, held=held)
        if (invite.role == "participant" and trajectory is not None
                and memberships.count_participants(db, trajectory.id)
                >= trajectory.max_participants):
            return Enrolment(Outcome.FULL, trajectory=trajectory)
        if held and not confirmed:
            return Enrolment(Outcome.CONFIRM, person, trajectory, invite.role, held=held)
        is_new = person is None
        if person is None:
            person = people.create(
                db, telegram_id=telegram_id,
                name=invite.prefill_name or display_name, role=invite.role, language=language,
                municipality=invite.prefill_municipality, department=invite.prefill_department,
                organisation=invite.prefill_organisation, now=now)
        else:
            changes = {}
            if invite.role == "coordinator":
                changes["role"] = "coordinator"   # coordinators are global
            elif not held and person.role != "coordinator":
                changes["role"] = invite.role     # the person's first role (display only)
            if person.status != "active":
                changes["status"] = "active"
            if changes:
                person = people.update(db, person.id, now, **changes)
        if not invites.record_redemption(db, invite.id, person.id, now):
            raise RuntimeError("invite use raced")  # rolled back; the user is told to retry
        if trajectory is not None:
            memberships.add(db, person_id=person.id, trajectory_id=trajectory.id,
                            role=invite.role, now=now)
        bus.publish(db, Enrolled(person.id, trajectory.id if trajectory else None, invite.role,
                                 now))
        return Enrolment(Outcome.ENROLLED, person, trajectory, invite.role, is_new)


# -- the short profile a new participant gives after enrolling -------------------------------
PROFILE_FIELDS = ("name", "municipality", "department")
PROFILE_MAX = 100


def clean_profile_value(text: str | None) -> str | None:
    """One line of at most PROFILE_MAX characters, spaces tidied; None when unusable."""
    value = " ".join((text or "").split())
    if not value or len(value) > PROFILE_MAX:
        return None
    return value


def has_words(text: str) -> bool:
    """A department is words: at least two letters (not only digits, emoji or punctuation)."""
    return sum(ch.isalpha() for ch in text) >= 2


def next_profile_field(field: str | None) -> str | None:
    """The question after `field` (the first when None); None when the profile is done."""
    if field is None:
        return PROFILE_FIELDS[0]
    index = PROFILE_FIELDS.index(field) + 1
    return PROFILE_FIELDS[index] if index < len(PROFILE_FIELDS) else None


def save_profile_value(db: sqlite_utils.Database, person_id: int, field: str, value: str,
                       now: datetime) -> people.Person:
    if field not in PROFILE_FIELDS:
        raise ValueError(f"not a profile field: {field!r}")
    return people.update(db, person_id, now, **{field: value})
