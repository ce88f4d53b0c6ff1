"""Send the outbox rows that are due: one pass at a time, safe to run twice at once.

A pass: rows left in "sending" by a crash are reported (failed, never resent); each due row is
checked (too late, session started, handed in, muted, quiet hours), claimed atomically
(pending -> sending, so two dispatchers never send one row), composed from the current data,
sent through `delivery`, and recorded: sent only after Telegram accepted it.

The pace is at most `messages_per_second` (Telegram allows about 30 per bot). The pause between
sends goes through `sleep`, which tests and benchmarks can replace.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot

from delivery.sender import FAILED, RETRY, SENT, UNREACHABLE, deliver
from messages.render import Messages
from programme import calendar
from core.clock import Clock
from schedule import compose, planner
from schedule.settings import settings
from storage import outbox, people

log = logging.getLogger(__name__)


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


class Pacer:
    """At most `rate` sends per second, measured on the event loop's clock."""

    def __init__(self, rate: float, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] | None = None) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.sleep = sleep
        self.clock = clock or (lambda: asyncio.get_running_loop().time())
        self._next = 0.0

    async def wait(self) -> None:
        now = self.clock()
        if self._next > now:
            await self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def _too_late(row: outbox.OutboxRow, now: datetime) -> str | None:
    grace = settings().grace
    if row.kind == planner.SESSION_CHANGE:
        return None
    # Lateness counts from when the row could first go: a row waiting for a retry or for the
    # end of the quiet hours is not late because of that wait.
    if row.attempts == 0 and now - row.effective_at > grace:
        return (f"too late: planned {row.effective_at.isoformat()}, more than "
                f"{grace.total_seconds() / 3600:g} hours ago (the bot was down)")
    return None


async def dispatch_due(bot: Bot, db, messages: Messages, clock: Clock, *,
                       pacer: Pacer | None = None, limit: int | None = None,
                       on_progress: Callable[[], Awaitable[None]] | None = None,
                       progress_every: int = 50) -> PassReport:
    s = settings()
    report = PassReport()
    now = clock.now()
    report.stale = outbox.fail_stale_sending(db, now - s.stale_sending, now)
    if report.stale:
        log.warning("%d outbox rows were interrupted while sending; reported, not resent",
                    report.stale)
    pacer = pacer or Pacer(s.messages_per_second)
    for row in outbox.due(db, now, limit or s.dispatch_batch):
        now = clock.now()
        reason = _too_late(row, now)
        person = people.get(db, row.person_id) if row.person_id is not None else None
        if reason is None and (person is None or person.telegram_id is None):
            reason = "no such person (left or erased)"
        elif reason is None and person.status not in ("active",):
            reason = f"person is {person.status}"
        composed = None
        if reason is None:
            composed = compose.compose(db, row, person, messages, now)
            if isinstance(composed, compose.Skip):
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
        if not outbox.claim(db, row.id, now):
            report.lost_races += 1  # another dispatcher has it
            continue
        await pacer.wait()
        outcome = await deliver(bot, person.telegram_id, composed)
        now = clock.now()
        if outcome.status == SENT:
            outbox.mark_sent(db, row.id, now, outcome.message_id)
            report.sent += 1
            if on_progress is not None and report.sent % progress_every == 0:
                await on_progress()
        elif outcome.status == RETRY and outcome.retry_after is not None:
            wait = timedelta(seconds=outcome.retry_after)
            outbox.retry_later(db, row.id, now + wait, now, outcome.error, count_attempt=False)
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
