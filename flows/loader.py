"""Load and check every flow definition (`flows/*.toml`) at start-up.

A definition that cannot run (an unknown type, a condition on an unknown or later question, a
missing template in a language, callback data that would not fit in 64 bytes) raises
DefinitionError naming the file and the question, and the bot does not start.

Template keys a flow needs, in every language:
  flows/<flow>/title, flows/<flow>/intro
  flows/<flow>/sections/<section>                  for each section
  flows/<flow>/<question>/prompt, .../label        for each question (and .../help if help)
  flows/<flow>/<group>/label (+ .../more if ask_more)  for each group
  flows/options/<option>                           for each option of choice/multi questions
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path

from flows.engine import (
    TYPES,
    Condition,
    DefinitionError,
    Flow,
    Group,
    Item,
    Question,
)

FLOWS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("nl", "en")
INSTANCE_KINDS = ("single", "numbered", "session")
LONGEST_INSTANCE = "9" * 10   # instance ids (session ids, chain numbers): up to 10 digits
LONGEST_INDEX = 99             # a question inside a repeated group

HasTemplate = Callable[[str, str], bool]


def _condition(raw, where: str) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "question" not in raw or "in" not in raw:
        raise DefinitionError(f"{where}: 'when' needs question and in = [values]")
    values = raw["in"]
    if isinstance(values, str):
        values = [values]
    return Condition(str(raw["question"]), tuple(str(v) for v in values))


def _question(raw: dict, where: str, section: str, group: str = "") -> Question:
    if "id" not in raw:
        raise DefinitionError(f"{where}: a question without an id")
    qid = str(raw["id"])
    where = f"{where}, question {qid!r}"
    qtype = raw.get("type")
    if qtype not in TYPES:
        raise DefinitionError(f"{where}: unknown type {qtype!r} (known: {', '.join(sorted(TYPES))})")
    known = {"id", "type", "required", "min_length", "max_length", "options", "min", "max",
             "when", "section", "help", "suggest", "transform"}
    unknown = set(raw) - known
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    options = tuple(str(o) for o in raw.get("options", ()))
    if qtype in ("choice", "multi") and not options:
        raise DefinitionError(f"{where}: a {qtype} question needs options")
    return Question(
        id=qid, type=qtype, required=bool(raw.get("required", True)),
        min_length=int(raw.get("min_length", 0)), max_length=int(raw.get("max_length", 0)),
        options=options, minimum=raw.get("min"), maximum=raw.get("max"),
        when=_condition(raw.get("when"), where), section=str(raw.get("section", section)),
        help=bool(raw.get("help", False)), suggest=str(raw.get("suggest", "")),
        transform=str(raw.get("transform", "")), group=group)


def parse(data: dict, source: str) -> Flow:
    """Build a Flow from parsed TOML; structural checks only (templates: see `check`)."""
    flow_id = data.get("id")
    if not flow_id or not isinstance(flow_id, str):
        raise DefinitionError(f"{source}: the flow needs an id")
    instances = data.get("instances", "single")
    if instances not in INSTANCE_KINDS:
        raise DefinitionError(f"{source}: instances must be one of {INSTANCE_KINDS}")
    sections = tuple(str(s) for s in data.get("sections", ()))
    items: list[Item] = []
    for raw in data.get("items", ()):
        section = str(raw.get("section", ""))
        if sections and section not in sections:
            raise DefinitionError(f"{source}, question {raw.get('id')!r}: section {section!r} "
                                  f"is not one of {list(sections)}")
        if raw.get("type") == "group":
            gid = str(raw.get("id", ""))
            where = f"{source}, group {gid!r}"
            inner = tuple(_question(q, source, section, gid) for q in raw.get("questions", ()))
            if not inner:
                raise DefinitionError(f"{where}: a group needs questions")
            items.append(Group(gid, inner, max=int(raw.get("max", 10)),
                               ask_more=bool(raw.get("ask_more", False)),
                               stop_after=int(raw.get("stop_after", 0)), section=section,
                               when=_condition(raw.get("when"), where)))
        else:
            items.append(_question(raw, source, section))
    if not items:
        raise DefinitionError(f"{source}: the flow has no questions")
    flow = Flow(flow_id, tuple(items), sections, source, instances)
    _check_structure(flow)
    return flow


def _check_buttons(flow: Flow, q: Question, where: str) -> None:
    """Every button this question can get must pack (ids the codec accepts, 64 bytes)."""
    from buttons.flows import Answer, Move

    options = [*q.option_ids, "sugg"] if q.option_ids else ["sugg"]
    try:
        for option in options:
            Answer(flow.id, LONGEST_INSTANCE, q.id, LONGEST_INDEX, option).pack()
        Move(flow.id, LONGEST_INSTANCE, q.id, LONGEST_INDEX, "back").pack()
    except ValueError as exc:  # CallbackDataTooLong is a ValueError too
        raise DefinitionError(f"{where}: ids too long or with characters a button cannot "
                              f"carry ({exc})") from None


def _check_structure(flow: Flow) -> None:
    seen: dict[str, Question | Group] = {}
    for item in flow.items:
        members: Iterable[Question | Group] = (
            (item, *item.questions) if isinstance(item, Group) else (item,))
        for member in members:
            where = f"{flow.source}, question {member.id!r}"
            if member.id in seen:
                raise DefinitionError(f"{where}: the id is used twice")
            if ":" in member.id or not member.id:
                raise DefinitionError(f"{where}: ids may not be empty or contain ':'")
            cond = member.when
            if cond is not None:
                target = seen.get(cond.question)
                if target is None or isinstance(target, Group):
                    raise DefinitionError(
                        f"{where}: condition on unknown or later question {cond.question!r}")
                if target.option_ids:
                    bad = [v for v in cond.values if v not in target.option_ids]
                    if bad:
                        raise DefinitionError(
                            f"{where}: condition values {bad} are not options of "
                            f"{cond.question!r}")
            if isinstance(member, Question):
                _check_buttons(flow, member, where)
            seen[member.id] = member


def required_templates(flow: Flow) -> list[tuple[str, str]]:
    """(key, question id or '') for every template the flow needs."""
    base = f"flows/{flow.id}"
    keys = [(f"{base}/title", ""), (f"{base}/intro", "")]
    keys += [(f"{base}/sections/{s}", "") for s in flow.sections]
    for item in flow.items:
        if isinstance(item, Group):
            keys.append((f"{base}/{item.id}/label", item.id))
            if item.ask_more:
                keys.append((f"{base}/{item.id}/more", item.id))
            questions = item.questions
        else:
            questions = (item,)
        for q in questions:
            keys += [(f"{base}/{q.id}/prompt", q.id), (f"{base}/{q.id}/label", q.id)]
            if q.help:
                keys.append((f"{base}/{q.id}/help", q.id))
            if q.type in ("choice", "multi", "yesno"):
                keys += [(f"flows/options/{o}", q.id) for o in q.option_ids]
    return keys


def check_templates(flow: Flow, has_template: HasTemplate) -> None:
    for key, qid in required_templates(flow):
        for lang in LANGUAGES:
            if not has_template(key, lang):
                where = f", question {qid!r}" if qid else ""
                raise DefinitionError(
                    f"{flow.source}{where}: template {key!r} missing in language {lang!r}")


def load_file(path: Path, has_template: HasTemplate) -> Flow:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DefinitionError(f"{path.name}: cannot read the flow: {exc}") from exc
    flow = parse(data, path.name)
    if flow.id != path.stem:
        raise DefinitionError(f"{path.name}: the id {flow.id!r} must match the file name")
    check_templates(flow, has_template)
    return flow


def load_all(has_template: HasTemplate, directory: Path | None = None) -> dict[str, Flow]:
    """Every `*.toml` in the directory, checked; raises DefinitionError on the first problem."""
    flows = {}
    for path in sorted((directory or FLOWS_DIR).glob("*.toml")):
        flow = load_file(path, has_template)
        flows[flow.id] = flow
    return flows
