"""What participants gave, readable for the staff of their trajectory (no Telegram).

Answers of guided conversations become blocks of (label, value) rows in the reader's language:
the intake, a brief step, the five-whys chains, an evaluation. Homework that is a brief step or
a chain is kept as a snapshot of those answers at the moment it was handed in
(`take_snapshot`), so later edits do not rewrite what was handed in; `current_blocks` shows
the version as it stands now.

    take_snapshot(db, flows, person_id, submission_id, assignment, now)
    snapshot_blocks(db, m, flows, lang, submission_id)        what was handed in
    current_blocks(db, m, flows, lang, person_id, assignment) the same part, as it is now
    intake_block(db, m, flows, lang, person_id)
    session_evaluations(db, m, flows, lang, session)          per person and as a summary
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from flows import engine
from flows.engine import SKIPPED, Flow, Pos
from messages.render import Messages
from programme import flow_text
from programme.flow_runner import load_answers
from storage import answers as answer_store
from storage import assignments as assignment_store
from storage import coaches as store
from storage import followup as followup_store
from storage import memberships, people, trajectories

Flows = dict[str, Flow]
EVALUATION_FLOW = "evaluatie"
OPEN_QUESTIONS = ("less", "good", "held_back")   # the three open answers of an evaluation


@dataclass(frozen=True)
class Block:
    """One part of what a person gave: a title, (label, value) rows and photo file ids."""
    title: str
    rows: list[tuple[str, str]]
    photos: list[str] = field(default_factory=list)
    complete: bool = True


def photo_ids(flow: Flow, answers: dict[Pos, Any]) -> list[str]:
    out = []
    for pos, value in answers.items():
        q = flow.question(pos.qid)
        if q is None or q.type != "photo" or value is SKIPPED or not value:
            continue
        out.extend(value if isinstance(value, list) else [value])
    return [v for v in out if isinstance(v, str)]


def rows_of(m: Messages, lang: str, flow: Flow, answers: dict[Pos, Any],
            section: str | None = None) -> list[tuple[str, str]]:
    """The answered questions in the order they are asked, as (label, value)."""
    return [(flow_text.label(m, lang, flow, pos),
             flow_text.display_value(m, lang, flow, pos, answers[pos]))
            for pos in engine.summary_positions(flow, answers, section)]


def _block(m: Messages, lang: str, flow: Flow, title: str, answers: dict[Pos, Any],
           section: str | None = None) -> Block:
    return Block(title, rows_of(m, lang, flow, answers, section), photo_ids(flow, answers),
                 engine.is_complete(flow, answers, section))


# -- what a flow part is, for one assignment -----------------------------------------------------
def _parts(db: sqlite_utils.Database, flows: Flows, person_id: int,
           assignment: assignment_store.Assignment) -> list[tuple[str, str, str]]:
    """(flow, instance, section) of the answers an assignment hands in; [] for uploads."""
    if assignment.kind == "brief_step" and assignment.brief_step and "brief" in flows:
        return [("brief", "", f"step{assignment.brief_step}")]
    if assignment.kind == "whys" and "waarom" in flows:
        flow = flows["waarom"]
        return [("waarom", i, "") for i in _chain_instances(db, person_id)
                if engine.is_complete(flow, load_answers(db, person_id, "waarom", i))]
    return []


def _chain_instances(db: sqlite_utils.Database, person_id: int) -> list[str]:
    return sorted(answer_store.instances(db, person_id, "waarom"), key=lambda i: (len(i), i))


def take_snapshot(db: sqlite_utils.Database, flows: Flows, person_id: int, submission_id: int,
                  assignment: assignment_store.Assignment, now: datetime) -> int:
    """Keep the answers an assignment hands in, as they are now (at the hand-in). Returns how
    many parts were kept (0 for homework made of uploaded pieces)."""
    parts = _parts(db, flows, person_id, assignment)
    for flow_id, instance, section in parts:
        flow = flows[flow_id]
        answers = load_answers(db, person_id, flow_id, instance)
        keep = set(engine.positions(flow, answers, section or None))
        values = [(p.qid, p.idx, None if v is SKIPPED else v, v is SKIPPED)
                  for p, v in answers.items() if p in keep]
        store.save_snapshot(db, submission_id, flow=flow_id, instance=instance,
                            section=section, answers=values, now=now)
    return len(parts)


def _title(m: Messages, lang: str, flow_id: str, instance: str, section: str) -> str:
    if flow_id == "brief" and section:
        return m.plain(f"flows/brief/sections/{section}", lang)
    if flow_id == "waarom":
        return m.plain("flows/doc/chain", lang, number=instance)
    return flow_id


def snapshot_blocks(db: sqlite_utils.Database, m: Messages, flows: Flows, lang: str,
                    submission_id: int) -> list[Block]:
    """The answers handed in with a submission, as they were then."""
    out = []
    for snap in store.snapshots(db, submission_id):
        flow = flows.get(snap.flow)
        if flow is None:
            continue
        answers = {Pos(q, i): SKIPPED if skipped else v for q, i, v, skipped in snap.answers}
        out.append(_block(m, lang, flow, _title(m, lang, snap.flow, snap.instance, snap.section),
                          answers, snap.section or None))
    return out


def current_blocks(db: sqlite_utils.Database, m: Messages, flows: Flows, lang: str,
                   person_id: int, assignment: assignment_store.Assignment) -> list[Block]:
    """The same part as it stands now (also when it was never handed in)."""
    out = []
    parts = _parts(db, flows, person_id, assignment)
    if assignment.kind == "whys" and not parts:   # no finished chain: show the started ones
        parts = [("waarom", i, "") for i in _chain_instances(db, person_id)]
    for flow_id, instance, section in parts:
        answers = load_answers(db, person_id, flow_id, instance)
        out.append(_block(m, lang, flows[flow_id], _title(m, lang, flow_id, instance, section),
                          answers, section or None))
    return out


def changed_since_snapshot(db: sqlite_utils.Database, flows: Flows, person_id: int,
                           submission_id: int) -> bool:
    """Whether the answers changed after they were handed in."""
    for snap in store.snapshots(db, submission_id):
        now = load_answers(db, person_id, snap.flow, snap.instance)
        flow = flows.get(snap.flow)
        if flow is None:
            continue
        keep = set(engine.positions(flow, now, snap.section or None))
        current = {_comparable((p.qid, p.idx, None if v is SKIPPED else v, v is SKIPPED))
                   for p, v in now.items() if p in keep}
        if current != {_comparable(row) for row in snap.answers}:
            return True
    return False


def _comparable(row) -> str:
    """One answer as a hashable text (a multiple choice is a list)."""
    return json.dumps(list(row), sort_keys=True, ensure_ascii=False)


# -- the intake -----------------------------------------------------------------------------------
def intake_block(db: sqlite_utils.Database, m: Messages, flows: Flows, lang: str,
                 person_id: int) -> Block:
    flow = flows["intake"]
    return _block(m, lang, flow, m.plain("coaches/intake_title", lang),
                  load_answers(db, person_id, "intake"))


# -- evaluations of one session ------------------------------------------------------------------
@dataclass(frozen=True)
class EvaluationEntry:
    person: people.Person
    complete: bool
    score: int | None
    open_answers: dict[str, str]      # question id -> the answer ("" when not given)
    block: Block


@dataclass(frozen=True)
class SessionEvaluations:
    session: trajectories.Session
    trajectory: trajectories.Trajectory
    entries: list[EvaluationEntry]
    expected: int                     # participants who could attend (joined before its end)
    labels: dict[str, str]            # question id -> label, the three open questions

    @property
    def scores(self) -> list[int]:
        return [e.score for e in self.entries if e.score is not None]

    @property
    def average(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    @property
    def complete(self) -> list[EvaluationEntry]:
        return [e for e in self.entries if e.complete]

    def answers_to(self, qid: str) -> list[tuple[people.Person, str]]:
        """One open question, everybody's answer side by side."""
        return [(e.person, e.open_answers[qid]) for e in self.entries if e.open_answers.get(qid)]


def participants_of(db: sqlite_utils.Database, trajectory_id: int) -> list[people.Person]:
    found = [people.get(db, m.person_id)
             for m in memberships.of_trajectory(db, trajectory_id, "participant")]
    return sorted((p for p in found if p is not None and p.status != "erased"),
                  key=lambda p: (p.municipality, p.name))


def session_evaluations(db: sqlite_utils.Database, m: Messages, flows: Flows, lang: str,
                        session: trajectories.Session) -> SessionEvaluations:
    flow = flows[EVALUATION_FLOW]
    trajectory = trajectories.get(db, session.trajectory_id)
    entries, expected = [], 0
    for person in participants_of(db, session.trajectory_id):
        joined = followup_store.joined_at(db, person.id, session.trajectory_id)
        if joined is None or joined < session.ends_at:
            expected += 1
        answers = load_answers(db, person.id, EVALUATION_FLOW, str(session.id))
        if not answers:
            continue
        score = answers.get(Pos("score"))
        entries.append(EvaluationEntry(
            person, engine.is_complete(flow, answers),
            int(score) if isinstance(score, str) and score.isdigit() else None,
            {q: (answers.get(Pos(q)) if isinstance(answers.get(Pos(q)), str) else "")
             for q in OPEN_QUESTIONS},
            _block(m, lang, flow, person.name, answers)))
    labels = {q: m.plain(f"flows/{EVALUATION_FLOW}/{q}/label", lang) for q in OPEN_QUESTIONS}
    return SessionEvaluations(session, trajectory, entries, expected, labels)
