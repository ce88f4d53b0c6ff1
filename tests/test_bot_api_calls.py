"""How texts reach the Bot API: through `do_api_request` (Telegram's answer is not parsed into
a PTB `Message`), with the same options as every other call, the same errors, and no advice
from PTB printed on the way."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest
from telegram.error import InvalidToken
from telegram.warnings import PTBUserWarning

from handlers.replies import TEXT_OPTIONS, send
from kernbot.harness import SOFIE
from transports import polling


async def test_texts_are_sent_with_the_options_of_every_other_call(bot):
    defaults = bot.app.bot.defaults
    assert TEXT_OPTIONS["parse_mode"] == defaults.parse_mode
    assert TEXT_OPTIONS["link_preview_options"] == defaults.link_preview_options.to_dict()
    calls = await bot.send(SOFIE, "/help")
    assert calls[-1].params["parse_mode"] == "HTML"
    assert calls[-1].params["link_preview_options"] == {"is_disabled": True}


async def test_no_advice_from_ptb_is_printed_for_texts_edits_or_polling(bot):
    with warnings.catch_warnings(record=True) as seen:
        warnings.filterwarnings("always", append=True)   # after the composition root's filter
        await bot.send(SOFIE, "/intake")
        await bot.send(SOFIE, "Centrummanager")
        await bot.tap(SOFIE, 1)                            # a tick: the question is edited
        await polling.fetch(bot.app.bot, offset=0, timeout=0, limit=1)
    advice = [str(w.message) for w in seen if issubclass(w.category, PTBUserWarning)]
    assert advice == []
    assert "editMessageText" in bot.api.methods()


async def test_a_revoked_token_is_reported_as_such(bot):
    """`do_api_request` turns a 401 into EndPointNotFound ("no such method"); the bot says
    what it is."""
    bot.api.fault = lambda method, params: (401, {"ok": False, "error_code": 401,
                                                  "description": "Unauthorized"})
    context = SimpleNamespace(bot=bot.app.bot, chat_data=None)  # what `send` reads
    with pytest.raises(InvalidToken):
        await send(context, SOFIE.id, "Dag")
