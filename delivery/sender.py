"""The one way out for timed and bulk messages: send, and say what happened, by error type.

    sent         Telegram accepted it (message id)
    retry        429 RetryAfter (wait what Telegram asks) or a network error / 5xx (back off)
    unreachable  403 Forbidden: the person blocked the bot or never started it; stop trying
    failed       400 BadRequest or another Telegram error: retrying would not help

The caller (the dispatcher) records the outcome in the outbox row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from messages import telegram_html

log = logging.getLogger(__name__)

SENT, RETRY, UNREACHABLE, FAILED = "sent", "retry", "unreachable", "failed"
CAPTION = 1024  # Telegram's limit for a caption


@dataclass(frozen=True)
class Outgoing:
    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()  # rows of (label, callback_data)
    document: Path | None = None       # sent after the text, when given
    document_name: str | None = None
    photo_file_id: str | None = None   # an announcement's photo, by Telegram file id
    document_file_id: str | None = None


@dataclass(frozen=True)
class Outcome:
    status: str
    message_id: int | None = None
    retry_after: float | None = None   # seconds Telegram asked to wait (RetryAfter)
    error: str = ""


def retry_after_seconds(exc: RetryAfter) -> float:
    """`retry_after` is an int today and a timedelta in future PTB versions (reading it warns
    about that change; we handle both)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


def _markup(outgoing: Outgoing) -> InlineKeyboardMarkup | None:
    if not outgoing.buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                  for label, data in row] for row in outgoing.buttons])


async def deliver(bot: Bot, chat_id: int, outgoing: Outgoing) -> Outcome:
    markup = _markup(outgoing)
    try:
        if outgoing.photo_file_id:
            message = await bot.send_photo(chat_id, outgoing.photo_file_id,
                                           caption=telegram_html.cut(outgoing.text, CAPTION) or None,
                                           reply_markup=markup)
        elif outgoing.document_file_id:
            message = await bot.send_document(chat_id, outgoing.document_file_id,
                                              caption=telegram_html.cut(outgoing.text, CAPTION) or None,
                                              reply_markup=markup)
        else:
            message = await bot.send_message(chat_id, outgoing.text,
                                             reply_markup=markup)
            if outgoing.document is not None:
                with outgoing.document.open("rb") as handle:
                    await bot.send_document(chat_id, handle,
                                            filename=outgoing.document_name
                                            or outgoing.document.name)
        return Outcome(SENT, message_id=message.message_id)
    except RetryAfter as exc:
        return Outcome(RETRY, retry_after=retry_after_seconds(exc),
                       error=f"429 Too Many Requests: retry after {retry_after_seconds(exc):g}s")
    except Forbidden as exc:
        return Outcome(UNREACHABLE, error=f"403 Forbidden: {exc.message}")
    except BadRequest as exc:  # a NetworkError subclass in PTB: check it first
        return Outcome(FAILED, error=f"400 Bad Request: {exc.message}")
    except NetworkError as exc:  # timeouts, connection errors, 5xx
        return Outcome(RETRY, error=f"network error: {exc.message}")
    except TelegramError as exc:
        return Outcome(FAILED, error=f"Telegram error: {exc.message}")
