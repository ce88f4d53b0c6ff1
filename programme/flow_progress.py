"""Read-only view of a participant's guided conversations, for other features (progress
overviews, homework, the design brief document). No Telegram, no writes.

    intake_done(db, flows, person_id)       -> bool
    brief_steps_done(db, flows, person_id)  -> {"step1": True, "step2": False, ...}
    chains(db, flows, person_id)            -> [Chain(number, problem, whys, root, hkw, complete)]
    evaluations(db, flows, person_id)       -> [Evaluation(session_id, score, complete, answers)]
    last_activity(db, person_id)        -> datetime of the latest stored answer, or None
    runs(db, person_id)                 -> [RunState(flow, instance, status, question, since)]
                                           where each flow stands (who is stuck, and since when)
    flow_answers(db, person_id, flow, instance) -> {(question, idx): value} (skipped: None)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from flows import engine
from flows.engine import SKIPPED, Flow, Pos
from programme.flow_runner import load_answers
from storage import answers as answer_store
from storage import flow_runs


def flow_answers(db: sqlite_utils.Database, person_id: int, flow: str, instance: str = ""
                 ) -> dict[tuple[str, int], Any]:
    return {(p.qid, p.idx): (None if v is SKIPPED else v)
            for p, v in load_answers(db, person_id, flow, instance).items()}


Flows = dict[str, Flow]


def intake_done(db: sqlite_utils.Database, flows: Flows, person_id: int) -> bool:
    return engine.is_complete(flows["intake"], load_answers(db, person_id, "intake"))


def brief_steps_done(db: sqlite_utils.Database, flows: Flows, person_id: int) -> dict[str, bool]:
    flow = flows["brief"]
    answers = load_answers(db, person_id, "brief")
    return {s: engine.is_complete(flow, answers, s) for s in flow.sections}


@dataclass(frozen=True)
class Chain:
    number: str
    problem: str
    whys: list[str] = field(default_factory=list)
    root: str = ""
    hkw: str = ""
    complete: bool = False


def chains(db: sqlite_utils.Database, flows: Flows, person_id: int) -> list[Chain]:
    """Every five-whys chain of the person (started ones too), in order."""
    flow = flows["waarom"]
    out = []
    instances = sorted(answer_store.instances(db, person_id, "waarom"),
                       key=lambda i: (len(i), i))
    for instance in instances:
        answers = load_answers(db, person_id, "waarom", instance)
        shown = engine.positions(flow, answers)
        whys = [answers[p] for p in shown if p.qid == "why" and p in answers
                and answers[p] is not SKIPPED]
        out.append(Chain(instance, answers.get(Pos("problem")) or "", whys,
                         answers.get(Pos("root")) or "", answers.get(Pos("hkw")) or "",
                         engine.is_complete(flow, answers)))
    return out


@dataclass(frozen=True)
class Evaluation:
    session_id: int | None  # None: not tied to a session
    score: int | None
    complete: bool
    answers: dict[str, Any]


def evaluations(db: sqlite_utils.Database, flows: Flows, person_id: int) -> list[Evaluation]:
    flow = flows["evaluatie"]
    out = []
    for instance in answer_store.instances(db, person_id, "evaluatie"):
        answers = load_answers(db, person_id, "evaluatie", instance)
        score = answers.get(Pos("score"))
        out.append(Evaluation(int(instance) if instance.isdigit() and instance != "0" else None,
                              int(score) if isinstance(score, str) and score.isdigit() else None,
                              engine.is_complete(flow, answers),
                              {p.qid: (None if v is SKIPPED else v) for p, v in answers.items()}))
    return out


def last_activity(db: sqlite_utils.Database, person_id: int) -> datetime | None:
    return answer_store.last_activity(db, person_id)


@dataclass(frozen=True)
class RunState:
    flow: str
    instance: str
    status: str            # active | paused | done
    question: str | None   # the question waiting for an answer (None: at the summary / done)
    since: datetime        # last change of this run


def runs(db: sqlite_utils.Database, person_id: int) -> list[RunState]:
    """Every flow run of the person, most recently changed first."""
    return [RunState(r.flow, r.instance, r.status, r.question, r.updated_at)
            for r in flow_runs.of_person(db, person_id)]
