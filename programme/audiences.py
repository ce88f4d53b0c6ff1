"""Who an announcement goes to: an audience is a small dict, resolved to people at send time.

    {"kind": "all"}                                   everybody enrolled
    {"kind": "trajectory", "id": 3}                   every member of one trajectory
    {"kind": "role", "role": "coach"}                 everybody with one role
    {"kind": "municipality", "name": "Lier"}          the participants of one municipality
    {"kind": "homework_missing", "session_id": 12}    participants who did not hand in all
                                                      homework of that session
    {"kind": "intake_unfinished"}                     participants whose intake is not done
"""

from __future__ import annotations

import sqlite_utils

from storage import assignments, memberships, people, trajectories
from storage import homework as homework_store

KINDS = ("all", "trajectory", "role", "municipality", "homework_missing", "intake_unfinished")


def _enrolled(db: sqlite_utils.Database) -> list[people.Person]:
    return [p for p in people.all_people(db)
            if p.telegram_id is not None and p.status in ("active", "unreachable")]


def _with_role(db: sqlite_utils.Database, role: str) -> list[people.Person]:
    """Everyone holding `role`: coordinators of the programme, or a membership role in some
    trajectory (someone can be a participant in one and a coach in another)."""
    if role == "coordinator":
        return [p for p in _enrolled(db) if p.role == "coordinator"]
    ids = {m.person_id for m in memberships.with_role(db, role)}
    return [p for p in _enrolled(db) if p.id in ids]


def _participants(db: sqlite_utils.Database) -> list[people.Person]:
    return _with_role(db, "participant")


def resolve(db: sqlite_utils.Database, audience: dict, flows: dict | None = None
            ) -> list[people.Person]:
    """`flows` (the loaded flow definitions) is needed for the intake_unfinished audience."""
    kind = audience.get("kind")
    if kind == "all":
        return _enrolled(db)
    if kind == "trajectory":
        ids = {m.person_id for m in memberships.of_trajectory(db, int(audience["id"]))}
        return [p for p in _enrolled(db) if p.id in ids]
    if kind == "role":
        return _with_role(db, audience["role"])
    if kind == "municipality":
        name = str(audience["name"]).casefold()
        return [p for p in _participants(db) if p.municipality.casefold() == name]
    if kind == "homework_missing":
        session = trajectories.get_session(db, int(audience["session_id"]))
        if session is None:
            return []
        work = assignments.of_session(db, session.id)
        members = {m.person_id for m in
                   memberships.of_trajectory(db, session.trajectory_id, "participant")}
        return [p for p in _participants(db) if p.id in members and work and not all(
            homework_store.has_submitted(db, p.id, a.id) for a in work)]
    if kind == "intake_unfinished":
        from programme import flow_progress

        return [p for p in _participants(db) if not flow_progress.intake_done(db, flows, p.id)]
    raise ValueError(f"unknown audience {audience!r}")


def municipalities(db: sqlite_utils.Database) -> list[str]:
    return sorted({p.municipality for p in _participants(db) if p.municipality},
                  key=str.casefold)
