"""The flow engine: pure unit tests and hypothesis property tests on the shipped flows."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import engine
from flows.engine import DONE, MORE, SKIPPED, Input, Pos
from flows.loader import parse, shipped


@pytest.fixture(scope="module")
def flows():
    return shipped()


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


def test_intake_runs_in_order_and_completes(flows):
    intake = flows["intake"]
    answers = answer_all(intake)
    assert engine.is_complete(intake, answers)
    assert answers[Pos("area_specific")] == "yes" and Pos("area") in answers
    assert answers[Pos("notes")] == "x"


def test_condition_shows_question_only_for_matching_answer(flows):
    intake = flows["intake"]
    base = {Pos("role"): "x", Pos("domains"): ["dom_economy"], Pos("challenge"): "x",
            Pos("expectations"): "x"}
    assert engine.first_unanswered(intake, base) == Pos("area_specific")
    with_yes = {**base, Pos("area_specific"): "yes"}
    assert engine.first_unanswered(intake, with_yes) == Pos("area")
    with_no = {**base, Pos("area_specific"): "no"}
    assert engine.first_unanswered(intake, with_no) == Pos("initiatives")
    assert engine.progress(intake, with_no, Pos("initiatives")) == (6, 13)
    assert engine.progress(intake, with_yes, Pos("area")) == (6, 14)


def test_validation_errors_name_what_is_expected(flows):
    intake = flows["intake"]
    role = Pos("role")
    assert engine.step(intake, {}, role, Input("sticker")).error == "expects_text"
    assert engine.step(intake, {}, role, Input("voice")).error == "expects_text"
    assert engine.step(intake, {}, role, Input("photo", "f")).error == "expects_text"
    result = engine.step(intake, {}, role, Input("text", "a" * 201))
    assert result.error == "too_long" and result.params == {"limit": 200, "length": 201}
    assert engine.step(intake, {}, role, Input("text", "   ")).error == "empty"
    assert engine.step(intake, {}, role, Input("skip")).error == "not_optional"
    assert engine.step(intake, {}, role, Input("back")).error == "cannot_go_back"
    evaluatie = flows["evaluatie"]
    answers = {Pos("less"): "a", Pos("good"): "b", Pos("held_back"): SKIPPED}
    assert engine.step(evaluatie, answers, Pos("score"), Input("text", "7")).error == \
        "number_range"
    assert engine.step(evaluatie, answers, Pos("score"), Input("text", " 4 ")).writes == \
        ((Pos("score"), "4"),)


def test_typed_option_matches_label_case_insensitively(flows):
    brief = flows["brief"]
    q = brief.question("ladder")
    labels = {"ladder_inform": "Informeren", "ladder_advise": "Adviseren",
              "ladder_coproduce": "Coproduceren", "ladder_codecide": "Meebeslissen"}
    value, error, _ = engine.validate(q, Input("text", "  coPRODUceren "), labels)
    assert (value, error) == ("ladder_coproduce", None)
    assert engine.validate(q, Input("text", "iets anders"), labels)[1] == "unknown_option"
    multi = flows["intake"].question("domains")
    value, error, _ = engine.validate(multi, Input("text", "mobiliteit, ECONOMIE"),
                                      {"dom_economy": "Economie", "dom_mobility": "Mobiliteit"})
    assert (value, error) == (["dom_economy", "dom_mobility"], None)


def test_skip_optional_back_and_keep(flows):
    evaluatie = flows["evaluatie"]
    answers = {Pos("less"): "a", Pos("good"): "b"}
    skipped = engine.step(evaluatie, answers, Pos("held_back"), Input("skip"))
    assert skipped.writes == ((Pos("held_back"), SKIPPED),) and skipped.next == Pos("score")
    back = engine.step(evaluatie, answers, Pos("held_back"), Input("back"))
    assert back.ok and back.moved_back and back.next == Pos("good") and not back.writes
    keep = engine.step(evaluatie, answers, Pos("good"), Input("keep"))
    assert keep.next == Pos("held_back") and not keep.writes
    # after going back and answering again, the next question is the first unanswered one
    again = engine.step(evaluatie, answers, Pos("good"), Input("text", "c"))
    assert again.writes == ((Pos("good"), "c"),) and again.next == Pos("held_back")


def test_edit_one_answer_returns_to_the_end(flows):
    evaluatie = flows["evaluatie"]
    answers = answer_all(evaluatie)
    result = engine.step(evaluatie, answers, Pos("less"), Input("text", "nieuw"))
    assert result.writes == ((Pos("less"), "nieuw"),) and result.next is None


def test_repeatable_action_sheets(flows):
    brief = flows["brief"]
    answers = {}
    for idx in range(2):
        for q in brief.group("actions").questions:
            pos = engine.first_unanswered(brief, answers, "step4")
            assert pos == Pos(q.id, idx)
            result = engine.step(brief, answers, pos, valid_input(brief, pos, f"a{idx}"), "step4")
            answers.update(dict(result.writes))
        control = engine.first_unanswered(brief, answers, "step4")
        assert control == Pos("actions", idx)
        result = engine.step(brief, answers, control,
                             Input("option", "yes" if idx == 0 else "no"), "step4")
        assert result.writes == ((control, MORE if idx == 0 else DONE),)
        answers.update(dict(result.writes))
    assert engine.first_unanswered(brief, answers, "step4") == Pos("anchor_college")
    assert answers[Pos("action", 1)] == "a1"


def test_five_whys_stop_early_and_at_most_five(flows):
    waarom = flows["waarom"]
    answers = {Pos("problem"): "Leegstand"}
    first = Pos("why", 0)
    assert engine.step(waarom, answers, first, Input("stop")).error == "cannot_stop"
    answers[first] = "w1"
    stop = engine.step(waarom, answers, Pos("why", 1), Input("stop"))
    assert stop.writes == ((Pos("whys", 1), DONE),) and stop.next == Pos("root")
    # without stopping: five whys, then the root cause
    answers = {Pos("problem"): "Leegstand", **{Pos("why", i): f"w{i}" for i in range(5)}}
    assert engine.first_unanswered(waarom, answers) == Pos("root")


def test_stale_position_is_reported_not_applied(flows):
    intake = flows["intake"]
    answers = {Pos("role"): "x", Pos("area_specific"): "no"}
    result = engine.step(intake, answers, Pos("area"), Input("text", "x"))  # hidden question
    assert result.error == "stale" and not result.writes and result.next == Pos("domains")
    waarom = shipped()["waarom"]
    result = engine.step(waarom, {}, Pos("why", 3), Input("text", "x"))
    assert result.error == "stale" and not result.writes


def test_sections_are_independent(flows):
    brief = flows["brief"]
    answers = answer_all(brief, "step2")
    assert engine.is_complete(brief, answers, "step2")
    assert not engine.is_complete(brief, answers, "step1")
    assert engine.first_unanswered(brief, answers, "step1") == Pos("problem")


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
    ["ja", "Nee", "nog niet", "1", "5", "7", "0", "Economie", "coproduceren", "x" * 2500, "",
     "/intake", "/cancel", "/brief"]))
INPUTS = st.one_of(
    st.builds(Input, st.just("text"), TEXTS),
    st.builds(Input, st.just("option"), st.sampled_from(
        ["yes", "no", "not_yet", "1", "3", "ladder_inform", "place_bound", "bogus", ""])),
    st.builds(Input, st.just("options"), st.lists(st.sampled_from(
        ["dom_economy", "dom_space", "bogus"]), max_size=3)),
    st.builds(Input, st.sampled_from(["photo", "document"]), st.just("file-1")),
    st.builds(Input, st.sampled_from(["sticker", "voice", "other", "back", "skip", "stop",
                                      "keep"])),
    st.builds(Input, st.just("text"), st.just(None)),
)
TARGETS = [("intake", None), ("brief", "step1"), ("brief", "step3"), ("brief", "step4"),
           ("brief", None), ("waarom", None), ("evaluatie", None)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TARGETS), inputs=st.lists(INPUTS, max_size=60))
def test_any_input_sequence_is_safe(target, inputs):
    flow_id, section = target
    flow = shipped()[flow_id]
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
