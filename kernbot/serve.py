"""Running the bot for real: the Application without PTB's Updater, our inbox, and either long
polling (transports/polling.py) or our webhook server (transports/webhook.py), until SIGTERM
or SIGINT.

Order at start-up: the process lock is already held (bot.py); initialise the Application
(getMe), start its job queue, `on_start` (handle what the inbox kept from the last run and
re-send owed prompts, menus, the dispatcher), then start handling and only then receiving.
At SIGTERM: stop receiving, finish the update being handled (the rest is committed and waits
for the next start), stop the job queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from telegram import Update
from telegram.ext import Application

from kernbot.composition import on_start
from transports.inbox import Inbox
from transports.polling import poll
from transports.webhook import WebhookServer

log = logging.getLogger("kernbot")


async def serve(app: Application, mode: str) -> int:
    config = app.bot_data["services"].config
    inbox: Inbox = app.bot_data["inbox"]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with app:
        await app.start()
        await on_start(app)
        inbox.start()
        try:
            if mode == "webhook":
                await _webhook(app, inbox, stop, config["webhook"])
            else:
                await _polling(app, inbox, stop)
        finally:
            await inbox.stop()
            await app.stop()
    return 0


async def _polling(app: Application, inbox: Inbox, stop: asyncio.Event) -> None:
    log.info("starting long polling")
    polling = asyncio.create_task(poll(app, inbox, stop), name="kernbot-polling")
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not polling.done():
        polling.cancel()  # an open getUpdates call confirms nothing new: safe to drop
    with contextlib.suppress(asyncio.CancelledError):
        await polling


async def _webhook(app: Application, inbox: Inbox, stop: asyncio.Event, hook: dict) -> None:
    server = WebhookServer(inbox, listen=hook["listen"], port=hook["port"], path=hook["path"],
                           secret_token=hook["secret_token"])
    server.start()
    log.info("webhook server listening on %s:%s", hook["listen"], hook["port"])
    try:
        await app.bot.set_webhook(url=hook["url"], secret_token=hook["secret_token"],
                                  allowed_updates=Update.ALL_TYPES)
        await stop.wait()
    finally:
        await server.stop()
