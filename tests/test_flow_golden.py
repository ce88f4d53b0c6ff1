"""Golden transcripts: each flow's whole conversation as a text file under tests/golden/.

A change of wording, order or buttons shows up as a diff in review. Regenerate on purpose with
    KERNBOT_GOLDEN_UPDATE=1 .venv/bin/python -m pytest -q tests/test_flow_golden.py
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

from kernbot.harness import SOFIE
from programme import followup
from storage import trajectories
from tests.flow_helpers import after_session, set_language

GOLDEN = Path(__file__).parent / "golden"
# In words, as a person types and taps them: the wording is what these transcripts pin (the
# other tests name buttons by message key, see tests/flow_helpers.py).
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

SCRIPTS = {
    "intake_nl": ("nl", [("send", "/intake"), *INTAKE_NL]),
    "intake_en": ("en", [("send", "/intake"), *INTAKE_EN]),
    "brief_nl": ("nl", [
        ("send", "/brief"), ("tap", "Stap 1"), ("send", "Mensen blijven niet hangen"),
        ("send", "Enkel het Marktplein"), ("send", "Doel: een levendige kern"),
        ("sticker", ""), ("send", "Een tiener die met de fiets naar school rijdt"),
        ("send", "De handelaars"), ("send", "Het cultuurcentrum"), ("tap", "Adviseren"),
        ("tap", "Ondersteunen"), ("tap", "Klaar"), ("tap", "✏️ Afbakening"), ("send", "Het Marktplein en de Kerkstraat"),
        ("tap", "Terug naar de ontwerpbrief"), ("tap", "Stap 4"),
        ("send", "Een avondmarkt"), ("send", "Centrummanager"), ("tap", "Plaatsgebonden"),
        ("tap", "Binnen het jaar"), ("tap", "Grote impact, grote kost"),
        ("send", "Na drie markten"), ("send", "De eerste markt"), ("tap", "Nee"),
        ("send", "/cancel"), ("send", "/brief")]),
    "brief_en": ("en", [
        ("send", "/brief"), ("tap", "Step 1"), ("send", "Shoppers do not stay in the core"),
        ("send", "The market square only"), ("send", "Goal: a lively core; means: events"),
        ("send", "A teenager cycling to school"), ("send", "The traders"),
        ("send", "The cultural centre"), ("tap", "Advise"), ("tap", "Support"), ("tap", "Done"),
        ("tap", "Back to the design brief"), ("tap", "Step 3"),
        ("send", "A pop-up shop in an empty building"), ("send", "One weekend"),
        ("send", "Three traders"), ("send", "Do people come in the evening?"), ("tap", "Yes"),
        ("send", "Yes, on Saturday"), ("tap", "Skip")]),
    "slotevaluatie_nl": ("nl", [
        ("after_closing", 0), ("send", "/slotevaluatie"),
        ("send", "Focus op de gebruiker en samenwerken met ruimte en mobiliteit."),
        ("send", "Meer tijd tussen sessie 3 en 4."),
        ("send", "De pop-up in de Antwerpsestraat, met de dienst economie."),
        ("tap", "4"), ("tap", "Ja")]),
    "slotevaluatie_en": ("en", [
        ("after_closing", 0), ("send", "/slotevaluatie"),
        ("send", "Focus on the user, and working with planning and mobility."),
        ("send", "More time between sessions 3 and 4."),
        ("send", "The pop-up in the high street, with the economy department."),
        ("tap", "5"), ("tap", "No")]),
    "waarom_nl": ("nl", [
        ("send", "/waarom"), ("send", "Leegstand in de winkelstraat"), ("send", "Te hoge huur"),
        ("send", "Eigenaars wachten op een keten"), ("tap", "Vorige vraag"),
        ("send", "Eigenaars wachten liever op een grote keten"), ("tap", "oorzaak gevonden"),
        ("send", "Eigenaars kennen de alternatieven niet"),
        ("send", "eigenaars tonen wat een pop-up opbrengt")]),
    "waarom_en": ("en", [
        ("send", "/waarom"), ("send", "Empty shops in the high street"),
        ("send", "Rents are too high"), ("tap", "I found the root"),
        ("send", "Owners hope for a big chain"), ("send", "How might we show owners other uses")]),
    "evaluatie_nl": ("nl", [
        ("after_session", 1), ("send", "/evaluatie"), ("send", "De online sessie was wat lang"),
        ("send", "De wandeling door de kern"), ("tap", "Overslaan"), ("send", "8"),
        ("send", "4")]),
    "evaluatie_en": ("en", [
        ("after_session", 4), ("send", "/evaluatie"), ("send", "The online session was long"),
        ("send", "The walk through the core"), ("send", "A council meeting"), ("tap", "5")]),
}


def _render(calls) -> list[str]:
    lines = []
    for call in calls:
        lines.append(f"bot [{call.method}]:")
        lines.extend(f"  {line}" for line in call.text.split("\n"))
        if call.buttons:
            lines.append("  buttons: " + " | ".join(b["text"] for b in call.buttons))
    return lines


@pytest.mark.parametrize("name", sorted(SCRIPTS))
async def test_golden_transcript(bot, name):
    language, steps = SCRIPTS[name]
    set_language(bot, SOFIE, language)
    lines = [f"# {name}: Sofie ({language})"]
    for kind, value in steps:
        if kind == "after_session":      # an evaluation is about a session that took place
            after_session(bot, value)
            lines.append(f"(the morning after working session {value})")
            continue
        if kind == "after_closing":      # the trajectory is evaluated after its closing message
            trajectory = trajectories.by_number(bot.db, 7)
            bot.clock.set(followup.closing_at(bot.db, bot.services.settings, trajectory.id)
                          + timedelta(hours=1))
            lines.append("(an hour after the closing message of the trajectory)")
            continue
        if kind == "send":
            lines.append(f"user: {value}")
            calls = await bot.send(SOFIE, value)
        elif kind == "sticker":
            lines.append("user: [sticker]")
            calls = await bot.sim.send_sticker(SOFIE)
        else:
            lines.append(f"user taps: {value}")
            calls = await bot.tap(SOFIE, value)
        lines.extend(_render(calls))
    transcript = "\n".join(lines) + "\n"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("KERNBOT_GOLDEN_UPDATE") == "1":
        path.write_text(transcript, encoding="utf-8")
    assert path.is_file(), f"no golden transcript {path.name}: run with KERNBOT_GOLDEN_UPDATE=1"
    assert transcript == path.read_text(encoding="utf-8"), (
        f"{path.name} differs; review and regenerate with KERNBOT_GOLDEN_UPDATE=1")
