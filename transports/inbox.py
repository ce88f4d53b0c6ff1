"""Every update goes through the inbox: committed to SQLite before Telegram is told it arrived,
then handled from there, in the order received within each chat and concurrently across
chats (the Application's update processor, transports/updates.py: one person flooding the bot
does not hold up the others).

    polling   transports/polling.py stores each getUpdates batch together with the next offset
              and only then asks for the next batch (which is what confirms the batch)
    webhook   transports/webhook.py answers 200 only after the update is stored
    console,  `deliver()` stores and handles at once, through the very same rows
    tests

`handle()` runs the Application's handlers (`Application.process_update`) and then marks the
update done (processed and out of the inbox, one step); a handler whose change must not happen
twice records the update id in its own transaction (flow answers do), so "effects committed"
and "processed" are one commit.

At start-up `recover()` looks at what a crash left behind, oldest first: an update never
handled is handled now; an update whose effects are committed but which is still in the inbox
may have lost its reply, so the chat is owed one: `on_owed` re-sends the current prompt once
per chat (unless a later update of that chat, handled now, answers anyway).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from telegram import Update
from telegram.ext import Application

from core.services import Services
from storage import inbox as store

log = logging.getLogger(__name__)

# fn(app, update, received_at): re-send the current prompt of the update's chat.
OwedHook = Callable[[Application, Update, datetime], Awaitable[None]]


@dataclass
class Recovery:
    handled: int = 0     # updates that were stored but not yet handled
    reprompted: int = 0  # chats that were owed a reply and got their current prompt again
    settled: int = 0     # owed rows settled without a message (a later update answers)


def chat_of(update: Update) -> int | None:
    chat = update.effective_chat
    if chat is not None:
        return chat.id
    user = update.effective_user
    return user.id if user is not None else None


class Inbox:
    def __init__(self, app: Application, services: Services,
                 on_owed: OwedHook | None = None) -> None:
        self.app = app
        self.services = services
        self.on_owed = on_owed
        self._queue: asyncio.Queue[Update | None] = asyncio.Queue()
        self._worker: asyncio.Task | None = None
        self._stopping = False
        self._running: set[asyncio.Task] = set()

    # -- receiving -----------------------------------------------------------------------------
    def store(self, updates: Sequence[Update], payloads: Sequence[str] | None = None, *,
              next_offset: int | None = None) -> list[Update]:
        """Commit the updates (and the polling offset) in one transaction; returns the ones
        that are new. When this returns, a crash no longer loses them."""
        rows = [(u.update_id, chat_of(u), payloads[i] if payloads is not None else u.to_json())
                for i, u in enumerate(updates)]
        fresh = store.store(self.services.db, rows, self.services.clock.now(),
                            next_offset=next_offset)
        return [u for u in updates if u.update_id in fresh]

    def receive(self, updates: Sequence[Update], payloads: Sequence[str] | None = None, *,
                next_offset: int | None = None) -> int:
        """Store, then queue the new ones for the worker (polling, webhook)."""
        fresh = self.store(updates, payloads, next_offset=next_offset)
        for update in fresh:
            self._queue.put_nowait(update)
        return len(fresh)

    async def deliver(self, update: Update, payload: str | None = None) -> bool:
        """Store and handle at once (the console and the tests' simulator). False when the
        update was already stored or handled (a redelivery): then nothing happens."""
        if not self.store([update], [payload] if payload is not None else None):
            return False
        await self.handle(update)
        return True

    # -- handling ------------------------------------------------------------------------------
    async def handle(self, update: Update) -> None:
        await self.app.process_update(update)
        db = self.services.db
        if not store.is_done(db, update.update_id):  # handlers that stop early, error paths
            store.done(db, update.update_id, self.services.clock.now())

    def start(self) -> None:
        """Handle queued updates: in the order stored within a chat, chats side by side."""
        self._stopping = False
        self._worker = asyncio.create_task(self._work(), name="kernbot-inbox")

    async def _work(self) -> None:
        while not self._stopping:
            update = await self._queue.get()
            if update is None:
                break
            task = asyncio.create_task(self._handle_in_turn(update))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        if self._running:   # finish what is being handled; the rest stays in the inbox
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _handle_in_turn(self, update: Update) -> None:
        """Wait for this chat's earlier updates (a lock per chat, first come first served),
        then handle it."""
        try:
            processor = self.app.update_processor
            await processor.process_update(update, self.handle(update))
        except Exception:  # the row stays in the inbox; the next start handles it
            log.exception("update %s could not be handled; it stays in the inbox",
                          update.update_id)

    async def stop(self) -> None:
        """Finish the update being handled; what is still queued stays in the inbox (it is
        committed) and is handled at the next start."""
        if self._worker is None:
            return
        self._stopping = True
        self._queue.put_nowait(None)
        await self._worker
        self._worker = None

    @property
    def backlog(self) -> int:
        return self._queue.qsize()

    # -- start-up ------------------------------------------------------------------------------
    async def recover(self) -> Recovery:
        db = self.services.db
        rows = store.waiting(db)
        report = Recovery()
        if not rows:
            return report
        last_unhandled: dict[int | None, int] = {}
        last_owed: dict[int | None, int] = {}
        for row in rows:
            (last_owed if row.processed else last_unhandled)[row.chat_id] = row.update_id
        for row in rows:
            try:
                update = Update.de_json(json.loads(row.payload), self.app.bot)
            except Exception:
                log.exception("update %s in the inbox cannot be read; dropped", row.update_id)
                store.done(db, row.update_id, self.services.clock.now())
                continue
            if not row.processed:
                await self.handle(update)
                report.handled += 1
                continue
            if (self.on_owed is not None and row.chat_id is not None
                    and last_owed[row.chat_id] == row.update_id
                    and last_unhandled.get(row.chat_id, -1) < row.update_id):
                try:
                    await self.on_owed(self.app, update, row.received_at)
                    report.reprompted += 1
                except Exception:  # once: a failed re-send is logged, not repeated forever
                    log.exception("could not re-send the current prompt to chat %s",
                                  row.chat_id)
            else:
                report.settled += 1
            store.done(db, row.update_id, self.services.clock.now())
        log.info("inbox after the last stop: %d updates handled now, %d chats got their "
                 "current prompt again", report.handled, report.reprompted)
        return report
