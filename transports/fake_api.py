"""A fake Bot API server inside the process: a PTB `BaseRequest` that answers like Telegram.

It records every method the bot calls (tests assert on them, the console prints them), keeps
message ids, stores uploaded documents, serves files for `getFile` downloads, and can inject
faults (429 with retry_after, 5xx, network errors, 403) for the fault tests.

With `watch(messages)` it also records which message templates (keys and values) are behind
each call: tests assert on `call.keys` and stored data, so rewording a template breaks only
its golden transcript.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import escape
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

BOT_USER = {"id": 777000, "is_bot": True, "first_name": "Kernbot", "username": "kernbot_demo_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}

SEND_METHODS = {"sendMessage", "sendDocument", "sendPhoto", "sendVoice", "sendAudio",
                "sendVideo", "sendMediaGroup", "editMessageText", "editMessageReplyMarkup",
                "editMessageCaption", "copyMessage", "forwardMessage"}


@dataclass(frozen=True)
class Rendered:
    """One template rendered while the bot built a call."""

    key: str
    language: str
    values: dict[str, Any]
    text: str


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None
    saved_paths: list[Path] = field(default_factory=list)
    rendered: list[Rendered] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """The message keys behind this call's text and button labels, in render order."""
        return [r.key for r in self.rendered]

    @property
    def key(self) -> str | None:
        """The message key of the whole text (the template the message is), or None: `keys`
        also holds the button labels and the smaller templates whose text is inside it."""
        text = self.text
        for r in self.rendered:
            if r.text == text or html.unescape(r.text) == text:
                return r.key
        return None

    def values(self, key: str) -> dict[str, Any]:
        """The values the template `key` was rendered with for this call."""
        for r in self.rendered:
            if r.key == key:
                return r.values
        raise KeyError(f"{key} not rendered for this call (rendered: {self.keys})")

    @property
    def language(self) -> str | None:
        return self.rendered[0].language if self.rendered else None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict]:
        """Inline keyboard buttons in reading order: [{'text':..., 'callback_data':...}]."""
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup or "inline_keyboard" not in markup:
            return []
        return [button for row in markup["inline_keyboard"] for button in row]


def _task_id() -> int:
    try:
        return id(asyncio.current_task())
    except RuntimeError:
        return 0


class Fault(Exception):
    """Raised inside the fake to simulate an HTTP-level failure."""


FaultRule = Callable[[str, dict], tuple[int, dict] | Exception | None]


class FakeBotAPI(BaseRequest):
    """Answers Bot API methods locally. Give the same instance to `.request()` and
    `.get_updates_request()`."""

    def __init__(self, *, documents_dir: Path | None = None,
                 on_call: Callable[[Call], None] | None = None) -> None:
        self.calls: list[Call] = []
        self.documents_dir = Path(documents_dir) if documents_dir else None
        self.on_call = on_call
        self.fault: FaultRule | None = None
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile + download
        self.updates: list[dict] = []  # served by getUpdates (process tests use a real server)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self.refuse_commands = False
        self._pending: dict[int, list[Rendered]] = {}  # per asyncio task: rendered, not sent
        # Short texts rendered so far (button labels), by text and by key: a keyboard the bot
        # built once and reuses renders no labels the next time, yet its buttons keep a key.
        self._labels: dict[str, Rendered] = {}
        self._label_texts: dict[str, dict[str, Rendered]] = {}
        self._watching = False  # keys are recorded only once `watch()` is called

    # -- message keys ------------------------------------------------------------------------
    def watch(self, messages) -> None:
        """Record the templates rendered by `messages` and attach them to the calls they end
        up in (matched by text, per asyncio task)."""
        def observe(key: str, language: str, values: dict, text: str) -> None:
            if text:
                rendered = Rendered(key, language, dict(values), text)
                self._pending.setdefault(_task_id(), []).append(rendered)
                if len(text) <= self.LABEL_MAX:
                    self._remember_label(rendered)

        messages.observer = observe
        self._watching = True

    LABEL_MAX = 128  # longer than any button label Telegram shows
    LABELS_KEPT = 20_000

    def _remember_label(self, rendered: Rendered) -> None:
        if len(self._labels) >= self.LABELS_KEPT:
            self._labels.clear()
            self._label_texts.clear()
        self._labels[rendered.text] = rendered
        self._label_texts.setdefault(rendered.key, {})[rendered.text] = rendered

    def label_renders(self, key: str) -> list[Rendered]:
        """Every short text the template `key` has rendered so far (one per distinct text)."""
        return list(self._label_texts.get(key, {}).values())

    def forget_pending(self) -> None:
        """A new update is about to be handled in this task: what was rendered before and
        never sent belongs to no call."""
        self._pending.pop(_task_id(), None)

    def _attach(self, call: Call) -> None:
        pending = self._pending.get(_task_id()) or []
        texts = [call.text, *(b.get("text", "") for b in call.buttons)]
        kept = []
        for r in pending:
            plain = html.unescape(r.text)
            escaped = str(escape(r.text))  # plain text (a label) put into an HTML message
            # the template's text is (part of) the call's text or a button label; a long
            # message split in parts has each part inside the template's text
            if any(t and (r.text in t or plain in t or escaped in t
                          or (len(t) >= 1000 and t in r.text)) for t in texts):
                call.rendered.append(r)
            else:
                kept.append(r)
        if pending:
            self._pending[_task_id()] = kept[-200:]
        # a button whose label was rendered for an earlier call (a reused keyboard)
        explained = {r.text for r in call.rendered} | {html.unescape(r.text)
                                                       for r in call.rendered}
        for button in call.buttons:
            label = button.get("text", "")
            if label and label not in explained and label in self._labels:
                call.rendered.append(self._labels[label])
                explained.add(label)

    # -- BaseRequest -------------------------------------------------------------------------
    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=None, write_timeout=None, connect_timeout=None,
                         pool_timeout=None) -> tuple[int, bytes]:
        await asyncio.sleep(0)  # like a real network call, let other tasks run meanwhile
        if "/file/bot" in url:
            file_path = url.rsplit("/", 1)[-1]
            content = self.files.get(file_path)
            if content is None:
                return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
            return 200, content
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        if self.fault is not None:
            outcome = self.fault(api_method, params)
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None:
                code, body = outcome
                return code, json.dumps(body).encode()
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None and request_data.contains_files:
            for name, value in (request_data.multipart_data or {}).items():
                if isinstance(value, tuple):
                    files[name] = (value[0] or name, value[1])
        call = Call(api_method, params, files)
        if self._watching and api_method in SEND_METHODS:
            self._attach(call)
        result = self._answer(call)
        call.result = result
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # -- answers -----------------------------------------------------------------------------
    def _message(self, chat_id: Any, **extra) -> dict:
        return {"message_id": next(self._message_ids), "date": 1_700_000_000,
                "chat": {"id": int(chat_id), "type": "private"}, "from": BOT_USER, **extra}

    def _answer(self, call: Call) -> Any:
        m, p = call.method, call.params
        if m == "getMe":
            return BOT_USER
        if m in {"setMyCommands", "deleteMyCommands", "answerCallbackQuery", "deleteWebhook",
                 "setWebhook", "sendChatAction", "deleteMessage", "close", "logOut"}:
            if m == "setMyCommands" and self.refuse_commands:
                raise NetworkError("setMyCommands refused by the fake server")
            return True
        if m == "getUpdates":
            served, self.updates = self.updates, []
            return served
        if m == "sendMessage":
            return self._message(p["chat_id"], text=p.get("text", ""))
        if m in {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}:
            if "chat_id" not in p:
                return True
            return self._message(p["chat_id"], text=p.get("text", ""))
        if m in {"sendDocument", "sendPhoto", "sendVoice", "sendAudio", "sendVideo"}:
            kind = m[4:].lower()
            media = p.get(kind)
            name = f"{kind}-{next(self._file_ids)}"
            if call.files:
                filename, content = next(iter(call.files.values()))
                name = Path(filename).name or name
                call.saved_paths.append(self._save(name, content))
            file_id = media if isinstance(media, str) and not call.files else f"sent-{name}"
            file_obj = {"file_id": file_id, "file_unique_id": file_id[-32:]}
            if kind == "photo":
                return self._message(p["chat_id"], photo=[{**file_obj, "width": 1, "height": 1}],
                                     caption=p.get("caption", ""))
            if kind == "document":
                file_obj["file_name"] = name
                file_obj["mime_type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if kind == "voice":
                file_obj["duration"] = 1
            return self._message(p["chat_id"], **{kind: file_obj}, caption=p.get("caption", ""))
        if m == "getFile":
            file_id = p["file_id"]
            if file_id not in self.files:
                raise TimedOut("getFile timed out (fake: file unknown)")
            return {"file_id": file_id, "file_unique_id": file_id[-32:],
                    "file_size": len(self.files[file_id]), "file_path": file_id}
        if m == "getChat":
            return {"id": int(p["chat_id"]), "type": "private"}
        return True

    def _save(self, name: str, content: bytes) -> Path:
        if self.documents_dir is None:
            return Path(name)
        self.documents_dir.mkdir(parents=True, exist_ok=True)
        stem, suffix = Path(name).stem, Path(name).suffix
        target = self.documents_dir / name
        n = 1
        while target.exists():
            n += 1
            target = self.documents_dir / f"{stem}-{n}{suffix}"
        target.write_bytes(content)
        return target

    # -- helpers for tests -------------------------------------------------------------------
    def add_file(self, content: bytes, file_id: str | None = None) -> str:
        """Make a file downloadable (as if a user had uploaded it); returns its file id."""
        file_id = file_id or f"upload-{next(self._file_ids)}"
        self.files[file_id] = content
        return file_id

    def sent(self, chat_id: int | None = None, since: int = 0) -> list[Call]:
        """Messages and documents sent (or edited) since index `since`, optionally to one chat."""
        return [c for c in self.calls[since:] if c.method in SEND_METHODS
                and (chat_id is None or c.chat_id == chat_id)]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]
