"""Limits on floods and uploads: button presses count as flooding too, documents are limited
per person, one person flooding does not hold up the others, homework has quotas."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Update

from buttons.flows import Download
from kernbot.harness import AN, ELS, SOFIE, BotHarness, test_config


async def test_button_presses_count_as_a_flood(tmp_path, clock):
    config = test_config(tmp_path, bot={"flood_limit": 10})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        await bot.send(SOFIE, "/brief")
        start = len(bot.api.calls)
        for _ in range(40):
            await bot.press(SOFIE, "fl:menu")
        sent = bot.api.sent(SOFIE.id, since=start)
        assert sum("common/flood" in c.keys for c in sent) + \
            sum(c.text.startswith("Rustig aan") for c in sent) >= 1
        assert len(sent) <= 12


async def test_documents_are_limited_per_person_per_minute(tmp_path, clock):
    config = test_config(tmp_path, bot={"documents_per_minute": 4})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as bot:
        made = refused = 0
        for _ in range(30):
            calls = await bot.send(ELS, "/export")
            made += sum(c.method == "sendDocument" for c in calls)
            refused += sum("common/slow_down" in c.keys for c in calls)
        assert made == 4 * 3 and refused == 26        # four exports of three files each
        for _ in range(20):
            calls = await bot.press(SOFIE, Download("pdf").pack())
        pdfs = [c for c in bot.api.sent(SOFIE.id) if c.method == "sendDocument"]
        assert len(pdfs) == 4
        bot.clock.advance(timedelta(minutes=2))
        calls = await bot.send(ELS, "/export")
        assert sum(c.method == "sendDocument" for c in calls) == 3   # a minute later: again


async def test_one_person_flooding_does_not_hold_up_the_others(tmp_path, clock):
    """Updates reach the Application through its update queue (as from Telegram): while
    Sofie's document requests are stuck in a slow upload, An's /help is answered."""
    async with BotHarness.start(tmp_path, clock=clock, run_jobs=True) as bot:
        gate = asyncio.Event()
        uploads_started = asyncio.Event()
        original = bot.api.do_request

        async def slow_uploads(url, method, request_data=None, *args, **kwargs):
            if url.endswith("/sendDocument") and request_data and \
                    request_data.parameters.get("chat_id") == SOFIE.id:
                uploads_started.set()
                await gate.wait()
            return await original(url, method, request_data, *args, **kwargs)

        bot.api.do_request = slow_uploads
        try:
            await _flood_then_help(bot, uploads_started)
        finally:
            gate.set()   # let Sofie's uploads finish, whatever happened


async def _flood_then_help(bot, uploads_started):
    """Ten document requests from Sofie, then An's /help, all through the update queue."""
    for _ in range(10):
        data = bot.sim.message_json(SOFIE, text="/mijngegevens", entities=[
            {"type": "bot_command", "offset": 0, "length": 13}])
        await bot.app.update_queue.put(Update.de_json(data, bot.app.bot))
    await asyncio.wait_for(uploads_started.wait(), 10)
    data = bot.sim.message_json(AN, text="/help", entities=[
        {"type": "bot_command", "offset": 0, "length": 5}])
    await bot.app.update_queue.put(Update.de_json(data, bot.app.bot))

    async def an_answered():
        while not any("common/help" in c.keys for c in bot.api.sent(AN.id)):
            await asyncio.sleep(0)
    await asyncio.wait_for(an_answered(), 10)
