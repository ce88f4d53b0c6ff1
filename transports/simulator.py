"""Type as a Telegram user into a running Application: messages, commands, button presses, files.

Builds real `Update` objects from the JSON Telegram would send and feeds them through the
inbox to `Application.process_update`, so every handler, filter and error handler runs as in
production.
Used by the tests and by the console chat.
"""

from __future__ import annotations

import html
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from transports.fake_api import Call, FakeBotAPI


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    last_name: str = ""
    language_code: str = "nl"
    username: str | None = None

    def as_json(self) -> dict:
        data = {"id": self.id, "is_bot": False, "first_name": self.first_name,
                "language_code": self.language_code}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


TELEGRAM_TEXT_LIMIT = 4096


def split_like_telegram(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """The messages a Telegram client sends for one typed text: at most `limit` characters
    each, cut after the last space or line break that fits (hard cut when there is none)."""
    parts = []
    while len(text) > limit:
        cut = max(text.rfind(" ", 0, limit), text.rfind("\n", 0, limit))
        cut = cut if cut > 0 else limit
        parts.append(text[:cut])
        text = text[cut:].lstrip(" \n")
    return [*parts, text]


class ButtonNotFound(LookupError):
    pass


class ChatSimulator:
    """One Application, many simulated users, one fake Bot API."""

    def __init__(self, app: Application, api: FakeBotAPI, *, first_update_id: int = 1) -> None:
        self.app = app
        self.api = api
        self._update_ids = itertools.count(first_update_id)
        self._message_ids = itertools.count(100_000)
        self._callback_ids = itertools.count(1)

    # -- building updates --------------------------------------------------------------------
    def _chat(self, user: User) -> dict:
        chat = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.last_name:
            chat["last_name"] = user.last_name
        return chat

    def message_json(self, user: User, **content: Any) -> dict:
        message = {"message_id": next(self._message_ids), "date": 1_700_000_000,
                   "chat": self._chat(user), "from": user.as_json(), **content}
        return {"update_id": next(self._update_ids), "message": message}

    async def feed(self, data: dict) -> list[Call]:
        """Process one update (as JSON) and return what the bot sent while handling it. It goes
        through the inbox, as in production (stored, handled, done); a redelivered update id
        is not handled again."""
        start = len(self.api.calls)
        self.api.forget_pending()
        update = Update.de_json(data, self.app.bot)
        inbox = self.app.bot_data.get("inbox")
        if inbox is None:
            await self.app.process_update(update)
        else:
            await inbox.deliver(update, json.dumps(data))
        return self.api.sent(since=start)

    # -- what users do -----------------------------------------------------------------------
    async def send(self, user: User, text: str) -> list[Call]:
        """Type a message. Like a Telegram client, a text over 4,096 characters goes out as
        several messages (cut at a space where possible), one update each."""
        calls: list[Call] = []
        for part in split_like_telegram(text):
            content: dict[str, Any] = {"text": part}
            if part.startswith("/"):
                command = part.split()[0]
                content["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": len(command.encode("utf-16-le")) // 2}]
            calls += await self.feed(self.message_json(user, **content))
        return calls

    async def press(self, user: User, callback_data: str, message: Call | None = None
                    ) -> list[Call]:
        """Press a button with this callback data (also forged data, for the tests)."""
        msg_id = message.result["message_id"] if message is not None and isinstance(
            message.result, dict) else next(self._message_ids)
        data = {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": str(next(self._callback_ids)),
                "from": user.as_json(),
                "chat_instance": str(user.id),
                "data": callback_data,
                "message": {"message_id": msg_id, "date": 1_700_000_000,
                            "chat": self._chat(user), "from": {"id": 777000, "is_bot": True,
                                                                "first_name": "Kernbot"},
                            "text": message.text if message is not None else ""},
            },
        }
        return await self.feed(data)

    def last_keyboard(self, user: User) -> Call | None:
        for call in reversed(self.api.calls):
            if call.chat_id == user.id and call.buttons:
                return call
        return None

    async def tap(self, user: User, label: str | int | None = None, *, key: str | None = None,
                  values: dict[str, Any] | None = None) -> list[Call]:
        """Press a button of the latest keyboard sent to this user: by number (1-based), by
        (part of) its label, or by the message key of its label (`key="flows/options/yes"`,
        with `values` to choose among buttons of one template, e.g. `{"number": 2}`)."""
        call = self.last_keyboard(user)
        if call is None:
            raise ButtonNotFound(f"no keyboard was sent to {user.id}")
        buttons = [b for b in call.buttons if "callback_data" in b]
        if key is not None:
            button = self._button_by_key(call, buttons, key, values or {})
        elif isinstance(label, int):
            if not 1 <= label <= len(buttons):
                raise ButtonNotFound(f"no button {label} in {[b['text'] for b in buttons]}")
            button = buttons[label - 1]
        elif label is not None:
            matches = [b for b in buttons if b["text"] == label] or [
                b for b in buttons if label.lower() in b["text"].lower()]
            if not matches:
                raise ButtonNotFound(f"no button {label!r} in {[b['text'] for b in buttons]}")
            button = matches[0]
        else:
            raise TypeError("tap() needs a label, a number or key=")
        return await self.press(user, button["callback_data"], call)

    def _button_by_key(self, call: Call, buttons: list[dict], key: str,
                       values: dict[str, Any]) -> dict:
        """The button whose label is the text of template `key` (rendered for this keyboard,
        or earlier for a keyboard the bot reused); a label wrapped by another template (a
        tick before a chosen option) counts too."""
        language = call.language
        renders = [r for r in (*call.rendered, *self.api.label_renders(key)) if r.key == key
                   and (language is None or r.language == language)
                   and all(r.values.get(name) == value for name, value in values.items())]
        texts = sorted({t for r in renders for t in (r.text, html.unescape(r.text))},
                       key=len, reverse=True)
        for matches in ([b for t in texts for b in buttons if b["text"] == t],
                        [b for t in texts for b in buttons if t in b["text"]]):
            if matches:
                return matches[0]
        raise ButtonNotFound(f"no button with key {key!r} {values or ''} in "
                             f"{[b['text'] for b in buttons]} (keys: {call.keys})")

    async def send_photo(self, user: User, content: bytes, caption: str = "",
                         media_group_id: str | None = None) -> list[Call]:
        file_id = self.api.add_file(content)
        extra: dict[str, Any] = {"photo": [{"file_id": file_id, "file_unique_id": file_id,
                                            "width": 800, "height": 600,
                                            "file_size": len(content)}]}
        if caption:
            extra["caption"] = caption
        if media_group_id:
            extra["media_group_id"] = media_group_id
        return await self.feed(self.message_json(user, **extra))

    async def send_album(self, user: User, photos: list[bytes], caption: str = "") -> list[Call]:
        """An album: one message per photo sharing a media_group_id, as Telegram sends it (the
        caption, if any, on the first)."""
        group = f"album-{next(self._message_ids)}"
        calls: list[Call] = []
        for n, content in enumerate(photos):
            calls += await self.send_photo(user, content, caption if n == 0 else "",
                                           media_group_id=group)
        return calls

    async def send_document(self, user: User, content: bytes, file_name: str,
                            mime_type: str = "application/octet-stream", caption: str = "",
                            file_size: int | None = None, omit_size: bool = False
                            ) -> list[Call]:
        """`omit_size`: like Telegram sometimes does, the update does not say how big it is."""
        file_id = self.api.add_file(content)
        extra: dict[str, Any] = {"document": {
            "file_id": file_id, "file_unique_id": file_id, "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content) if file_size is None else file_size}}
        if omit_size:
            del extra["document"]["file_size"]
        if caption:
            extra["caption"] = caption
        return await self.feed(self.message_json(user, **extra))

    async def send_file_path(self, user: User, path: Path, caption: str = "") -> list[Call]:
        """The console's way to send a local file: images as photos, the rest as documents."""
        content = path.read_bytes()
        if path.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"}:
            return await self.send_photo(user, content, caption)
        import mimetypes

        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return await self.send_document(user, content, path.name, mime, caption)

    async def send_voice(self, user: User, content: bytes = b"OggS", duration: int = 3
                         ) -> list[Call]:
        file_id = self.api.add_file(content)
        return await self.feed(self.message_json(user, voice={
            "file_id": file_id, "file_unique_id": file_id, "duration": duration,
            "mime_type": "audio/ogg", "file_size": len(content)}))

    async def send_sticker(self, user: User) -> list[Call]:
        return await self.feed(self.message_json(user, sticker={
            "file_id": "sticker-1", "file_unique_id": "sticker-1", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "type": "regular"}))

    async def send_location(self, user: User) -> list[Call]:
        return await self.feed(self.message_json(
            user, location={"latitude": 51.13, "longitude": 4.57}))
