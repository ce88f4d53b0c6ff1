"""Route messages that are not commands to the conversation the chat is in.

The state of each chat is a row in `conversation_state` (written before every reply). The
composition root maps each state prefix to its handler and cancel hook (`Registry.state`);
`/cancel` calls the hook. Messages outside any conversation get a short explanation of what
the bot expects.
"""

from __future__ import annotations

import functools

from telegram import Update

from core.text import clean
from handlers.access import Actor, actor_of
from handlers.context import KernbotContext
from handlers.replies import reply
from storage import conversations


def text_of(update: Update) -> str:
    """The message's text as stored (core.text.clean); "" when it has none."""
    message = update.effective_message
    return clean(message.text) if message is not None else ""


def caption_of(update: Update) -> str:
    """The caption of a photo, document or voice message, as stored; "" when it has none."""
    message = update.effective_message
    return clean(message.caption) if message is not None else ""


def plain_words(text: str) -> str:
    """A label or typed text without its symbols and case: "◀ Vorige vraag" -> "vorige vraag"
    (to tell a typed button label from an answer)."""
    kept = "".join(c if c.isalnum() or c.isspace() else " " for c in text.casefold())
    return " ".join(kept.split())


@functools.lru_cache(maxsize=128)
def button_words(m, label_key: str, words_key: str, lang: str) -> frozenset[str]:
    """A button's label and the typed words that mean it (template `words_key`, comma
    separated), as `plain_words` reads them: typing one is pressing the button."""
    words = {plain_words(m.static(label_key, lang))}
    words |= {plain_words(w) for w in m.static(words_key, lang).split(",")}
    return frozenset(words - {""})


def message_kind(update: Update) -> str:
    """text, photo, document, voice, sticker, location, ... (what the user sent)."""
    message = update.effective_message
    if message is None:
        return "none"
    for kind in ("text", "photo", "document", "voice", "audio", "video", "video_note",
                 "sticker", "animation", "location", "venue", "contact", "poll", "dice"):
        if getattr(message, kind, None):
            return kind
    return "other"


async def route_message(update: Update, context: KernbotContext) -> None:
    """Every non-command message in a private chat comes here."""
    services = context.services
    actor = actor_of(update, services)
    state = conversations.get(services.db, update.effective_chat.id)
    route = context.registry.states.get(state.prefix) if state is not None else None
    if route is not None:
        await route.handler(update, context, actor, state)
        return
    await idle(update, context, actor)


async def idle(update: Update, context: KernbotContext, actor: Actor) -> None:
    """A message outside any conversation: say what the bot expects (once per photo album:
    Telegram delivers each photo of an album as a message of its own)."""
    kind = message_kind(update)
    album = getattr(update.effective_message, "media_group_id", None)
    if album is not None and context.chat_data is not None:
        if context.chat_data.get("idle_album") == album:
            return
        context.chat_data["idle_album"] = album
    if not actor.enrolled:
        await reply(update, context, actor, "common/idle_not_enrolled")
    elif kind == "text":
        await reply(update, context, actor, "common/idle_text")
    else:
        await reply(update, context, actor, "common/idle_media")


async def cancel_current(context: KernbotContext, actor: Actor, chat_id: int) -> bool:
    """Leave whatever conversation the chat is in; answers stay stored. True if one was left."""
    state = conversations.get(context.services.db, chat_id)
    if state is None:
        return False
    route = context.registry.states.get(state.prefix)
    left = None
    if route is not None and route.cancel is not None:
        left = await route.cancel(context, actor, state)
    if left is None:
        conversations.clear(context.services.db, chat_id)
    else:
        conversations.put(context.services.db, chat_id, *left, context.services.clock.now())
    return True


async def show_current(update: Update, context: KernbotContext, actor: Actor, before: str
                       ) -> bool:
    """Send `before` with the prompt the chat is at again (after /taal: in the new language).
    False when the chat is in no conversation with a prompt to show."""
    state = conversations.get(context.services.db, update.effective_chat.id)
    return await show_prompt(update, context, actor, state, before)


async def show_prompt(update: Update, context: KernbotContext, actor: Actor,
                      state: conversations.ConversationState | None, before: str) -> bool:
    """`before` and the prompt of conversation `state`, rebuilt from storage by the resume hook
    the composition root gave its prefix; False when it has none."""
    route = context.registry.states.get(state.prefix) if state is not None else None
    if route is None or route.resume is None:
        return False
    return await route.resume(update, context, actor, state, before)
