"""Invites: unguessable codes, limited uses and time, revocation, full trajectories, a raised
maximum, throttled guessing; through the whole Application and the domain functions."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from core.events import EventBus
from kernbot.harness import ELS
from programme import enrolment, invitations
from programme.enrolment import Outcome
from storage import memberships, people, trajectories
from transports.simulator import User

ROOT = Path(__file__).resolve().parents[1]


def newcomer(n: int, language: str = "nl") -> User:
    return User(5000 + n, f"Nieuw{n}", language_code=language)


def t7(bot):
    return trajectories.by_number(bot.db, 7)


def make(bot, **kwargs):
    return invitations.create(bot.db, role=kwargs.pop("role", "participant"),
                              trajectory_id=t7(bot).id, now=bot.now(), **kwargs)


def enrolled(call) -> bool:
    """The reply to /start CODE of a new participant: the first enrolment question."""
    return call.key == "enrol/ask" and call.values("enrol/ask")["first"]


def test_codes_are_long_random_distinct_and_without_look_alikes():
    codes = {enrolment.new_code() for _ in range(200)}
    assert len(codes) == 200
    # 20 characters of 25 (about 92 bits) in groups of five, allowed in a /start payload;
    # none of 0 O 1 I L 5 S 2 Z 8 B, which people confuse when reading a code aloud
    assert all(len(c.replace("-", "")) == 20 and c.count("-") == 3 for c in codes)
    assert not set("".join(codes)) & set("0O1IL5S2Z8B")
    assert all(ch.isalnum() or ch == "-" for c in codes for ch in c)


async def test_a_code_is_accepted_in_any_case_and_without_hyphens(bot):
    invite = make(bot, uses=3)
    calls = await bot.send(newcomer(1), f"/start {invite.code.lower()}")
    assert enrolled(calls[-1])
    calls = await bot.send(newcomer(2), f"/start {invite.code.replace('-', '')}")
    assert enrolled(calls[-1])
    calls = await bot.send(newcomer(3), "/start demo-deelnemer")   # an older, chosen code
    assert enrolled(calls[-1])


async def test_single_use_invite_works_once(bot):
    invite = make(bot, uses=1)
    calls = await bot.send(newcomer(1), f"/start {invite.code}")
    assert enrolled(calls[-1])
    calls = await bot.send(newcomer(2), f"/start {invite.code}")
    assert calls[-1].key == "start/code_used_up"
    assert people.by_telegram_id(bot.db, newcomer(2).id) is None


async def test_expired_invite_is_refused(bot):
    invite = make(bot, days=7)
    bot.clock.advance(timedelta(days=7, seconds=1))
    calls = await bot.send(newcomer(1), f"/start {invite.code}")
    assert calls[-1].key == "start/code_expired"
    assert people.by_telegram_id(bot.db, newcomer(1).id) is None


async def test_invite_valid_until_the_last_day(bot):
    invite = make(bot, days=7)
    bot.clock.advance(timedelta(days=6, hours=23))
    calls = await bot.send(newcomer(1), f"/start {invite.code}")
    assert enrolled(calls[-1]) and people.by_telegram_id(bot.db, newcomer(1).id) is not None


async def test_revoked_invite_is_refused_but_earlier_users_stay(bot):
    invite = make(bot, uses=5)
    await bot.send(newcomer(1), f"/start {invite.code}")
    invitations.revoke(bot.db, invite.code, bot.now())
    calls = await bot.send(newcomer(2), f"/start {invite.code}")
    assert calls[-1].key == "start/code_revoked"
    assert people.by_telegram_id(bot.db, newcomer(2).id) is None
    first = people.by_telegram_id(bot.db, newcomer(1).id)
    assert memberships.get(bot.db, first.id, t7(bot).id).status == "active"
    with pytest.raises(invitations.InviteError):
        invitations.revoke(bot.db, invite.code, bot.now())


async def test_full_trajectory_then_raised_maximum(bot):
    # the demo has 3 participants; fill up to the default maximum of 10
    invite = make(bot, uses=20)
    for n in range(7):
        await bot.send(newcomer(n), f"/start {invite.code}")
    assert memberships.count_participants(bot.db, t7(bot).id) == 10
    calls = await bot.send(newcomer(50), f"/start {invite.code}")
    assert calls[-1].key == "start/code_full"
    assert calls[-1].values("start/code_full")["trajectory"].max_participants == 10
    assert memberships.count_participants(bot.db, t7(bot).id) == 10
    with pytest.raises(invitations.InviteError) as info:
        make(bot)                                   # no new participant invites either
    assert info.value.reason == "full"
    # the coordinator raises the maximum in the bot
    calls = await bot.send(ELS, "/maximum 7 11")
    assert "invite/maximum_confirm" in calls[-1].keys   # above the programme's 10: asked first
    assert t7(bot).max_participants == 10
    calls = await bot.tap(ELS, key="invite/maximum_no")   # "Nee": nothing changes
    assert calls[-1].key == "invite/maximum_kept" and t7(bot).max_participants == 10
    await bot.send(ELS, "/maximum 7 11")
    calls = await bot.tap(ELS, 1)
    assert calls[-1].key == "invite/maximum_set"
    assert calls[-1].values("invite/maximum_set")["trajectory"].max_participants == 11
    assert t7(bot).max_participants == 11
    calls = await bot.send(newcomer(50), f"/start {invite.code}")
    assert enrolled(calls[-1])
    calls = await bot.send(newcomer(51), f"/start {invite.code}")
    assert calls[-1].key == "start/code_full"
    assert calls[-1].values("start/code_full")["trajectory"].max_participants == 11
    assert memberships.count_participants(bot.db, t7(bot).id) == 11


async def test_maximum_cannot_go_below_enrolled(bot):
    calls = await bot.send(ELS, "/maximum 7 2")
    assert calls[-1].key == "invite/refused"
    refused = calls[-1].values("invite/refused")
    assert refused["reason"] == "below_enrolled" and refused["values"]["taken"] == 3
    assert t7(bot).max_participants == 10
    calls = await bot.send(ELS, "/maximum")
    usage = {t.number: (p.taken, p.maximum)
             for t, p in calls[-1].values("invite/maximum_usage")["items"]}
    assert usage[7] == (3, 10)


async def test_coach_invite_is_not_limited_by_participants(bot):
    invitations.set_max_participants(bot.db, 7, 3)
    invite = make(bot, role="coach")
    calls = await bot.send(newcomer(1), f"/start {invite.code}")
    assert calls[-1].key == "start/welcome_coach"
    assert people.by_telegram_id(bot.db, newcomer(1).id).role == "coach"


async def test_wrong_codes_are_throttled_and_it_survives_a_restart(bot):
    guesser = newcomer(9)
    valid = make(bot, uses=5)
    for n in range(enrolment.WRONG_CODE_LIMIT):
        calls = await bot.send(guesser, f"/start GUESS{n}")
        assert calls[-1].key == "start/code_unknown"
        bot.clock.advance(timedelta(minutes=1))
    await bot.restart()
    # now even a valid code is not looked up
    calls = await bot.send(guesser, f"/start {valid.code}")
    assert calls[-1].key == "start/code_throttled"
    assert calls[-1].values("start/code_throttled")["minutes"] == 15
    assert people.by_telegram_id(bot.db, guesser.id) is None
    # another user is not affected
    calls = await bot.send(newcomer(10), f"/start {valid.code}")
    assert enrolled(calls[-1])
    # 15 minutes after the fifth wrong code the guesser may try again
    bot.clock.advance(timedelta(minutes=14))
    calls = await bot.send(guesser, f"/start {valid.code}")
    assert enrolled(calls[-1])


async def test_slow_wrong_codes_are_not_throttled(bot):
    for n in range(enrolment.WRONG_CODE_LIMIT + 2):
        calls = await bot.send(newcomer(1), f"/start GUESS{n}")
        assert calls[-1].key == "start/code_unknown"
        bot.clock.advance(timedelta(minutes=3))   # 5 wrong codes span 12 minutes


def test_throttle_rule():
    from datetime import UTC, datetime

    t0 = datetime(2024, 2, 12, 9, 0, tzinfo=UTC)
    four = [t0 + timedelta(minutes=i) for i in range(4)]
    assert enrolment.throttled_until(four) is None
    five = [*four, t0 + timedelta(minutes=10)]
    assert enrolment.throttled_until(five) == t0 + timedelta(minutes=25)
    spread = [*four, t0 + timedelta(minutes=10, seconds=1)]
    assert enrolment.throttled_until(spread) is None


def test_invite_rules():
    from programme.demo import DEMO_NOW, seed_demo
    from storage.db import connect

    db = connect(":memory:")
    seed_demo(db, EventBus())
    tid = trajectories.by_number(db, 7).id
    for kwargs, reason in [({"uses": 0}, "bad_uses"), ({"uses": 101}, "bad_uses"),
                           ({"days": 0}, "bad_days"), ({"days": 366}, "bad_days"),
                           ({"name": "x" * 101}, "too_long"), ({"role": "admin"}, "bad_role")]:
        with pytest.raises(invitations.InviteError) as info:
            invitations.create(db, trajectory_id=tid, now=DEMO_NOW,
                               **{"role": "participant", **kwargs})
        assert info.value.reason == reason
    with pytest.raises(invitations.InviteError):
        invitations.create(db, role="participant", trajectory_id=None, now=DEMO_NOW)
    coordinator = invitations.create(db, role="coordinator", trajectory_id=tid, now=DEMO_NOW)
    assert coordinator.trajectory_id is None
    assert enrolment.redeem(db, EventBus(), code=coordinator.code, telegram_id=4242, display_name="X",
                            language="nl", now=DEMO_NOW).outcome is Outcome.ENROLLED
    assert invitations.link("kernbot_demo_bot", "abc") == "https://t.me/kernbot_demo_bot?start=abc"


# -- admin invite, as a process ---------------------------------------------------------------
def run_bot(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "console.sqlite3"}"\n')
    return subprocess.run([sys.executable, "bot.py", "--config", str(config), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})


def test_admin_invite_prints_link_and_code_then_revokes(tmp_path):
    assert run_bot(tmp_path, "admin", "seed-demo").returncode == 0
    made = run_bot(tmp_path, "admin", "invite", "--trajectory", "7", "--role", "participant",
                   "--uses", "2", "--days", "14", "--name", "Jan Peeters",
                   "--municipality", "Geel")
    assert made.returncode == 0, made.stderr
    link, code = made.stdout.strip().splitlines()
    assert link == f"https://t.me/kernbot_demo_bot?start={code}"
    listed = run_bot(tmp_path, "admin", "invite", "--list", "--trajectory", "7")
    assert code in listed.stdout and "Jan Peeters" in listed.stdout
    revoked = run_bot(tmp_path, "admin", "invite", "--revoke", code)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    again = run_bot(tmp_path, "admin", "invite", "--revoke", code)
    assert again.returncode == 2 and "already revoked" in again.stderr
    missing = run_bot(tmp_path, "admin", "invite", "--trajectory", "99")
    assert missing.returncode == 2 and "no trajectory 99" in missing.stderr
    raised = run_bot(tmp_path, "admin", "max-participants", "--trajectory", "7", "--max", "12")
    assert raised.returncode == 0 and "at most 12" in raised.stdout


async def test_a_maximum_up_to_the_rule_needs_no_confirmation(bot):
    calls = await bot.send(ELS, "/maximum 7 8")
    assert "invite/maximum_set" in calls[-1].keys and t7(bot).max_participants == 8
    calls = await bot.send(ELS, "/maximum 7 12")
    assert "invite/maximum_confirm" in calls[-1].keys and t7(bot).max_participants == 8
