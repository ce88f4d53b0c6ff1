"""Messages: both languages complete, Flemish dates, escaping, loud failures."""

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from kernbot.harness import SOFIE
from messages.render import LANGUAGES, MessageError, Messages


@pytest.fixture(scope="module")
def messages():
    return Messages("nl", "Europe/Brussels")


def test_every_key_exists_in_every_language(messages):
    messages.check_complete()
    assert messages.keys("nl") == messages.keys("en")


def test_missing_key_fails_loudly(messages):
    with pytest.raises(MessageError, match="no/such/key"):
        messages.render("no/such/key", "nl")


def test_missing_variable_fails_loudly(messages):
    with pytest.raises(Exception, match="username"):
        messages.render("common/private_only", "nl")


def test_flemish_and_english_dates(messages):
    moment = datetime(2024, 1, 9, 9, 30, tzinfo=UTC)  # 10:30 in Brussels (winter)
    assert messages.format(moment, "nl") == "dinsdag 9 januari 2024 om 10u30"
    assert messages.format(moment, "en") == "Tuesday 9 January 2024 at 10:30"
    summer = datetime(2024, 7, 2, 12, 5, tzinfo=UTC)  # 14:05 in Brussels (summer time)
    assert messages.format(summer, "nl", "datetime_short") == "dinsdag 2 juli om 14u05"
    local = datetime(2024, 3, 31, 10, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    assert messages.format(local, "nl", "time") == "10u00"


def test_unknown_language_falls_back_to_default(messages):
    assert messages.render("common/cancelled", "fr") == messages.render("common/cancelled", "nl")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_user_text_is_escaped_for_telegram_html(messages, lang):
    text = messages.render("common/private_only", lang, username="<b>x</b> & {{ 7*7 }}")
    assert "<b>x</b>" not in text
    assert "&lt;b&gt;x&lt;/b&gt; &amp; {{ 7*7 }}" in text
    assert "49" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plain_is_not_escaped(messages, lang):
    assert "<b>" in messages.plain("common/private_only", lang, username="<b>")


async def test_name_with_html_shows_literally(bot):
    from transports.simulator import User

    calls = await bot.send(User(8123, "<b>Bold</b>", "& Co"), "/start DEMO-DEELNEMER")
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in calls[-1].text


async def test_every_template_renders_in_telegram_html(bot):
    """Every message the foundation sends parses as Telegram HTML (only allowed tags)."""
    import re

    calls = []
    for text in ("/start", "/help", "/taal", "/cancel", "/x", "tekst"):
        calls += await bot.send(SOFIE, text)
    allowed = {"b", "i", "u", "s", "code", "pre", "a", "tg-spoiler", "blockquote"}
    for call in calls:
        for tag in re.findall(r"</?([a-zA-Z-]+)", call.text):
            assert tag in allowed, (tag, call.text)
        assert len(call.text) <= 4096


def test_an_average_has_a_decimal_comma_in_dutch_and_a_point_in_english():
    """"gemiddelde score 3,5 op 5" (Flemish writes a decimal comma), "3.5 out of 5"."""
    session = SimpleNamespace(number=1, starts_at=datetime(2024, 2, 20, 9, tzinfo=UTC))
    m = Messages("nl", "Europe/Brussels")
    nl = m.plain("prep/average", "nl", count=2, expected=3, session=session, average=3.5)
    en = m.plain("prep/average", "en", count=2, expected=3, session=session, average=3.5)
    assert "3,5" in nl and "3.5" not in nl
    assert "3.5" in en


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_brief_overview_puts_each_chain_and_its_question_on_lines_of_their_own(lang):
    """A chain, its "How might we" on the next line, then a blank line before the closing
    sentence (the question used to run on after the problem, and the blank line was lost)."""
    chains = [SimpleNamespace(complete=True, number="1", problem="Leegstand", hkw="Hoe dan?"),
              SimpleNamespace(complete=False, number="2", problem="Parkeren", hkw="")]
    m = Messages("nl", "Europe/Brussels")
    text = m.plain("flows/ui/brief_menu", lang, intro="-", parts=[("Stap 1", True)],
                   chains=chains)
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if "Leegstand" in line)
    assert lines[first + 1].strip().startswith("→") and "Hoe dan?" in lines[first + 1]
    assert "Parkeren" in lines[first + 2]
    assert lines[first + 3] == "" and lines[first + 4]
