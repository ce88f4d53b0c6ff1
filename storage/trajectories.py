"""Trajectories and their four sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage.db import parse_iso, utcnow_iso


@dataclass(frozen=True)
class Trajectory:
    id: int
    number: int
    year: int
    title: str
    theme: str
    entry_condition: str
    max_participants: int


@dataclass(frozen=True)
class Session:
    id: int
    trajectory_id: int
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    location: str
    video_link: str
    agenda: str
    status: str
    title_en: str = ""    # the English texts; "" when not given (programme/content.py)
    agenda_en: str = ""


_T_COLS = ", ".join(Trajectory.__dataclass_fields__)
_S_COLS = ", ".join(Session.__dataclass_fields__)


def _trajectory(row: dict) -> Trajectory:
    return Trajectory(**{k: row[k] for k in Trajectory.__dataclass_fields__})


def _session(row: dict) -> Session:
    values = {k: row[k] for k in Session.__dataclass_fields__}
    values["starts_at"] = parse_iso(values["starts_at"])
    values["ends_at"] = parse_iso(values["ends_at"])
    return Session(**values)


def get(db: sqlite_utils.Database, trajectory_id: int) -> Trajectory | None:
    rows = list(db.query(f"SELECT {_T_COLS} FROM trajectories WHERE id = ?", [trajectory_id]))
    return _trajectory(rows[0]) if rows else None


def by_number(db: sqlite_utils.Database, number: int) -> Trajectory | None:
    rows = list(db.query(f"SELECT {_T_COLS} FROM trajectories WHERE number = ?", [number]))
    return _trajectory(rows[0]) if rows else None


def all_trajectories(db: sqlite_utils.Database) -> list[Trajectory]:
    return [_trajectory(r) for r in db.query(f"SELECT {_T_COLS} FROM trajectories ORDER BY number")]


def upsert(db: sqlite_utils.Database, *, number: int, year: int, title: str, now: datetime,
           theme: str = "", entry_condition: str = "", max_participants: int = 10) -> Trajectory:
    """Insert or update by number (the programme's own numbering)."""
    db.execute(
        "INSERT INTO trajectories (number, year, title, theme, entry_condition, max_participants,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (number) DO UPDATE SET year = excluded.year, title = excluded.title,"
        " theme = excluded.theme, entry_condition = excluded.entry_condition,"
        " max_participants = excluded.max_participants",
        [number, year, title, theme, entry_condition, max_participants, utcnow_iso(now)],
    )
    return by_number(db, number)


def set_max_participants(db: sqlite_utils.Database, trajectory_id: int, value: int) -> None:
    db.execute("UPDATE trajectories SET max_participants = ? WHERE id = ?", [value, trajectory_id])


def upsert_session(db: sqlite_utils.Database, *, trajectory_id: int, number: int, title: str,
                   starts_at: datetime, ends_at: datetime, mode: str, location: str = "",
                   video_link: str = "", agenda: str = "", status: str = "planned",
                   title_en: str = "", agenda_en: str = "") -> Session:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("session times must be timezone-aware")
    db.execute(
        "INSERT INTO sessions (trajectory_id, number, title, starts_at, ends_at, mode, location,"
        " video_link, agenda, status, title_en, agenda_en)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (trajectory_id, number) DO UPDATE SET title = excluded.title,"
        " starts_at = excluded.starts_at, ends_at = excluded.ends_at, mode = excluded.mode,"
        " location = excluded.location, video_link = excluded.video_link,"
        " agenda = excluded.agenda, status = excluded.status, title_en = excluded.title_en,"
        " agenda_en = excluded.agenda_en",
        [trajectory_id, number, title, utcnow_iso(starts_at), utcnow_iso(ends_at), mode,
         location, video_link, agenda, status, title_en, agenda_en],
    )
    return session_by_number(db, trajectory_id, number)


def session_by_number(db: sqlite_utils.Database, trajectory_id: int, number: int
                      ) -> Session | None:
    rows = list(db.query(f"SELECT {_S_COLS} FROM sessions WHERE trajectory_id = ? AND number = ?",
                         [trajectory_id, number]))
    return _session(rows[0]) if rows else None


def get_session(db: sqlite_utils.Database, session_id: int) -> Session | None:
    rows = list(db.query(f"SELECT {_S_COLS} FROM sessions WHERE id = ?", [session_id]))
    return _session(rows[0]) if rows else None


def sessions_of(db: sqlite_utils.Database, trajectory_id: int) -> list[Session]:
    return [_session(r) for r in db.query(
        f"SELECT {_S_COLS} FROM sessions WHERE trajectory_id = ? ORDER BY number",
        [trajectory_id])]
