"""Confirmations of destructive actions ("Ja, wis alles", "Ja, opnieuw beginnen"): single-use,
only while they are the latest question asked, and only for a few minutes.

Asking one writes the chat's conversation state `cf:<action>` with a random number the buttons
carry, the moment it was asked, what the action needs, and the state the chat was in before
(a flow, homework being collected), which comes back when the confirmation closes. It closes on
its own "yes" or "no", and on anything else the person does: another command or button (the
guard in handlers/registry.py), or a message (handled as if no confirmation had been asked).
A button of a closed or expired confirmation changes nothing and says so.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from telegram import InlineKeyboardMarkup, Update

from buttons.base import MAX_ID
from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.replies import reply
from storage import conversations
from storage.db import parse_iso, utcnow_iso

PREFIX = "cf"
OPEN_FOR = timedelta(minutes=5)
CLOSED = "common/confirm_closed"


def new_nonce() -> int:
    return 1 + secrets.randbelow(MAX_ID - 1)


def open_(context: KernbotContext, chat_id: int, action: str, nonce: int,
          payload: dict | None = None) -> None:
    """Write the confirmation as the chat's latest question (before it is sent)."""
    services = context.services
    db = services.db
    close_if_open(context, chat_id)
    before = conversations.get(db, chat_id)
    back = {"state": before.state, "data": before.data} if before is not None else None
    conversations.put(db, chat_id, f"{PREFIX}:{action}",
                      {"nonce": nonce, "at": utcnow_iso(services.clock.now()),
                       "payload": payload or {}, "back": back}, services.clock.now())


async def ask(update: Update, context: KernbotContext, actor: Actor, action: str, key: str,
              markup_for, payload: dict | None = None, **values) -> None:
    """Open a confirmation and send its question; `markup_for(nonce)` builds its buttons."""
    nonce = new_nonce()
    open_(context, update.effective_chat.id, action, nonce, payload)
    markup: InlineKeyboardMarkup = markup_for(nonce)
    await reply(update, context, actor, key, markup, **values)


def _restore(context: KernbotContext, chat_id: int, state: conversations.ConversationState
             ) -> None:
    db, now = context.services.db, context.services.clock.now()
    back = state.data.get("back")
    if isinstance(back, dict) and isinstance(back.get("state"), str):
        conversations.put(db, chat_id, back["state"], back.get("data") or {}, now)
    else:
        conversations.clear(db, chat_id)


def close_if_open(context: KernbotContext, chat_id: int) -> bool:
    """Something else happened: an open confirmation closes (nothing is done)."""
    state = conversations.get(context.services.db, chat_id)
    if state is None or state.prefix != PREFIX:
        return False
    _restore(context, chat_id, state)
    return True


def take(context: KernbotContext, chat_id: int, action: str, nonce: int) -> dict | None:
    """The payload of the confirmation `action` with this number when it is the chat's open
    question and not expired; it is closed in the same step (a second press finds nothing).
    None: closed, replaced or expired (an expired one is closed now)."""
    state = conversations.get(context.services.db, chat_id)
    if state is None or state.prefix != PREFIX:
        return None
    if state.state != f"{PREFIX}:{action}" or state.data.get("nonce") != nonce:
        return None
    _restore(context, chat_id, state)
    at = state.data.get("at")
    asked = parse_iso(at) if isinstance(at, str) else None
    if asked is None or context.services.clock.now() - asked > OPEN_FOR:
        return None
    return dict(state.data.get("payload") or {})


async def closed(update: Update, context: KernbotContext, actor: Actor) -> None:
    await reply(update, context, actor, CLOSED)


async def on_message(update: Update, context: KernbotContext, actor: Actor,
                     state: conversations.ConversationState) -> None:
    """A message while a confirmation is open: the confirmation closes and the message is
    handled as it would have been without it (nothing typed is lost). Outside any other
    conversation, where it would get the idle reply, the person hears that nothing was done
    (a typed "ja" does not confirm: only the button does)."""
    from handlers import router

    _restore(context, update.effective_chat.id, state)
    message = update.effective_message
    if state.data.get("back") is None and message is not None and message.text:
        await reply(update, context, actor, "common/confirm_typed")
        return
    await router.route_message(update, context)
