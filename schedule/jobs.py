"""Wiring into PTB's JobQueue (APScheduler): plan at start-up, catch up, then wake the
dispatcher every `dispatch_interval_seconds`. The outbox rows are the truth; the job only
decides when to look at them, so losing it (a restart) loses nothing."""

from __future__ import annotations

import logging

from telegram.ext import Application

from schedule import planner
from schedule.dispatcher import PassReport, dispatch_due
from schedule.settings import settings
from storage import outbox

log = logging.getLogger(__name__)
JOB_NAME = "outbox-dispatcher"


# Features that follow deliveries (announcement status messages) append async fn(app) here;
# they run during long passes and after each pass.
AFTER_PASS: list = []


async def _after_pass(app: Application) -> None:
    for hook in AFTER_PASS:
        try:
            await hook(app)
        except Exception:  # a status message that fails must not stop deliveries
            log.exception("after-pass hook %s failed", getattr(hook, "__name__", hook))


async def run_pass(app: Application) -> PassReport:
    services = app.bot_data["services"]
    report = await dispatch_due(app.bot, services.db, services.messages, services.clock,
                                on_progress=lambda: _after_pass(app))
    await _after_pass(app)
    _wake_for_next(app, report)
    return report


def wake_now(app: Application) -> None:
    """Run a pass as soon as possible (a coordinator pressed "send now")."""
    if app.job_queue is not None and app.running:
        app.job_queue.run_once(_job, 0, name=f"{JOB_NAME}-now")


def _wake_for_next(app: Application, report: PassReport) -> None:
    """Besides the regular interval, wake exactly when the next row falls due (or when
    Telegram said we may send again), so a reminder is not up to an interval late."""
    if app.job_queue is None or not app.running:
        return
    services = app.bot_data["services"]
    if report.retry_after:
        delay = report.retry_after
    else:
        due = outbox.next_due_at(services.db)
        if due is None:
            return
        delay = max(0.0, (due - services.clock.now()).total_seconds())
    if delay >= settings().dispatch_interval_seconds:
        return  # the repeating job comes first
    for job in app.job_queue.get_jobs_by_name(f"{JOB_NAME}-next"):
        job.schedule_removal()
    app.job_queue.run_once(_job, delay, name=f"{JOB_NAME}-next",
                           job_kwargs={"misfire_grace_time": None, "coalesce": True})


async def _job(context) -> None:
    await run_pass(context.application)


async def start(app: Application) -> None:
    """STARTUP_HOOK: re-plan everything (idempotent), send what became due while down, and
    start the repeating dispatcher job."""
    services = app.bot_data["services"]
    report = planner.plan_all(services.db, services.clock.now())
    log.info("planned timed messages: %s", report)
    await run_pass(app)
    if app.job_queue is not None:
        interval = settings().dispatch_interval_seconds
        app.job_queue.run_repeating(
            _job, interval=interval, first=interval, name=JOB_NAME,
            job_kwargs={"misfire_grace_time": int(interval * 10), "coalesce": True,
                        "max_instances": 1})


async def travel(app: Application, clock, target) -> None:
    """CLOCK_HOOK of the console: walk the demo clock forward to `target`, stopping at every
    moment a message falls due, so a jump of a week shows that week's messages at their time
    instead of skipping them as "too late"."""
    db = app.bot_data["services"].db
    for _ in range(10_000):
        due = outbox.next_due_at(db)
        if due is None or due > target:
            break
        if due > clock.now():
            clock.advance(due - clock.now())
        report = await run_pass(app)
        if not (report.sent or report.skipped or report.deferred or report.retried
                or report.failed or report.unreachable):
            break
    if target > clock.now():
        clock.advance(target - clock.now())
    await run_pass(app)
