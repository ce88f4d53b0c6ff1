"""The one dispatcher: sends the outbox rows that are due, at one pace, one pass at a time.

A pass: rows left in "sending" by a crash are reported (failed, never resent); each due row is
checked (too late, session started, handed in, muted, quiet hours), composed from the current
data, and only then, right before the HTTP call, claimed (pending -> sending); it is recorded as
sent only after Telegram accepted it.

Every wake-up (the repeating job, "send now", the next due time, the console) goes through
`run_pass`. While a pass runs, another wake-up does not start a second pass: it asks the
running one to look again. One `Pacer` serves every pass, so the pace never exceeds
`messages_per_second` (Telegram allows about 30 per bot), whoever woke the dispatcher.

The timing lives in PTB's JobQueue (APScheduler): `attach()` plans at start-up, sends what
became due while the bot was down, and wakes the dispatcher every `dispatch_interval_seconds`
and exactly when the next row falls due. The rows are the truth; losing the jobs (a restart)
loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram.ext import Application

from core.services import Services
from core.settings import Settings
from delivery.sender import FAILED, RETRY, SENT, UNREACHABLE, deliver
from programme import calendar
from schedule import planner
from schedule.compose import Compose, Composer, Skip
from storage import outbox, people

log = logging.getLogger(__name__)
JOB_NAME = "outbox-dispatcher"

AfterPass = Callable[[Application], Awaitable[None]]


@dataclass
class PassReport:
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    stale: int = 0
    lost_races: int = 0
    retry_after: float | None = None  # Telegram asked to wait: the pass stopped early
    details: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.sent or self.skipped or self.deferred or self.retried or self.failed
                    or self.unreachable)


class Pacer:
    """At most `rate` sends per second, measured on a monotonic clock (the event loop's): two
    sends are never closer together than 1 / rate.

    asyncio wakes a sleeper up to a millisecond late (its poll timeout is whole milliseconds,
    more on a busy machine), and every late wake-up lengthens the pace: at 29 per second that
    alone cost about 3% of a broadcast's time. With the real clock the pacer therefore sleeps
    until `EARLY` before the slot and yields to the event loop (other tasks run) until the
    slot has come. An injected clock and sleep (the tests) are used as they are."""

    EARLY = 0.002  # seconds

    def __init__(self, rate: float, sleep: Callable[[float], Awaitable[None]] | None = None,
                 clock: Callable[[], float] | None = None) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.precise = sleep is None and clock is None
        self.sleep = sleep or asyncio.sleep
        self.clock = clock or (lambda: asyncio.get_running_loop().time())
        self._next = 0.0

    async def wait(self) -> None:
        now = self.clock()
        if self._next > now:
            if not self.precise:
                await self.sleep(self._next - now)
            else:
                if self._next - now > self.EARLY:
                    await self.sleep(self._next - now - self.EARLY)
                while self.clock() < self._next:
                    await asyncio.sleep(0)
            now = max(self._next, self.clock())
        self._next = now + self.interval


def too_late(settings: Settings, row: outbox.OutboxRow, now: datetime) -> str | None:
    if row.kind == planner.SESSION_CHANGE:
        return None
    # Lateness counts from when the row could first go: a row waiting for a retry or for the
    # end of the quiet hours is not late because of that wait.
    if row.attempts == 0 and now - row.effective_at > settings.grace:
        return (f"too late: planned {row.effective_at.isoformat()}, more than "
                f"{settings.grace.total_seconds() / 3600:g} hours ago (the bot was down)")
    return None


class Dispatcher:
    READ_AHEAD = 50  # due rows read at once: under 2 ms, well inside one slot at 29/s

    def __init__(self, services: Services, composers: dict[str, Composer],
                 after_pass: list[AfterPass] | tuple[AfterPass, ...] = (), *,
                 pacer: Pacer | None = None) -> None:
        self.services = services
        self.composers = dict(composers)
        self.after_pass = list(after_pass)
        self.pacer = pacer or Pacer(services.settings.messages_per_second)
        self.planner = planner.Planner(services.settings)
        self._lock = asyncio.Lock()
        self._again = False

    # -- one pass ------------------------------------------------------------------------------
    def compose(self, row: outbox.OutboxRow, person: people.Person, now: datetime):
        fn = self.composers.get(row.kind)
        if fn is None:
            return Skip(f"unknown kind {row.kind!r}")
        s = self.services
        return fn(Compose(s.db, s.messages, s.settings, s.flows, now), row, person)

    async def dispatch_due(self, bot, *, limit: int | None = None,
                           on_progress: Callable[[], Awaitable[None]] | None = None,
                           progress_every: int = 50) -> PassReport:
        """One pass over the due rows. Call through `run_pass` (which serialises passes)."""
        services = self.services
        db, clock, s = services.db, services.clock, services.settings
        report = PassReport()
        now = clock.now()
        report.stale = outbox.fail_stale_sending(db, now - s.stale_sending, now)
        if report.stale:
            log.warning("%d outbox rows were interrupted while sending; reported, not resent",
                        report.stale)
        for row in self._due_rows(limit or s.dispatch_batch):
            now = clock.now()
            reason = too_late(s, row, now)
            person = people.get(db, row.person_id) if row.person_id is not None else None
            if reason is None and (person is None or person.telegram_id is None):
                reason = "no such person (left or erased)"
            elif reason is None and person.status not in ("active",):
                reason = f"person is {person.status}"
            composed = None
            if reason is None:
                composed = self.compose(row, person, now)
                if isinstance(composed, Skip):
                    reason = composed.reason
            if reason is not None:
                if outbox.finish(db, row.id, outbox.SKIPPED, now, reason,
                                 from_status=outbox.PENDING):
                    report.skipped += 1
                continue
            if not planner.quiet_exempt(row.kind, row.unique_key.rsplit(":", 1)[-1]) and \
                    calendar.in_quiet_hours(now, s.quiet_start, s.quiet_end, s.tz):
                until = calendar.out_of_quiet_hours(now, s.quiet_start, s.quiet_end, s.tz)
                outbox.defer(db, row.id, until, now, "quiet hours")
                report.deferred += 1
                continue
            await self.pacer.wait()
            # Claimed right before the call: a crash during the pacing wait leaves the row
            # pending (it will be sent), never "sending" without an attempt.
            if not outbox.claim(db, row.id, clock.now()):
                report.lost_races += 1  # cancelled meanwhile, or another process has it
                continue
            outcome = await deliver(bot, person.telegram_id, composed)
            now = clock.now()
            if outcome.status == SENT:
                outbox.mark_sent(db, row.id, now, outcome.message_id)
                report.sent += 1
                if on_progress is not None and report.sent % progress_every == 0:
                    await on_progress()
            elif outcome.status == RETRY and outcome.retry_after is not None:
                wait = timedelta(seconds=outcome.retry_after)
                outbox.retry_later(db, row.id, now + wait, now, outcome.error,
                                   count_attempt=False)
                report.retried += 1
                report.retry_after = outcome.retry_after
                break  # every further send would get the same answer: wait as asked
            elif outcome.status == RETRY and row.attempts + 1 < s.max_attempts:
                backoff = timedelta(seconds=s.retry_backoff_seconds * 2 ** row.attempts)
                outbox.retry_later(db, row.id, now + backoff, now, outcome.error)
                report.retried += 1
            elif outcome.status == UNREACHABLE:
                outbox.finish(db, row.id, outbox.UNREACHABLE, now, outcome.error)
                people.update(db, person.id, now, status="unreachable")
                report.unreachable += 1
            else:
                error = outcome.error if outcome.status == FAILED else (
                    f"gave up after {row.attempts + 1} attempts: {outcome.error}")
                outbox.finish(db, row.id, outbox.FAILED, now, error)
                report.failed += 1
        return report

    def _due_rows(self, limit: int):
        """The pass's rows in their place in line (planned time, then id), read `READ_AHEAD`
        at a time and again after each read is used up, at most `limit` in all. A row whose
        retry wait ends during the pass (2 s after a network error) so goes out in its place,
        not after a whole batch of 500 (17 s at 29 per second) has gone before it: a retry
        that fails again then has its own, longer wait behind it while the pass still has
        other rows to send, instead of at the end of a broadcast. Every row handled leaves
        the due rows (sent, retried later, skipped, deferred, claimed elsewhere), so a later
        read never returns it again unless its wait is over."""
        db, clock = self.services.db, self.services.clock
        left = limit
        while left > 0:
            rows = outbox.due(db, clock.now(), min(left, self.READ_AHEAD))
            if not rows:
                return
            for row in rows:
                yield row
                left -= 1

    async def run_pass(self, app: Application, *, wait: bool = True) -> PassReport | None:
        """The one way to run a pass. With `wait=False` (timer wake-ups) a running pass is
        asked to look again instead of a second pass starting; returns None then."""
        if not wait and self._lock.locked():
            self._again = True
            return None
        async with self._lock:
            report = await self._pass_and_hooks(app)
            while self._again:
                self._again = False
                report = await self._pass_and_hooks(app)
        self._wake_for_next(app, report)
        return report

    async def _pass_and_hooks(self, app: Application) -> PassReport:
        report = await self.dispatch_due(app.bot, on_progress=lambda: self._after(app))
        await self._after(app)
        return report

    async def _after(self, app: Application) -> None:
        for hook in self.after_pass:
            try:
                await hook(app)
            except Exception:  # a status message that fails must not stop deliveries
                log.exception("after-pass hook %s failed", getattr(hook, "__name__", hook))

    # -- timing (PTB JobQueue) -----------------------------------------------------------------
    def wake(self, app: Application) -> None:
        """Look at the outbox as soon as possible (a coordinator pressed "send now")."""
        if app.job_queue is not None and app.running:
            app.job_queue.run_once(self._job, 0, name=f"{JOB_NAME}-now")

    def _wake_for_next(self, app: Application, report: PassReport) -> None:
        """Besides the regular interval, wake exactly when the next row falls due (or when
        Telegram said we may send again), so a reminder is not up to an interval late."""
        if app.job_queue is None or not app.running:
            return
        s = self.services
        if report.retry_after:
            delay = report.retry_after
        else:
            due = outbox.next_due_at(s.db)
            if due is None:
                return
            delay = max(0.0, (due - s.clock.now()).total_seconds())
        if delay >= s.settings.dispatch_interval_seconds:
            return  # the repeating job comes first
        for job in app.job_queue.get_jobs_by_name(f"{JOB_NAME}-next"):
            job.schedule_removal()
        app.job_queue.run_once(self._job, delay, name=f"{JOB_NAME}-next",
                               job_kwargs={"misfire_grace_time": None, "coalesce": True})

    async def _job(self, context) -> None:
        await self.run_pass(context.application, wait=False)

    async def attach(self, app: Application) -> None:
        """At start-up: report rows a crash left "sending", re-plan everything (idempotent),
        send what became due while down, and start the repeating job."""
        services = self.services
        now = services.clock.now()
        # Rows still "sending" belong to a process that died between the claim and Telegram's
        # answer (the process lock guarantees no other one is running): reported, not resent.
        interrupted = outbox.fail_stale_sending(services.db, None, now)
        if interrupted:
            log.warning("%d outbox rows were interrupted while sending by the last stop; "
                        "reported, not resent", interrupted)
        report = self.planner.plan_all(services.db, now)
        log.info("planned timed messages: %s", report)
        await self.run_pass(app)
        if app.job_queue is not None:
            interval = services.settings.dispatch_interval_seconds
            app.job_queue.run_repeating(
                self._job, interval=interval, first=interval, name=JOB_NAME,
                job_kwargs={"misfire_grace_time": int(interval * 10), "coalesce": True,
                            "max_instances": 1})

    async def travel(self, app: Application, clock, target: datetime) -> None:
        """The console's clock hook: walk the demo clock forward to `target`, stopping at every
        moment a message falls due, so a jump of a week shows that week's messages at their
        time instead of skipping them as "too late"."""
        db = self.services.db
        for _ in range(10_000):
            due = outbox.next_due_at(db)
            if due is None or due > target:
                break
            if due > clock.now():
                clock.advance(due - clock.now())
            report = await self.run_pass(app)
            if not report.changed:
                break
        if target > clock.now():
            clock.advance(target - clock.now())
        await self.run_pass(app)
