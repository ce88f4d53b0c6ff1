"""Route messages that are not commands to the conversation the chat is in.

The state of each chat is a row in `conversation_state` (written before every reply). Features
claim a state prefix with `@on_state("flow")`; `/cancel` calls their cancel hook. Messages outside
any conversation get a short explanation of what the bot expects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from handlers.access import Actor, actor_of
from handlers.context import KernbotContext
from handlers.replies import reply
from storage import conversations

StateHandler = Callable[[Update, KernbotContext, Actor, conversations.ConversationState],
                        Awaitable[None]]
CancelHook = Callable[[KernbotContext, Actor, conversations.ConversationState], Awaitable[None]]

STATE_HANDLERS: dict[str, StateHandler] = {}
CANCEL_HOOKS: dict[str, CancelHook] = {}


def on_state(prefix: str):
    def register(handler: StateHandler) -> StateHandler:
        STATE_HANDLERS[prefix] = handler
        return handler

    return register


def on_cancel(prefix: str):
    def register(hook: CancelHook) -> CancelHook:
        CANCEL_HOOKS[prefix] = hook
        return hook

    return register


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
    if state is not None and state.prefix in STATE_HANDLERS:
        await STATE_HANDLERS[state.prefix](update, context, actor, state)
        return
    kind = message_kind(update)
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
    hook = CANCEL_HOOKS.get(state.prefix)
    if hook is not None:
        await hook(context, actor, state)
    conversations.clear(context.services.db, chat_id)
    return True
