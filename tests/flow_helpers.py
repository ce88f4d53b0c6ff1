"""Shared steps for the flow conversation tests.

Steps name buttons by the message key of their label (`("key", "flows/options/yes")`) and
typed choices by the keys of the labels typed (`("type", ["flows/options/dom_economy"])`),
so rewording a label breaks only the golden transcripts (tests/test_flow_golden.py keeps its
own steps, in words, since the words are what it pins).
"""

from __future__ import annotations

from kernbot.harness import BotHarness
from storage import people

YES, NO, NOT_YET = "flows/options/yes", "flows/options/no", "flows/options/not_yet"
DONE, SKIP, BACK = "flows/buttons/multi_done", "flows/buttons/skip", "flows/buttons/back"
KEEP, BACK_TO_BRIEF = "flows/buttons/keep", "flows/buttons/back_to_brief"
QUESTION, SUMMARY = "flows/ui/question", "flows/ui/summary"

INTAKE_NL = [("send", "Ambtenaar lokale economie in Lier"),
             ("key", "flows/options/dom_economy"), ("key", "flows/options/dom_mobility"),
             ("key", DONE),
             ("send", "Leegstand in de Antwerpsestraat; de kern loopt leeg na 18u."),
             ("send", "Een plan dat het college mee draagt."), ("key", YES),
             ("send", "De Antwerpsestraat en de Grote Markt."),
             ("send", "Een leegstandspremie: ging goed, maar weinig eigenaars deden mee."),
             ("send", "Een kernversterkingsplan uit 2021."),
             ("send", "Eén halftijdse centrummanager."),
             ("send", "Een stuurgroep met economie, ruimte en mobiliteit."),
             ("key", YES), ("type", NOT_YET), ("key", NO), ("key", SKIP)]
INTAKE_EN = [("send", "Local economy officer"),
             ("type", ["flows/options/dom_economy", "flows/options/dom_mobility"]),
             ("send", "Vacant shops in the high street."), ("send", "A plan the college supports."),
             ("key", NO), ("send", "A vacancy premium; few owners joined."),
             ("send", "A core plan from 2021."), ("send", "A part-time centre manager."),
             ("send", "A steering group."), ("key", YES), ("key", NOT_YET), ("type", NO),
             ("send", "Nothing else")]


def typed(bot: BotHarness, user, keys: str | list[str]) -> str:
    """What a person types to choose these options: their labels in the person's language,
    in lower case, separated by commas."""
    language = people.by_telegram_id(bot.db, user.id).language
    keys = [keys] if isinstance(keys, str) else keys
    return ", ".join(bot.services.messages.plain(key, language).lower() for key in keys)


async def play(bot: BotHarness, user, steps) -> list:
    """Steps: ("send", text), ("tap", label or number), ("key", label key) or ("type",
    label key or keys)."""
    calls = []
    for kind, value in steps:
        if kind == "send":
            calls += await bot.send(user, value)
        elif kind == "type":
            calls += await bot.send(user, typed(bot, user, value))
        elif kind == "key":
            calls += await bot.tap(user, key=value)
        else:
            calls += await bot.tap(user, value)
    return calls


def question(call) -> tuple[str | None, int, int]:
    """(question id, number, total) of the flow question in this message."""
    values = call.values(QUESTION)
    prompts = [key.split("/")[2] for key in call.keys if key.startswith("flows/")
               and key.count("/") == 3 and key.endswith(("/prompt", "/more"))]
    return (prompts[0] if prompts else None), values["number"], values["total"]


def summary(call) -> dict:
    """The values of the summary in this message: title, rows (label, value), complete..."""
    return call.values(SUMMARY)


def set_language(bot: BotHarness, user, language: str) -> None:
    person = people.by_telegram_id(bot.db, user.id)
    people.update(bot.db, person.id, bot.now(), language=language)


def person_id(bot: BotHarness, user) -> int:
    return people.by_telegram_id(bot.db, user.id).id


def after_session(bot: BotHarness, number: int = 1):
    """Move the clock to the morning after working session `number` of the demo trajectory
    (an evaluation is about a session that has taken place); returns that session."""
    from datetime import timedelta

    from storage import trajectories

    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, number)
    bot.clock.set(session.ends_at + timedelta(hours=20))
    return session
