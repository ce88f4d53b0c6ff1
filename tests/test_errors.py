"""The error handler, logging without secrets, and a server that refuses the command menu."""

import io
import logging

import pytest
from telegram.error import NetworkError

from core.logs import setup_logging
from kernbot.harness import SOFIE, BotHarness, test_config

# Shaped like a real token (so redaction is tested on the real shape) but built at run time,
# so no committed line looks like a leaked secret.
TOKEN = "987654321" + ":" + "AAFakeTokenForTestsOnly_abcdefghijk"


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    handler = setup_logging("INFO", [TOKEN], stream)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.fixture
async def token_bot(tmp_path, clock):
    config = test_config(tmp_path, bot={"token": TOKEN})
    async with BotHarness.start(tmp_path, clock=clock, config=config) as harness:
        yield harness


async def test_error_tells_user_answers_are_safe_and_logs_ids(token_bot, log_stream,
                                                               monkeypatch):
    import programme.overview

    def broken(*args, **kwargs):
        raise RuntimeError(f"database exploded near {TOKEN}")

    monkeypatch.setattr(programme.overview, "views_of", broken)
    calls = await token_bot.send(SOFIE, "/start")
    assert calls[-1].key == "common/error"
    log = log_stream.getvalue()
    assert "error while handling update" in log
    assert f"from user {SOFIE.id}" in log
    assert "RuntimeError" in log
    assert TOKEN not in log
    # the exception's message could quote what someone typed: withheld, its length kept
    assert "RuntimeError: <message withheld:" in log


async def test_a_token_in_a_network_error_is_redacted(log_stream):
    import logging

    from telegram.error import NetworkError

    try:
        raise NetworkError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except NetworkError:
        logging.getLogger("kernbot.test").exception("send failed")
    log = log_stream.getvalue()
    assert TOKEN not in log and "<redacted>" in log


async def test_token_never_logged_from_http_errors(token_bot, log_stream):
    def fault(method, params):
        if method == "sendMessage":
            return NetworkError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
        return None

    token_bot.api.fault = fault
    await token_bot.send(SOFIE, "/help")
    log = log_stream.getvalue()
    assert "sendMessage failed" in log
    assert TOKEN not in log
    assert TOKEN.split(":")[1] not in log


async def test_refused_command_menu_does_not_stop_the_bot(tmp_path, clock, log_stream):
    from kernbot.composition import on_start

    async with BotHarness.start(tmp_path, clock=clock) as bot:
        bot.api.refuse_commands = True
        await on_start(bot.app)
        assert "could not set the default command menu" in log_stream.getvalue()
        calls = await bot.send(SOFIE, "/taal en")
        assert calls[-1].key == "common/language_set" and calls[-1].language == "en"


async def test_default_menus_per_language(bot):
    menus = [c for c in bot.api.calls if c.method == "setMyCommands"]
    languages = {c.params.get("language_code") for c in menus}
    assert languages == {None, "en"}
    dutch = next(c for c in menus if c.params.get("language_code") is None)
    english = next(c for c in menus if c.params.get("language_code") == "en")
    messages = bot.services.messages
    for menu, language in ((dutch, "nl"), (english, "en")):
        commands = {c["command"]: c["description"] for c in _commands(menu)}
        assert commands["start"] == messages.plain("commands/start", language)


def _commands(call) -> list[dict]:
    import json

    commands = call.params["commands"]
    return json.loads(commands) if isinstance(commands, str) else commands
