"""A small Bot API server on 127.0.0.1 for tests that run `python bot.py` as a real process.

It answers getMe, getUpdates (long polling with offsets, like Telegram: unconfirmed updates are
served again), sendMessage, editMessageText, answerCallbackQuery, sendDocument, setMyCommands and
the other calls PTB makes at start-up, and records what the bot sent.

After `setWebhook` it delivers like Telegram's webhook instead: it POSTs the updates to the
bot's URL one at a time, in order, with the secret token, and sends an update again until the
bot answers 200 (getUpdates then gets 409, as from Telegram).

Hooks for the crash tests: `on_request(method, params)` runs when a request arrives (before it
is answered), `on_served(updates)` when getUpdates hands updates out, `on_push(update)` just
before an update is POSTed to the webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from transports.fake_api import Call

BOT = {"id": 777000, "is_bot": True, "first_name": "Kernbot", "username": "kernbot_test_bot",
       "can_join_groups": False, "can_read_all_group_messages": False,
       "supports_inline_queries": False}


# What the bot sent: the same record as the in-process fake's (chat_id, text, buttons).
Sent = Call


@dataclass
class BotApiServer:
    token: str
    host: str = "127.0.0.1"
    port: int = 0
    updates: list[dict] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    on_request: Callable[[str, dict], None] | None = None
    on_served: Callable[[list[dict]], None] | None = None
    on_push: Callable[[dict], None] | None = None

    def __post_init__(self) -> None:
        self._next_update_id = 1
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.confirmed = 0  # highest update id the bot confirmed (offset - 1, or a 200)
        self.webhook: tuple[str, str] | None = None  # (url, secret token) after setWebhook
        self._pusher: asyncio.Task | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self._runner is not None:
            await self._runner.cleanup()

    # -- webhook delivery, like Telegram ---------------------------------------------------------
    async def _push(self) -> None:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                if self.webhook is None or not self.updates:
                    self._new_update.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._new_update.wait(), 0.05)
                    continue
                url, secret = self.webhook
                update = self.updates[0]
                if self.on_push is not None:
                    self.on_push(update)
                try:
                    async with session.post(url, data=json.dumps(update), headers={
                            "Content-Type": "application/json",
                            "X-Telegram-Bot-Api-Secret-Token": secret}) as response:
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = 0  # the bot is down or died while answering: try again later
                if status == 200:
                    self.confirmed = max(self.confirmed, update["update_id"])
                    if self.updates and self.updates[0] is update:
                        self.updates.pop(0)
                else:
                    await asyncio.sleep(0.02)

    # -- what a user does ----------------------------------------------------------------------
    def next_update_id(self) -> int:
        """The id the next update a user sends will get."""
        return self._next_update_id

    def push(self, payload: dict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self.updates.append({"update_id": update_id, **payload})
        self._new_update.set()
        return update_id

    def user_json(self, user_id: int, name: str) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "nl"}

    def type_text(self, user_id: int, name: str, text: str) -> int:
        message = {"message_id": next(self._message_ids), "date": 1_700_000_000,
                   "chat": {"id": user_id, "type": "private", "first_name": name},
                   "from": self.user_json(user_id, name), "text": text}
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return self.push({"message": message})

    def press(self, user_id: int, name: str, data: str) -> int:
        return self.push({"callback_query": {
            "id": str(next(self._message_ids)), "from": self.user_json(user_id, name),
            "chat_instance": str(user_id), "data": data,
            "message": {"message_id": next(self._message_ids), "date": 1_700_000_000,
                        "chat": {"id": user_id, "type": "private"}, "from": BOT, "text": ""}}})

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    # -- the Bot API -------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            return await request.json()
        if request.content_type.startswith("multipart/"):
            data = await request.post()
            return {k: v if isinstance(v, str) else "<file>" for k, v in data.items()}
        data = await request.post()
        params = dict(data)
        params.update(request.query)
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        self.methods.append(method)
        if self.on_request is not None:
            self.on_request(method, params)
        if method == "getUpdates" and self.webhook is not None:
            return web.json_response({"ok": False, "error_code": 409, "description":
                                      "Conflict: can't use getUpdates method while webhook is"
                                      " active"}, status=409)
        result = await self._answer(method, params)
        return web.json_response({"ok": True, "result": result})

    async def _answer(self, method: str, params: dict) -> Any:
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            if offset:
                self.confirmed = max(self.confirmed, offset - 1)
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            timeout = float(params.get("timeout") or 0)
            if not self.updates and timeout:
                self._new_update.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), min(timeout, 1.0))
            served = self.updates[: int(params.get("limit") or 100)]
            if served and self.on_served is not None:
                self.on_served(served)
            return served
        if method == "setWebhook":
            self.webhook = (params["url"], params.get("secret_token", ""))
            if self._pusher is None:
                self._pusher = asyncio.get_running_loop().create_task(self._push())
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method in {"sendMessage", "editMessageText", "sendDocument", "sendPhoto"}:
            self.sent.append(Sent(method, params))
            return {"message_id": next(self._message_ids), "date": 1_700_000_000,
                    "chat": {"id": int(params.get("chat_id") or 0), "type": "private"},
                    "from": BOT, "text": params.get("text", "")}
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True  # setMyCommands, deleteWebhook, answerCallbackQuery, close, ...
