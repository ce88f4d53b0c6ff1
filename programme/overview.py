"""Read models the handlers show: a person's trajectories with their next session and coaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from storage import memberships, people, trajectories


@dataclass(frozen=True)
class TrajectoryView:
    trajectory: trajectories.Trajectory
    role: str
    next_session: trajectories.Session | None
    coaches: list[people.Person]
    participant_count: int


def trajectory_view(db: sqlite_utils.Database, trajectory_id: int, role: str,
                    now: datetime) -> TrajectoryView:
    trajectory = trajectories.get(db, trajectory_id)
    upcoming = [s for s in trajectories.sessions_of(db, trajectory_id)
                if s.status == "planned" and s.starts_at > now]
    coaches = [people.get(db, m.person_id)
               for m in memberships.of_trajectory(db, trajectory_id, "coach")]
    return TrajectoryView(trajectory, role, upcoming[0] if upcoming else None,
                          [c for c in coaches if c is not None],
                          memberships.count_participants(db, trajectory_id))


def views_of(db: sqlite_utils.Database, person_id: int, now: datetime) -> list[TrajectoryView]:
    return [trajectory_view(db, m.trajectory_id, m.role, now)
            for m in memberships.of_person(db, person_id)]
