"""/uitnodiging: a coordinator makes an invite with buttons, a newcomer enrols with it; open
invites are listed and revoked; participants and coaches get a refusal that reveals nothing."""

from __future__ import annotations

import re

import pytest

from kernbot.harness import AN, ELS, NEWCOMER_USER, SOFIE
from storage import conversations, invites, people, trajectories
from transports.simulator import User

LINK = re.compile(r"https://t\.me/kernbot_demo_bot\?start=([A-Za-z0-9_-]{16})")


async def make_invite(bot, *, role="Deelnemer", uses="1×", days=None, prefill=None) -> str:
    await bot.send(ELS, "/uitnodiging")
    await bot.tap(ELS, "7 ·")
    await bot.tap(ELS, role)
    if uses != "1×":
        await bot.tap(ELS, uses)
    if days:
        await bot.tap(ELS, days)
    for button, value in (prefill or {}).items():
        calls = await bot.tap(ELS, button)
        assert "Typ" in calls[-1].text
        await bot.send(ELS, value)
    calls = await bot.tap(ELS, "Maak de link")
    match = LINK.search(calls[-1].text)
    assert match, calls[-1].text
    assert f"/start {match.group(1)}" in calls[-1].text
    return match.group(1)


async def test_coordinator_invites_and_newcomer_enrols_with_prefill(bot):
    code = await make_invite(bot, uses="5×", days="90 dagen",
                             prefill={"Naam": "Jolien Van Damme", "Gemeente": "Mol"})
    invite = invites.by_code(bot.db, code)
    assert (invite.max_uses, invite.role, invite.prefill_name, invite.prefill_municipality) == (
        5, "participant", "Jolien Van Damme", "Mol")
    assert (invite.expires_at - bot.now()).days == 90
    assert invite.created_by == people.by_telegram_id(bot.db, ELS.id).id
    assert conversations.get(bot.db, ELS.id) is None

    calls = await bot.send(NEWCOMER_USER, f"/start {code}")
    assert "Je naam: <b>Jolien Van Damme</b>" in calls[-1].text
    await bot.tap(NEWCOMER_USER, "Klopt")
    calls = await bot.tap(NEWCOMER_USER, "Klopt")
    assert "In welke dienst" in calls[-1].text


async def test_defaults_are_one_use_and_thirty_days(bot):
    code = await make_invite(bot, role="Begeleider")
    invite = invites.by_code(bot.db, code)
    assert (invite.max_uses, invite.role, (invite.expires_at - bot.now()).days) == (1, "coach",
                                                                                   30)


async def test_draft_survives_a_restart(bot):
    await bot.send(ELS, "/uitnodiging")
    await bot.tap(ELS, "7 ·")
    await bot.tap(ELS, "Deelnemer")
    await bot.tap(ELS, "10×")
    await bot.restart()                          # a new process: the old message's button
    calls = await bot.press(ELS, "inv:create")
    code = LINK.search(calls[-1].text).group(1)
    assert invites.by_code(bot.db, code).max_uses == 10


async def test_open_invites_listed_and_revoked(bot):
    code = await make_invite(bot, prefill={"Naam": "Ruben"})
    await bot.send(ELS, "/uitnodiging")
    await bot.tap(ELS, "7 ·")
    calls = await bot.tap(ELS, "Open uitnodigingen")
    assert code in calls[-1].text and "voor Ruben" in calls[-1].text
    calls = await bot.tap(ELS, "Intrekken: Ruben")
    assert "Ingetrokken" in calls[-1].text
    assert invites.by_code(bot.db, code).revoked_at is not None
    calls = await bot.send(NEWCOMER_USER, f"/start {code}")
    assert "ingetrokken" in calls[-1].text


async def test_full_trajectory_is_explained_to_the_coordinator(bot):
    trajectories.set_max_participants(bot.db, trajectories.by_number(bot.db, 7).id, 3)
    await bot.send(ELS, "/uitnodiging")
    calls = await bot.tap(ELS, "7 ·")
    assert "volzet" in calls[-1].text
    await bot.tap(ELS, "Deelnemer")
    calls = await bot.tap(ELS, "Maak de link")
    assert "/maximum 7" in calls[-1].text
    assert not LINK.search(calls[-1].text)


@pytest.mark.parametrize("user", [SOFIE, AN], ids=["participant", "coach"])
async def test_participants_and_coaches_are_refused_politely(bot, user):
    calls = await bot.send(user, "/uitnodiging")
    assert calls[-1].text.startswith("Dat kan je met jouw rol niet doen")
    assert "7" not in calls[-1].text and "uitnodiging" not in calls[-1].text.lower()
    before = len(invites.of_trajectory(bot.db, trajectories.by_number(bot.db, 7).id))
    tid = trajectories.by_number(bot.db, 7).id
    for forged in (f"inv:traj:{tid}", f"inv:role:{tid}:participant", "inv:create", f"inv:list:{tid}",
                   "inv:revoke:1"):
        calls = await bot.press(user, forged)
        assert calls[-1].text.startswith("Dat kan je met jouw rol niet doen"), forged
    assert len(invites.of_trajectory(bot.db, tid)) == before
    assert invites.get(bot.db, 1).revoked_at is None
    calls = await bot.send(user, "/maximum 7 20")
    assert calls[-1].text.startswith("Dat kan je met jouw rol niet doen")
    assert trajectories.by_number(bot.db, 7).max_participants == 10


async def test_stranger_is_told_to_enrol_first(bot):
    stranger = User(31337, "Mallory")
    calls = await bot.send(stranger, "/uitnodiging")
    assert "eerst ingeschreven" in calls[-1].text
    calls = await bot.press(stranger, "inv:create")
    assert "eerst ingeschreven" in calls[-1].text


async def test_uitnodiging_in_english(bot):
    await bot.send(ELS, "/taal en")
    calls = await bot.send(ELS, "/uitnodiging")
    assert "Which trajectory" in calls[-1].text
    await bot.tap(ELS, "7 ·")
    calls = await bot.tap(ELS, "Participant")
    assert "New invite" in calls[-1].text and "30 days" in calls[-1].text
    calls = await bot.tap(ELS, "Create the link")
    assert "Send this link" in calls[-1].text and LINK.search(calls[-1].text)


async def test_uitnodiging_in_help_of_coordinator_only(bot):
    calls = await bot.send(ELS, "/help")
    assert "/uitnodiging" in calls[-1].text
    calls = await bot.send(SOFIE, "/help")
    assert "/uitnodiging" not in calls[-1].text


async def test_long_list_of_open_invites_is_capped(bot):
    from handlers.invitations import LIST_LIMIT
    from programme import invitations

    tid = trajectories.by_number(bot.db, 7).id
    for _ in range(LIST_LIMIT + 5):
        invitations.create(bot.db, role="coach", trajectory_id=tid, now=bot.now())
    calls = await bot.press(ELS, f"inv:list:{tid}")
    assert len(calls[-1].buttons) == LIST_LIMIT
    assert "nog 7 oudere" in calls[-1].text    # 35 made + 2 demo codes, 30 shown
