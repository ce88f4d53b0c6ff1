"""No input ever gets the generic error: the error messages of the guided conversations render
for every question type with the values the code passes (issue 15), and the typed "Nee" at
brief step 4's "add another action?" that crashed."""

from __future__ import annotations

import pytest

from flows import engine
from flows.engine import ERRORS, Input, Pos
from kernbot.harness import SOFIE
from messages.render import Messages
from programme import flow_progress, flow_text
from tests.flow_helpers import person_id, question

INPUTS = [Input("text", ""), Input("text", "x" * 5000), Input("text", "🙂"),
          Input("text", "<b>ja</b> & nee"), Input("text", "42"), Input("text", "99"),
          Input("text", "ja, misschien"), Input("text", "31/02/2024"), Input("option", "nope"),
          Input("options", []), Input("photo", "file-1"), Input("document", None),
          Input("voice"), Input("sticker"), Input("back"), Input("skip"), Input("stop"),
          Input("keep")]


def test_every_error_has_a_template_in_both_languages():
    messages = Messages()
    for lang in ("nl", "en"):
        found = {k.split("/")[-1] for k in messages.keys(lang) if k.startswith("flows/errors/")}
        assert found == set(ERRORS)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_error_renders_for_every_question_with_the_values_the_code_passes(bot, lang):
    """Each question of each flow (group controls too), each input: the engine's error is
    rendered exactly as handlers/flows.py renders it; and every error key renders for every
    question type with those values (a template may use any of them)."""
    messages = bot.services.messages
    seen = set()
    for flow in bot.services.flows.values():
        for qid in [q.id for q in flow.questions()] + list(flow.groups()):
            q = flow.asked(qid)
            labels = flow_text.option_labels(messages, lang, q)
            pos = Pos(qid, 0)
            for inp in INPUTS:
                value, error, params = engine.validate(q, inp, labels)
                if error is None:
                    continue
                seen.add(error)
                messages.render(f"flows/errors/{error}", lang,
                                **flow_text.error_values(params, labels))
            for error in ERRORS:
                params = {"limit": q.limit, "length": q.limit + 1, "low": q.low,
                          "high": q.high, "minimum": q.min_length, "unknown": "🙂" * 50}
                messages.render(f"flows/errors/{error}", lang,
                                **flow_text.error_values(params, labels))
                messages.render(f"flows/errors/{error}", lang,
                                **flow_text.error_values({}, {}))
            assert engine.step(flow, {}, pos, Input("text", "ja")) is not None
    assert {"unknown_option", "too_long", "empty", "expects_text", "expects_choice"} <= seen


@pytest.mark.parametrize("typed", ["Nee", "ja", "NEE", "Ja "])
async def test_typing_yes_or_no_at_another_action_is_understood(bot, typed):
    """Regression: typing "Nee" at "Wil je nog een actie toevoegen?" raised UndefinedError
    'options' in flows/errors/unknown_option and gave the generic error."""
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/buttons/step", values={"title": bot.services.messages
                                                           .plain("flows/brief/sections/step4",
                                                                  "nl"), "done": False})
    for text in ["Een avondmarkt", "Centrummanager"]:
        await bot.send(SOFIE, text)
    for key in ["flows/options/place_bound", "flows/options/urgency_high",
                "flows/options/ic_quickwin"]:
        await bot.tap(SOFIE, key=key)
    await bot.send(SOFIE, "Na drie markten")
    calls = await bot.send(SOFIE, "De eerste markt")
    assert question(calls[-1])[0] == "actions"
    calls = await bot.send(SOFIE, typed)
    assert "common/error" not in calls[-1].keys
    answers = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "brief")
    if typed.strip().lower() == "nee":
        assert answers[("actions", 0)] == "done"
        assert question(calls[-1])[0] == "anchor_college"
    else:
        assert answers[("actions", 0)] == "more"
        assert question(calls[-1])[:1] == ("action",)


async def test_a_word_not_recognised_in_a_typed_list_is_named(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "economie, fietsen, mobiliteit")
    assert calls[-1].values("flows/errors/unknown_option")["unknown"] == "fietsen"
    assert question(calls[-1])[0] == "domains"
