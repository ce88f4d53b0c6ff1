"""The command registry: each command, who may use it, and its description for /help and the
Telegram command menu (set per role and language with setMyCommands scopes)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from handlers.access import Actor, actor_of, allowed, refusal_key
from handlers.context import KernbotContext
from handlers.replies import reply
from messages.render import LANGUAGES, Messages

log = logging.getLogger(__name__)

Callback = Callable[[Update, KernbotContext, Actor], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    roles: frozenset[str] | None  # None: anyone, also people not enrolled
    order: int = 50
    in_menu: bool = True

    @property
    def description_key(self) -> str:
        return f"commands/{self.name}"


REGISTRY: dict[str, Command] = {}


def guarded(roles: frozenset[str] | None, callback: Callback):
    """Wrap a callback: resolve the actor, refuse politely when the role may not use it."""

    @functools.wraps(callback)
    async def run(update: Update, context: KernbotContext) -> None:
        actor = actor_of(update, context.services)
        if not allowed(actor, roles):
            if update.callback_query is not None:
                from handlers.replies import answer_query
                await answer_query(update)
            key = refusal_key(actor)
            await reply(update, context, actor, key)
            return
        await callback(update, context, actor)

    return run


def add_command(app: Application, name: str, callback: Callback, roles: frozenset[str] | None,
                *, order: int = 50, in_menu: bool = True, aliases: tuple[str, ...] = ()) -> None:
    """Register a command handler (private chats) and its registry entry."""
    REGISTRY[name] = Command(name, roles, order, in_menu)
    app.add_handler(CommandHandler((name, *aliases), guarded(roles, callback),
                                   filters=filters.ChatType.PRIVATE))


def commands_for(role: str | None) -> list[Command]:
    actor = Actor(0, "nl", None, role)
    return sorted((c for c in REGISTRY.values() if allowed(actor, c.roles)),
                  key=lambda c: (c.order, c.name))


def menu(messages: Messages, role: str | None, language: str) -> list[BotCommand]:
    return [BotCommand(c.name, messages.plain(c.description_key, language)[:256])
            for c in commands_for(role) if c.in_menu]


async def set_default_menus(app: Application) -> None:
    """Menus for people who are not enrolled yet, in each language. Failure is not fatal."""
    messages = app.bot_data["services"].messages
    try:
        for language in LANGUAGES:
            code = None if language == messages.default_language else language
            await app.bot.set_my_commands(menu(messages, None, language),
                                          scope=BotCommandScopeDefault(), language_code=code)
    except TelegramError as exc:
        log.warning("could not set the default command menu: %s", exc)


async def set_menu_for(context: KernbotContext, actor_chat_id: int, role: str | None,
                       language: str) -> None:
    try:
        await context.bot.set_my_commands(menu(context.services.messages, role, language),
                                          scope=BotCommandScopeChat(actor_chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu for a chat: %s", exc)


