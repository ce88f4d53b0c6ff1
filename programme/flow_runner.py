"""Running a guided conversation for one person: the engine on stored answers (no Telegram).

The handler turns an update into an engine `Input`; `submit()` loads the answers, asks the engine,
and stores what it returns together with the run's new position and the update id, in one
transaction (an answer is committed before the next prompt is sent, and a redelivered update is
never stored twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlite_utils

from flows import engine
from flows.engine import SKIPPED, Flow, Input, Pos, Result
from storage import answers as answer_store
from storage import drafts, flow_files, flow_runs, updates
from storage.db import transaction


def load_answers(db: sqlite_utils.Database, person_id: int, flow_id: str, instance: str = ""
                 ) -> dict[Pos, Any]:
    return {Pos(question, idx): SKIPPED if skipped else value
            for question, idx, value, skipped in answer_store.values_of(db, person_id, flow_id,
                                                                        instance)}


def section_of(run: flow_runs.Run) -> str | None:
    return run.section or None


def current_position(flow: Flow, run: flow_runs.Run, answers: dict[Pos, Any]) -> Pos | None:
    """The question the run is at: the recorded one if it is still asked, else the first
    unanswered one (None: everything answered, show the summary)."""
    section = section_of(run)
    if run.question is not None:
        pos = Pos(run.question, run.idx)
        if pos in engine.positions(flow, answers, section):
            return pos
    return engine.first_unanswered(flow, answers, section)


UNREAD = object()  # Submission.draft: not read while submitting (ask the database)


@dataclass(frozen=True)
class Submission:
    result: Result
    at: Pos                 # the question the input was for
    next: Pos | None        # the question to ask now (None: show the summary)
    finished: bool          # the run (or its section) has no unanswered question left
    duplicate: bool = False  # the update was already handled
    answers: dict | None = None  # the answers after this input
    run: flow_runs.Run | None = None  # the run after this input
    # the run's draft after this input (None: there is none), or UNREAD when it was not read
    draft: drafts.Draft | None | object = UNREAD


def start(db: sqlite_utils.Database, flow: Flow, person_id: int, instance: str = "", *,
          section: str = "", now: datetime) -> tuple[flow_runs.Run, Pos | None]:
    """Activate the run (pausing any other) and return where to continue."""
    flow_id = flow.id
    with transaction(db):
        run = flow_runs.activate(db, person_id, flow_id, instance, section=section, now=now)
        answers = load_answers(db, person_id, flow_id, instance)
        if run.mode == "edit" or (run.question is not None and section != run.section):
            run = _moved(db, run, None, "ask", now)
        pos = current_position(flow, run, answers)
        # everything answered: the run is done (the summary shows), not holding the person;
        # activate() made it active already (status left alone: no index write)
        run = _moved(db, run, pos, "ask", now, status=None if pos else "done")
    return run, pos


def edit(db: sqlite_utils.Database, flow: Flow, person_id: int, instance: str, pos: Pos, *,
         now: datetime) -> tuple[flow_runs.Run, bool]:
    """Re-ask one answered question; after the answer the summary comes back. False when that
    question is not (or no longer) part of the answers."""
    flow_id = flow.id
    with transaction(db):
        answers = load_answers(db, person_id, flow_id, instance)
        section = flow.question(pos.qid).section if flow.question(pos.qid) else ""
        if pos not in answers or pos not in engine.positions(flow, answers, None):
            return flow_runs.get(db, person_id, flow_id, instance), False
        run = flow_runs.activate(db, person_id, flow_id, instance, section=section, now=now)
        run = _moved(db, run, pos, "edit", now)  # activate() made it active
    return run, True


def submit(db: sqlite_utils.Database, flow: Flow, run: flow_runs.Run, inp: Input, *,
           now: datetime, update_id: int | None = None, labels: dict[str, str] | None = None,
           labels_for: Callable[[engine.Question], dict[str, str]] | None = None,
           caption: str = "", rest: str | None = None) -> Submission:
    """Apply one input to the run's current question. `labels_for(question)` gives the option
    labels a typed answer may match (in the person's language). A text too long for the
    question is kept as the run's draft; a photo is kept with its caption. `rest`: what is
    left of a split draft, kept as the draft once the answer is stored ("" drops it)."""
    section = section_of(run)
    with transaction(db):
        # Recording the update id first: a redelivered update finds it and changes nothing.
        if update_id is not None and not updates.mark(db, update_id, now):
            return Submission(Result(), Pos(""), None, False, duplicate=True)
        answers = load_answers(db, run.person_id, run.flow, run.instance)
        # the recorded question (the engine checks it is still asked), else the first open one
        pos = Pos(run.question, run.idx) if run.question is not None else \
            engine.first_unanswered(flow, answers, section)
        if pos is None:
            return Submission(Result(error="stale"), Pos(""), None, True, answers=answers, run=run)
        question = flow.asked(pos.qid)
        if labels is None and labels_for is not None and question is not None:
            labels = labels_for(question)
        result = engine.step(flow, answers, pos, inp, section, labels)
        if result.error == "stale":  # the recorded question is no longer asked
            pos = result.next
            if pos is None:
                return Submission(result, Pos(""), None, True, answers=answers, run=run)
            question = flow.asked(pos.qid)
            if labels_for is not None and question is not None:
                labels = labels_for(question)
            result = engine.step(flow, answers, pos, inp, section, labels)
        if not result.ok:
            if result.error == "too_long" and inp.kind == "text":  # kept, never dropped
                drafts.save(db, run.person_id, run.flow, run.instance, pos.qid, pos.idx,
                            str(inp.value).strip(), now)
            return Submission(result, pos, pos, False, answers=answers, run=run)
        draft = drafts.get(db, run.person_id, run.flow, run.instance)
        for at, value in result.writes:
            answer_store.save(db, run.person_id, run.flow, run.instance, at.qid, at.idx,
                              None if value is SKIPPED else value, skipped=value is SKIPPED,
                              now=now, new=at not in answers)
            answers[at] = value
            if draft is not None and (draft.question, draft.idx) == (at.qid, at.idx):
                drafts.drop(db, run.person_id, run.flow, run.instance)  # answered after all
                draft = None
            if inp.kind in ("photo", "document") and isinstance(value, str):
                flow_files.add(db, run.person_id, run.flow, run.instance, at.qid, at.idx,
                               value, caption, now)
        if rest:
            drafts.save(db, run.person_id, run.flow, run.instance, "", 0, rest, now)
            draft = drafts.Draft("", 0, rest)
        elif rest is not None:
            drafts.drop(db, run.person_id, run.flow, run.instance)
            draft = None
        # the engine's next is the first unanswered question after the write (also after an
        # edit: then usually None, the summary), or the previous question after "back"
        nxt, mode = result.next, (run.mode if result.moved_back else "ask")
        finished = nxt is None
        run = _moved(db, run, nxt, mode, now, status="done" if nxt is None else None)
    return Submission(result, pos, nxt, finished, answers=answers, run=run, draft=draft)


def add_photo(db: sqlite_utils.Database, person_id: int, flow_id: str, instance: str,
              pos: Pos, file_id: str, caption: str = "", *, now: datetime,
              update_id: int | None = None) -> int | None:
    """Another photo for the question at `pos` (the rest of an album, or photos sent one after
    the other): the answer becomes the list of all of them, each kept with its caption.
    Returns how many photos the answer has now; None when the update was already handled or
    the answer is gone."""
    with transaction(db):
        if update_id is not None and not updates.mark(db, update_id, now):
            return None
        current = load_answers(db, person_id, flow_id, instance).get(pos)
        if current is None or current is SKIPPED:
            return None
        files = list(current) if isinstance(current, list) else [current]
        if file_id not in files:
            files.append(file_id)
        answer_store.save(db, person_id, flow_id, instance, pos.qid, pos.idx, files, now=now)
        flow_files.add(db, person_id, flow_id, instance, pos.qid, pos.idx, file_id, caption,
                       now)
    return len(files)


@dataclass(frozen=True)
class Joined:
    length: int       # the length of the whole text now
    draft: bool       # kept as the draft (too long for the question), not as the answer


def join_text(db: sqlite_utils.Database, flow: Flow, person_id: int, instance: str, pos: Pos,
              text: str, *, now: datetime, update_id: int | None = None) -> Joined | None:
    """The next part of a text Telegram split (over 4,096 characters): added to the answer at
    `pos`, or to the draft when that answer was too long. None: already handled, or nothing
    there to add to."""
    text = text.strip()
    with transaction(db):
        if update_id is not None and not updates.mark(db, update_id, now):
            return None
        draft = drafts.get(db, person_id, flow.id, instance)
        current = load_answers(db, person_id, flow.id, instance).get(pos)
        question = flow.question(pos.qid)
        if draft is not None and (draft.question, draft.idx) == (pos.qid, pos.idx):
            whole = f"{draft.text} {text}" if text else draft.text
            drafts.save(db, person_id, flow.id, instance, pos.qid, pos.idx, whole, now)
            return Joined(len(whole), True)
        if not isinstance(current, str) or question is None:
            return None
        whole = f"{current} {text}" if text else current
        if len(whole) > question.limit:  # the whole is too long: kept whole as the draft
            drafts.save(db, person_id, flow.id, instance, pos.qid, pos.idx, whole, now)
            return Joined(len(whole), True)
        answer_store.save(db, person_id, flow.id, instance, pos.qid, pos.idx, whole, now=now)
    return Joined(len(whole), False)


def pause(db: sqlite_utils.Database, person_id: int, now: datetime) -> flow_runs.Run | None:
    return flow_runs.pause(db, person_id, now)


def _moved(db, run: flow_runs.Run, pos: Pos | None, mode: str, now: datetime,
           status: str | None = None) -> flow_runs.Run:
    flow_runs.move(db, run.person_id, run.flow, run.instance,
                   question=pos.qid if pos else None, idx=pos.idx if pos else 0, mode=mode,
                   status=status, now=now)
    return flow_runs.Run(run.person_id, run.flow, run.instance, run.section,
                         status or run.status, pos.qid if pos else None, pos.idx if pos else 0,
                         mode, run.started_at, now)


# -- instances --------------------------------------------------------------------------------
def open_chain(db: sqlite_utils.Database, flow: Flow, person_id: int) -> str | None:
    """The five-whys chain (`flow` is the waarom flow) that is started but not finished."""
    for run in flow_runs.of_flow(db, person_id, "waarom"):
        if not engine.is_complete(flow, load_answers(db, person_id, "waarom", run.instance)):
            return run.instance
    return None


def next_chain(db: sqlite_utils.Database, person_id: int) -> str:
    numbers = [int(i) for i in answer_store.instances(db, person_id, "waarom") if i.isdigit()]
    numbers += [int(r.instance) for r in flow_runs.of_flow(db, person_id, "waarom")
                if r.instance.isdigit()]
    return str(max(numbers, default=0) + 1)
