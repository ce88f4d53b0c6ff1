"""The CallbackContext of this bot: `context.services` reaches config, db, messages and clock."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from core.services import Services


class KernbotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data["services"]


def services_of(app: Application) -> Services:
    return app.bot_data["services"]
