"""The durable inbox, in process: an update is committed before anything is sent, is handled
from the inbox, and a crash at any point leaves either an update to handle at the next start or
a reply that is owed, which is re-sent once with the current prompt.

A crash is simulated by an exception that is not an Exception (like a SIGKILL, nothing catches
it): raised by the fake Bot API at the moment the bot sends, it stops the process's work right
there; `bot.restart()` then starts a new Application on the same database file. The real
process is killed for real in tests/test_crash_inbox.py.
"""

import json
import sqlite3

import pytest

from kernbot.harness import ELS, NEWCOMER_USER, SOFIE
from storage import conversations, inbox, outbox, people, updates
from storage.db import connect
from tests.flow_helpers import INTAKE_NL, person_id, play

BACK = "common/back_again"


class Crash(BaseException):
    """The process dies here (nothing in the bot catches a BaseException)."""


def crash_at_next_send(bot, chat_id, methods=("sendMessage", "editMessageText")):
    """The process dies when it next sends to this chat: that call and every later one (a
    `finally` would still try) never reach Telegram. A restart brings a new fake Bot API."""
    dead = []

    def fault(method, params):
        if dead or (method in methods and int(params.get("chat_id") or 0) == chat_id):
            dead.append(method)
            raise Crash()
        return None

    bot.api.fault = fault


def answers(bot, user, flow="intake"):
    rows = bot.db.execute("SELECT question, value FROM flow_answers WHERE person_id = ? AND"
                          " flow = ?", [person_id(bot, user), flow]).fetchall()
    return {q: json.loads(v) for q, v in rows}


def position(bot, user):
    return bot.db.execute("SELECT status, question FROM flow_runs WHERE person_id = ? AND"
                          " flow = 'intake'", [person_id(bot, user)]).fetchone()


async def test_update_is_committed_before_the_bot_says_anything(bot):
    """Every call to Telegram while handling an update finds the update already stored (seen
    from another connection, as a restarted process would)."""
    seen: list[int] = []
    other = connect(bot.config["storage"]["database"], migrate=False)

    def check(method, params):
        if method in ("sendMessage", "answerCallbackQuery"):
            seen.append(other.execute("SELECT COUNT(*) FROM inbox").fetchone()[0])
        return None

    bot.api.fault = check
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Ambtenaar")
    await bot.tap(SOFIE, "Economie")
    other.close()
    assert len(seen) >= 4 and set(seen) == {1}
    assert inbox.count(bot.db) == 0  # handled and replied: nothing waits


async def test_button_is_answered_after_its_answer_is_stored(bot):
    await bot.send(SOFIE, "/intake")
    for text in ("Ambtenaar", "Economie, Mobiliteit", "Leegstand", "Een plan"):
        await bot.send(SOFIE, text)
    assert position(bot, SOFIE) == ("active", "area_specific")
    other = connect(bot.config["storage"]["database"], migrate=False)
    stored_when_answered = []

    def check(method, params):
        if method == "answerCallbackQuery":
            row = other.execute("SELECT value FROM flow_answers WHERE question ="
                                " 'area_specific'").fetchone()
            stored_when_answered.append(row)
        return None

    bot.api.fault = check
    await bot.tap(SOFIE, "Ja")
    other.close()
    assert stored_when_answered == [('"yes"',)]


async def test_crash_after_the_answer_before_the_reply_resends_the_prompt_once(bot):
    await bot.send(SOFIE, "/intake")
    crash_at_next_send(bot, SOFIE.id)
    with pytest.raises(Crash):
        await bot.send(SOFIE, "Ambtenaar lokale economie")
    assert answers(bot, SOFIE) == {"role": "Ambtenaar lokale economie"}
    waiting = inbox.waiting(bot.db)
    assert [row.processed for row in waiting] == [True]  # effects committed, reply owed
    await bot.restart()
    sent = bot.api.sent(SOFIE.id)
    assert len(sent) == 1
    assert BACK in sent[0].keys and "flows/intake/domains/prompt" in sent[0].keys
    assert inbox.count(bot.db) == 0
    await bot.restart()  # once: a second start has nothing owed
    assert bot.api.sent() == []
    calls = await bot.send(SOFIE, "Economie, Mobiliteit")
    assert "flows/intake/challenge/prompt" in calls[-1].keys
    assert answers(bot, SOFIE)["domains"] == ["dom_economy", "dom_mobility"]
    history = bot.db.execute("SELECT COUNT(*) FROM flow_answer_history").fetchone()[0]
    assert history == 0


async def test_crash_on_a_button_press_resends_the_prompt(bot):
    await bot.send(SOFIE, "/intake")
    for text in ("Ambtenaar", "Economie, Mobiliteit", "Leegstand", "Een plan"):
        await bot.send(SOFIE, text)
    acknowledged = bot.api.methods().count("answerCallbackQuery")
    crash_at_next_send(bot, SOFIE.id)
    with pytest.raises(Crash):
        await bot.tap(SOFIE, "Ja")
    assert answers(bot, SOFIE)["area_specific"] == "yes"
    assert bot.api.methods().count("answerCallbackQuery") == acknowledged  # only after
    await bot.restart()
    sent = bot.api.sent(SOFIE.id)
    assert len(sent) == 1 and BACK in sent[0].keys
    assert "flows/intake/area/prompt" in sent[0].keys


async def test_crash_before_handling_handles_the_update_at_start(bot):
    """Stored, then the process died before any handler ran: the next start handles it, in
    order, and the person gets the normal reply (no "I was away" line: nothing was lost)."""
    await bot.send(SOFIE, "/intake")
    box = bot.app.bot_data["inbox"]
    from telegram import Update

    first = bot.sim.message_json(SOFIE, text="Ambtenaar")
    second = bot.sim.message_json(SOFIE, text="Economie, Mobiliteit")
    box.store([Update.de_json(first, bot.app.bot), Update.de_json(second, bot.app.bot)])
    await bot.restart()
    assert answers(bot, SOFIE) == {"role": "Ambtenaar",
                                   "domains": ["dom_economy", "dom_mobility"]}
    sent = bot.api.sent(SOFIE.id)
    assert [BACK in c.keys for c in sent] == [False, False]
    assert "flows/intake/challenge/prompt" in sent[-1].keys
    assert inbox.count(bot.db) == 0


async def test_owed_reply_followed_by_an_unhandled_update_gets_one_reply(bot):
    """The later update's reply is the current prompt: no extra "I was away" message."""
    await bot.send(SOFIE, "/intake")
    crash_at_next_send(bot, SOFIE.id)
    with pytest.raises(Crash):
        await bot.send(SOFIE, "Ambtenaar")
    from telegram import Update

    later = bot.sim.message_json(SOFIE, text="Economie, Mobiliteit")
    bot.app.bot_data["inbox"].store([Update.de_json(later, bot.app.bot)])
    await bot.restart()
    sent = bot.api.sent(SOFIE.id)
    assert len(sent) == 1 and BACK not in sent[0].keys
    assert "flows/intake/challenge/prompt" in sent[0].keys


async def test_crash_before_the_summary_resends_the_summary(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:-1])
    crash_at_next_send(bot, SOFIE.id)
    with pytest.raises(Crash):
        await bot.tap(SOFIE, "Overslaan")
    assert position(bot, SOFIE)[0] == "done"
    await bot.restart()
    sent = bot.api.sent(SOFIE.id)
    assert len(sent) == 1
    assert BACK in sent[0].keys and "flows/ui/summary" in sent[0].keys
    # the reply that finished the intake was lost: its closing words come with the summary
    assert "flows/ui/done_intake" in sent[0].keys


async def test_crash_before_the_state_was_cleared_resends_the_summary_with_its_closing(bot):
    """The process died after the last answer was stored but before the chat's state was
    cleared (found by the random-SIGKILL test, seed 136949): the summary comes back through
    the state's resume hook, with the closing words the person never saw."""
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:-1])
    crash_at_next_send(bot, SOFIE.id)
    with pytest.raises(Crash):
        await bot.tap(SOFIE, "Overslaan")
    conversations.put(bot.db, SOFIE.id, "fl:intake", {"instance": "", "sel": []}, bot.now())
    await bot.restart()
    sent = bot.api.sent(SOFIE.id)
    assert len(sent) == 1 and BACK in sent[0].keys
    assert "flows/ui/summary" in sent[0].keys and "flows/ui/done_intake" in sent[0].keys


async def test_crash_during_enrolment_resends_the_enrolment_question(bot):
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    crash_at_next_send(bot, NEWCOMER_USER.id)
    with pytest.raises(Crash):
        await bot.tap(NEWCOMER_USER, 1)  # "klopt" for the name
    await bot.restart()
    sent = bot.api.sent(NEWCOMER_USER.id)
    assert [c.keys[:1] for c in sent] == [[BACK], ["enrol/ask"]]
    assert sent[1].values("enrol/ask")["field"] == "municipality"


async def test_owed_reply_without_a_prompt_gets_the_short_line(bot):
    """The last enrolment answer clears the state; when its greeting is lost there is no
    prompt to rebuild, so the person is asked to send their last message again."""
    await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    await bot.tap(NEWCOMER_USER, 1)
    await bot.send(NEWCOMER_USER, "Lier")
    crash_at_next_send(bot, NEWCOMER_USER.id)
    with pytest.raises(Crash):
        await bot.send(NEWCOMER_USER, "Lokale economie")
    await bot.restart()
    sent = bot.api.sent(NEWCOMER_USER.id)
    assert len(sent) == 1 and sent[0].keys == ["common/back_again_idle"]


async def test_restart_without_a_crash_sends_nobody_anything(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Ambtenaar")
    await bot.restart()
    assert bot.api.sent() == []


async def test_a_redelivered_update_is_neither_stored_nor_handled_again(bot):
    data = bot.sim.message_json(SOFIE, text="/intake", entities=[
        {"type": "bot_command", "offset": 0, "length": 7}])
    assert await bot.sim.feed(data)
    assert await bot.sim.feed(data) == []
    assert inbox.count(bot.db) == 0
    assert updates.seen(bot.db, data["update_id"])


async def test_unreadable_row_is_dropped_not_retried_forever(bot):
    inbox.store(bot.db, [(999_999, SOFIE.id, "{not json", )], bot.now())
    await bot.restart()
    assert inbox.count(bot.db) == 0
    assert bot.api.sent() == []


# -- the polling offset ------------------------------------------------------------------------
async def test_polling_confirms_a_batch_only_after_it_is_stored(bot, monkeypatch):
    """The offset sent with each getUpdates (which confirms everything below it to Telegram)
    is never ahead of what the inbox committed; a batch that could not be stored is asked
    for again, not confirmed."""
    import asyncio

    from transports.polling import poll

    box = bot.app.bot_data["inbox"]
    other = connect(bot.config["storage"]["database"], migrate=False)
    batches = [[bot.sim.message_json(SOFIE, text=f"antwoord {i}") for i in range(3)],
               [bot.sim.message_json(ELS, text="hallo")]]
    asked: list[tuple[int, int]] = []  # (offset asked, offset committed)
    stop = asyncio.Event()
    failures = {"n": 1}
    real_store = inbox.store

    def store_failing_once(*args, **kwargs):
        if failures["n"]:
            failures["n"] -= 1
            raise sqlite3.OperationalError("disk I/O error")
        return real_store(*args, **kwargs)

    def serve(method, params):
        if method == "getUpdates":
            asked.append((int(params.get("offset") or 0), inbox.next_offset(other)))
            if len(asked) in (1, 2):  # not confirmed: Telegram serves it again
                bot.api.updates = batches[0]
            elif len(asked) == 3:
                bot.api.updates = batches[1]
            elif len(asked) >= 5:
                stop.set()
        return None

    bot.api.fault = serve
    monkeypatch.setattr(inbox, "store", store_failing_once)
    try:
        await asyncio.wait_for(poll(bot.app, box, stop, timeout=0, first_backoff=0), 10)
    finally:
        other.close()
    first_ids = [u["update_id"] for u in batches[0]]
    second_id = batches[1][0]["update_id"]
    # 1: from the start; 2: the first batch failed to store, asked again unconfirmed;
    # 3: stored, confirmed; 4: the second batch stored, confirmed
    assert asked[0][0] == 0 and asked[1][0] == 0
    assert asked[2][0] == first_ids[-1] + 1
    assert asked[3][0] == second_id + 1
    assert all(offset <= committed or offset == 0 for offset, committed in asked)
    assert inbox.next_offset(bot.db) == second_id + 1
    assert box.backlog == 4


# -- the webhook -------------------------------------------------------------------------------
async def test_webhook_answers_200_only_once_the_update_is_stored(bot, monkeypatch):
    from transports.webhook import Receiver

    receiver = Receiver(bot.app.bot_data["inbox"], "Geheim_123")
    body = json.dumps(bot.sim.message_json(SOFIE, text="Hallo")).encode()
    assert receiver.accept({}, body) == 403
    assert receiver.accept({"X-Telegram-Bot-Api-Secret-Token": "fout"}, body) == 403
    good = {"X-Telegram-Bot-Api-Secret-Token": "Geheim_123"}
    assert receiver.accept(good, b"{nope") == 400
    assert receiver.accept(good, b'{"no_update": 1}') == 400
    assert inbox.count(bot.db) == 0

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(inbox, "store", full)
    assert receiver.accept(good, body) == 500  # Telegram keeps it and sends it again
    monkeypatch.undo()
    assert receiver.accept(good, body) == 200
    assert inbox.count(bot.db) == 1  # stored when 200 was answered
    assert receiver.accept(good, body) == 200  # a repeat: acknowledged, not stored twice
    assert inbox.count(bot.db) == 1


# -- announcements interrupted by a crash ----------------------------------------------------
async def test_interrupted_announcement_names_who_may_have_missed_it_and_resends(bot,
                                                                                monkeypatch):
    from programme import announcing
    from schedule import dispatcher

    async def instant(self):
        return None

    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)
    await bot.send(ELS, "/aankondiging")
    await bot.send(ELS, "Morgen om 9u in het gemeentehuis.")
    await bot.tap(ELS, "Eén rol")
    await bot.tap(ELS, "Deelnemers")
    await bot.tap(ELS, "Nu versturen")
    pieter = people.by_telegram_id(bot.db, 9012)
    crash_at_next_send(bot, pieter.telegram_id, methods=("sendMessage",))
    with pytest.raises(Crash):
        await bot.run_pass()
    rows = outbox.find(bot.db, kind=announcing.KIND)
    by_status = {r.person_id: r.status for r in rows}
    assert list(by_status.values()).count(outbox.SENDING) == 1
    assert by_status[pieter.id] == outbox.SENDING
    never_attempted = [r for r in rows if r.status == outbox.PENDING]
    assert all(r.attempts == 0 for r in never_attempted)
    await bot.restart()  # attach() reports the row left "sending", then sends the rest
    await bot.run_pass()
    rows = outbox.find(bot.db, kind=announcing.KIND)
    failed = [r for r in rows if r.status == outbox.FAILED]
    assert [r.person_id for r in failed] == [pieter.id] and failed[0].interrupted
    assert all(r.status == outbox.SENT for r in rows if r.person_id != pieter.id)
    assert all(r.attempts >= 1 for r in failed)  # nobody is failed without an attempt
    report = bot.api.sent(ELS.id)[-1]
    missed = report.values("announcements/report")["missed"]
    assert [p.id for p in missed.interrupted] == [pieter.id] and missed.failed == []
    assert "Pieter De Smet" in report.text
    delivered = [c.chat_id for c in bot.api.sent() if "gemeentehuis" in c.text]
    assert pieter.telegram_id not in delivered and len(delivered) == len(set(delivered))
    # the button under the report sends it again to exactly Pieter
    calls = await bot.tap(ELS, 1)
    assert "announcements/resending" in calls[-1].keys
    await bot.run_pass()
    again = [c.chat_id for c in bot.api.sent() if "gemeentehuis" in c.text]
    assert again == [*delivered, pieter.telegram_id]
    assert outbox.find(bot.db, person_id=pieter.id, kind=announcing.KIND)[0].status == "sent"
    assert bot.api.sent(ELS.id)[-1].values("announcements/report")["missed"].count == 0
    calls = await bot.press(ELS, report.buttons[0]["callback_data"])  # pressed twice
    assert "announcements/nothing_to_resend" in calls[-1].keys


async def test_crash_after_a_toggle_neither_flips_it_back_nor_loses_it(bot):
    """A multiple-choice toggle is stored in the conversation state; a crash before the
    redrawn message must not make the restart apply the toggle a second time (off again)."""
    from storage import conversations

    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Ambtenaar")
    crash_at_next_send(bot, SOFIE.id)
    with pytest.raises(Crash):
        await bot.tap(SOFIE, "Economie")
    assert conversations.get(bot.db, SOFIE.id).data["sel"] == ["dom_economy"]
    await bot.restart()
    assert conversations.get(bot.db, SOFIE.id).data["sel"] == ["dom_economy"]
    sent = bot.api.sent(SOFIE.id)
    assert len(sent) == 1 and BACK in sent[0].keys
    assert "flows/intake/domains/prompt" in sent[0].keys
    assert "flows/buttons/option_on" in sent[0].keys  # shown as chosen
    await bot.tap(SOFIE, "Klaar")
    assert answers(bot, SOFIE)["domains"] == ["dom_economy"]


async def test_the_guard_still_skips_an_update_handled_before(bot):
    """The guard (group -10) trusts the inbox only for updates it just stored as new; an update
    handed to the Application again by any other way is looked up and skipped."""
    from telegram import Update

    data = bot.sim.message_json(SOFIE, text="/help", entities=[
        {"type": "bot_command", "offset": 0, "length": 5}])
    assert await bot.sim.feed(data)
    before = len(bot.api.sent())
    await bot.app.process_update(Update.de_json(data, bot.app.bot))
    assert len(bot.api.sent()) == before


async def test_forget_me_leaves_nothing_of_the_person_in_the_inbox(bot):
    """An update of the person still waiting in the inbox (sent right after the confirmation,
    or left by a crash) goes with everything else."""
    from telegram import Update

    await bot.send(SOFIE, "/vergeetmij")
    waiting = bot.sim.message_json(SOFIE, text="Mijn geheime plan voor de Grote Markt")
    bot.app.bot_data["inbox"].store([Update.de_json(waiting, bot.app.bot)])
    await bot.tap(SOFIE, 1)  # "yes, forget me"
    assert people.by_telegram_id(bot.db, SOFIE.id) is None
    left = bot.db.execute("SELECT payload FROM inbox").fetchall()
    assert not any("geheime plan" in row[0] for row in left)
