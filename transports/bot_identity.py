"""The bot's @username for invite links: from getMe, or the fake API's bot without a token."""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import TelegramError

from transports.fake_api import BOT_USER


async def _get_me(token: str, base_url: str) -> str:
    async with Bot(token, base_url=base_url) as bot:
        return (await bot.get_me()).username


def bot_username(config) -> str | None:
    """The username Telegram reports (None when it cannot be asked); `kernbot_demo_bot` in the
    console (no token), like the fake Bot API."""
    if not config.token:
        return BOT_USER["username"]
    try:
        return asyncio.run(_get_me(config.token, config["bot"]["base_url"]))
    except (TelegramError, OSError):
        return None
