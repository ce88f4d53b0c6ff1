"""Shared steps for the flow conversation tests."""

from __future__ import annotations

from kernbot.harness import BotHarness
from storage import people

INTAKE_NL = [("send", "Ambtenaar lokale economie in Lier"), ("tap", "Economie"),
             ("tap", "Mobiliteit"), ("tap", "Klaar"),
             ("send", "Leegstand in de Antwerpsestraat; de kern loopt leeg na 18u."),
             ("send", "Een plan dat het college mee draagt."), ("tap", "Ja"),
             ("send", "De Antwerpsestraat en de Grote Markt."),
             ("send", "Een leegstandspremie: ging goed, maar weinig eigenaars deden mee."),
             ("send", "Een kernversterkingsplan uit 2021."),
             ("send", "Eén halftijdse centrummanager."),
             ("send", "Een stuurgroep met economie, ruimte en mobiliteit."),
             ("tap", "Ja"), ("send", "nog niet"), ("tap", "Nee"), ("tap", "Overslaan")]
INTAKE_EN = [("send", "Local economy officer"), ("send", "economy, Mobility"),
             ("send", "Vacant shops in the high street."), ("send", "A plan the college supports."),
             ("tap", "No"), ("send", "A vacancy premium; few owners joined."),
             ("send", "A core plan from 2021."), ("send", "A part-time centre manager."),
             ("send", "A steering group."), ("tap", "Yes"), ("tap", "Not yet"), ("send", "no"),
             ("send", "Nothing else")]


async def play(bot: BotHarness, user, steps) -> list:
    calls = []
    for kind, value in steps:
        if kind == "send":
            calls += await bot.send(user, value)
        else:
            calls += await bot.tap(user, value)
    return calls


def set_language(bot: BotHarness, user, language: str) -> None:
    person = people.by_telegram_id(bot.db, user.id)
    people.update(bot.db, person.id, bot.now(), language=language)


def person_id(bot: BotHarness, user) -> int:
    return people.by_telegram_id(bot.db, user.id).id
