"""The CallbackContext of this bot: `context.services` (config, db, messages, clock, settings,
bus, flows), `context.registry` (commands, buttons, conversation states) and
`context.dispatcher` (the outbox), all put in `bot_data` by kernbot/composition.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ExtBot

from core.services import Services

if TYPE_CHECKING:
    from handlers.registry import Registry
    from handlers.replies import Keyboards
    from schedule.dispatcher import Dispatcher


class KernbotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]

    @property
    def registry(self) -> Registry:
        return self.application.bot_data["registry"]

    @property
    def dispatcher(self) -> Dispatcher:
        return self.application.bot_data["dispatcher"]

    @property
    def keyboards(self) -> Keyboards:
        return self.application.bot_data["keyboards"]

    def wake_dispatcher(self) -> None:
        """Deliver what was just queued in the outbox as soon as possible."""
        self.dispatcher.wake(self.application)
