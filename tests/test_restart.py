"""Nothing lives only in memory: a new Application on the same database carries on."""

from kernbot.harness import NEWCOMER_USER, enrol
from storage import conversations, people


async def test_restarted_application_knows_the_person_and_trajectory(bot):
    await enrol(bot, NEWCOMER_USER)
    await bot.restart()
    assert bot.api.calls == [] or all(c.method != "sendMessage" for c in bot.api.calls)
    calls = await bot.send(NEWCOMER_USER, "/start")
    welcome = calls[-1].values("start/welcome_participant")
    assert welcome["welcome_back"] is True and welcome["person"].name == "Jij"
    assert [view.trajectory.number for view in welcome["views"]] == [7]
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id).role == "participant"


async def test_language_choice_survives_restart(bot):
    await enrol(bot, NEWCOMER_USER)
    await bot.send(NEWCOMER_USER, "/taal en")
    await bot.restart()
    help_reply = (await bot.send(NEWCOMER_USER, "/help"))[-1]
    assert help_reply.key == "common/help" and help_reply.language == "en"


async def test_conversation_state_is_committed_before_reply(bot):
    """A state written by a handler is visible to another connection before the reply."""
    from storage.db import connect

    conversations.put(bot.db, 42, "demo:step", {"a": 1}, bot.now())
    other = connect(bot.config["storage"]["database"], migrate=False)
    assert conversations.get(other, 42).data == {"a": 1}
    other.close()


async def test_update_ids_continue_after_restart(bot):
    """Telegram's update ids keep growing; the harness (and console) continue after the last."""
    await bot.send(NEWCOMER_USER, "/help")
    await bot.restart()
    calls = await bot.send(NEWCOMER_USER, "/help")
    assert calls, "an update after restart must not be mistaken for a redelivery"
