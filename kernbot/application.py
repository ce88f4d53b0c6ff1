"""Build the one Application: same handlers for Telegram, the console chat and the tests."""

from __future__ import annotations

from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest

import handlers
from handlers.commands import set_default_menus
from handlers.context import KernbotContext
from messages.render import Messages
from core.clock import Clock, SystemClock
from core.config import Config
from core.services import Services
from schedule import jobs as schedule_jobs
from schedule import settings as schedule_settings
from storage.db import checkpoint, connect

PLACEHOLDER_TOKEN = "123456:local-console-no-token"

# Features that run at start-up (planning jobs, the outbox dispatcher) append here:
# async callables taking the Application, called from post_init.
STARTUP_HOOKS: list[Any] = [schedule_jobs.start]


def build_services(config: Config, *, clock: Clock | None = None, db=None,
                   database: str | None = None) -> Services:
    if db is None:
        db = connect(database or config["storage"]["database"],
                     busy_timeout_ms=config["storage"]["busy_timeout_ms"])
    messages = Messages(config.default_language, config.timezone)
    messages.check_complete()
    schedule_settings.configure(config)
    return Services(config=config, db=db, messages=messages, clock=clock or SystemClock())


CHECKPOINT_SECONDS = 60


async def _checkpoint_job(context) -> None:
    checkpoint(context.application.bot_data["services"].db)


async def on_start(app: Application) -> None:
    """Start-up work: command menus, then each feature's hook. post_init for real Telegram;
    the console and the tests call it themselves."""
    await set_default_menus(app)
    if app.job_queue is not None:
        app.job_queue.run_repeating(_checkpoint_job, interval=CHECKPOINT_SECONDS,
                                    first=CHECKPOINT_SECONDS, name="wal-checkpoint",
                                    job_kwargs={"coalesce": True, "max_instances": 1,
                                                "misfire_grace_time": CHECKPOINT_SECONDS})
    for hook in STARTUP_HOOKS:
        await hook(app)


def build_application(config: Config, services: Services, *,
                      request: BaseRequest | None = None, rate_limit: bool | None = None
                      ) -> Application:
    """`request` replaces the HTTP transport (the fake Bot API of the console and the tests).
    The rate limiter is on for real Telegram and off for the in-process fake by default."""
    builder = (
        ApplicationBuilder()
        .token(config.token or PLACEHOLDER_TOKEN)
        .base_url(config["bot"]["base_url"])
        .base_file_url(config["bot"]["base_file_url"])
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=config.timezone,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .context_types(ContextTypes(context=KernbotContext))
        .post_init(on_start)
        .concurrent_updates(False)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if rate_limit if rate_limit is not None else request is None:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app = builder.build()
    app.bot_data["services"] = services
    handlers.register_all(app)
    return app
