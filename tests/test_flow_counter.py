"""The question counter ("vraag 6 van 13") through the whole Application: within a run the
total never changes and the numbers go up by one; a conditional follow-up and the rounds of a
group (the five whys' whys, the brief's action sheets) carry no number of their own, so the
five whys show one counter at a time (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kernbot.harness import SOFIE
from programme import followup
from storage import trajectories
from tests.flow_helpers import (
    BACK_TO_BRIEF,
    INTAKE_EN,
    INTAKE_NL,
    NO,
    QUESTION,
    YES,
    after_session,
    question,
    set_language,
    typed,
)


async def walk(bot, user, steps) -> list[tuple[str | None, int | None, int | None]]:
    """Play the steps and return (question, number, total) of every question the bot asked."""
    seen = []
    for kind, value in steps:
        if kind == "send":
            calls = await bot.send(user, value)
        elif kind == "key":
            calls = await bot.tap(user, key=value)
        elif kind == "type":
            calls = await bot.send(user, typed(bot, user, value))
        else:  # a button by its label
            calls = await bot.tap(user, value)
        seen += [question(c) for c in calls if QUESTION in c.keys]
    return seen


def assert_steady(asked, numbered: int) -> None:
    """Every numbered question shows the same total, the numbers run 1, 2, 3 ... without a
    gap or a repeat, and the last one equals the total."""
    # a multiple choice shows its question again as it toggles: count each question once
    asked = [a for i, a in enumerate(asked) if i == 0 or a != asked[i - 1]]
    numbers = [n for _, n, _ in asked if n is not None]
    totals = {t for _, n, t in asked if n is not None}
    assert totals == {numbered}, asked
    assert numbers == list(range(1, numbered + 1)), asked


@pytest.mark.parametrize("language, steps", [("nl", INTAKE_NL), ("en", INTAKE_EN)])
async def test_intake_counts_to_the_same_total_whichever_path(bot, language, steps):
    set_language(bot, SOFIE, language)
    asked = await walk(bot, SOFIE, [("send", "/intake"), *steps])
    assert_steady(asked, 13)
    follow_ups = [q for q, n, _ in asked if n is None]
    assert follow_ups == (["area"] if language == "nl" else [])


async def test_brief_steps_count_within_their_step_and_action_sheets_have_no_number(bot):
    step3 = [("send", "/brief"), ("key", "flows/brief/sections/step3"),
             ("send", "Een pop-up"), ("send", "Eén weekend"), ("send", "Drie handelaars"),
             ("send", "Komen er mensen?"), ("key", YES), ("send", "Ja, op zaterdag")]
    asked = await walk(bot, SOFIE, step3)
    assert_steady(asked[:-2], 5)
    assert asked[-2:] == [("learned", None, None), ("test_photo", None, None)]
    await walk(bot, SOFIE, [("key", "flows/buttons/skip")])  # the optional photo
    sheet = [("send", "Een avondmarkt"), ("send", "Centrummanager"),
             ("key", "flows/options/place_bound"), ("key", "flows/options/urgency_high"),
             ("key", "flows/options/ic_quickwin"), ("send", "Na drie markten"),
             ("send", "De eerste markt")]
    asked = await walk(bot, SOFIE, [("key", BACK_TO_BRIEF), ("key", "flows/brief/sections/step4"),
                                    *sheet, ("key", YES), *sheet, ("key", NO),
                                    ("send", "In het meerjarenplan"), ("send", "Eigen budget"),
                                    ("send", "De dienst economie"), ("send", "Via het MAT")])
    assert all(n is None for q, n, _ in asked if q not in
               ("anchor_college", "anchor_budget", "anchor_owner", "constituency"))
    assert_steady(asked, 4)


@pytest.mark.parametrize("whys", [1, 3, 5])
async def test_five_whys_has_one_counter(bot, whys):
    steps = [("send", "/waarom"), ("send", "Leegstand in de winkelstraat")]
    steps += [("send", f"omdat {n}") for n in range(1, whys + 1)]
    if whys < 5:
        steps.append(("key", "flows/buttons/found_root"))
    steps.append(("send", "Eigenaars kennen de alternatieven niet"))
    calls = []
    for kind, value in steps:
        calls += await (bot.send(SOFIE, value) if kind == "send" else bot.tap(SOFIE, key=value))
    asked = [question(c) for c in calls if QUESTION in c.keys]
    assert_steady(asked, 3)
    rounds = [c.values("flows/waarom/why/prompt")["round"] for c in calls
              if "flows/waarom/why/prompt" in c.keys]
    assert rounds == list(range(1, min(whys + 1, 5) + 1))  # the next why, then "stop"
    assert all(n is None for q, n, _ in asked if q == "why"), "a why counts only its round"


async def test_evaluations_count_steadily(bot):
    after_session(bot, 1)
    asked = await walk(bot, SOFIE, [("send", "/evaluatie"), ("send", "Wat lang"),
                                    ("send", "De wandeling"), ("key", "flows/buttons/skip"),
                                    ("send", "4")])
    assert_steady(asked, 4)
    trajectory = trajectories.by_number(bot.db, 7)
    closing = followup.closing_at(bot.db, bot.services.settings, trajectory.id)
    bot.clock.set(closing + timedelta(hours=1))
    asked = await walk(bot, SOFIE, [("send", "/slotevaluatie"), ("send", "Focus"),
                                    ("send", "Meer tijd"), ("send", "Een pop-up"),
                                    ("send", "4"), ("key", YES)])
    assert_steady(asked, 5)

