"""The flow engine: conversations as data, run by a pure state machine (no Telegram, no storage).

A flow definition is an ordered list of questions, some inside repeatable groups. Answers are a
mapping `Pos -> value` (a Pos is a question id plus a repeat index). `step()` takes the
definition, the stored answers, the question being asked and one input from the user, and
returns what to store (or a validation error key) and which question comes next.

Rules, all here and nowhere else:
- the next question is always the first unanswered one (in the section being filled); so
  "back one" followed by an answer returns to where the person was;
- a skipped optional question is stored as SKIPPED (answered, no value); a required one can
  never be skipped: the flow only completes when every required question has a value;
- a condition (`when`) hides a question until an earlier answer has one of the given values;
- a group repeats its questions: with `ask_more`, a yes/no control question after each round
  ("nog een actie toevoegen?"); with `stop_after`, a "stop" input ends it early (five whys:
  "ik zit aan de oorzaak"); `max` rounds at most. Group control answers are stored under the
  group's own id and the round index: "more" or "done".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

TYPES = frozenset({"text", "longtext", "choice", "multi", "yesno", "number", "date", "scale",
                   "photo", "document"})
CHOICE_TYPES = frozenset({"choice", "multi", "yesno", "scale"})
TEXT_TYPES = frozenset({"text", "longtext"})
DEFAULT_MAX_LENGTH = {"text": 300, "longtext": 10_000}  # a longer text is kept as a draft
YESNO = ("yes", "no")
MORE, DONE = "more", "done"
# Every error `step()` can return: one template each (flows/errors/<key>), all rendered with
# the same values (programme.flow_text.error_values), so no path can miss a variable.
ERRORS = ("stale", "cannot_go_back", "cannot_stop", "not_optional", "nothing_to_keep",
          "expects_photo", "expects_document", "expects_choice", "expects_text",
          "expects_number", "expects_date", "choose_at_least_one", "unknown_option",
          "number_range", "empty", "too_long", "too_short")


class _Skipped:
    """An optional question the person chose to skip: answered, without a value."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SKIPPED"

    def __bool__(self) -> bool:
        return False


SKIPPED = _Skipped()


class DefinitionError(ValueError):
    """A flow definition that cannot run; the message names the file and the question."""


@dataclass(frozen=True)
class Condition:
    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    required: bool = True
    min_length: int = 0
    max_length: int = 0
    options: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    when: Condition | None = None
    section: str = ""
    help: bool = False
    suggest: str = ""        # a handler-provided suggestion (button) for the answer
    transform: str = ""      # a handler-side rewrite of typed text (e.g. "hkw")
    group: str = ""          # the id of the group this question belongs to, if any

    @property
    def option_ids(self) -> tuple[str, ...]:
        if self.type == "yesno":
            return YESNO
        if self.type == "scale":
            return tuple(str(n) for n in range(self.low, self.high + 1))
        return self.options

    @property
    def low(self) -> int:
        return 1 if self.minimum is None else self.minimum

    @property
    def high(self) -> int:
        return 5 if self.maximum is None else self.maximum

    @property
    def limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.type, 0)


@dataclass(frozen=True)
class Group:
    id: str
    questions: tuple[Question, ...]
    max: int = 10
    ask_more: bool = False    # a yes/no question after each round
    stop_after: int = 0       # from this round on, a "stop" input ends the group (0: never)
    section: str = ""
    when: Condition | None = None


Item = Question | Group


@dataclass(frozen=True)
class Flow:
    id: str
    items: tuple[Item, ...]
    sections: tuple[str, ...] = ()
    source: str = ""
    instances: str = "single"   # single | numbered (several chains) | session

    def questions(self) -> list[Question]:
        out: list[Question] = []
        for item in self.items:
            out.extend(item.questions if isinstance(item, Group) else (item,))
        return out

    def groups(self) -> dict[str, Group]:
        return dict(self._groups)

    @cached_property
    def _questions(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions()}

    @cached_property
    def _groups(self) -> dict[str, Group]:
        return {g.id: g for g in self.items if isinstance(g, Group)}

    def question(self, qid: str) -> Question | None:
        return self._questions.get(qid)

    def asked(self, qid: str) -> Question | None:
        """What is asked at `qid`: the question, or for a group's "add another?" control a
        yes/no question with the group's id (its options are what a person may type)."""
        q = self._questions.get(qid)
        if q is None and qid in self._groups:
            return Question(qid, "yesno", section=self._groups[qid].section)
        return q

    def walk(self, section: str | None) -> tuple[tuple[Item, Pos | None], ...]:
        """The items of a section (or all), each with its position when it is a question
        outside any group (built once per flow and section: positions() runs per answer)."""
        cache = self.__dict__.setdefault("_walks", {})
        found = cache.get(section)
        if found is None:
            found = cache[section] = tuple(
                (item, Pos(item.id) if isinstance(item, Question) else None)
                for item in self.items if section is None or item.section == section)
        return found

    @cached_property
    def condition_sources(self) -> frozenset[str]:
        """The questions whose answer decides whether another question is asked."""
        items = [*self.questions(), *self._groups.values()]
        return frozenset(i.when.question for i in items if i.when is not None)

    def shapes_order(self, qid: str) -> bool:
        """Can an answer to `qid` change which questions are asked? (a condition's source, a
        question of a group, a group's control)"""
        q = self.question(qid)
        return qid in self.condition_sources or qid in self._groups or \
            (q is not None and bool(q.group))

    def numbered(self, section: str | None) -> tuple[str, ...]:
        """The ids of the questions that get a number in a section (or the whole flow): those
        outside any group and without a condition, in order."""
        return tuple(item.id for item, pos in self.walk(section)
                     if pos is not None and item.when is None)

    def group(self, gid: str) -> Group | None:
        return self._groups.get(gid)


class Pos(NamedTuple):
    """A question (or a group's control) and the round of its group (0 outside groups).
    A named tuple: positions are built and hashed on every answer."""

    qid: str
    idx: int = 0


@dataclass(frozen=True)
class Input:
    """What the person did. kind: text | option | options | photo | document | voice | sticker |
    other | back | skip | stop | keep. `value`: the text, option id, list of option ids or the
    Telegram file id."""

    kind: str
    value: Any = None


@dataclass(frozen=True)
class Result:
    writes: tuple[tuple[Pos, Any], ...] = ()
    error: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    next: Pos | None = None
    moved_back: bool = False
    # the positions to ask after the write (None when not computed): callers that show the
    # next question (its "back" button, its place) need not walk the definition again
    order: tuple[Pos, ...] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


Answers = Mapping[Pos, Any]


# -- walking the definition -------------------------------------------------------------------
def _visible(cond: Condition | None, answers: Answers, idx: int) -> bool:
    if cond is None:
        return True
    value = answers.get(Pos(cond.question, idx), answers.get(Pos(cond.question, 0)))
    if isinstance(value, list):
        return any(v in cond.values for v in value)
    return value in cond.values


def _in_section(item: Item, section: str | None) -> bool:
    return section is None or item.section == section


def positions(flow: Flow, answers: Answers, section: str | None = None) -> list[Pos]:
    """Every question to ask given the answers so far, in order (conditions and groups applied).
    A group's rounds appear as far as the answers reach, plus the next one to ask."""
    out: list[Pos] = []
    for item, pos in flow.walk(section):
        if pos is not None:  # a question outside any group: asked unless its condition says no
            if item.when is None or _visible(item.when, answers, 0):
                out.append(pos)
            continue
        if not _visible(item.when, answers, 0):
            continue
        for idx in range(item.max):
            control = answers.get(Pos(item.id, idx))
            if control == DONE and item.stop_after and not item.ask_more:
                break  # stopped at the start of this round
            out.extend(Pos(q.id, idx) for q in item.questions if _visible(q.when, answers, idx))
            if item.ask_more and idx + 1 < item.max:
                out.append(Pos(item.id, idx))
                if control != MORE:
                    break
            elif not item.ask_more and idx + 1 < item.max:
                round_done = all(Pos(q.id, idx) in answers for q in item.questions
                                 if _visible(q.when, answers, idx))
                if not round_done:
                    break
    return out


def first_unanswered(flow: Flow, answers: Answers, section: str | None = None) -> Pos | None:
    for pos in positions(flow, answers, section):
        if pos not in answers:
            return pos
    return None


def is_complete(flow: Flow, answers: Answers, section: str | None = None) -> bool:
    return first_unanswered(flow, answers, section) is None


def counter(flow: Flow, pos: Pos, section: str | None = None) -> tuple[int, int] | None:
    """(number, total) for "vraag 3 van 11", or None for a question that gets no number.

    Only the questions every run asks are numbered: those outside any group and without a
    condition. So the total is the same from the first question to the last, whatever is
    answered ("vraag 6 van 14" never follows "van 13"), and the numbers go up by one. A
    conditional follow-up ("waar precies?") and a group's rounds are not numbered: a group
    counts its own rounds in its prompts ("Waarom? (2 van 5)", "Actiefiche 2"), so the five
    whys show one counter at a time."""
    numbered = flow.numbered(section)
    if pos.idx != 0 or pos.qid not in numbered:
        return None
    return (numbered.index(pos.qid) + 1, len(numbered))


def is_control(flow: Flow, pos: Pos) -> bool:
    return flow.group(pos.qid) is not None


def can_stop(flow: Flow, pos: Pos) -> bool:
    """True when a "stop" input ends the group at this position (five whys)."""
    q = flow.question(pos.qid)
    if q is None or not q.group:
        return False
    group = flow.group(q.group)
    return bool(group.stop_after) and pos.idx >= group.stop_after and q.id == group.questions[0].id


def previous(flow: Flow, answers: Answers, pos: Pos, section: str | None = None) -> Pos | None:
    order = positions(flow, answers, section)
    if pos not in order:
        return None
    i = order.index(pos)
    return order[i - 1] if i > 0 else None


# -- validation of one input -----------------------------------------------------------------
_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_NUMBER = re.compile(r"^\s*-?\d+\s*$")


def _match_option(options: tuple[str, ...], text: str, labels: Mapping[str, str]) -> str | None:
    wanted = text.strip().casefold()
    for option in options:
        if wanted == option.casefold() or wanted == labels.get(option, "").strip().casefold():
            return option
    return None


def validate(q: Question, inp: Input, labels: Mapping[str, str] | None = None
             ) -> tuple[Any, str | None, dict]:
    """(value, error key, error parameters) for one input to question q."""
    labels = labels or {}
    kind, value = inp.kind, inp.value
    if q.type in ("photo", "document"):
        if kind == q.type or (q.type == "photo" and kind == "document" and value):
            return value, None, {}
        return None, f"expects_{q.type}", {}
    if q.type in CHOICE_TYPES:
        options = q.option_ids
        if q.type == "multi" and kind == "options":
            chosen = [o for o in (value or []) if o in options]
            if not chosen:
                return None, "choose_at_least_one", {}
            return [o for o in options if o in chosen], None, {}
        if kind == "option":
            if value in options:
                return (value if q.type != "multi" else [value]), None, {}
            return None, "unknown_option", {}
        if kind != "text" or not isinstance(value, str):
            return None, "expects_choice", {}
        if q.type == "multi":
            parts = [p.strip() for p in re.split(r"[,;\n]", value) if p.strip()]
            chosen = [_match_option(options, p, labels) for p in parts]
            if not parts:
                return None, "unknown_option", {}
            if None in chosen:  # say which word was not recognised
                return None, "unknown_option", {"unknown": parts[chosen.index(None)]}
            return [o for o in options if o in chosen], None, {}
        match = _match_option(options, value, labels)
        if match is None:
            if q.type == "scale" and _NUMBER.match(value):
                return None, "number_range", {"low": q.low, "high": q.high}
            return None, "unknown_option", {"unknown": value.strip()}
        return match, None, {}
    if kind != "text" or not isinstance(value, str):
        return None, "expects_text" if q.type in TEXT_TYPES else f"expects_{q.type}", {}
    text = value.strip()
    if q.type in TEXT_TYPES:
        if not text:
            return None, "empty", {}
        if len(text) > q.limit:
            return None, "too_long", {"limit": q.limit, "length": len(text)}
        if len(text) < q.min_length:
            return None, "too_short", {"minimum": q.min_length}
        return text, None, {}
    if q.type == "number":
        if not _NUMBER.match(text):
            return None, "expects_number", {}
        number = int(text)
        if (q.minimum is not None and number < q.minimum) or (
                q.maximum is not None and number > q.maximum):
            return None, "number_range", {"low": q.minimum, "high": q.maximum}
        return number, None, {}
    if q.type == "date":
        match = _DATE.match(text)
        try:
            if match:
                day, month, year = (int(g) for g in match.groups())
                return date(year, month, day).isoformat(), None, {}
            return date.fromisoformat(text).isoformat(), None, {}
        except ValueError:
            return None, "expects_date", {}
    return None, "expects_text", {}  # pragma: no cover (all types handled above)


# -- the step function ------------------------------------------------------------------------
def step(flow: Flow, answers: Answers, pos: Pos, inp: Input, section: str | None = None,
         labels: Mapping[str, str] | None = None) -> Result:
    """Apply one input at `pos`. Never raises for any input; never writes anything but `pos`
    (and, for a group's "stop", that group's control answer)."""
    order = positions(flow, answers, section)
    if pos not in order:
        return Result(error="stale", next=first_unanswered(flow, answers, section))
    if inp.kind == "back":
        i = order.index(pos)
        if i == 0:
            return Result(error="cannot_go_back", next=pos)
        return Result(next=order[i - 1], moved_back=True)
    group = flow.group(pos.qid)
    if group is not None:  # the "add another?" control question of a group
        if inp.kind == "skip":
            return Result(error="not_optional", next=pos)
        if inp.kind == "keep" and pos in answers:
            return Result(next=_next_after(flow, answers, section))
        control = Question(group.id, "yesno")
        value, error, params = validate(control, inp, labels)
        if error:
            return Result(error=error, params=params, next=pos)
        return _stored(flow, answers, section, pos, MORE if value == "yes" else DONE)
    q = flow.question(pos.qid)
    if inp.kind == "keep":
        if pos in answers:
            return Result(next=_next_after(flow, answers, section))
        return Result(error="nothing_to_keep", next=pos)
    if inp.kind == "skip":
        if q.required:
            return Result(error="not_optional", next=pos)
        return _stored(flow, answers, section, pos, SKIPPED)
    if inp.kind == "stop":
        if not can_stop(flow, pos):
            return Result(error="cannot_stop", next=pos)
        updated = dict(answers)
        updated.pop(pos, None)
        updated[Pos(q.group, pos.idx)] = DONE
        writes = ((Pos(q.group, pos.idx), DONE),)
        return Result(writes=writes, next=first_unanswered(flow, updated, section))
    value, error, params = validate(q, inp, labels)
    if error:
        return Result(error=error, params=params, next=pos)
    return _stored(flow, answers, section, pos, value, order)


def _stored(flow: Flow, answers: Answers, section: str | None, pos: Pos, value: Any,
            before: list[Pos] | None = None) -> Result:
    updated = dict(answers)
    updated[pos] = value
    # an answer that decides nothing about which questions are asked keeps the order
    order = tuple(before) if before is not None and not flow.shapes_order(pos.qid) else \
        tuple(positions(flow, updated, section))
    nxt = next((p for p in order if p not in updated), None)
    return Result(writes=((pos, value),), next=nxt, order=order)


def _next_after(flow: Flow, answers: Answers, section: str | None) -> Pos | None:
    return first_unanswered(flow, answers, section)


def summary_positions(flow: Flow, answers: Answers, section: str | None = None) -> list[Pos]:
    """The answered question positions to show in a summary (group controls left out)."""
    return [p for p in positions(flow, answers, section)
            if p in answers and not is_control(flow, p)]
