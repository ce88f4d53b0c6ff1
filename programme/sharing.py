"""Sharing with the group: the rules.

Nothing is shared by default. A participant shares one finished thing at a time with the
peers of one of their trajectories: a design-brief step (`brief`, ref `step1`..`step4`), a
five-whys chain (`chain`, ref: its number) or a handed-in homework (`hw`, ref: the submission
id). What is shared is a copy of exactly what the preview showed (`content`): the author's
labels and texts and the Telegram ids of the photos; their name and municipality are shown
with it. Sharing it again replaces the copy; withdrawing deletes it with its reactions.

Who sees a shared item: the participants of its trajectory, the coaches of that trajectory and
the programme's coordinators; nobody in another trajectory. Across trajectories only what a
coordinator published in the library, after the author said yes in the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from flows import engine
from flows.engine import Flow, Pos
from messages.render import Messages
from programme import flow_progress, flow_text, library
from programme.flow_runner import load_answers
from storage import assignments, memberships, people, trajectories
from storage import homework as homework_store
from storage import practices as practice_store
from storage import sharing as store

KINDS = ("brief", "chain", "hw")
WHYS_STEP = 0             # the group of five-whys chains on the shelf (after steps 1-4)
SHELF_LIMIT = 40          # the newest items on the shelf; older ones stay shared
QUESTION_LIMIT = 300      # one short question, one short answer
VIEWER_ROLES = ("participant", "coach", "coordinator")


@dataclass(frozen=True)
class Draft:
    """What sharing would show (the preview), for one thing a person made."""
    kind: str
    ref: str
    step: int
    content: dict
    trajectory_ids: tuple[int, ...]   # where it can be shared (the person takes part there)
    left_out: int = 0                 # documents and voice notes, never shared


# -- what can be shared ---------------------------------------------------------------------------
def _participant_trajectories(db: sqlite_utils.Database, person_id: int) -> tuple[int, ...]:
    return tuple(m.trajectory_id for m in memberships.of_person(db, person_id)
                 if m.role == "participant")


def _photos(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def draft(db: sqlite_utils.Database, messages: Messages, flows: dict[str, Flow],
          person_id: int, kind: str, ref: str, lang: str) -> Draft | None:
    """The preview of one finished thing, or None when it is not (or no longer) finished."""
    if kind == "brief":
        return _brief_draft(db, messages, flows, person_id, ref, lang)
    if kind == "chain":
        return _chain_draft(db, messages, flows, person_id, ref, lang)
    if kind == "hw":
        return _homework_draft(db, person_id, ref, messages, lang)
    return None


def _brief_draft(db, messages, flows, person_id, section, lang) -> Draft | None:
    flow = flows["brief"]
    if section not in flow.sections:
        return None
    answers = load_answers(db, person_id, "brief")
    if not engine.is_complete(flow, answers, section):
        return None
    rows, photos = [], []
    for pos in engine.summary_positions(flow, answers, section):
        q = flow.question(pos.qid)
        value = answers[pos]
        if q is not None and q.type in ("photo", "document"):
            photos.extend(_photos(value) if q.type == "photo" else [])
            if not value:
                continue
        rows.append([flow_text.label(messages, lang, flow, pos),
                     flow_text.display_value(messages, lang, flow, pos, value)])
    trajectory_ids = _participant_trajectories(db, person_id)
    step = int(section.removeprefix("step")) if section.removeprefix("step").isdigit() else 1
    headline = next((value for _label, value in rows if value), "")
    return Draft("brief", section, step,
                 {"headline": headline, "rows": rows, "photos": photos}, trajectory_ids)


def _chain_draft(db, messages, flows, person_id, instance, lang) -> Draft | None:
    chain = next((c for c in flow_progress.chains(db, flows, person_id)
                  if c.number == instance), None)
    if chain is None or not chain.complete:
        return None
    flow = flows["waarom"]
    rows = [[flow_text.label(messages, lang, flow, Pos("problem")), chain.problem]]
    rows += [[flow_text.label(messages, lang, flow, Pos("why", i)), why]
             for i, why in enumerate(chain.whys)]
    if chain.root:
        rows.append([flow_text.label(messages, lang, flow, Pos("root")), chain.root])
    if chain.hkw:
        rows.append([flow_text.label(messages, lang, flow, Pos("hkw")), chain.hkw])
    return Draft("chain", instance, WHYS_STEP,
                 {"headline": chain.hkw or chain.problem, "rows": rows, "photos": []},
                 _participant_trajectories(db, person_id))


def _homework_draft(db, person_id, ref, messages: Messages | None = None, lang: str = "nl"
                    ) -> Draft | None:
    """The headline is the assignment's title in the sharer's language (`messages`), as
    their preview shows it."""
    if not ref.isdigit():
        return None
    submission = homework_store.get(db, int(ref))
    if submission is None or submission.person_id != person_id or \
            submission.status != "submitted":
        return None
    assignment = assignments.get(db, submission.assignment_id)
    session = trajectories.get_session(db, assignment.session_id) if assignment else None
    if session is None or session.trajectory_id not in _participant_trajectories(db, person_id):
        return None
    rows, photos, left_out = [], [], 0
    for item in homework_store.items(db, submission.id):
        if item.kind == "photo" and item.file_id:
            photos.append(item.file_id)
            if item.text:
                rows.append(["", item.text])
        elif item.kind == "text" and item.text:
            rows.append(["", item.text])
        else:
            left_out += 1   # documents and voice notes stay between the author and the coaches
    return Draft("hw", ref, session.number,
                 {"headline": messages.programme_text(assignment, "title", lang, mark=False)
                  if messages is not None else assignment.title,
                  "rows": rows, "photos": photos},
                 (session.trajectory_id,), left_out)


@dataclass(frozen=True)
class Shareable:
    kind: str
    ref: str
    step: int
    headline: str
    shared: bool


def shareable(db: sqlite_utils.Database, flows: dict[str, Flow], person_id: int,
              messages: Messages | None = None, lang: str = "nl") -> list[Shareable]:
    """Everything the person finished and could share: brief steps, chains, homework."""
    shared = {(i.kind, i.ref) for i in store.of_person(db, person_id)}
    out: list[Shareable] = []
    for section, done in flow_progress.brief_steps_done(db, flows, person_id).items():
        if done:
            step = int(section.removeprefix("step")) if section[4:].isdigit() else 1
            out.append(Shareable("brief", section, step, "", ("brief", section) in shared))
    for chain in flow_progress.chains(db, flows, person_id):
        if chain.complete:
            out.append(Shareable("chain", chain.number, WHYS_STEP, chain.hkw or chain.problem,
                                 ("chain", chain.number) in shared))
    for submission in homework_store.of_person(db, person_id):
        if submission.status != "submitted":
            continue
        done = _homework_draft(db, person_id, str(submission.id), messages, lang)
        # homework done in the brief or a chain has no pieces: that step or chain is listed
        if done is not None and (done.content["rows"] or done.content["photos"]):
            out.append(Shareable("hw", str(submission.id), done.step,
                                 done.content["headline"], ("hw", str(submission.id)) in shared))
    return out


def share(db: sqlite_utils.Database, person_id: int, trajectory_id: int, made: Draft,
          now: datetime) -> store.Item | None:
    """Share the previewed thing with one of its trajectories (None: not one of them)."""
    if trajectory_id not in made.trajectory_ids:
        return None
    return store.share(db, person_id=person_id, trajectory_id=trajectory_id, kind=made.kind,
                       ref=made.ref, step=made.step, content=made.content, now=now)


# -- who sees what --------------------------------------------------------------------------------
def visible(db: sqlite_utils.Database, item: store.Item | None) -> bool:
    """Still shown: its author still takes part in its trajectory."""
    if item is None:
        return False
    author = people.get(db, item.person_id)
    membership = memberships.get(db, item.person_id, item.trajectory_id)
    return author is not None and author.status == "active" and membership is not None and \
        membership.status == "active" and membership.role == "participant"


def may_see(role_in_trajectory: str | None) -> bool:
    """A participant, coach or coordinator of the item's trajectory (the role someone has in
    that trajectory, not anywhere else)."""
    return role_in_trajectory in VIEWER_ROLES


def shelf(db: sqlite_utils.Database, trajectory_id: int, limit: int = SHELF_LIMIT
          ) -> list[tuple[int, list[store.Item]]]:
    """The trajectory's shared items by step (1-4, then the five-whys chains), newest first
    within a step; at most `limit` items, the newest."""
    items = store.visible_in(db, trajectory_id)[:limit]
    groups: dict[int, list[store.Item]] = {}
    for item in items:
        groups.setdefault(item.step, []).append(item)
    order = sorted(groups, key=lambda s: (s == WHYS_STEP, s))
    return [(step, groups[step]) for step in order]


# -- the library: publishing a shared item --------------------------------------------------------
def practice_key(item_id: int) -> str:
    return f"item-{int(item_id)}"


def publish(db: sqlite_utils.Database, item: store.Item, title: str, now: datetime) -> str:
    """The author said yes: the item becomes a library entry (without the author's name; the
    place is their municipality). Returns its key."""
    author = people.get(db, item.person_id)
    trajectory = trajectories.get(db, item.trajectory_id)
    text = "; ".join(f"{label}: {value}" if label else value for label, value in item.rows)
    themes = sorted(library.theme_numbers(trajectory.theme if trajectory else "")
                    or library.theme_numbers(f"{item.headline} {text}"))
    key = practice_key(item.id)
    practice_store.upsert(db, key=key, origin="promoted", themes=themes, link="",
                          source=trajectory.title if trajectory else "",
                          nl=(title[:library.MAX_TITLE],
                              (author.municipality if author else "")[:library.MAX_PLACE],
                              text[:library.MAX_WHAT]),
                          en=None, now=now, author_id=item.person_id, item_id=item.id)
    return key


def offer_after(flow_id: str, instance: str, section: str | None, complete: bool
                ) -> tuple[str, str] | None:
    """(kind, ref) to offer "Deel met je groep?" for at a flow's summary: a finished brief
    step or a finished five-whys chain; None otherwise."""
    if not complete:
        return None
    if flow_id == "brief" and section:
        return "brief", section
    if flow_id == "waarom" and instance:
        return "chain", instance
    return None


def offer_after_homework(db: sqlite_utils.Database, flows: dict[str, Flow], person_id: int,
                         submission_id: int) -> tuple[str, str] | None:
    """(kind, ref) to offer after handing in: the brief step or the latest finished chain
    when the homework was done in a guided conversation, else the homework itself when it
    has text or photos to show; None when there is nothing to share."""
    submission = homework_store.get(db, submission_id)
    assignment = assignments.get(db, submission.assignment_id) if submission else None
    if assignment is None:
        return None
    if assignment.kind == "brief_step" and assignment.brief_step:
        section = f"step{assignment.brief_step}"
        done = flow_progress.brief_steps_done(db, flows, person_id).get(section, False)
        return ("brief", section) if done else None
    if assignment.kind == "whys":
        finished = [c for c in flow_progress.chains(db, flows, person_id) if c.complete]
        return ("chain", finished[-1].number) if finished else None
    made = _homework_draft(db, person_id, str(submission_id))
    if made is None or not (made.content["rows"] or made.content["photos"]):
        return None
    return "hw", str(submission_id)
