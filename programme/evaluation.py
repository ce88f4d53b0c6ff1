"""Which working session an evaluation belongs to (no Telegram)."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from storage import followup as followup_store
from storage import memberships, trajectories


def trajectory_ids_of(db: sqlite_utils.Database, person_id: int | None) -> set[int]:
    """The trajectories the person takes part in as a participant (evaluations are theirs)."""
    if person_id is None:
        return set()
    return {m.trajectory_id for m in memberships.of_person(db, person_id)
            if m.role == "participant"}


def _planned(db: sqlite_utils.Database, person_id: int | None) -> list[trajectories.Session]:
    return [s for t in sorted(trajectory_ids_of(db, person_id))
            for s in trajectories.sessions_of(db, t) if s.status == "planned"]


def latest_session(db: sqlite_utils.Database, person_id: int | None, now: datetime
                   ) -> trajectories.Session | None:
    """The most recent planned session that has ended, of the person's trajectories: the one
    /evaluatie is about (a session is evaluated after it took place)."""
    ended = [s for s in _planned(db, person_id) if s.ends_at <= now]
    return max(ended, key=lambda s: s.ends_at, default=None)


def open_sessions(db: sqlite_utils.Database, person_id: int | None, evaluated: set[int],
                  now: datetime) -> list[trajectories.Session]:
    """Sessions held whose evaluation (`evaluated`: ids of sessions evaluated completely) is
    still to do, oldest first; a session that ended before the person joined is not theirs,
    as in the progress overview."""
    out = []
    for session in sorted(_planned(db, person_id), key=lambda s: s.ends_at):
        if session.ends_at > now or session.id in evaluated:
            continue
        joined = followup_store.joined_at(db, person_id, session.trajectory_id)
        if joined is None or session.ends_at > joined:
            out.append(session)
    return out


def next_session(db: sqlite_utils.Database, person_id: int | None, now: datetime
                 ) -> trajectories.Session | None:
    """The first planned session that has not ended yet."""
    coming = [s for s in _planned(db, person_id) if s.ends_at > now]
    return min(coming, key=lambda s: s.starts_at, default=None)


def has_ended(session: trajectories.Session, now: datetime) -> bool:
    return session.status == "planned" and session.ends_at <= now


def is_last(db: sqlite_utils.Database, session: trajectories.Session) -> bool:
    """No planned session comes after this one in its trajectory (the evaluation then helps
    the next trajectory, not the next working session)."""
    return not any(s.status == "planned" and s.starts_at > session.starts_at
                   for s in trajectories.sessions_of(db, session.trajectory_id))


def session_of_person(db: sqlite_utils.Database, person_id: int | None, instance: str
                      ) -> trajectories.Session | None:
    """The session an evaluation instance names, if it is one of the person's trajectories."""
    if not (instance.isascii() and instance.isdigit()) or len(instance) > 10:
        return None
    session = trajectories.get_session(db, int(instance))
    if session is None or session.trajectory_id not in trajectory_ids_of(db, person_id):
        return None
    return session
