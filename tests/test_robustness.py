"""Odd updates, floods, database faults and an unreliable Telegram: nothing raises, nothing
typed is lost, no timed message is lost or sent twice."""

import random
import sqlite3
from datetime import timedelta

import pytest
from telegram.error import NetworkError, TimedOut

from kernbot.harness import SOFIE
from programme import announcing
from programme.flow_progress import flow_answers
from schedule import dispatcher
from storage import outbox, people
from tests.flow_helpers import typed

ERROR = "common/error"


def keys(calls) -> set[str]:
    return {key for call in calls for key in call.keys}


@pytest.mark.parametrize("content", [
    {"location": {"latitude": 51.13, "longitude": 4.57}},
    {"contact": {"phone_number": "+32470000000", "first_name": "Jan"}},
    {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                 "is_animated": False, "is_video": False, "type": "regular"}},
    {"poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0,
              "is_closed": False, "is_anonymous": True, "type": "regular",
              "allows_multiple_answers": False, "allows_revoting": False,
              "members_only": False}},
    {"text": "doorgestuurd", "forward_origin": {"type": "hidden_user", "date": 1,
                                                 "sender_user_name": "Iemand"}},
    {"dice": {"emoji": "🎲", "value": 3}},
])
async def test_unexpected_messages_get_an_explanation(bot, content):
    calls = await bot.sim.feed(bot.sim.message_json(SOFIE, **content))
    assert calls and ERROR not in keys(calls)
    assert calls[-1].key in ("common/idle_media", "common/idle_text")  # they point to /help


@pytest.mark.parametrize("update", [
    {"channel_post": {"message_id": 1, "date": 1, "text": "kanaal",
                      "chat": {"id": -1001, "type": "channel", "title": "K"}}},
    {"inline_query": {"id": "1", "from": {"id": 9011, "is_bot": False, "first_name": "S"},
                      "query": "x", "offset": ""}},
    {"poll": {"id": "p", "question": "?", "options": [], "total_voter_count": 0,
              "is_closed": False, "is_anonymous": True, "type": "regular",
              "allows_multiple_answers": False, "allows_revoting": False,
              "members_only": False}},
    {"my_chat_member": {"chat": {"id": 9011, "type": "private"}, "date": 1,
                        "from": {"id": 9011, "is_bot": False, "first_name": "S"},
                        "old_chat_member": {"status": "member", "user": {
                            "id": 777000, "is_bot": True, "first_name": "K"}},
                        "new_chat_member": {"status": "kicked", "until_date": 0, "user": {
                            "id": 777000, "is_bot": True, "first_name": "K"}}}},
])
async def test_updates_without_a_private_message_never_raise(bot, update):
    calls = await bot.sim.feed({"update_id": 990_000 + len(str(update)), **update})
    assert ERROR not in keys(calls)


async def test_a_flood_is_slowed_down_without_losing_answers(tmp_path, clock):
    from kernbot.harness import BotHarness, test_config

    config = test_config(tmp_path, bot={"flood_limit": 10})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        await flood(bot)


async def flood(bot):
    await bot.send(SOFIE, "/intake")
    start = len(bot.api.calls)
    for i in range(50):
        await bot.send(SOFIE, f"Antwoord {i}")
    sent = bot.api.sent(SOFIE.id, since=start)
    assert sum(c.key == "common/flood" for c in sent) == 1
    assert len(sent) <= 12  # not fifty replies
    person = people.by_telegram_id(bot.db, SOFIE.id).id
    assert flow_answers(bot.db, person, "intake")[("role", 0)] == "Antwoord 0"
    bot.clock.advance(timedelta(seconds=30))
    calls = await bot.send(SOFIE, "/intake")
    assert calls and "flows/ui/question" in calls[-1].keys


async def test_read_only_database_gets_a_clear_answer(bot, monkeypatch, caplog):
    from storage import conversations

    def read_only(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(conversations, "put", read_only)
    calls = await bot.send(SOFIE, "/intake")
    assert "common/storage_unavailable" in keys(calls)
    assert any("read-only or full" in r.getMessage() for r in caplog.records)


async def test_locked_database_is_retried(bot, monkeypatch):
    from handlers import common
    from storage import conversations

    real = conversations.put
    failures = {"n": 1}

    def locked_once(*args, **kwargs):
        if failures["n"]:
            failures["n"] -= 1
            raise sqlite3.OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(conversations, "put", locked_once)
    monkeypatch.setattr(common, "LOCKED_RETRY_DELAY", 0)
    calls = await bot.send(SOFIE, "/intake")
    assert calls[-1].values("flows/ui/question")["number"] == 1 and ERROR not in keys(calls)


async def test_unreliable_telegram_loses_and_doubles_nothing(bot, monkeypatch):
    """429s, 5xx, timeouts and network errors on a third of the calls, under a flow, the
    reminders and an announcement."""
    rng = random.Random(2024)

    async def instant(self):
        return None

    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)

    def fault(method, params):
        if method not in ("sendMessage", "editMessageText") or rng.random() > 0.33:
            return None
        return rng.choice([
            (429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                   "parameters": {"retry_after": 1}}),
            (502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}),
            TimedOut("timed out"), NetworkError("connection reset")])

    bot.api.fault = fault
    answers = ["Ambtenaar", typed(bot, SOFIE, "flows/options/dom_economy"), "Leegstand",
               "Een plan", typed(bot, SOFIE, "flows/options/no")]
    await bot.send(SOFIE, "/intake")
    for text in answers:
        await bot.send(SOFIE, text)
    person = people.by_telegram_id(bot.db, SOFIE.id).id
    stored = flow_answers(bot.db, person, "intake")
    assert stored[("role", 0)] == "Ambtenaar"
    assert len([k for k in stored if k[0] != "role"]) >= 1
    item = announcing.queue(bot.db, author_id=None, text="Onbetrouwbaar",
                            audience={"kind": "all"}, audience_label="iedereen",
                            planned_at=bot.now(), now=bot.now())
    moment = bot.now()
    for _ in range(40):  # reminders of a whole week and the announcement, with retries
        moment += timedelta(hours=4)
        bot.clock.set(moment)
        await bot.run_pass()
    rows = outbox.find(bot.db)
    keys = [r.unique_key for r in rows]
    assert len(keys) == len(set(keys))
    announced = outbox.find(bot.db, subject=item.subject)
    assert {r.status for r in announced} <= {"sent", "failed"}
    assert sum(r.status == "sent" for r in announced) >= 4
    delivered = [c.chat_id for c in bot.api.calls if c.method == "sendMessage"
                 and "Onbetrouwbaar" in c.text]
    assert len(delivered) == len(set(delivered))


def member_update(status: str, update_id: int) -> dict:
    bot_user = {"id": 777000, "is_bot": True, "first_name": "K"}
    old = {"kicked": "member", "member": "kicked"}[status]
    return {"update_id": update_id, "my_chat_member": {
        "chat": {"id": SOFIE.id, "type": "private"}, "date": 1,
        "from": {"id": SOFIE.id, "is_bot": False, "first_name": "Sofie"},
        "old_chat_member": {"status": old, "user": bot_user,
                            **({"until_date": 0} if old == "kicked" else {})},
        "new_chat_member": {"status": status, "user": bot_user,
                            **({"until_date": 0} if status == "kicked" else {})}}}


async def test_blocking_and_unblocking_the_bot(bot):
    await bot.sim.feed(member_update("kicked", 880_001))
    assert people.by_telegram_id(bot.db, SOFIE.id).status == "unreachable"
    await bot.sim.feed(member_update("member", 880_002))
    assert people.by_telegram_id(bot.db, SOFIE.id).status == "active"
