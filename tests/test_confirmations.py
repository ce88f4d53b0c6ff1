"""Destructive confirmations are single-use, only while they are the latest question asked, and
expire within minutes (issue 15): an old "Ja, wis alles" never erases anything."""

from __future__ import annotations

from datetime import timedelta

from handlers import confirm
from kernbot.harness import SOFIE
from storage import conversations, people
from tests.flow_helpers import person_id, question

YES, NO = "privacy/forget_yes", "privacy/forget_no"


def active(bot) -> bool:
    return people.by_telegram_id(bot.db, SOFIE.id) is not None


def yes_button(bot) -> str:
    call = next(c for c in reversed(bot.api.sent(SOFIE.id)) if "privacy/forget_confirm" in c.keys)
    return next(b["callback_data"] for b in call.buttons
                if b["callback_data"].startswith("pv:forget"))


async def test_the_old_erase_button_after_no_erases_nothing(bot):
    """Regression: /vergeetmij, "Nee" ("er is niets gewist"), then the old "Ja, wis alles"
    erased everything without a second question."""
    await bot.send(SOFIE, "/vergeetmij")
    old_yes = yes_button(bot)
    calls = await bot.tap(SOFIE, key=NO)
    assert calls[-1].key == "privacy/forget_cancelled"
    calls = await bot.press(SOFIE, old_yes)
    assert calls[-1].key == "common/confirm_closed"
    assert active(bot)


async def test_the_erase_button_works_once_and_only_as_the_latest_question(bot):
    await bot.send(SOFIE, "/vergeetmij")
    old_yes = yes_button(bot)
    await bot.send(SOFIE, "/help")            # another step: the question is closed
    calls = await bot.press(SOFIE, old_yes)
    assert calls[-1].key == "common/confirm_closed" and active(bot)
    await bot.send(SOFIE, "/vergeetmij")       # asked again: a new button
    again = yes_button(bot)
    assert calls and again != old_yes
    calls = await bot.press(SOFIE, old_yes)    # the first question's button stays closed
    assert calls[-1].key == "common/confirm_closed" and active(bot)


async def test_the_erase_button_expires_within_minutes(bot):
    await bot.send(SOFIE, "/vergeetmij")
    bot.clock.advance(confirm.OPEN_FOR + timedelta(seconds=1))
    calls = await bot.tap(SOFIE, key=YES)
    assert calls[-1].key == "common/confirm_closed" and active(bot)


async def test_the_erase_button_in_time_erases_once(bot):
    await bot.send(SOFIE, "/vergeetmij")
    data = yes_button(bot)
    bot.clock.advance(confirm.OPEN_FOR - timedelta(seconds=5))
    calls = await bot.press(SOFIE, data)
    assert calls[0].key == "privacy/forgotten" and not active(bot)


async def test_a_confirmation_in_the_middle_of_a_flow_gives_the_flow_back(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "/vergeetmij")
    await bot.tap(SOFIE, key=NO)
    assert conversations.get(bot.db, SOFIE.id).state == "fl:intake"
    calls = await bot.send(SOFIE, "Centrummanager")   # the intake goes on
    assert question(calls[-1])[0] == "domains"


async def test_typing_while_a_confirmation_is_open_closes_it_and_keeps_the_answer(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "/vergeetmij")
    old_yes = yes_button(bot)
    calls = await bot.send(SOFIE, "Centrummanager")
    assert question(calls[-1])[0] == "domains"
    from programme import flow_progress
    assert flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")[("role", 0)] == \
        "Centrummanager"
    calls = await bot.press(SOFIE, old_yes)
    assert calls[-1].key == "common/confirm_closed" and active(bot)


async def test_typing_ja_at_an_erase_question_says_nothing_was_done(bot):
    """Regression (console walk): "ja" typed at /vergeetmij's question closed it with the
    idle reply, so the person could believe their data was erased."""
    await bot.send(SOFIE, "/vergeetmij")
    calls = await bot.send(SOFIE, "ja")
    assert calls[-1].key == "common/confirm_typed" and active(bot)
    calls = await bot.tap(SOFIE, key=YES)      # the question is closed: nothing happens
    assert calls[-1].key == "common/confirm_closed" and active(bot)
