"""One dispatcher, one pace: every wake-up at once (the repeating job, the next-due wake-up, a
coordinator's "send now", the console) still gives one sending loop, never two rows "sending"
at the same moment, and never two sends closer together than 1 / messages_per_second.

The pacer runs on an injected monotonic clock whose sleep moves it forward, so the gaps are
measured exactly and the test takes no real time.
"""

import asyncio
from datetime import timedelta
from types import SimpleNamespace

from programme import announcing
from schedule.dispatcher import Pacer
from storage import outbox


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)  # let every other wake-up run meanwhile


async def test_wake_ups_together_never_outrun_the_pace(bot):
    rate = bot.services.settings.messages_per_second
    clock = FakeMonotonic()
    dispatcher = bot.dispatcher
    dispatcher.pacer = Pacer(rate, sleep=clock.sleep, clock=clock)
    item = announcing.queue(bot.db, author_id=None, text="Tempo", audience={"kind": "all"},
                            audience_label="iedereen", planned_at=bot.now(), now=bot.now())
    sends: list[tuple[float, int]] = []  # (pacer clock, rows "sending" at that moment)

    def observe(method, params):
        if method == "sendMessage" and "Tempo" in params.get("text", ""):
            sending = bot.db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending'"
                                     ).fetchone()[0]
            sends.append((clock.now, sending))
        return None

    bot.api.fault = observe
    job = SimpleNamespace(application=bot.app)  # what PTB's JobQueue hands a job callback
    await asyncio.gather(
        dispatcher._job(job),                      # the repeating job
        dispatcher._job(job),                      # the next-due wake-up
        dispatcher.run_pass(bot.app, wait=False),  # "send now" (Dispatcher.wake)
        dispatcher.run_pass(bot.app),              # the console's settle
        dispatcher._job(job),
    )
    assert len(sends) == item.recipients == 6
    assert [n for _, n in sends] == [1] * 6
    gaps = [b - a for (a, _), (b, _) in zip(sends, sends[1:], strict=False)]
    assert min(gaps) >= 1 / rate - 1e-9, gaps
    assert outbox.counts(bot.db, subject=item.subject)["sent"] == 6
    delivered = [c.chat_id for c in bot.api.sent() if "Tempo" in c.text]
    assert len(delivered) == len(set(delivered)) == 6


async def test_a_second_pass_waits_its_turn_and_keeps_the_pace(bot):
    """A wake-up that comes while a pass is sending makes that pass look again; a pass that
    insists (wait=True) starts after it, on the same pacer: the gap across passes holds."""
    rate = bot.services.settings.messages_per_second
    clock = FakeMonotonic()
    dispatcher = bot.dispatcher
    dispatcher.pacer = Pacer(rate, sleep=clock.sleep, clock=clock)
    first = announcing.queue(bot.db, author_id=None, text="Golf een", audience={"kind": "all"},
                             audience_label="iedereen", planned_at=bot.now(), now=bot.now())
    times: list[float] = []
    queued: list[int] = []

    def observe(method, params):
        if method == "sendMessage" and "Golf " in params.get("text", ""):
            times.append(clock.now)
            if len(times) == 2 and not queued:  # "send now" of a second one, mid-pass
                queued.append(announcing.queue(
                    bot.db, author_id=None, text="Golf twee", audience={"kind": "all"},
                    audience_label="iedereen", planned_at=bot.now(), now=bot.now()).id)
        return None

    bot.api.fault = observe
    pass_task = asyncio.create_task(dispatcher.run_pass(bot.app))
    while len(times) < 3:
        await asyncio.sleep(0)
    assert await dispatcher.run_pass(bot.app, wait=False) is None  # asked to look again
    await pass_task
    assert len(times) == first.recipients * 2 == 12
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 1 / rate - 1e-9


async def test_the_real_clock_pacer_lands_on_its_slot_not_a_millisecond_late():
    """With the real clock the pacer sleeps to just before the slot and yields until it has
    come (asyncio alone wakes up to a millisecond late, which lengthened every gap). Here a
    clock that moves a little at every look stands in for the real one."""

    class Ticking(FakeMonotonic):
        def __call__(self) -> float:
            self.now += 0.0001  # time passes while the loop runs other tasks
            return self.now

    clock = Ticking()
    pacer = Pacer(29.0, sleep=clock.sleep, clock=clock)
    pacer.precise = True  # as with asyncio.sleep and the loop's clock
    releases = []
    for _ in range(20):
        await pacer.wait()
        releases.append(clock.now)
    gaps = [b - a for a, b in zip(releases, releases[1:], strict=False)]
    assert min(gaps) >= 1 / 29 - 1e-9
    assert max(gaps) < 1 / 29 + 0.0005  # at most a few looks late, never a whole millisecond
    assert all(s <= 1 / 29 - Pacer.EARLY + 1e-9 for s in clock.sleeps)


async def test_a_retry_whose_wait_ends_mid_pass_goes_out_in_its_place_in_that_pass(bot):
    """The pass reads its due rows a few at a time: a row that failed with a network error is
    due again after its back-off (2 s) and goes out in the same pass, before the rows queued
    after it, not after every other row of the broadcast. Still one row "sending" at a time,
    and nobody gets it twice."""
    clock = FakeMonotonic()
    dispatcher = bot.dispatcher
    dispatcher.pacer = Pacer(bot.services.settings.messages_per_second, sleep=clock.sleep,
                             clock=clock)
    dispatcher.READ_AHEAD = 2
    item = announcing.queue(bot.db, author_id=None, text="Inhaal", audience={"kind": "all"},
                            audience_label="iedereen", planned_at=bot.now(), now=bot.now())
    attempts: list[tuple[int, int]] = []  # (chat id, rows "sending")

    def flaky_first_then_a_second_per_send(method, params):
        if method != "sendMessage" or "Inhaal" not in params.get("text", ""):
            return None
        attempts.append((int(params["chat_id"]), bot.db.execute(
            "SELECT COUNT(*) FROM outbox WHERE status = 'sending'").fetchone()[0]))
        bot.clock.advance(timedelta(seconds=1))  # each send takes a second of the fake clock
        if len(attempts) == 1:
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        return None

    bot.api.fault = flaky_first_then_a_second_per_send
    report = await dispatcher.dispatch_due(bot.app.bot)
    chats = [chat for chat, _ in attempts]
    assert report.sent == item.recipients == 6 and report.retried == 1
    assert len(chats) == 7 and chats.count(chats[0]) == 2
    # failed at second 0, due again at second 2: read with the next two rows, not last
    assert chats.index(chats[0], 1) < len(chats) - 1
    assert [n for _, n in attempts] == [1] * 7
    assert outbox.counts(bot.db, subject=item.subject)["sent"] == 6
