"""Long polling with the offset in the database, instead of PTB's Updater.

PTB's Updater confirms a batch to Telegram (the next getUpdates offset) as soon as it is on the
in-memory queue, before any handler ran: a crash in between loses those updates for good. Here
each batch is committed to the inbox together with the next offset, and only then is the next
getUpdates call made, which is what confirms the batch to Telegram. At start-up the offset is
read back from the database, so a restart neither loses nor re-reads a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3

from telegram import Bot, Update
from telegram.error import (
    Conflict,
    EndPointNotFound,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application

from delivery.sender import retry_after_seconds
from storage import inbox as store
from transports.inbox import Inbox

log = logging.getLogger(__name__)
POLL_TIMEOUT = 10  # seconds Telegram may hold a getUpdates call open (long polling)
MAX_BACKOFF = 30.0
READ_MARGIN = 10.0  # seconds a long poll may take beyond `timeout` before it counts as lost


async def fetch(bot: Bot, *, offset: int, timeout: float, limit: int) -> list[dict]:
    """getUpdates, with the updates as Telegram sent them: stored as they are, they need no
    re-serialisation (PTB's `Update.to_json` costs more than the inbox's INSERT). Through
    `Bot.do_api_request`, which takes the same request object and the same (absent) rate
    limiting as `Bot.get_updates`; its advice to use `get_updates` is silenced by the
    composition root."""
    kwargs: dict = {"timeout": timeout, "limit": limit, "allowed_updates": Update.ALL_TYPES}
    if offset:
        kwargs["offset"] = offset
    result = await bot.do_api_request("getUpdates", api_kwargs=kwargs,
                                      read_timeout=timeout + READ_MARGIN)
    return list(result or [])


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def poll(app: Application, inbox: Inbox, stop: asyncio.Event, *,
               timeout: float = POLL_TIMEOUT, limit: int = 100, first_backoff: float = 1.0
               ) -> None:
    """Fetch updates until `stop` is set. Raises InvalidToken or EndPointNotFound (a revoked
    token: nothing here can fix that).
    After a failure it waits `first_backoff` seconds, doubling up to MAX_BACKOFF."""
    bot = app.bot
    db = inbox.services.db
    await bot.delete_webhook(drop_pending_updates=False)
    offset = store.next_offset(db)
    log.info("long polling from offset %s", offset or "(first unconfirmed)")
    backoff = first_backoff
    while not stop.is_set():
        try:
            raw = await fetch(bot, offset=offset, timeout=timeout, limit=limit)
        except TimedOut:
            continue
        except (InvalidToken, EndPointNotFound):
            raise
        except RetryAfter as exc:
            await _pause(stop, retry_after_seconds(exc))
            continue
        except Conflict:
            log.error("Telegram refuses getUpdates: another process polls with this token or a "
                      "webhook is set; trying again in %.0f s", backoff)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        except NetworkError as exc:
            log.warning("getUpdates failed (%s); trying again in %.0f s", exc, backoff)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = first_backoff
        if not raw:
            continue
        updates = [Update.de_json(data, bot) for data in raw]
        following = updates[-1].update_id + 1
        try:
            inbox.receive(updates, [json.dumps(data, ensure_ascii=False) for data in raw],
                          next_offset=following)
        except sqlite3.Error as exc:
            # Not stored: not confirmed either (the offset stays); Telegram serves them again.
            log.error("could not store %d updates in the inbox (%s); asking again in %.0f s",
                      len(updates), exc, backoff)
            await _pause(stop, backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        offset = following
