"""Roles belong to a membership: an invite never changes what someone is elsewhere, never
silently, and a coordinator named in the configuration is a coordinator from the first update."""

from __future__ import annotations

from kernbot.harness import AN, SOFIE, BotHarness, test_config
from programme import importer, invitations
from storage import homework as store
from storage import memberships, people, trajectories
from transports.simulator import User

NINE = """
[[trajectories]]
number = 9
year = 2024
title = "Slimme lokale distributie"
theme = "Stadsdistributie"

  [[trajectories.sessions]]
  number = 1
  title = "Start"
  start = 2024-03-05T09:30:00
  end = 2024-03-05T12:30:00
  mode = "online"
  video_link = "https://meet.example.org/9"
"""


def roles(bot, user) -> dict[int, str]:
    person = people.by_telegram_id(bot.db, user.id)
    return {m.trajectory_id: m.role for m in memberships.of_person(bot.db, person.id)}


def invite(bot, role: str, number: int | None):
    trajectory = trajectories.by_number(bot.db, number) if number else None
    return invitations.create(bot.db, role=role, trajectory_id=trajectory.id if trajectory
                              else None, now=bot.now(), uses=1, days=30).code


def add_nine(bot) -> int:
    importer.apply(bot.db, bot.bus, importer.parse(NINE, "nine.toml"), now=bot.now())
    return trajectories.by_number(bot.db, 9).id


async def test_participant_redeeming_a_coach_invite_elsewhere_is_asked_and_keeps_her_role(bot):
    nine = add_nine(bot)
    seven = trajectories.by_number(bot.db, 7).id
    code = invite(bot, "coach", 9)
    calls = await bot.send(SOFIE, f"/start {code}")
    assert "start/confirm_invite" in calls[-1].keys
    assert roles(bot, SOFIE) == {seven: "participant"}          # nothing changed yet
    calls = await bot.tap(SOFIE, 1)
    assert roles(bot, SOFIE) == {seven: "participant", nine: "coach"}
    assert "start/welcome_coach" in calls[-1].keys
    # still a participant of 7: her homework, not her peers' exports of 7
    assert "homework/list" in (await bot.send(SOFIE, "/huiswerk"))[-1].keys
    from buttons.progress import Export
    refused = await bot.press(SOFIE, Export(seven).pack())
    assert "common/not_allowed" in refused[-1].keys


async def test_coach_redeeming_a_participant_invite_elsewhere_gains_no_staff_view_there(bot):
    add_nine(bot)
    seven, nine = (trajectories.by_number(bot.db, n).id for n in (7, 9))
    code = invite(bot, "participant", 9)
    await bot.send(AN, f"/start {code}")
    await bot.tap(AN, 1)
    assert roles(bot, AN) == {seven: "coach", nine: "participant"}
    from buttons.progress import Export, Show
    for button in (Export(nine), Show(nine)):
        assert "common/not_allowed" in (await bot.press(AN, button.pack()))[-1].keys
    assert "common/not_allowed" not in (await bot.press(AN, Show(seven).pack()))[-1].keys


async def test_declining_changes_nothing_and_the_old_button_then_does_nothing(bot):
    add_nine(bot)
    seven = trajectories.by_number(bot.db, 7).id
    code = invite(bot, "coach", 9)
    await bot.send(SOFIE, f"/start {code}")
    question = bot.sim.last_keyboard(SOFIE)
    calls = await bot.tap(SOFIE, 2)
    assert calls[-1].keys == ["start/confirm_declined"]
    calls = await bot.sim.press(SOFIE, question.buttons[0]["callback_data"], question)
    assert calls[-1].keys == ["common/button_expired"]
    assert roles(bot, SOFIE) == {seven: "participant"}
    assert invitations.open_invites(bot.db, trajectories.by_number(bot.db, 9).id, bot.now())


async def test_coach_typing_the_participant_code_of_his_own_trajectory_is_refused(bot):
    seven = trajectories.by_number(bot.db, 7).id
    before = memberships.count_participants(bot.db, seven)
    calls = await bot.send(AN, "/start DEMO-DEELNEMER")
    assert calls[-1].keys == ["start/code_other_role"]
    assert roles(bot, AN) == {seven: "coach"}
    assert memberships.count_participants(bot.db, seven) == before   # no seat taken


async def test_participant_typing_the_coordinator_code_keeps_her_brief_and_homework(bot):
    seven = trajectories.by_number(bot.db, 7).id
    calls = await bot.send(SOFIE, "/start DEMO-COORDINATOR")
    assert "start/confirm_invite" in calls[-1].keys
    await bot.tap(SOFIE, 1)
    assert people.by_telegram_id(bot.db, SOFIE.id).role == "coordinator"
    assert roles(bot, SOFIE) == {seven: "participant"}
    assert "flows/ui/brief_menu" in (await bot.send(SOFIE, "/brief"))[-1].keys
    assert "homework/list" in (await bot.send(SOFIE, "/huiswerk"))[-1].keys


async def test_a_configured_coordinator_needs_no_start(tmp_path, clock):
    config = test_config(tmp_path, bot={"coordinators": [7777]})
    boss = User(7777, "Baas", language_code="nl")
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        calls = await bot.send(boss, "/taal en")
        assert calls[-1].keys == ["common/language_set"] and calls[-1].language == "en"
        sofie = people.by_telegram_id(bot.db, SOFIE.id)
        from storage import assignments
        session = trajectories.sessions_of(bot.db, trajectories.by_number(bot.db, 7).id)[0]
        work = assignments.of_session(bot.db, session.id)[0]
        draft = store.ensure_draft(bot.db, sofie.id, work.id, bot.now())
        store.add_item(bot.db, draft.id, kind="text", text="Plan", now=bot.now())
        store.submit(bot.db, draft.id, bot.now(), late=False)
        from buttons.homework import View
        calls = await bot.press(boss, View(draft.id).pack())
        assert "homework/submission" in calls[0].keys


async def test_the_trajectory_line_of_the_welcome_ends_where_it_should(bot):
    """Regression: the role added to the trajectory line ate its line break."""
    from kernbot.harness import NEWCOMER_USER, enrol

    calls = await enrol(bot, NEWCOMER_USER)
    welcome = next(c for c in calls if c.key == "start/welcome_participant")
    assert "(2024)\n" in welcome.text and "(2024)Volgende" not in welcome.text
