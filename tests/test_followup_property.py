"""A property of the follow-up ladder (issue 16): for any sequence of hand-ins, extensions,
"herinner me morgen" presses and absences, nobody receives the same reminder twice and no
reminder (to the participant or about them to the staff) arrives after its item was done."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernbot.harness import BotHarness
from programme import followup
from schedule import dispatcher, planner
from storage import answers, assignments, outbox, people, trajectories
from tests.support.homework import hand_in
from transports.simulator import User

BXL = ZoneInfo("Europe/Brussels")
START = datetime(2024, 2, 12, 9, 0, tzinfo=BXL)
END = datetime(2024, 5, 3, 9, 0, tzinfo=BXL)
PARTICIPANTS = (User(9011, "Sofie"), User(9012, "Pieter"), User(9013, "Lotte"))

action = st.tuples(
    st.integers(min_value=0, max_value=(END - START).days - 1),   # day
    st.integers(min_value=8, max_value=19),                         # hour
    st.sampled_from(PARTICIPANTS),
    st.sampled_from(["hand_in", "evaluate", "extend", "later", "away", "back"]),
    st.integers(min_value=1, max_value=12),                         # days (extension, absence)
)


async def instant(self):
    return None


async def scenario(actions) -> None:
    done: dict[tuple[int, str], datetime] = {}
    with tempfile.TemporaryDirectory() as tmp:
        async with BotHarness.start(Path(tmp)) as bot:
            s, db = bot.services.settings, bot.db
            trajectory = trajectories.by_number(db, 7)
            session1 = trajectories.session_by_number(db, trajectory.id, 1)
            hw1 = assignments.of_session(db, session1.id)[0]
            for day, hour, user, kind, days in sorted(actions, key=lambda a: (a[0], a[1])):
                moment = (START + timedelta(days=day)).replace(hour=hour, minute=7)
                await bot.dispatcher.travel(bot.app, bot.clock, moment.astimezone(UTC))
                person = people.by_telegram_id(db, user.id)
                now = bot.now()
                if kind == "hand_in" and now >= session1.ends_at and \
                        (person.id, f"assignment:{hw1.id}") not in done:
                    hand_in(db, person.id, hw1.id, now)
                    done[(person.id, f"assignment:{hw1.id}")] = now
                elif kind == "evaluate" and now >= session1.ends_at and \
                        (person.id, f"evaluation:{session1.id}") not in done:
                    for question, value in (("less", "De timing"), ("good", "De 5x waarom"),
                                            ("held_back", "Niets"), ("score", "4")):
                        answers.save(db, person.id, "evaluatie", str(session1.id), question, 0,
                                     value, now=now)
                    done[(person.id, f"evaluation:{session1.id}")] = now
                elif kind == "extend":
                    # a date not later than the deadline is refused and changes nothing
                    with contextlib.suppress(followup.NotLater):
                        followup.grant_extension(db, bot.bus, s, person.id, hw1.id,
                                                 now + timedelta(days=days), None, now)
                elif kind == "later":
                    reminders = [c for c in bot.api.sent(user.id)
                                 if "followup/reminder" in c.keys and c.buttons]
                    if reminders:
                        await bot.press(user, reminders[-1].buttons[-1]["callback_data"])
                elif kind == "away":
                    followup.go_away(db, bot.bus, s, person.id,
                                     (moment + timedelta(days=days)).date(), now)
                elif kind == "back":
                    followup.come_back(db, bot.bus, person.id, now)
            await bot.dispatcher.travel(bot.app, bot.clock, END.astimezone(UTC))
            rows = [r for r in outbox.find(db, status=outbox.SENT)
                    if r.kind == planner.FOLLOWUP]
            for row in rows:
                finished = done.get((row.person_id, row.subject))
                assert finished is None or row.sent_at < finished, (row.unique_key, finished)
            # the same reminder never twice: one row per (person, item, rung), and one message
            # per row
            rungs = Counter((r.person_id, r.subject, r.unique_key.rsplit(":", 1)[-1])
                            for r in rows)
            assert max(rungs.values(), default=1) == 1
            # staff digests: each (staff member, participant, item, rung) named once, and never
            # after the item was done
            staff_rows = {(r.person_id, r.message_id): r for r in outbox.find(db, status=outbox.SENT)
                          if r.kind in (planner.FOLLOWUP_STAFF, planner.ESCALATION)}
            by_name = {p.name: p.id for p in people.all_people(db)}
            named = Counter()
            for call in bot.api.sent():
                if call.key not in ("followup/staff", "followup/escalation"):
                    continue
                recipient = people.by_telegram_id(db, call.params["chat_id"]).id
                row = staff_rows[(recipient, call.result["message_id"])]
                for group in call.values(call.key)["groups"]:
                    for about in group["people"]:
                        subject = group["item"].subject
                        named[(recipient, by_name[about.name], subject, group["rung"])] += 1
                        finished = done.get((by_name[about.name], subject))
                        assert finished is None or row.sent_at < finished, (subject, finished)
            assert max(named.values(), default=1) == 1
            for user in PARTICIPANTS:
                person = people.by_telegram_id(db, user.id)
                messages = [c for c in bot.api.sent(user.id) if "followup/reminder" in c.keys]
                mine = [r for r in rows if r.person_id == person.id and r.kind == planner.FOLLOWUP]
                assert len(messages) == len(mine)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(action, max_size=12))
def test_no_reminder_twice_and_none_after_the_item_was_done(monkeypatch, actions):
    monkeypatch.setattr(dispatcher.Pacer, "wait", instant)
    asyncio.run(scenario(actions))
