"""Long text is kept (issue 15): the parts of a text Telegram split (over 4,096 characters)
become one answer; an answer over the question's limit is kept as a draft the person can
shorten or split, never retype."""

from __future__ import annotations

from datetime import timedelta

from kernbot.harness import SOFIE
from programme import flow_progress
from storage import drafts
from tests.flow_helpers import person_id, play, question

STEP1 = "flows/brief/sections/step1"


def telegram_parts(text: str, limit: int = 4096) -> list[str]:
    """How a Telegram client splits a long text: parts of at most 4,096 characters, cut at a
    space where it can."""
    parts = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    return [*parts, text]


def long_text(n: int) -> str:
    words, size, i = [], 0, 0
    while size < n:
        word = f"woord{i}"
        words.append(word)
        size += len(word) + 1
        i += 1
    return " ".join(words)[:n].rstrip()


async def open_step1(bot):
    await bot.send(SOFIE, "/brief")
    return await bot.tap(SOFIE, key=STEP1)


def brief(bot) -> dict:
    return flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "brief")


async def test_a_6000_character_answer_in_two_parts_is_stored_whole(bot):
    """Regression: the first 4,096 characters were rejected and the tail (about 900
    characters) was stored as the answer."""
    await open_step1(bot)
    text = long_text(6000)
    first, second = telegram_parts(text)
    calls = await bot.send(SOFIE, first)
    assert question(calls[-1])[0] == "scope"
    bot.clock.advance(timedelta(seconds=1))
    calls = await bot.send(SOFIE, second)
    assert calls[-1].values("flows/ui/joined")["length"] == len(text)
    assert question(calls[-1])[0] == "scope"          # still where the person is
    assert brief(bot)[("problem", 0)] == text
    calls = await bot.send(SOFIE, "Enkel het Marktplein")   # the next answer is the next one
    assert brief(bot)[("scope", 0)] == "Enkel het Marktplein"
    assert question(calls[-1])[0] == "goal_means"


async def test_the_question_after_the_first_part_is_replaced_not_repeated(bot):
    """Regression: the person saw the next question twice, once after each part. The one
    sent after the first part is deleted when the second part joins it."""
    await open_step1(bot)
    first, second = telegram_parts(long_text(6000))
    calls = await bot.send(SOFIE, first)
    early = calls[-1].result["message_id"]
    before = len(bot.api.calls)
    calls = await bot.send(SOFIE, second)
    deleted = [c for c in bot.api.calls[before:] if c.method == "deleteMessage"]
    assert [c.params["message_id"] for c in deleted] == [early]
    assert question(calls[-1])[0] == "scope" and "flows/ui/joined" in calls[-1].keys


async def test_a_summary_after_the_first_part_is_shown_again_when_it_cannot_go(bot):
    """An answer edited from the summary comes back to the summary; when Telegram refuses to
    delete the early one, the joined answer still comes with the summary (nothing lost)."""
    await open_step1(bot)
    await play(bot, SOFIE, [("send", "Probleem"), ("send", "Afbakening"), ("send", "Doel"),
                            ("send", "Gebruikers"), ("send", "Actoren"), ("send", "Betrekken"),
                            ("key", "flows/options/ladder_codecide"),
                            ("key", "flows/options/role_facilitate"),
                            ("key", "flows/buttons/multi_done")])
    await bot.tap(SOFIE, 1)                                      # edit the problem
    first, second = telegram_parts(long_text(6000))
    calls = await bot.send(SOFIE, first)             # the summary, in parts (it is long)
    assert "flows/ui/summary" in [k for c in calls for k in c.keys]
    early = [c.result["message_id"] for c in calls if c.method == "sendMessage"]
    bot.api.fault = lambda method, params: (400, {
        "ok": False, "error_code": 400,
        "description": "Bad Request: message can't be deleted"}) \
        if method == "deleteMessage" else None
    calls = await bot.send(SOFIE, second)
    bot.api.fault = None
    assert "flows/ui/joined" in calls[0].keys                 # then the summary again
    assert "flows/buttons/back_to_brief" in calls[-1].keys and len(calls) == len(early)
    assert not set(early) & {c.result["message_id"] for c in calls if c.method == "sendMessage"}
    assert brief(bot)[("problem", 0)] == f"{first} {second}"


async def test_three_parts_are_joined_and_the_last_answer_of_a_step_too(bot):
    await open_step1(bot)
    for text in ["Probleem", "Afbakening", "Doel", "Gebruikers", "Actoren"]:
        await bot.send(SOFIE, text)
    text = long_text(9000)
    parts = telegram_parts(text)
    assert len(parts) == 3
    for part in parts:
        await bot.send(SOFIE, part)
    assert brief(bot)[("actors_involve", 0)] == text


async def test_a_message_long_after_a_long_part_is_the_next_answer(bot):
    await open_step1(bot)
    first, _second = telegram_parts(long_text(6000))
    await bot.send(SOFIE, first)
    bot.clock.advance(timedelta(minutes=2))
    await bot.send(SOFIE, "Enkel het Marktplein")
    assert brief(bot)[("problem", 0)] == first
    assert brief(bot)[("scope", 0)] == "Enkel het Marktplein"


async def test_an_answer_over_the_limit_is_kept_and_can_be_split(bot):
    """Regression: a 5,000-character answer was rejected and dropped entirely."""
    await bot.send(SOFIE, "/waarom")          # the problem of a chain: at most 600 characters
    text = long_text(1500)
    calls = await bot.send(SOFIE, text)
    assert "flows/errors/too_long" in calls[-1].keys and question(calls[-1])[0] == "problem"
    pid = person_id(bot, SOFIE)
    kept = drafts.get(bot.db, pid, "waarom", "1")
    assert kept is not None and kept.text == text and kept.question == "problem"
    calls = await bot.tap(SOFIE, key="flows/buttons/draft_back")    # sent back to shorten
    assert calls[0].values("flows/ui/draft_back")["text"] == text
    calls = await bot.tap(SOFIE, key="flows/buttons/split")
    answers = flow_progress.flow_answers(bot.db, pid, "waarom", "1")
    first = answers[("problem", 0)]
    assert 300 <= len(first) <= 600 and text.startswith(first)
    assert "flows/buttons/use_rest" in calls[-1].keys            # the rest waits here
    rest = drafts.get(bot.db, pid, "waarom", "1").text
    assert f"{first} {rest}" == text
    calls = await bot.tap(SOFIE, key="flows/buttons/use_rest")   # why 1: at most 300
    assert "flows/errors/too_long" in calls[-1].keys              # kept again, whole
    assert drafts.get(bot.db, pid, "waarom", "1").text == rest
    calls = await bot.send(SOFIE, "Te hoge huur")                # a shorter version instead
    assert flow_progress.flow_answers(bot.db, pid, "waarom", "1")[("why", 0)] == "Te hoge huur"
    assert drafts.get(bot.db, pid, "waarom", "1") is None


async def test_a_draft_survives_cancel_and_comes_back(bot):
    await bot.send(SOFIE, "/waarom")
    text = long_text(800)
    await bot.send(SOFIE, text)
    await bot.send(SOFIE, "/cancel")
    calls = await bot.send(SOFIE, "/waarom")
    assert "flows/buttons/split" in calls[-1].keys
    assert drafts.get(bot.db, person_id(bot, SOFIE), "waarom", "1").text == text


async def test_a_chat_held_back_for_flooding_keeps_the_question_it_has(bot):
    """Regression (review): the reply to the second part is held back while the person
    floods the bot; the question sent after the first part must then stay."""
    await open_step1(bot)
    first, second = telegram_parts(long_text(6000))
    await bot.send(SOFIE, first)
    bot.app.chat_data[SOFIE.id]["quiet"] = True
    before = len(bot.api.calls)
    await bot.send(SOFIE, second)
    assert "deleteMessage" not in bot.api.methods()[before:]
    assert brief(bot)[("problem", 0)] == f"{first} {second}"
