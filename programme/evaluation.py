"""Which working session an evaluation belongs to (no Telegram)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage import memberships, trajectories


def trajectory_ids_of(db: sqlite_utils.Database, person_id: int | None) -> set[int]:
    """The trajectories the person takes part in as a participant (evaluations are theirs)."""
    if person_id is None:
        return set()
    return {m.trajectory_id for m in memberships.of_person(db, person_id)
            if m.role == "participant"}


def latest_session(db: sqlite_utils.Database, person_id: int | None, now: datetime
                   ) -> trajectories.Session | None:
    """The most recent planned session (started before now) of the person's trajectories."""
    best = None
    for trajectory_id in sorted(trajectory_ids_of(db, person_id)):
        for session in trajectories.sessions_of(db, trajectory_id):
            if session.status == "planned" and session.starts_at <= now and (
                    best is None or session.starts_at > best.starts_at):
                best = session
    return best


def latest_session_instance(db: sqlite_utils.Database, person_id: int | None, now: datetime
                            ) -> str:
    """The evaluation instance for /evaluatie: the latest session's id, or "0"."""
    session = latest_session(db, person_id, now)
    return str(session.id) if session else "0"


def session_of_person(db: sqlite_utils.Database, person_id: int | None, instance: str
                      ) -> trajectories.Session | None:
    """The session an evaluation instance names, if it is one of the person's trajectories."""
    if not (instance.isascii() and instance.isdigit()) or len(instance) > 10:
        return None
    session = trajectories.get_session(db, int(instance))
    if session is None or session.trajectory_id not in trajectory_ids_of(db, person_id):
        return None
    return session
