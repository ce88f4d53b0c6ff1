"""Progress of a trajectory: per participant what is done, what is late, and who is behind.

One read model for `/voortgang`, its chart and its spreadsheet, the nudge button and the
preparation pack, built from the guided conversations (`flow_progress`), the homework rules
(`homework`) and the follow-up items with each person's own deadline (`followup`: an
extension, a late joiner's catch-up). A person is *behind* on an item the follow-up ladder
also follows, once that item's deadline has passed; nothing else makes a person "behind".

Homework per session (the worst state when a session has several assignments):
    on_time  handed in by the person's own deadline      late     handed in after it
    missing  the deadline passed, nothing handed in      open     given, not due yet
    n/a      its deadline passed before the person joined (not handed in)
Evaluations per session: done, missing (due passed), open (not due yet), n/a (the session
ended before the person joined); sessions still to come are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from core.settings import Settings
from flows.engine import Flow
from programme import calendar, flow_progress, followup, homework
from storage import coaches as coach_store
from storage import flow_runs, memberships, mutes, people, trajectories
from storage import followup as followup_store
from storage import homework as homework_store

BRIEF_STEPS = ("step1", "step2", "step3", "step4")
ON_TIME, LATE_, MISSING_, OPEN_, NA = "on_time", "late", "missing", "open", "n/a"
_RANK = {ON_TIME: 0, NA: 1, OPEN_: 2, LATE_: 3, MISSING_: 4}


@dataclass(frozen=True)
class Stuck:
    """The unfinished guided conversation a person left last: where, and since when."""
    flow: str
    instance: str
    section: str
    question: str
    since: datetime


@dataclass(frozen=True)
class ParticipantProgress:
    person: people.Person
    intake: bool
    brief_steps: dict[str, bool]
    chains: int
    homework: dict[int, str]                  # session number -> state (see above)
    evaluated: frozenset[int]
    last_activity: datetime | None
    reasons: tuple[str, ...] = ()             # kinds of the items the person is behind on
    behind: tuple[followup.Item, ...] = ()    # overdue items, homework first
    evaluations: dict[int, str] = field(default_factory=dict)  # session number -> state
    intake_state: str = OPEN_
    chains_started: int = 0
    drafts: frozenset[int] = frozenset()      # session numbers with an unsent draft
    stuck: Stuck | None = None
    joined_at: datetime | None = None

    @property
    def lagging(self) -> bool:
        return bool(self.behind)

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


# -- per person ---------------------------------------------------------------------------------
_KIND_ORDER = {"assignment": 0, "intake": 1, "evaluation": 2, "final": 3}


def not_applicable(window: calendar.Homework, joined: datetime | None) -> bool:
    """Homework whose (group) deadline passed before the person joined."""
    return joined is not None and window.due_at < joined


def behind_items(db: sqlite_utils.Database, s: Settings, flows: dict[str, Flow],
                 person_id: int, trajectory_id: int, now: datetime) -> list[followup.Item]:
    """The follow-up items whose own deadline passed and that are not done, homework first
    (then by deadline); homework from before the person joined is not counted."""
    joined = followup_store.joined_at(db, person_id, trajectory_id)
    windows = {w.assignment.id: w for w in calendar.windows_for(db, s, trajectory_id)}
    out = []
    for item in followup.open_items(db, s, flows, person_id, trajectory_id, now,
                                    closed_too=True):
        if item.due_at >= now:
            continue
        if item.kind == "assignment" and item.ref in windows and \
                not_applicable(windows[item.ref], joined):
            continue
        out.append(item)
    return sorted(out, key=lambda i: (_KIND_ORDER.get(i.kind, 9), i.due_at))


def _homework_states(db, s: Settings, person_id: int, trajectory, joined, now
                     ) -> tuple[dict[int, str], frozenset[int]]:
    result: dict[int, str] = {}
    drafts = set()
    for window in homework.windows(db, s, trajectory.id):
        if window.opens_at > now:
            continue  # not given yet
        v = homework.view(db, person_id, window, trajectory, now, s)
        state = homework.HOMEWORK_PROGRESS.get(v.status, OPEN_)
        if state in (MISSING_, OPEN_) and not_applicable(window, joined):
            state = NA
        if v.submission is not None and v.submission.status == "draft" and v.item_count:
            drafts.add(window.session.number)
        number = window.session.number
        if number not in result or _RANK[state] > _RANK[result[number]]:
            result[number] = state
    return result, frozenset(drafts)


def _evaluation_states(s: Settings, sessions, evaluated: frozenset[int], joined, now
                       ) -> dict[int, str]:
    out = {}
    for session in sessions:
        if session.status != "planned" or session.ends_at > now:
            continue
        if session.number in evaluated:
            out[session.number] = ON_TIME
        elif joined is not None and session.ends_at <= joined:
            out[session.number] = NA
        else:
            due = s.work.at(s.work.add_working_days(s.work.local(session.ends_at).date(),
                                                    s.evaluation_due_working_days),
                            s.work.deadline_time)
            out[session.number] = MISSING_ if now > due else OPEN_
    return out


def stuck_at(db: sqlite_utils.Database, person_id: int) -> Stuck | None:
    """The most recently touched guided conversation that waits for an answer."""
    for run in flow_runs.of_person(db, person_id):
        if run.status != "done" and run.question is not None:
            return Stuck(run.flow, run.instance, run.section, run.question, run.updated_at)
    return None


def last_activity(db: sqlite_utils.Database, person_id: int) -> datetime | None:
    """The latest sign of work: an answer, a flow started or paused, a homework piece or hand-in,
    a reply in a feedback thread."""
    moments = [flow_progress.last_activity(db, person_id),
               homework_store.last_activity(db, person_id)]
    moments += [r.updated_at for r in flow_runs.of_person(db, person_id)[:1]]
    return max((t for t in moments if t is not None), default=None)


def participant_progress(db: sqlite_utils.Database, flows: dict[str, Flow], settings: Settings,
                         person: people.Person, trajectory_id: int,
                         sessions: list[trajectories.Session], now: datetime
                         ) -> ParticipantProgress:
    by_id = {s.id: s.number for s in sessions}
    trajectory = trajectories.get(db, trajectory_id)
    joined = followup_store.joined_at(db, person.id, trajectory_id)
    intake = flow_progress.intake_done(db, flows, person.id)
    evaluated = frozenset(by_id[e.session_id]
                          for e in flow_progress.evaluations(db, flows, person.id)
                          if e.complete and e.session_id in by_id)
    work, drafts = _homework_states(db, settings, person.id, trajectory, joined, now)
    behind = tuple(behind_items(db, settings, flows, person.id, trajectory_id, now))
    chains = flow_progress.chains(db, flows, person.id)
    reasons = tuple(dict.fromkeys("homework" if i.kind == "assignment" else i.kind
                                  for i in behind))
    intake_state = ON_TIME if intake else (MISSING_ if "intake" in reasons else OPEN_)
    return ParticipantProgress(
        person=person, intake=intake,
        brief_steps=flow_progress.brief_steps_done(db, flows, person.id),
        chains=sum(1 for c in chains if c.complete), homework=work, evaluated=evaluated,
        last_activity=last_activity(db, person.id), reasons=reasons, behind=behind,
        evaluations=_evaluation_states(settings, sessions, evaluated, joined, now),
        intake_state=intake_state, chains_started=len(chains), drafts=drafts,
        stuck=stuck_at(db, person.id), joined_at=joined)


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


# -- nudges from the staff -----------------------------------------------------------------------
def nudges_due(db: sqlite_utils.Database, s: Settings, data: TrajectoryProgress, now: datetime
               ) -> dict[int, list[followup.Item]]:
    """Who gets a nudge now, and about what: each person who is behind, about the overdue items
    nobody reminded them of within `nudge_repeat` (neither a staff nudge nor the follow-up
    ladder) and that can still be done (not homework that closed); people with nothing left
    to name, or who paused their reminders, get none. The one answer for the button's count
    and for what it sends."""
    since = now - s.nudge_repeat
    out = {}
    for p in data.lagging:
        if mutes.active(db, p.person.id, now) is not None:
            continue   # the nudge would be skipped at send time
        recent = coach_store.nudged_since(db, p.person.id, since) | \
            coach_store.reminded_since(db, p.person.id, since)
        items = [i for i in p.behind if i.subject not in recent
                 and not followup.closed(db, s, p.person.id, i, now)]
        if items:
            out[p.person.id] = items
    return out


# -- the grid shared by the chart and the spreadsheet -----------------------------------------
DONE, LATE, MISSING, OPEN, NONE, NOT_APPLICABLE = "done", "late", "missing", "open", "none", "na"
STATUSES = (DONE, LATE, MISSING, OPEN, NOT_APPLICABLE)
_CELL = {ON_TIME: DONE, LATE_: LATE, MISSING_: MISSING, OPEN_: OPEN, NA: NOT_APPLICABLE}


def grid_columns(progress: TrajectoryProgress) -> list[str]:
    """Column keys: intake, step1..step4, whys, hw1..hw4, eval1..eval4."""
    numbers = [s.number for s in progress.sessions]
    return (["intake", *BRIEF_STEPS, "whys"] + [f"hw{n}" for n in numbers]
            + [f"eval{n}" for n in numbers])


def grid_cell(progress: TrajectoryProgress, p: ParticipantProgress, column: str) -> str:
    if column == "intake":
        return _CELL[p.intake_state]
    if column in BRIEF_STEPS:
        return DONE if p.brief_steps.get(column) else OPEN
    if column == "whys":
        return DONE if p.chains else OPEN
    if column.startswith("hw"):
        value = p.homework.get(int(column[2:]))
        return _CELL.get(value, NONE)
    return _CELL.get(p.evaluations.get(int(column[4:])), NONE)
