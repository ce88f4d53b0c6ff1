"""The Telegram command menus, per role and language (setMyCommands scopes), from the registry
the composition root filled."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError
from telegram.ext import Application

from handlers.access import Actor
from handlers.context import KernbotContext
from handlers.registry import Registry
from messages.render import LANGUAGES, Messages

log = logging.getLogger(__name__)


def menu(messages: Messages, registry: Registry, actor: Actor, language: str
         ) -> list[BotCommand]:
    return [BotCommand(c.name, messages.plain(c.description_key, language)[:256])
            for c in registry.commands_for(actor) if c.in_menu]


async def set_default_menus(app: Application) -> None:
    """Menus for people who are not enrolled yet, in each language. Failure is not fatal."""
    messages = app.bot_data["services"].messages
    registry = app.bot_data["registry"]
    try:
        for language in LANGUAGES:
            code = None if language == messages.default_language else language
            await app.bot.set_my_commands(menu(messages, registry, Actor.with_role(None),
                                               language),
                                          scope=BotCommandScopeDefault(), language_code=code)
    except TelegramError as exc:
        log.warning("could not set the default command menu: %s", exc)


async def set_menu_for(context: KernbotContext, actor_chat_id: int, actor: Actor) -> None:
    """The menu of one chat: the commands of every role the person holds, in their language."""
    try:
        await context.bot.set_my_commands(
            menu(context.services.messages, context.registry, actor, actor.language),
            scope=BotCommandScopeChat(actor_chat_id))
    except TelegramError as exc:
        log.warning("could not set the command menu for a chat: %s", exc)
