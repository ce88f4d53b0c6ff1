"""Typing a navigation button's label does what the button does (regression: "Vorige vraag"
typed at intake question 4 was stored as the answer; "Overslaan" typed at an evaluation's
optional question reached the coach as "Wat je tegenhield: Overslaan"; "terug" at a choice
question was "not a choice I know")."""

from __future__ import annotations

from kernbot.harness import SOFIE
from programme import flow_progress
from tests.flow_helpers import (
    INTAKE_NL,
    after_session,
    person_id,
    play,
    question,
    set_language,
)


async def _at_question(bot, n: int):
    await bot.send(SOFIE, "/intake")
    return await play(bot, SOFIE, INTAKE_NL[:n])


async def test_typing_vorige_vraag_goes_back_and_stores_nothing(bot):
    calls = await _at_question(bot, 4)       # role, two domains, Klaar: at the challenge
    qid, number, _ = question(calls[-1])
    calls = await bot.send(SOFIE, "◀ Vorige vraag")
    assert question(calls[-1])[1] == number - 1
    answers = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert "Vorige vraag" not in [v for v in answers.values() if isinstance(v, str)]
    assert (qid, 0) not in answers


async def test_typing_terug_at_a_choice_goes_back(bot):
    calls = await _at_question(bot, 6)       # at the yes/no question
    _, number, _ = question(calls[-1])
    calls = await bot.send(SOFIE, "terug")
    assert "flows/errors/unknown_option" not in calls[-1].keys
    assert question(calls[-1])[1] == number - 1


async def test_typing_overslaan_skips_an_optional_question(bot):
    after_session(bot, 1)
    await bot.send(SOFIE, "/evaluatie")
    calls = await play(bot, SOFIE, [("send", "De online sessie was wat lang"),
                                    ("send", "De wandeling door de kern")])
    held_back, number, _ = question(calls[-1])
    calls = await bot.send(SOFIE, "Overslaan")
    assert question(calls[-1])[1] == number + 1
    runs = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "evaluatie")
    assert "Overslaan" not in [v for v in runs.values() if isinstance(v, str)]


async def test_typing_skip_at_a_required_question_says_it_cannot_be_skipped(bot):
    calls = await _at_question(bot, 0)
    calls = await bot.send(SOFIE, "overslaan")
    assert "flows/errors/not_optional" in calls[-1].keys
    assert flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake") == {}


async def test_typing_klaar_ends_a_multiple_choice_with_what_was_ticked(bot):
    await _at_question(bot, 3)               # role, two domains ticked, not yet Klaar
    await bot.send(SOFIE, "klaar")
    answers = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert answers[("domains", 0)] == ["dom_economy", "dom_mobility"]


async def test_english_typed_back(bot):
    set_language(bot, SOFIE, "en")
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Local economy officer")
    calls = await bot.send(SOFIE, "back")
    assert question(calls[-1])[1] == 1


async def test_a_longer_answer_with_such_a_word_stays_an_answer(bot):
    calls = await _at_question(bot, 4)
    qid, _, _ = question(calls[-1])
    await bot.send(SOFIE, "Terug naar een levendige kern, dat is de uitdaging.")
    answers = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert answers[(qid, 0)] == "Terug naar een levendige kern, dat is de uitdaging."


async def test_a_brief_step_opened_for_the_first_time_does_not_say_we_carry_on(bot):
    """Regression: /brief, step 2 (never opened) said "We gaan verder waar je was."."""
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step2")
    assert "flows/ui/resume" not in calls[-1].keys
    assert question(calls[-1])[0] is not None
    await bot.send(SOFIE, "Een praktijk uit Gent")
    await bot.send(SOFIE, "/cancel")
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step2")
    assert "flows/ui/resume" in calls[-1].keys
