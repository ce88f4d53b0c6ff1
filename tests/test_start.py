"""/start with invite codes through the whole Application, in both languages."""

from datetime import timedelta

from kernbot.harness import AN, NEWCOMER_USER, SOFIE, enrol
from storage import invites, memberships, people, trajectories
from transports.simulator import User

ENGLISH = User(2000, "Jane", language_code="en")


def numbers(views) -> list[int]:
    return [view.trajectory.number for view in views]


async def test_participant_code_enrols_and_greets_in_dutch(bot):
    first = (await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER"))[0]
    ask = first.values("enrol/ask")
    assert first.language == "nl" and ask["first"] and ask["field"] == "name"
    assert numbers(ask["views"]) == [7]
    calls = await bot.tap(NEWCOMER_USER, 1)
    calls += await bot.send(NEWCOMER_USER, "Lier")
    calls += await bot.send(NEWCOMER_USER, "Lokale economie")
    greeting = calls[-1]
    welcome = greeting.values("start/welcome_participant")
    assert greeting.language == "nl" and welcome["welcome_back"] is False
    assert welcome["person"].name == "Jij" and numbers(welcome["views"]) == [7]
    assert "Jij" in greeting.text
    assert "dinsdag 20 februari 2024 om 9u30" in greeting.text  # the next session, in Flemish
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert person.role == "participant" and person.language == "nl"
    trajectory = trajectories.by_number(bot.db, 7)
    assert memberships.get(bot.db, person.id, trajectory.id).role == "participant"


async def test_english_telegram_user_is_greeted_in_english(bot):
    calls = await enrol(bot, ENGLISH, municipality="Genk", department="Economy")
    assert calls[-1].language == "en"
    assert calls[-1].values("start/welcome_participant")["person"].name == "Jane"
    assert "Tuesday 20 February 2024 at 09:30" in calls[-1].text


async def test_coach_and_coordinator_codes(bot):
    coach = User(3001, "Nele")
    await bot.send(coach, "/start DEMO-EXPERT")
    assert bot.key(coach) == "start/welcome_coach"
    assert people.by_telegram_id(bot.db, 3001).role == "coach"
    coordinator = User(3002, "Bart")
    await bot.send(coordinator, "/start DEMO-COORDINATOR")
    assert bot.key(coordinator) == "start/welcome_coordinator"
    assert people.by_telegram_id(bot.db, 3002).role == "coordinator"


async def test_same_code_twice_does_not_count_twice(bot):
    await enrol(bot, NEWCOMER_USER)
    uses = invites.by_code(bot.db, "DEMO-DEELNEMER").uses
    calls = await bot.send(NEWCOMER_USER, "/start DEMO-DEELNEMER")
    assert calls[-1].values("start/welcome_participant")["welcome_back"] is True
    assert invites.by_code(bot.db, "DEMO-DEELNEMER").uses == uses


async def test_unknown_code(bot):
    calls = await bot.send(NEWCOMER_USER, "/start NIET-BESTAAND")
    assert calls[-1].key == "start/code_unknown"
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id) is None


def _invite(bot, code, **kwargs):
    trajectory = trajectories.by_number(bot.db, 7)
    defaults = dict(code=code, role="participant", trajectory_id=trajectory.id, max_uses=1,
                    expires_at=None, now=bot.now())
    defaults.update(kwargs)
    return invites.create(bot.db, **defaults)


async def test_expired_code(bot):
    _invite(bot, "OLD", expires_at=bot.now() + timedelta(days=1))
    bot.clock.advance(timedelta(days=2))
    calls = await bot.send(NEWCOMER_USER, "/start OLD")
    assert calls[-1].key == "start/code_expired"
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id) is None


async def test_used_up_code(bot):
    _invite(bot, "ONCE")
    await bot.send(User(4001, "A"), "/start ONCE")
    calls = await bot.send(User(4002, "B"), "/start ONCE")
    assert calls[-1].key == "start/code_used_up"
    assert people.by_telegram_id(bot.db, 4002) is None


async def test_revoked_code(bot):
    _invite(bot, "GONE")
    invites.revoke(bot.db, "GONE", bot.now())
    assert (await bot.send(NEWCOMER_USER, "/start GONE"))[-1].key == "start/code_revoked"
    assert people.by_telegram_id(bot.db, NEWCOMER_USER.id) is None


async def test_full_trajectory(bot):
    trajectory = trajectories.by_number(bot.db, 7)
    trajectories.set_max_participants(bot.db, trajectory.id, 4)
    assert memberships.count_participants(bot.db, trajectory.id) == 3
    await bot.send(User(5001, "Vierde"), "/start DEMO-DEELNEMER")
    calls = await bot.send(User(5002, "Vijfde"), "/start DEMO-DEELNEMER")
    assert calls[-1].key == "start/code_full"
    assert calls[-1].values("start/code_full")["trajectory"].number == 7
    assert memberships.count_participants(bot.db, trajectory.id) == 4
    assert people.by_telegram_id(bot.db, 5002) is None


async def test_start_without_code(bot):
    calls = await bot.send(NEWCOMER_USER, "/start")
    assert calls[-1].key == "start/no_code"
    calls = await bot.send(SOFIE, "/start")
    welcome = calls[-1].values("start/welcome_participant")
    assert welcome["welcome_back"] is True and welcome["person"].name == "Sofie Janssens"
    assert "Dag Sofie," in calls[-1].text and "Sofie Janssens" not in calls[-1].text


async def test_start_offers_the_intake_until_it_is_done_and_never_after(bot):
    from tests.flow_helpers import INTAKE_NL, play

    calls = await bot.send(SOFIE, "/start")
    assert calls[-1].values("start/welcome_participant")["intake_open"] is True
    assert "buttons/start_intake" in calls[-1].keys
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL)
    calls = await bot.send(SOFIE, "/start")
    assert calls[-1].key == "start/welcome_participant"
    assert calls[-1].values("start/welcome_participant")["intake_open"] is False
    assert "buttons/start_intake" not in calls[-1].keys and not calls[-1].buttons


async def test_configured_coordinator_is_known_without_code(tmp_path, clock):
    from kernbot.harness import BotHarness, test_config

    config = test_config(tmp_path, bot={"coordinators": [7777]})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        calls = await bot.send(User(7777, "Staff"), "/start")
        assert calls[-1].key == "start/welcome_coordinator"
        assert people.by_telegram_id(bot.db, 7777).role == "coordinator"


async def test_help_lists_commands_per_role(bot):
    unknown = (await bot.send(NEWCOMER_USER, "/help"))[-1].values("common/help")
    names = [name for name, _ in unknown["commands"]]
    assert "start" in names and "taal" not in names
    assert unknown["role"] == ""          # so the help says how to enrol
    enrolled = (await bot.send(SOFIE, "/help"))[-1]
    names = [name for name, _ in enrolled.values("common/help")["commands"]]
    assert "taal" in names and "cancel" in names and enrolled.values("common/help")["role"]
    assert "/taal" in enrolled.text and "/cancel" in enrolled.text


async def test_language_switch_with_button(bot):
    await bot.send(SOFIE, "/taal")
    calls = await bot.tap(SOFIE, key="buttons/lang_en")
    assert calls[-1].key == "common/language_set" and calls[-1].language == "en"
    assert people.by_telegram_id(bot.db, SOFIE.id).language == "en"
    help_reply = (await bot.send(SOFIE, "/help"))[-1]
    assert help_reply.key == "common/help" and help_reply.language == "en"
    commands = [c for c in bot.api.calls if c.method == "setMyCommands"
                and "scope" in c.params and "chat" in str(c.params["scope"])]
    assert commands, "the chat's command menu follows the language"
    await bot.send(SOFIE, "/taal nl")
    assert people.by_telegram_id(bot.db, SOFIE.id).language == "nl"


async def test_forged_language_button(bot):
    calls = await bot.press(SOFIE, "lang:set:xx")
    assert calls[-1].key == "common/button_expired"
    assert people.by_telegram_id(bot.db, SOFIE.id).language == "nl"


async def test_unknown_command_and_idle_text(bot):
    assert (await bot.send(SOFIE, "/bestaatniet"))[-1].key == "common/unknown_command"
    assert (await bot.send(SOFIE, "gewoon wat tekst"))[-1].key == "common/idle_text"
    assert (await bot.sim.send_sticker(SOFIE))[-1].key == "common/idle_media"
    assert (await bot.send(NEWCOMER_USER, "hallo?"))[-1].key == "common/idle_not_enrolled"


async def test_an_album_outside_a_conversation_gets_one_answer_not_one_per_photo(bot):
    calls = await bot.sim.send_album(SOFIE, [b"\xff\xd8one", b"\xff\xd8two", b"\xff\xd8three"])
    assert [c.key for c in calls] == ["common/idle_media"]
    calls = await bot.sim.send_album(SOFIE, [b"\xff\xd8four", b"\xff\xd8five"])  # another one
    assert [c.key for c in calls] == ["common/idle_media"]


async def test_cancel_without_conversation(bot):
    assert (await bot.send(SOFIE, "/cancel"))[-1].key == "common/nothing_to_cancel"


async def test_group_chat_points_to_private_chat(bot):
    data = bot.sim.message_json(AN, text="/help", entities=[
        {"type": "bot_command", "offset": 0, "length": 5}])
    data["message"]["chat"] = {"id": -100123, "type": "group", "title": "Kern 7"}
    calls = await bot.sim.feed(data)
    assert len(calls) == 1 and calls[0].key == "common/private_only"
    assert calls[0].values("common/private_only") == {"username": "kernbot_demo_bot"}
    data = bot.sim.message_json(AN, text="gewoon gepraat")
    data["message"]["chat"] = {"id": -100123, "type": "group", "title": "Kern 7"}
    assert await bot.sim.feed(data) == []


async def test_redelivered_update_is_not_applied_twice(bot):
    data = bot.sim.message_json(User(6001, "Dubbel"), text="/start DEMO-DEELNEMER",
                                entities=[{"type": "bot_command", "offset": 0, "length": 6}])
    await bot.sim.feed(data)
    uses = invites.by_code(bot.db, "DEMO-DEELNEMER").uses
    assert await bot.sim.feed(data) == []
    assert invites.by_code(bot.db, "DEMO-DEELNEMER").uses == uses


async def test_edited_message_is_answered(bot):
    data = bot.sim.message_json(SOFIE, text="oops")
    data["edited_message"] = data.pop("message")
    data["edited_message"]["edit_date"] = 1_700_000_100
    calls = await bot.sim.feed(data)
    assert calls[-1].key == "common/edited_message"
