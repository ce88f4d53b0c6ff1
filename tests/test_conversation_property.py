"""No input ever gets the generic error (issue 15): a property through the whole Application.

For any sequence of texts (empty, 5,000 characters, emoji, HTML, numbers, option words), button
presses (the current keyboard, an old one, forged data), commands in the middle of a flow,
photos, albums, documents, voice notes and stickers, in both languages, by an enrolled
participant and by a newcomer enrolling, the bot never sends the generic error reply, no handler
raises, and no stored answer of a guided conversation disappears.

Bounded and seeded (`derandomize`): the same examples run every time, in `make test`. Steps
that answer the current question sensibly are mixed in, so the examples reach every part of
every flow, not only its first question.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernbot.harness import NEWCOMER_USER, SOFIE, BotHarness
from storage import people

TEXTS = ["", " ", "x" * 5000, "y" * 4096, "🙂🙂", "<b>vet</b> & <script>", "42", "0", "-3",
         "ja", "Nee", "nog niet", "economie, mobiliteit", "economie, fietsen", "Andere",
         "1", "3", "5", "9", "20/02/2024", "Overslaan", "Klopt", "Lier", "Hoe kunnen we",
         "/", "@kernbot", "Een antwoord van een paar woorden."]
COMMANDS = ["/start", "/intake", "/brief", "/waarom", "/evaluatie", "/slotevaluatie",
            "/cancel", "/help", "/huiswerk", "/sessies", "/taal en", "/taal nl", "/taal",
            "/vergeetmij", "/privacy", "/onbekend", "/start FOUTECODE", "/start DEMO-DEELNEMER",
            "/brief extra woorden", "/afwezig", "/stil"]
FORGED = ["", "fl", "fl:ans", "fl:ans:brief::ladder:0:nope", "fl:ans:intake::role:99:x",
          "fl:nav:waarom:1:why:0:stop", "fl:nav:brief::problem:0:sugg", "fl:start:brief",
          "fl:start:evaluatie:999", "fl:edit:intake::role:0", "fl:step:step9", "hw:open:99999",
          "hw:restart:1", "pv:forget", "pv:forget:1", "x" * 64, "²", "fl:dl:pdf",
          "fl:newchain", "fl:switch:intake::", "fl:keep", "enrol:ok:name"]

step = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS) | st.text(max_size=30)),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("tap"), st.integers(min_value=1, max_value=12)),
    st.tuples(st.just("stale"), st.integers(min_value=0, max_value=40)),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
    st.tuples(st.just("progress"), st.integers(min_value=1, max_value=12)),
    st.tuples(st.just("photo"), st.sampled_from(["", "Het Marktplein"])),
    st.tuples(st.just("album"), st.integers(min_value=2, max_value=4)),
    st.tuples(st.sampled_from(["document", "image_file", "voice", "sticker", "location"]),
              st.just(0)),
    st.tuples(st.just("wait"), st.sampled_from([1, 5, 120, 3600])),
)


class Errors(logging.Handler):
    """Every log record with an exception: a handler raised somewhere."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info or record.levelno >= logging.ERROR:
            self.records.append(record)


def stored_answers(bot: BotHarness) -> set[tuple]:
    return {tuple(r) for r in bot.db.execute(
        "SELECT person_id, flow, instance, question, idx FROM flow_answers").fetchall()}


def sensible(call) -> str | None:
    """A button of this keyboard that answers the question (an option, "Klaar", "klopt"),
    not one that goes back or leaves."""
    for prefix in ("fl:ans:", "fl:tog:", "enrol:ok", "fl:step:", "fl:start:", "st:confirm"):
        for button in call.buttons:
            data = button.get("callback_data", "")
            if data.startswith(prefix):
                return data
    for button in call.buttons:
        if button.get("callback_data", "").endswith(":done"):
            return button["callback_data"]
    return None


async def run_steps(bot: BotHarness, user, steps) -> None:
    album = 0
    for kind, value in steps:
        if kind in ("text", "command"):
            await bot.send(user, value)
        elif kind == "tap":
            call = bot.sim.last_keyboard(user)
            if call is not None:
                data = [b["callback_data"] for b in call.buttons if "callback_data" in b]
                data = [d for d in data if not d.startswith("pv:forget")]  # not erasing
                if data:
                    await bot.press(user, data[(value - 1) % len(data)])
        elif kind == "stale":
            old = [c for c in bot.api.sent(user.id) if c.buttons]
            if old:
                call = old[value % len(old)]
                data = [b["callback_data"] for b in call.buttons if "callback_data" in b
                        and not b["callback_data"].startswith("pv:forget")]
                if data:
                    await bot.sim.press(user, data[value % len(data)], call)
        elif kind == "forged":
            await bot.press(user, value)
        elif kind == "progress":
            for _ in range(value):
                call = bot.sim.last_keyboard(user)
                sent = bot.api.sent(user.id)
                data = sensible(sent[-1]) if sent and sent[-1] is call else None
                if data is not None:
                    await bot.press(user, data)
                else:
                    await bot.send(user, "Een antwoord van een paar woorden.")
        elif kind == "photo":
            await bot.sim.send_photo(user, b"\x89PNG photo", caption=value)
        elif kind == "album":
            album += 1
            for i in range(value):
                await bot.sim.send_photo(user, b"\x89PNG album", caption="album" if i == 0
                                         else "", media_group_id=f"g{album}")
        elif kind == "document":
            await bot.sim.send_document(user, b"%PDF-1.4", "plan.pdf", "application/pdf")
        elif kind == "image_file":
            await bot.sim.send_document(user, b"\x89PNG file", "kaart.png", "image/png")
        elif kind == "voice":
            await bot.sim.send_voice(user)
        elif kind == "sticker":
            await bot.sim.send_sticker(user)
        elif kind == "location":
            await bot.sim.send_location(user)
        elif kind == "wait":
            bot.clock.advance(timedelta(seconds=value))


async def scenario(newcomer: bool, language: str, steps) -> None:
    errors = Errors()
    logging.getLogger().addHandler(errors)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with BotHarness.start(Path(tmp)) as bot:
                user = NEWCOMER_USER if newcomer else SOFIE
                if newcomer:
                    await bot.send(user, "/start DEMO-DEELNEMER")
                person = people.by_telegram_id(bot.db, user.id)
                people.update(bot.db, person.id, bot.now(), language=language)
                before: set[tuple] = set()
                for one in steps:
                    await run_steps(bot, user, [one])
                    now = stored_answers(bot)
                    assert before <= now, f"answers lost after {one}: {before - now}"
                    before = now
                generic = [c for c in bot.api.calls if {"common/error",
                           "common/storage_unavailable"} & set(c.keys)]
                assert not generic, [(c.keys, c.text[:80]) for c in generic]
    finally:
        logging.getLogger().removeHandler(errors)
    assert not errors.records, [(r.getMessage(), r.exc_info and r.exc_info[1])
                                for r in errors.records]


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.booleans(), st.sampled_from(["nl", "en"]), st.lists(step, min_size=1, max_size=30))
def test_no_input_ever_gets_the_generic_error(newcomer, language, steps):
    asyncio.run(scenario(newcomer, language, steps))


FLOW_STARTS = ["/intake", "/brief", "/waarom", "/evaluatie", "/slotevaluatie"]


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(FLOW_STARTS), st.sampled_from(["nl", "en"]),
       st.integers(min_value=0, max_value=40), st.lists(step, min_size=1, max_size=8))
def test_any_input_at_any_point_of_every_flow(start, language, depth, steps):
    """Walk `depth` sensible steps into a flow (brief: any of its steps), then anything."""
    prefix = [("command", start), ("progress", 1), ("progress", depth)]
    asyncio.run(scenario(False, language, [*prefix, *steps]))
