"""For everybody: /help, /taal, /cancel, the message router, odd updates and the error handler."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import replace

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from buttons.common import SetLanguage
from handlers import router
from handlers.access import Actor, actor_of
from handlers.commands import set_menu_for
from handlers.context import KernbotContext
from handlers.replies import keyboard, label, reply
from programme.flood import FloodGuard
from storage import inbox, people, updates

log = logging.getLogger(__name__)


async def help_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/help: the commands this person's role may use and that do something for them now
    (no /evaluatie before a session took place; /intake, once done, to look back at it)."""
    services = context.services
    keys = [(c.name, c.help_key(services, actor)) for c in context.registry.commands_for(actor)
            if c.in_menu]
    commands = [(name, services.messages.plain(key, actor.language))
                for name, key in keys if key is not None]
    await reply(update, context, actor, "common/help", commands=commands, role=actor.role or "",
                contact=context.services.settings.contact_email)


async def language_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/taal [nl|en]: switch the language of everything the bot says to you."""
    args = context.args or []
    if args and args[0].lower() in ("nl", "en"):
        await _set_language(update, context, actor, args[0].lower())
        return
    markup = keyboard([[(label(context, actor, "buttons/lang_nl"), SetLanguage("nl").pack()),
                        (label(context, actor, "buttons/lang_en"), SetLanguage("en").pack())]])
    await reply(update, context, actor, "common/language_choose", markup)


async def _set_language(update: Update, context: KernbotContext, actor: Actor,
                        language: str) -> None:
    services = context.services
    person = people.update(services.db, actor.person.id, services.clock.now(), language=language)
    actor = replace(actor, language=language, person=person)
    await set_menu_for(context, update.effective_chat.id, actor)
    # in the middle of a conversation: its question again, in the new language
    if not await router.show_current(update, context, actor, "common/language_set"):
        await reply(update, context, actor, "common/language_set")


async def language_button(update: Update, context: KernbotContext, actor: Actor,
                          button: SetLanguage) -> None:
    await _set_language(update, context, actor, button.language)


async def cancel_command(update: Update, context: KernbotContext, actor: Actor) -> None:
    """/cancel: leave any running conversation; what was answered stays stored."""
    left = await router.cancel_current(context, actor, update.effective_chat.id)
    await reply(update, context, actor, "common/cancelled" if left else "common/nothing_to_cancel")


async def unknown_command(update: Update, context: KernbotContext) -> None:
    actor = actor_of(update, context.services)
    await reply(update, context, actor, "common/unknown_command")


async def skip_seen_updates(update: Update, context: KernbotContext) -> None:
    """Telegram redelivers updates after a crash; one already handled is not applied again.
    An update the inbox just stored as new needs no look-up."""
    db = context.services.db
    if inbox.first_time(db, update.update_id):
        return
    if updates.seen(db, update.update_id):
        log.info("update %s already handled; skipped", update.update_id)
        raise ApplicationHandlerStop


async def flood_control(update: Update, context: KernbotContext) -> None:
    """A person sending faster than anyone types, or pressing buttons as fast: handle every
    message and press (nothing is lost) but hold back the replies, with one polite notice."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != "private" or (
            update.message is None and update.callback_query is None):
        return
    guard: FloodGuard | None = context.application.bot_data.get("flood_guard")
    if guard is None:
        return
    flooding, warn = guard.hit(user.id, context.services.clock.now())
    context.chat_data["quiet"] = flooding
    if warn:
        actor = actor_of(update, context.services)
        await context.bot.send_message(update.effective_chat.id, context.services.messages
                                       .render("common/flood", actor.language))


async def bot_blocked_or_back(update: Update, context: KernbotContext) -> None:
    """A private chat's my_chat_member update: the person blocked the bot (no more timed
    messages: unreachable) or came back (active again)."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    services = context.services
    person = people.by_telegram_id(services.db, change.chat.id)
    if person is None or person.status in ("erased", "removed"):
        return
    status = change.new_chat_member.status
    if status in ("kicked", "left") and person.status == "active":
        people.update(services.db, person.id, services.clock.now(), status="unreachable")
    elif status == "member" and person.status == "unreachable":
        people.update(services.db, person.id, services.clock.now(), status="active")


async def group_chat(update: Update, context: KernbotContext) -> None:
    """In groups the bot runs no conversations; it points to the private chat, on commands."""
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        actor = actor_of(update, context.services)
        await reply(update, context, actor, "common/private_only",
                    username=context.bot.username or "")
    raise ApplicationHandlerStop


async def ignore(update: Update, context: KernbotContext) -> None:
    """Updates without a private chat to answer (channel posts, inline queries, polls)."""
    log.debug("update %s of an unhandled type ignored", update.update_id)


async def edited_message(update: Update, context: KernbotContext) -> None:
    actor = actor_of(update, context.services)
    await reply(update, context, actor, "common/edited_message")
    raise ApplicationHandlerStop


LOCKED_RETRY_DELAY = 0.5  # seconds before one more try when SQLite stays locked
_SEEN_ERRORS_KEEP = 1000


def _database_problem(error: BaseException | None) -> str | None:
    if not isinstance(error, sqlite3.OperationalError):
        return None
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return "locked"
    if "readonly" in text or "read-only" in text or "disk" in text or "full" in text:
        return "unwritable"
    return None


async def error_handler(update: object, context: KernbotContext) -> None:
    """Log the update id, the user id and the exception; tell the user their answers are safe.
    A locked database is retried once; a read-only or full one gets its own clear answer."""
    update_id = getattr(update, "update_id", None)
    user = getattr(update, "effective_user", None)
    problem = _database_problem(context.error)
    seen = context.application.bot_data.setdefault("errors_seen", {})
    if problem == "locked" and isinstance(update, Update) and ("retry", update_id) not in seen:
        seen[("retry", update_id)] = True
        log.warning("database locked while handling update %s; trying once more", update_id)
        await asyncio.sleep(LOCKED_RETRY_DELAY)
        await context.application.process_update(update)
        return
    if problem == "unwritable":
        log.error("database is read-only or full (%s): update %s from user %s was not stored",
                  context.error, update_id, getattr(user, "id", None))
    else:
        log.error("error while handling update %s from user %s", update_id,
                  getattr(user, "id", None), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != "private" or ("told", update_id) in seen:
        return
    seen[("told", update_id)] = True
    if len(seen) > _SEEN_ERRORS_KEEP:
        seen.clear()
    try:
        services = context.services
        actor = actor_of(update, services)
        key = "common/storage_unavailable" if problem == "unwritable" else "common/error"
        await context.bot.send_message(update.effective_chat.id,
                                       services.messages.render(key, actor.language))
    except Exception:  # the error message itself failed (database down, network): log only
        log.exception("could not tell user %s about the error", getattr(user, "id", None))
