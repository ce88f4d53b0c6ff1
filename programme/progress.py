"""Progress of a trajectory: per participant what is done, what is late, and who lags behind.

One read model for `/voortgang`, its chart and its spreadsheet, built from the guided
conversations (`flow_progress`) and the homework rules (`homework.status_by_session`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from core.settings import Settings
from flows.engine import Flow
from programme import flow_progress, homework
from storage import homework as homework_store
from storage import memberships, people, trajectories

INACTIVE_AFTER = timedelta(days=21)
INTAKE_BEFORE_FIRST_SESSION = timedelta(days=3)

# Columns of the grid, in order: (key, kind). Labels are message templates progress/col_<key>.
BRIEF_STEPS = ("step1", "step2", "step3", "step4")


@dataclass(frozen=True)
class ParticipantProgress:
    person: people.Person
    intake: bool
    brief_steps: dict[str, bool]
    chains: int
    homework: dict[int, str]
    evaluated: frozenset[int]
    last_activity: datetime | None
    reasons: tuple[str, ...] = ()  # why the person is flagged; empty: on track

    @property
    def lagging(self) -> bool:
        return bool(self.reasons)

    @property
    def brief_done(self) -> int:
        return sum(self.brief_steps.values())


@dataclass(frozen=True)
class TrajectoryProgress:
    trajectory: trajectories.Trajectory
    sessions: list[trajectories.Session]
    participants: list[ParticipantProgress] = field(default_factory=list)
    now: datetime | None = None

    @property
    def past_sessions(self) -> list[trajectories.Session]:
        return [s for s in self.sessions if s.status == "planned" and s.ends_at <= self.now]

    @property
    def lagging(self) -> list[ParticipantProgress]:
        return [p for p in self.participants if p.lagging]


def _reasons(sessions: list[trajectories.Session], intake: bool, homework: dict[int, str],
             evaluated: frozenset[int], last: datetime | None, now: datetime) -> tuple[str, ...]:
    reasons = []
    planned = [s for s in sessions if s.status == "planned"]
    first = planned[0] if planned else None
    if not intake and first is not None and now >= first.starts_at - INTAKE_BEFORE_FIRST_SESSION:
        reasons.append("intake")
    if any(v == "missing" for v in homework.values()):
        reasons.append("homework")
    ended = [s for s in planned if s.ends_at <= now]
    if any(s.number not in evaluated for s in ended):
        reasons.append("evaluation")
    running = first is not None and first.starts_at <= now <= planned[-1].ends_at
    if running and (last is None or now - last > INACTIVE_AFTER):
        reasons.append("inactive")
    return tuple(reasons)


def participant_progress(db: sqlite_utils.Database, flows: dict[str, Flow], settings: Settings,
                         person: people.Person, trajectory_id: int,
                         sessions: list[trajectories.Session], now: datetime
                         ) -> ParticipantProgress:
    by_id = {s.id: s.number for s in sessions}
    intake = flow_progress.intake_done(db, flows, person.id)
    evaluated = frozenset(by_id[e.session_id]
                          for e in flow_progress.evaluations(db, flows, person.id)
                          if e.complete and e.session_id in by_id)
    work = homework.status_by_session(db, settings, person.id, trajectory_id, now)
    last = max((t for t in (flow_progress.last_activity(db, person.id),
                            homework_store.last_activity(db, person.id)) if t is not None),
               default=None)
    return ParticipantProgress(
        person=person, intake=intake,
        brief_steps=flow_progress.brief_steps_done(db, flows, person.id),
        chains=sum(1 for c in flow_progress.chains(db, flows, person.id) if c.complete),
        homework=work, evaluated=evaluated, last_activity=last,
        reasons=_reasons(sessions, intake, work, evaluated, last, now))


def trajectory_progress(db: sqlite_utils.Database, flows: dict[str, Flow], settings: Settings,
                        trajectory_id: int, now: datetime) -> TrajectoryProgress:
    trajectory = trajectories.get(db, trajectory_id)
    sessions = trajectories.sessions_of(db, trajectory_id)
    participants = []
    for membership in memberships.of_trajectory(db, trajectory_id, "participant"):
        person = people.get(db, membership.person_id)
        if person is not None and person.status != "erased":
            participants.append(participant_progress(db, flows, settings, person,
                                                         trajectory_id, sessions, now))
    participants.sort(key=lambda p: (not p.lagging, p.person.municipality, p.person.name))
    return TrajectoryProgress(trajectory, sessions, participants, now)


# -- the grid shared by the chart and the spreadsheet -----------------------------------------
DONE, LATE, MISSING, OPEN, NONE = "done", "late", "missing", "open", "none"


def grid_columns(progress: TrajectoryProgress) -> list[str]:
    """Column keys: intake, step1..step4, whys, hw1..hw4, eval1..eval4."""
    numbers = [s.number for s in progress.sessions]
    return (["intake", *BRIEF_STEPS, "whys"] + [f"hw{n}" for n in numbers]
            + [f"eval{n}" for n in numbers])


def grid_cell(progress: TrajectoryProgress, p: ParticipantProgress, column: str) -> str:
    if column == "intake":
        return DONE if p.intake else (MISSING if "intake" in p.reasons else OPEN)
    if column in BRIEF_STEPS:
        return DONE if p.brief_steps.get(column) else OPEN
    if column == "whys":
        return DONE if p.chains else OPEN
    if column.startswith("hw"):
        value = p.homework.get(int(column[2:]))
        return {"on_time": DONE, "late": LATE, "missing": MISSING, "open": OPEN}.get(
            value, NONE)
    number = int(column[4:])
    session = next(s for s in progress.sessions if s.number == number)
    if number in p.evaluated:
        return DONE
    if session.status != "planned" or session.ends_at > progress.now:
        return NONE
    return MISSING
