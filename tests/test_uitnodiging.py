"""/uitnodiging: a coordinator makes an invite with buttons, a newcomer enrols with it; open
invites are listed and revoked; participants and coaches get a refusal that reveals nothing."""

from __future__ import annotations

import re

import pytest

from kernbot.harness import AN, ELS, NEWCOMER_USER, SOFIE
from storage import conversations, invites, people, trajectories
from transports.simulator import User

LINK = re.compile(r"https://t\.me/kernbot_demo_bot\?start=([A-Za-z0-9_-]{16,23})")
REFUSED, CREATE = "common/not_allowed", "buttons/invite_create"


async def pick_trajectory(bot, user=ELS, number=7):
    """Tap the button of trajectory `number` in /uitnodiging's list."""
    trajectory = trajectories.by_number(bot.db, number)
    return await bot.tap(user, key="buttons/invite_trajectory",
                         values={"trajectory": trajectory})


def created(call) -> str:
    """The code of the invite this message announces, checked against its link."""
    assert call.key == "invite/created", call.keys
    values = call.values("invite/created")
    match = LINK.fullmatch(values["link"])
    assert match and match.group(1) == values["invite"].code
    assert values["link"] in call.text
    return values["invite"].code


async def make_invite(bot, *, role="participant", uses=1, days=None, prefill=None) -> str:
    await bot.send(ELS, "/uitnodiging")
    await pick_trajectory(bot)
    await bot.tap(ELS, key=f"buttons/invite_role_{role}")
    if uses != 1:
        await bot.tap(ELS, key="buttons/invite_uses", values={"uses": uses})
    if days:
        await bot.tap(ELS, key="buttons/invite_days", values={"days": days})
    for field, value in (prefill or {}).items():
        calls = await bot.tap(ELS, key=f"buttons/invite_prefill_{field}")
        assert calls[-1].values("invite/ask_prefill") == {"field": field}
        await bot.send(ELS, value)
    calls = await bot.tap(ELS, key=CREATE)
    return created(calls[-1])


async def test_coordinator_invites_and_newcomer_enrols_with_prefill(bot):
    code = await make_invite(bot, uses=5, days=90,
                             prefill={"name": "Jolien Van Damme", "municipality": "Mol"})
    invite = invites.by_code(bot.db, code)
    assert (invite.max_uses, invite.role, invite.prefill_name, invite.prefill_municipality) == (
        5, "participant", "Jolien Van Damme", "Mol")
    assert (invite.expires_at - bot.now()).days == 90
    assert invite.created_by == people.by_telegram_id(bot.db, ELS.id).id
    assert conversations.get(bot.db, ELS.id) is None

    calls = await bot.send(NEWCOMER_USER, f"/start {code}")
    asked = calls[-1].values("enrol/ask")
    assert (asked["field"], asked["value"]) == ("name", "Jolien Van Damme")
    await bot.tap(NEWCOMER_USER, key="buttons/enrol_ok")
    calls = await bot.tap(NEWCOMER_USER, key="buttons/enrol_ok")
    asked = calls[-1].values("enrol/ask")
    assert (asked["field"], asked["value"]) == ("department", "")
    person = people.by_telegram_id(bot.db, NEWCOMER_USER.id)
    assert (person.name, person.municipality) == ("Jolien Van Damme", "Mol")


async def test_defaults_are_one_use_and_thirty_days(bot):
    code = await make_invite(bot, role="coach")
    invite = invites.by_code(bot.db, code)
    assert (invite.max_uses, invite.role, (invite.expires_at - bot.now()).days) == (1, "coach",
                                                                                   30)


async def test_draft_survives_a_restart(bot):
    await bot.send(ELS, "/uitnodiging")
    await pick_trajectory(bot)
    await bot.tap(ELS, key="buttons/invite_role_participant")
    await bot.tap(ELS, key="buttons/invite_uses", values={"uses": 10})
    await bot.restart()                          # a new process: the old message's button
    calls = await bot.press(ELS, "inv:create")
    code = created(calls[-1])
    assert invites.by_code(bot.db, code).max_uses == 10


async def test_open_invites_listed_and_revoked(bot):
    code = await make_invite(bot, prefill={"name": "Ruben"})
    await bot.send(ELS, "/uitnodiging")
    await pick_trajectory(bot)
    calls = await bot.tap(ELS, key="buttons/invite_list")
    listed = {i.code: i.prefill_name for i in calls[-1].values("invite/open_list")["items"]}
    assert listed[code] == "Ruben" and code in calls[-1].text
    calls = await bot.tap(ELS, key="buttons/invite_revoke",
                          values={"invite": invites.by_code(bot.db, code)})
    assert calls[-1].key == "invite/revoked"
    assert calls[-1].values("invite/revoked")["invite"].code == code
    assert invites.by_code(bot.db, code).revoked_at is not None
    calls = await bot.send(NEWCOMER_USER, f"/start {code}")
    assert calls[-1].key == "start/code_revoked"


async def test_full_trajectory_is_explained_to_the_coordinator(bot):
    trajectories.set_max_participants(bot.db, trajectories.by_number(bot.db, 7).id, 3)
    await bot.send(ELS, "/uitnodiging")
    calls = await pick_trajectory(bot)
    assert calls[-1].values("invite/trajectory")["places"].free == 0
    await bot.tap(ELS, key="buttons/invite_role_participant")
    calls = await bot.tap(ELS, key=CREATE)
    assert calls[-1].key == "invite/refused"
    refused = calls[-1].values("invite/refused")
    assert refused["reason"] == "full" and refused["values"]["number"] == 7
    assert not LINK.search(calls[-1].text)


@pytest.mark.parametrize("user", [SOFIE, AN], ids=["participant", "coach"])
async def test_participants_and_coaches_are_refused_politely(bot, user):
    calls = await bot.send(user, "/uitnodiging")
    assert calls[-1].key == REFUSED
    assert "7" not in calls[-1].text and "uitnodiging" not in calls[-1].text.lower()
    before = len(invites.of_trajectory(bot.db, trajectories.by_number(bot.db, 7).id))
    tid = trajectories.by_number(bot.db, 7).id
    for forged in (f"inv:traj:{tid}", f"inv:role:{tid}:participant", "inv:create", f"inv:list:{tid}",
                   "inv:revoke:1"):
        calls = await bot.press(user, forged)
        assert calls[-1].key == REFUSED, forged
    assert len(invites.of_trajectory(bot.db, tid)) == before
    assert invites.get(bot.db, 1).revoked_at is None
    calls = await bot.send(user, "/maximum 7 20")
    assert calls[-1].key == REFUSED
    assert trajectories.by_number(bot.db, 7).max_participants == 10


async def test_stranger_is_told_to_enrol_first(bot):
    stranger = User(31337, "Mallory")
    calls = await bot.send(stranger, "/uitnodiging")
    assert calls[-1].key == "common/not_enrolled"
    calls = await bot.press(stranger, "inv:create")
    assert calls[-1].key == "common/not_enrolled"
    assert people.by_telegram_id(bot.db, stranger.id) is None


async def test_uitnodiging_in_english(bot):
    await bot.send(ELS, "/taal en")
    calls = await bot.send(ELS, "/uitnodiging")
    assert calls[-1].key == "invite/choose_trajectory" and calls[-1].language == "en"
    await pick_trajectory(bot)
    calls = await bot.tap(ELS, key="buttons/invite_role_participant")
    assert calls[-1].key == "invite/draft" and calls[-1].language == "en"
    assert calls[-1].values("invite/draft")["draft"]["days"] == 30
    calls = await bot.tap(ELS, key=CREATE)
    assert created(calls[-1]) and calls[-1].language == "en"


async def test_uitnodiging_in_help_of_coordinator_only(bot):
    calls = await bot.send(ELS, "/help")
    assert "uitnodiging" in [name for name, _ in calls[-1].values("common/help")["commands"]]
    calls = await bot.send(SOFIE, "/help")
    assert "uitnodiging" not in [name for name, _ in calls[-1].values("common/help")["commands"]]
    assert "/uitnodiging" not in calls[-1].text


async def test_long_list_of_open_invites_is_capped(bot):
    from handlers.invitations import LIST_LIMIT
    from programme import invitations

    tid = trajectories.by_number(bot.db, 7).id
    for _ in range(LIST_LIMIT + 5):
        invitations.create(bot.db, role="coach", trajectory_id=tid, now=bot.now())
    calls = await bot.press(ELS, f"inv:list:{tid}")
    assert len(calls[-1].buttons) == LIST_LIMIT
    assert calls[-1].values("invite/open_list")["more"] == 7  # 35 made + 2 demo codes, 30 shown
