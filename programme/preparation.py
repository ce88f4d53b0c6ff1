"""The preparation pack of one working session, as plain data (no Telegram, no layout).

For each coach of the trajectory, `coaches.prep_working_days` working days before the session
(and on request from /inzendingen): the group at a glance, and per participant the intake, the
brief as it stands with what changed since the previous session, the five-whys chains with
their "Hoe kunnen we ...?", the homework due for this session (late, missing, draft marked) and
the evaluations of the previous session. `documents/prep.py` lays it out as a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlite_utils

from core.settings import Settings
from flows import engine
from flows.engine import Flow, Group, Pos
from messages.render import Messages
from programme import calendar, flow_progress, flow_text, homework, progress, readable
from programme.flow_runner import load_answers
from storage import answers as answer_store
from storage import homework as homework_store
from storage import people, trajectories

NEW, CHANGED = "new", "changed"


def prep_moment(s: Settings, session: trajectories.Session,
                windows: list[calendar.Homework] = ()) -> datetime:
    """`prep_working_days` working days before the session's day, at `prep_time`. When the
    homework for this session is due later than that (by default it is due the same working
    day, at 17u00), the pack waits for it and comes at the first working moment after, so it
    can tell who handed in late or not at all; never after the session starts."""
    day = s.work.local(session.starts_at).date()
    moment = s.work.at(s.work.add_working_days(day, -s.prep_working_days), s.prep_time)
    due = [w.due_at for w in windows
           if w.next_session is not None and w.next_session.id == session.id]
    if due and max(due) >= moment:
        moment = s.work.on_or_after(max(due) + timedelta(minutes=1))
    return min(moment, session.starts_at)


@dataclass(frozen=True)
class BriefRow:
    label: str
    value: str | None          # None: not answered yet
    change: str = ""           # "new" | "changed" | "" since the previous session


@dataclass(frozen=True)
class BriefPart:
    title: str
    done: bool
    rows: list[BriefRow]


@dataclass(frozen=True)
class HomeworkEntry:
    title: str
    status: str                # a homework status (homework.py), or "n/a"
    due_at: datetime
    texts: list[str]
    photos: list[str]          # local paths of photos handed in
    files: list[str]           # names of documents and voice notes
    blocks: list[readable.Block]   # a brief step or chain as handed in
    draft_pieces: int = 0
    changed: bool = False          # the brief step or chain changed after the hand-in


@dataclass(frozen=True)
class ParticipantPack:
    person: people.Person
    progress: progress.ParticipantProgress
    intake: readable.Block
    intake_done: bool
    brief: list[BriefPart]
    actions: list[list[str]]
    action_headers: list[str]
    brief_photos: int
    chains: list[flow_progress.Chain]
    homework: list[HomeworkEntry]
    evaluation: readable.EvaluationEntry | None


@dataclass(frozen=True)
class Pack:
    trajectory: trajectories.Trajectory
    session: trajectories.Session
    previous: trajectories.Session | None
    coaches: list[people.Person]
    participants: list[ParticipantPack] = field(default_factory=list)
    evaluations: readable.SessionEvaluations | None = None
    made_at: datetime | None = None


def _since_marks(db: sqlite_utils.Database, person_id: int, since: datetime | None
                 ) -> dict[tuple[str, int], str]:
    if since is None:
        return {}
    marks = {}
    for answer in answer_store.of(db, person_id, "brief"):
        if answer.updated_at > since:
            marks[(answer.question, answer.idx)] = NEW if answer.created_at > since else CHANGED
    return marks


def _brief(db, m: Messages, flow: Flow, person_id: int, lang: str, since: datetime | None
           ) -> tuple[list[BriefPart], list[list[str]], list[str], int]:
    answers = load_answers(db, person_id, "brief")
    marks = _since_marks(db, person_id, since)
    parts, actions, headers = [], [], []
    for section in flow.sections:
        rows = []
        for item in flow.items:
            if item.section != section:
                continue
            if isinstance(item, Group):
                headers = [m.plain(f"flows/brief/{q.id}/label", lang) for q in item.questions]
                for idx in range(item.max):
                    if not any(Pos(q.id, idx) in answers for q in item.questions):
                        break
                    actions.append([flow_text.display_value(m, lang, flow, Pos(q.id, idx),
                                                            answers[Pos(q.id, idx)])
                                    if Pos(q.id, idx) in answers else ""
                                    for q in item.questions])
                continue
            pos = Pos(item.id)
            if pos not in engine.positions(flow, answers, section):
                continue
            label = m.plain(f"flows/brief/{item.id}/label", lang)
            if pos in answers:
                rows.append(BriefRow(label, flow_text.display_value(m, lang, flow, pos,
                                                                    answers[pos]),
                                     marks.get((item.id, 0), "")))
            else:
                rows.append(BriefRow(label, None))
        parts.append(BriefPart(m.plain(f"flows/brief/sections/{section}", lang),
                               engine.is_complete(flow, answers, section), rows))
    photos = len(readable.photo_ids(flow, answers))
    return parts, actions, headers, photos


def _homework(db, s: Settings, m: Messages, flows, lang: str, person_id: int, trajectory,
              session: trajectories.Session, joined: datetime | None, now: datetime
              ) -> list[HomeworkEntry]:
    out = []
    for window in calendar.windows_for(db, s, trajectory.id):
        if window.next_session is None or window.next_session.id != session.id:
            continue
        v = homework.view(db, person_id, window, trajectory, now, s)
        status = v.status
        if status in ("open", "overdue", "closed") and progress.not_applicable(window, joined):
            status = "n/a"
        texts, photos, files, blocks, draft, changed = [], [], [], [], 0, False
        if v.submission is not None:
            items = homework_store.items(db, v.submission.id)
            if v.submission.status == "submitted":
                for item in items:
                    if item.text:
                        texts.append(item.text)
                    if item.kind == "photo" and item.local_path:
                        photos.append(item.local_path)
                    elif item.kind in ("document", "voice"):
                        files.append(item.file_name or item.kind)
                blocks = readable.snapshot_blocks(db, m, flows, lang, v.submission.id)
                changed = readable.changed_since_snapshot(db, flows, person_id,
                                                          v.submission.id)
            else:
                draft = len(items)
        out.append(HomeworkEntry(m.programme_text(window.assignment, "title", lang), status, v.due_at, texts, photos,
                                 files, blocks, draft, changed))
    return out


def collect(db: sqlite_utils.Database, m: Messages, flows: dict[str, Flow], s: Settings,
            session: trajectories.Session, lang: str, now: datetime) -> Pack:
    from storage import followup as followup_store
    from storage import memberships

    trajectory = trajectories.get(db, session.trajectory_id)
    planned = [x for x in trajectories.sessions_of(db, trajectory.id) if x.status == "planned"]
    previous = next((x for x in reversed(planned) if x.starts_at < session.starts_at), None)
    since = previous.ends_at if previous is not None else None
    evaluations = readable.session_evaluations(db, m, flows, lang, previous) \
        if previous is not None else None
    by_person = {e.person.id: e for e in evaluations.entries} if evaluations else {}
    state = progress.trajectory_progress(db, flows, s, trajectory.id, now)
    coaches = [p for p in (people.get(db, x.person_id)
                           for x in memberships.of_trajectory(db, trajectory.id, "coach"))
               if p is not None]
    packs = []
    for p in sorted(state.participants, key=lambda x: (x.person.municipality, x.person.name)):
        person = p.person
        joined = followup_store.joined_at(db, person.id, trajectory.id)
        parts, actions, headers, photos = _brief(db, m, flows["brief"], person.id, lang, since)
        packs.append(ParticipantPack(
            person=person, progress=p,
            intake=readable.intake_block(db, m, flows, lang, person.id),
            intake_done=p.intake, brief=parts, actions=actions, action_headers=headers,
            brief_photos=photos, chains=flow_progress.chains(db, flows, person.id),
            homework=_homework(db, s, m, flows, lang, person.id, trajectory, session, joined,
                               now),
            evaluation=by_person.get(person.id)))
    return Pack(trajectory, session, previous, coaches, packs, evaluations, now)
