"""What the bot answers to: commands (with the roles that may use them), buttons (typed
callback data, see buttons/), conversation states with their cancel and resume hooks.

The composition root (kernbot/composition.py) fills one Registry in plain code and installs it;
nothing registers itself by being imported. Every command and every button passes the same
guard: resolve the actor, check the role with `access.allowed`, refuse politely otherwise.
Malformed or unknown button data never reaches a handler or the error handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import MessageEntity, Update
from telegram.ext import Application, BaseHandler, CallbackQueryHandler

from buttons.base import Button
from core.services import Services
from handlers import confirm
from handlers.access import Actor, actor_of, allowed
from handlers.context import KernbotContext
from handlers.replies import answer_query, refuse, reply
from storage import conversations

log = logging.getLogger(__name__)

Callback = Callable[[Update, KernbotContext, Actor], Awaitable[None]]
ButtonCallback = Callable[[Update, KernbotContext, Actor, Button], Awaitable[None]]
StateHandler = Callable[[Update, KernbotContext, Actor, conversations.ConversationState],
                        Awaitable[None]]
# a cancel hook may return the state to leave behind (a marker that no handler routes, for
# a later command to carry on from) instead of none
CancelHook = Callable[[KernbotContext, Actor, conversations.ConversationState],
                      Awaitable[tuple[str, dict] | None]]
# After a crash that lost a reply: re-send the prompt of this state, preceded by the line
# `before`; True when it could (see handlers/resume.py).
ResumeHook = Callable[[Update, KernbotContext, Actor, conversations.ConversationState, str],
                      Awaitable[bool]]
Roles = frozenset[str] | None  # None: anyone, also people who are not enrolled
# What /help says about a command for this person now: the key of its description, or None to
# leave it out (it would only answer "not yet"). Without a hook: always `commands/<name>`.
HelpHook = Callable[[Services, Actor], str | None]


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callback
    roles: Roles
    order: int = 50
    in_menu: bool = True
    aliases: tuple[str, ...] = ()
    heavy: bool = False   # builds documents: limited per person (programme.flood.RateLimit)
    help: HelpHook | None = None

    @property
    def description_key(self) -> str:
        return f"commands/{self.name}"

    def help_key(self, services: Services, actor: Actor) -> str | None:
        """The description /help shows this person, or None when the command would not do
        anything for them yet (it stays in the menu and still answers when typed)."""
        return self.description_key if self.help is None else self.help(services, actor)


@dataclass(frozen=True)
class ButtonRoute:
    kind: type[Button]
    callback: ButtonCallback
    roles: Roles
    heavy: bool = False


@dataclass(frozen=True)
class StateRoute:
    prefix: str
    handler: StateHandler
    cancel: CancelHook | None = None
    resume: ResumeHook | None = None


class Registry:
    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.buttons: dict[str, ButtonRoute] = {}
        self.states: dict[str, StateRoute] = {}

    # -- filling (composition root only) --------------------------------------------------------
    def command(self, name: str, callback: Callback, roles: Roles, *, order: int = 50,
                in_menu: bool = True, aliases: tuple[str, ...] = (),
                heavy: bool = False, help: HelpHook | None = None) -> None:
        if name in self.commands:
            raise ValueError(f"command /{name} registered twice")
        self.commands[name] = Command(name, callback, roles, order, in_menu, aliases, heavy,
                                      help)

    def button(self, kind: type[Button], callback: ButtonCallback, roles: Roles, *,
               heavy: bool = False) -> None:
        if kind.head() in self.buttons:
            raise ValueError(f"button {kind.head()} registered twice")
        self.buttons[kind.head()] = ButtonRoute(kind, callback, roles, heavy)

    def state(self, prefix: str, handler: StateHandler, *,
              cancel: CancelHook | None = None, resume: ResumeHook | None = None) -> None:
        if prefix in self.states:
            raise ValueError(f"conversation state {prefix!r} registered twice")
        self.states[prefix] = StateRoute(prefix, handler, cancel, resume)

    def install(self, app: Application) -> None:
        """One handler for every command (private chats) and one for every button, in
        group 0: each update is looked up once instead of tried against every command."""
        app.add_handler(CommandRouter(self))
        app.add_handler(CallbackQueryHandler(self.on_button))

    # -- reading --------------------------------------------------------------------------------
    def commands_for(self, actor: Actor) -> list[Command]:
        """The commands this actor may use (any role they hold), in menu order."""
        return sorted((c for c in self.commands.values() if allowed(actor, c.roles)),
                      key=lambda c: (c.order, c.name))

    def route_of(self, data: str | None) -> ButtonRoute | None:
        if not isinstance(data, str):
            return None
        return self.buttons.get(":".join(data.split(":", 2)[:2]))

    # -- the guard ------------------------------------------------------------------------------
    def _guarded(self, command: Command):
        async def run(update: Update, context: KernbotContext) -> None:
            actor = actor_of(update, context.services)
            if not allowed(actor, command.roles):
                await refuse(update, context, actor)
                return
            if command.heavy and not await _may_do_heavy(update, context, actor):
                return
            confirm.close_if_open(context, update.effective_chat.id)  # another step: closed
            await command.callback(update, context, actor)

        run.__name__ = f"command_{command.name}"
        return run

    async def on_button(self, update: Update, context: KernbotContext) -> None:
        """Every button press: parse through its codec, check the role, run the handler. The
        query is answered afterwards, once what the press changed is stored."""
        query = update.callback_query
        actor = actor_of(update, context.services)
        try:
            route = self.route_of(query.data)
            button = route.kind.parse(query.data) if route is not None else None
            if button is None:
                log.info("button data not understood (old keyboard or forged); user %s",
                         actor.telegram_id)
                await reply(update, context, actor, "common/button_expired")
                return
            if not allowed(actor, route.roles):
                await refuse(update, context, actor)
                return
            if route.heavy and not await _may_do_heavy(update, context, actor):
                return
            if not route.kind.answers_confirmation:
                confirm.close_if_open(context, update.effective_chat.id)
            await route.callback(update, context, actor, button)
        finally:
            await answer_query(update)


async def _may_do_heavy(update: Update, context: KernbotContext, actor: Actor) -> bool:
    """Documents are costly: a person asking for too many in a short while is told to wait."""
    limit = context.application.bot_data.get("heavy_guard")
    if limit is None or limit.allow(actor.telegram_id, context.services.clock.now()):
        return True
    await reply(update, context, actor, "common/slow_down",
                seconds=int(limit.window.total_seconds()))
    return False


class CommandRouter(BaseHandler):
    """PTB's CommandHandler semantics (`/name args`, `/name@bot`, any case, private chats),
    for all registered commands and their aliases at once; `context.args` as usual."""

    def __init__(self, registry: Registry) -> None:
        super().__init__(self._run)
        self.registry = registry
        self.by_name: dict[str, Command] = {}
        for command in registry.commands.values():
            for name in (command.name, *command.aliases):
                self.by_name[name.lower()] = command
        self._guards = {c.name: registry._guarded(c) for c in registry.commands.values()}

    def check_update(self, update: object):
        if not isinstance(update, Update) or update.effective_chat is None or \
                update.effective_chat.type != "private":
            return None
        message = update.effective_message
        if message is None or not message.text or not message.entities:
            return None
        entity = message.entities[0]
        if entity.type != MessageEntity.BOT_COMMAND or entity.offset != 0:
            return None
        name, _, addressed = message.text[1:entity.length].partition("@")
        if addressed and addressed.lower() != (message.get_bot().username or "").lower():
            return None
        command = self.by_name.get(name.lower())
        if command is None:
            return None
        return command, message.text.split()[1:]

    def collect_additional_context(self, context, update, application, check_result) -> None:
        context.args = check_result[1]

    async def handle_update(self, update, application, check_result, context):
        self.collect_additional_context(context, update, application, check_result)
        return await self._guards[check_result[0].name](update, context)

    async def _run(self, update, context) -> None:  # pragma: no cover (handle_update routes)
        return None
