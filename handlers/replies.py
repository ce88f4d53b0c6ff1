"""Sending rendered messages and building inline keyboards (with the 64-byte callback limit)."""

from __future__ import annotations

import logging
from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, TelegramError

from handlers.access import Actor, refusal_key
from handlers.context import KernbotContext
from messages import telegram_html

log = logging.getLogger(__name__)
MAX_CALLBACK_BYTES = 64
MAX_TEXT = 4096


class CallbackDataTooLong(ValueError):
    pass


def button(label: str, data: str) -> InlineKeyboardButton:
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise CallbackDataTooLong(f"callback data over 64 bytes: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """rows of (label, callback_data)."""
    return InlineKeyboardMarkup([[button(label, data) for label, data in row] for row in rows])


class _SerializedOnce:
    """Mixin for a Telegram object sent many times: it serialises itself once (Telegram
    objects are immutable after construction)."""

    __slots__ = ()  # PTB reads the slots of every class in the MRO

    def to_dict(self, recursive: bool = True) -> dict:
        cached = self.__dict__.get("_kernbot_dict")
        if cached is None or not recursive:
            cached = super().to_dict(recursive)
            if recursive:
                with self._unfrozen():
                    self._kernbot_dict = cached
        return cached


class SerializedOnce(_SerializedOnce, InlineKeyboardMarkup):
    """A keyboard that serialises itself once: a question's keyboard is sent many times
    (every participant meets the same question)."""


class NoLinkPreviews(_SerializedOnce, LinkPreviewOptions):
    """The default of every text the bot sends (PTB's `Defaults`): no link preview cards.
    Serialised once instead of on every message."""

    def __init__(self) -> None:
        super().__init__(is_disabled=True)


class Keyboards:
    """Keyboards built from the same rows are the same object (a bounded cache per
    Application, kept in bot_data by the composition root)."""

    LIMIT = 5000

    def __init__(self) -> None:
        self._cache: dict[tuple, InlineKeyboardMarkup] = {}

    def get(self, rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
        key = tuple(tuple(row) for row in rows)
        return self.cached(key) or self.remember(key, rows)

    def cached(self, key: tuple) -> InlineKeyboardMarkup | None:
        """The keyboard remembered under `key` (for instance a view of one question)."""
        return self._cache.get(key)

    def remember(self, key: tuple, rows: list[list[tuple[str, str]]]
                 ) -> InlineKeyboardMarkup | None:
        """Build the keyboard of `rows` (None when there are none) and keep it under `key`."""
        markup = SerializedOnce([[button(label, data) for label, data in row]
                                 for row in rows]) if rows else None
        if len(self._cache) >= self.LIMIT:
            self._cache.clear()
        self._cache[key] = markup
        return markup


class Sent(NamedTuple):
    """What the bot keeps of a message it sent: where it is, to edit it later (a text sent in
    parts: the last part, and every part's id in `parts`)."""

    chat_id: int
    message_id: int
    parts: tuple[int, ...] = ()


# What PTB's `Defaults` insert into every other call (the composition root sets them; a test
# checks the two agree).
TEXT_OPTIONS = {"parse_mode": ParseMode.HTML, "link_preview_options": {"is_disabled": True}}


async def _text_call(context: KernbotContext, method: str, chat_id: int, text: str,
                     markup: InlineKeyboardMarkup | None, **ids) -> Sent | None:
    """sendMessage / editMessageText through PTB's `do_api_request`: the same request path
    (rate limiter, errors as `TelegramError`s), but Telegram's answer is not parsed into a
    `Message`, which costs PTB about 65 us and of which the bot only ever needs the id."""
    try:
        result = await context.bot.do_api_request(method, api_kwargs={
            "chat_id": chat_id, **ids, "text": text, **TEXT_OPTIONS, "reply_markup": markup})
    except EndPointNotFound as exc:  # what do_api_request makes of a revoked token
        raise InvalidToken(str(exc)) from exc
    if isinstance(result, dict) and "message_id" in result:
        return Sent(chat_id, result["message_id"], (result["message_id"],))
    return None


async def edit(context: KernbotContext, chat_id: int, message_id: int, text: str,
               markup: InlineKeyboardMarkup | None = None) -> Sent | None:
    """Replace the text (and keyboard) of a message the bot sent."""
    return await _text_call(context, "editMessageText", chat_id, text, markup,
                            message_id=message_id)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long message so each part fits Telegram's limit and is valid HTML on its own."""
    return telegram_html.split(text, limit)


async def send(context: KernbotContext, chat_id: int, text: str,
               markup: InlineKeyboardMarkup | None = None) -> Sent | None:
    """Send `text` (in parts when it is longer than Telegram allows; the keyboard goes with
    the last part)."""
    if context.chat_data is not None and context.chat_data.get("quiet"):
        log.info("message held back: chat %s is flooding", chat_id)
        return None
    parts = split_text(text)
    sent, ids = None, []
    for i, part in enumerate(parts):
        sent = await _text_call(context, "sendMessage", chat_id, part,
                                markup if i == len(parts) - 1 else None)
        ids += sent.parts if sent is not None else []
    return sent._replace(parts=tuple(ids)) if sent is not None else None


async def delete(context: KernbotContext, chat_id: int, message_ids: list[int]) -> None:
    """Delete messages the bot sent (Telegram allows it for 48 hours; one `deleteMessage`
    each, the call every Bot API server has). One that cannot go stays, and is logged."""
    for message_id in message_ids:
        try:
            await context.bot.delete_message(chat_id, message_id)
        except TelegramError as exc:
            log.info("could not delete message %s: %s", message_id, exc)


async def reply(update: Update, context: KernbotContext, actor: Actor, key: str,
                markup: InlineKeyboardMarkup | None = None, **values) -> Sent | None:
    """Render `key` in the actor's language and send it to the chat of the update (held
    back while the person floods the bot: what they typed is handled all the same)."""
    if context.chat_data is not None and context.chat_data.get("quiet"):
        log.info("reply %s held back: chat %s is flooding", key, update.effective_chat.id)
        return None
    text = context.services.messages.render(key, actor.language, **values)
    return await send(context, update.effective_chat.id, text, markup)


async def refuse(update: Update, context: KernbotContext, actor: Actor) -> Sent | None:
    """Refuse politely; the answer reveals nothing about other people or data."""
    return await reply(update, context, actor, refusal_key(actor))


def label(context: KernbotContext, actor: Actor, key: str, **values) -> str:
    return context.services.messages.plain(key, actor.language, **values)


async def answer_query(update: Update, text: str | None = None) -> None:
    """Acknowledge a button press; an old query ("query is too old") is not an error."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text[:200] if text else None)
    except BadRequest as exc:
        log.info("callback answer failed (%s); carrying on", exc.message)
