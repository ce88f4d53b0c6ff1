"""The flow engine: pure unit tests and hypothesis property tests on small fixture flows
(tests/flows_fixture/): a change to the shipped intake or brief breaks only their own tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import engine
from flows.engine import DONE, MORE, SKIPPED, Input, Pos
from flows.loader import parse

FIXTURES = Path(__file__).with_name("flows_fixture")


def fixture_flows() -> dict:
    return {path.stem: parse(tomllib.loads(path.read_text()), path.name)
            for path in sorted(FIXTURES.glob("*.toml"))}


FIXTURE_FLOWS = fixture_flows()


@pytest.fixture(scope="module")
def flows():
    return FIXTURE_FLOWS


def answer_all(flow, section=None, value="x"):
    """Answer every question with something valid; returns the answers."""
    answers = {}
    pos = engine.first_unanswered(flow, answers, section)
    while pos is not None:
        inp = valid_input(flow, pos, value)
        result = engine.step(flow, answers, pos, inp, section)
        assert result.ok, (pos, result)
        answers.update(dict(result.writes))
        pos = result.next
    return answers


def valid_input(flow, pos, value="x"):
    if flow.group(pos.qid):
        return Input("option", "no")
    q = flow.question(pos.qid)
    if q.type in ("choice", "yesno", "scale"):
        return Input("option", q.option_ids[0])
    if q.type == "multi":
        return Input("options", [q.option_ids[0]])
    if q.type == "photo":
        return Input("photo", "file-1")
    return Input("text", value)


def test_survey_runs_in_order_and_completes(flows):
    survey = flows["survey"]
    answers = answer_all(survey)
    assert engine.is_complete(survey, answers)
    assert answers[Pos("has_place")] == "yes" and Pos("place") in answers
    assert answers[Pos("remark")] == "x"


def test_condition_shows_question_only_for_matching_answer(flows):
    survey = flows["survey"]
    base = {Pos("name"): "x", Pos("topics"): ["t_red"]}
    assert engine.first_unanswered(survey, base) == Pos("has_place")
    with_yes = {**base, Pos("has_place"): "yes"}
    assert engine.first_unanswered(survey, with_yes) == Pos("place")
    with_no = {**base, Pos("has_place"): "no"}
    assert engine.first_unanswered(survey, with_no) == Pos("level")
    # the conditional follow-up gets no number, so the total is the same on both paths
    assert engine.counter(survey, Pos("level")) == (4, 6)
    assert engine.counter(survey, Pos("place")) is None
    assert engine.counter(survey, Pos("has_place")) == (3, 6)


def test_validation_errors_name_what_is_expected(flows):
    survey = flows["survey"]
    name = Pos("name")
    assert engine.step(survey, {}, name, Input("sticker")).error == "expects_text"
    assert engine.step(survey, {}, name, Input("voice")).error == "expects_text"
    assert engine.step(survey, {}, name, Input("photo", "f")).error == "expects_text"
    result = engine.step(survey, {}, name, Input("text", "a" * 21))
    assert result.error == "too_long" and result.params == {"limit": 20, "length": 21}
    assert engine.step(survey, {}, name, Input("text", "   ")).error == "empty"
    assert engine.step(survey, {}, name, Input("skip")).error == "not_optional"
    assert engine.step(survey, {}, name, Input("back")).error == "cannot_go_back"
    answers = {**answer_all(survey)}
    del answers[Pos("score")]
    assert engine.step(survey, answers, Pos("score"), Input("text", "7")).error == \
        "number_range"
    assert engine.step(survey, answers, Pos("score"), Input("text", " 4 ")).writes == \
        ((Pos("score"), "4"),)


def test_typed_option_matches_label_case_insensitively(flows):
    q = flows["survey"].question("level")
    labels = {"low": "Laag", "high": "Hoog"}
    value, error, _ = engine.validate(q, Input("text", "  hOOg "), labels)
    assert (value, error) == ("high", None)
    assert engine.validate(q, Input("text", "iets anders"), labels)[1] == "unknown_option"
    multi = flows["survey"].question("topics")
    value, error, _ = engine.validate(multi, Input("text", "blauw, ROOD"),
                                      {"t_red": "Rood", "t_blue": "Blauw"})
    assert (value, error) == (["t_red", "t_blue"], None)


def test_skip_optional_back_and_keep(flows):
    survey = flows["survey"]
    answers = {Pos("name"): "a", Pos("topics"): ["t_red"], Pos("has_place"): "no",
               Pos("level"): "low"}
    skipped = engine.step(survey, answers, Pos("remark"), Input("skip"))
    assert skipped.writes == ((Pos("remark"), SKIPPED),) and skipped.next == Pos("score")
    back = engine.step(survey, answers, Pos("remark"), Input("back"))
    assert back.ok and back.moved_back and back.next == Pos("level") and not back.writes
    keep = engine.step(survey, answers, Pos("level"), Input("keep"))
    assert keep.next == Pos("remark") and not keep.writes
    # after going back and answering again, the next question is the first unanswered one
    again = engine.step(survey, answers, Pos("level"), Input("option", "high"))
    assert again.writes == ((Pos("level"), "high"),) and again.next == Pos("remark")


def test_edit_one_answer_returns_to_the_end(flows):
    survey = flows["survey"]
    answers = answer_all(survey)
    result = engine.step(survey, answers, Pos("name"), Input("text", "nieuw"))
    assert result.writes == ((Pos("name"), "nieuw"),) and result.next is None


def test_repeatable_group(flows):
    plan = flows["plan"]
    answers = {}
    for idx in range(2):
        for q in plan.group("steps").questions:
            pos = engine.first_unanswered(plan, answers, "second")
            assert pos == Pos(q.id, idx)
            result = engine.step(plan, answers, pos, valid_input(plan, pos, f"a{idx}"), "second")
            answers.update(dict(result.writes))
        control = engine.first_unanswered(plan, answers, "second")
        assert control == Pos("steps", idx)
        result = engine.step(plan, answers, control,
                             Input("option", "yes" if idx == 0 else "no"), "second")
        assert result.writes == ((control, MORE if idx == 0 else DONE),)
        answers.update(dict(result.writes))
    assert engine.first_unanswered(plan, answers, "second") == Pos("closing")
    assert answers[Pos("step", 1)] == "a1"


def test_group_stops_early_and_at_its_maximum(flows):
    chain = flows["chain"]
    answers = {Pos("start"): "Leegstand"}
    first = Pos("link", 0)
    assert engine.step(chain, answers, first, Input("stop")).error == "cannot_stop"
    answers[first] = "w1"
    stop = engine.step(chain, answers, Pos("link", 1), Input("stop"))
    assert stop.writes == ((Pos("links", 1), DONE),) and stop.next == Pos("end")
    # without stopping: four links (the maximum), then the end
    answers = {Pos("start"): "Leegstand", **{Pos("link", i): f"w{i}" for i in range(4)}}
    assert engine.first_unanswered(chain, answers) == Pos("end")


def test_stale_position_is_reported_not_applied(flows):
    survey = flows["survey"]
    answers = {Pos("name"): "x", Pos("has_place"): "no"}
    result = engine.step(survey, answers, Pos("place"), Input("text", "x"))  # hidden question
    assert result.error == "stale" and not result.writes and result.next == Pos("topics")
    result = engine.step(flows["chain"], {}, Pos("link", 3), Input("text", "x"))
    assert result.error == "stale" and not result.writes


def test_sections_are_independent(flows):
    plan = flows["plan"]
    answers = answer_all(plan, "second")
    assert engine.is_complete(plan, answers, "second")
    assert not engine.is_complete(plan, answers, "first")
    assert engine.first_unanswered(plan, answers, "first") == Pos("goal")


def test_parse_builds_groups_and_conditions():
    flow = parse({"id": "t", "items": [
        {"id": "a", "type": "yesno"},
        {"id": "b", "type": "text", "when": {"question": "a", "in": ["yes"]}},
        {"id": "g", "type": "group", "ask_more": True, "max": 2,
         "questions": [{"id": "c", "type": "number", "min": 1, "max": 9}]},
    ]}, "t.toml")
    assert engine.positions(flow, {}) == [Pos("a"), Pos("c", 0), Pos("g", 0)]
    answers = {Pos("a"): "no", Pos("c", 0): 3, Pos("g", 0): MORE}
    assert engine.positions(flow, answers) == [Pos("a"), Pos("c", 0), Pos("g", 0), Pos("c", 1)]
    assert engine.step(flow, answers, Pos("c", 1), Input("text", "12")).error == "number_range"
    assert engine.step(flow, answers, Pos("c", 1), Input("text", "x")).error == "expects_number"


# -- property tests ---------------------------------------------------------------------------
TEXTS = st.one_of(st.text(max_size=40), st.sampled_from(
    ["ja", "Nee", "nog niet", "1", "5", "7", "0", "Rood", "hoog", "x" * 2500, "",
     "/intake", "/cancel", "/brief"]))
INPUTS = st.one_of(
    st.builds(Input, st.just("text"), TEXTS),
    st.builds(Input, st.just("option"), st.sampled_from(
        ["yes", "no", "low", "1", "3", "k_small", "u_yes", "bogus", ""])),
    st.builds(Input, st.just("options"), st.lists(st.sampled_from(
        ["t_red", "t_blue", "bogus"]), max_size=3)),
    st.builds(Input, st.sampled_from(["photo", "document"]), st.just("file-1")),
    st.builds(Input, st.sampled_from(["sticker", "voice", "other", "back", "skip", "stop",
                                      "keep"])),
    st.builds(Input, st.just("text"), st.just(None)),
)
TARGETS = [("survey", None), ("plan", "first"), ("plan", "second"), ("plan", None),
           ("chain", None)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), inputs=st.lists(INPUTS, max_size=60))
def test_any_input_sequence_is_safe(target, inputs):
    flow_id, section = target
    flow = FIXTURE_FLOWS[flow_id]
    answers: dict = {}
    pos = engine.first_unanswered(flow, answers, section)
    for inp in inputs:
        if pos is None:
            break
        before = dict(answers)
        result = engine.step(flow, answers, pos, inp, section)  # never raises
        for at, value in result.writes:
            # only the current question (or its group's stop marker) is written
            q = flow.question(pos.qid)
            assert at == pos or (q is not None and at == Pos(q.group, pos.idx))
            target_q = flow.question(at.qid)
            if value is SKIPPED:
                assert target_q is not None and not target_q.required  # required never skipped
        answers.update(dict(result.writes))
        for key, value in before.items():  # never loses a stored answer
            assert key in answers
            if key != pos:
                assert answers[key] == value
        if result.ok and not result.moved_back and result.writes:
            assert result.next == engine.first_unanswered(flow, answers, section)
        if result.next is None:
            # complete: every required question that is asked has a real value
            for p in engine.positions(flow, answers, section):
                q = flow.question(p.qid)
                assert p in answers
                if q is not None and q.required:
                    assert answers[p] is not SKIPPED
        pos = result.next
