"""Answers, their history and flow runs in SQLite; the runner on real storage."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.engine import SKIPPED, Input, Pos
from programme import flow_runner
from programme.demo import DEMO_NOW
from storage import answers, flow_runs, people
from storage.db import connect
from tests.test_flow_engine import FIXTURE_FLOWS


@pytest.fixture
def db():
    database = connect(":memory:")
    yield database
    database.close()


def person(db, n=1):
    return people.create(db, telegram_id=n, name=f"P{n}", role="participant", language="nl",
                         now=DEMO_NOW).id


def test_editing_moves_the_earlier_value_to_history(db):
    pid = person(db)
    assert answers.save(db, pid, "intake", "", "role", 0, "eerste", now=DEMO_NOW)
    assert not answers.save(db, pid, "intake", "", "role", 0, "eerste", now=DEMO_NOW)
    assert answers.save(db, pid, "intake", "", "role", 0, "tweede", now=DEMO_NOW)
    assert answers.save(db, pid, "intake", "", "role", 0, None, skipped=True, now=DEMO_NOW)
    [current] = answers.of(db, pid, "intake")
    assert current.skipped and current.value is None
    assert [v for v, _, _ in answers.history(db, pid, "intake", "", "role")] == \
        ["eerste", "tweede"]
    assert answers.last_activity(db, pid) is not None


def test_values_keep_their_type_and_instances_are_separate(db):
    pid = person(db)
    answers.save(db, pid, "waarom", "1", "why", 0, "a", now=DEMO_NOW)
    answers.save(db, pid, "waarom", "2", "why", 0, "b", now=DEMO_NOW)
    answers.save(db, pid, "intake", "", "domains", 0, ["dom_economy"], now=DEMO_NOW)
    assert answers.instances(db, pid, "waarom") == ["1", "2"]
    assert answers.of(db, pid, "intake")[0].value == ["dom_economy"]


def test_only_one_run_is_active_per_person(db):
    pid = person(db)
    flow_runs.activate(db, pid, "intake", "", now=DEMO_NOW)
    flow_runs.activate(db, pid, "evaluatie", "0", now=DEMO_NOW)
    assert flow_runs.active(db, pid).flow == "evaluatie"
    assert flow_runs.get(db, pid, "intake").status == "paused"
    with pytest.raises(sqlite3.IntegrityError):
        flow_runs.move(db, pid, "intake", "", question="role", status="active", now=DEMO_NOW)


INPUTS = st.one_of(
    st.builds(Input, st.just("text"), st.one_of(st.text(max_size=20), st.sampled_from(
        ["ja", "nee", "nog niet", "3", "9", "/intake", "/cancel", "Rood", "x" * 2100]))),
    st.builds(Input, st.just("option"), st.sampled_from(["yes", "no", "low", "2", "zz"])),
    st.builds(Input, st.sampled_from(["back", "skip", "keep", "stop", "sticker", "voice",
                                      "photo"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(flow_id=st.sampled_from(["survey", "chain", "plan"]),
       inputs=st.lists(INPUTS, max_size=40))
def test_runner_on_storage_never_loses_an_answer(flow_id, inputs):
    db = connect(":memory:")
    pid = person(db)
    instance = "1" if flow_id == "chain" else ""
    flow = FIXTURE_FLOWS[flow_id]
    run, _ = flow_runner.start(db, flow, pid, instance, now=DEMO_NOW)
    for n, inp in enumerate(inputs):
        before = flow_runner.load_answers(db, pid, flow_id, instance)
        sub = flow_runner.submit(db, flow, run, inp, now=DEMO_NOW, update_id=n + 1)
        after = flow_runner.load_answers(db, pid, flow_id, instance)
        assert set(before) <= set(after)
        changed = {p for p in after if before.get(p, object()) != after[p]}
        assert len(changed) <= 1
        for p in changed:  # a required question is never stored as skipped
            q = flow.question(p.qid)
            assert after[p] is not SKIPPED or (q is not None and not q.required)
        run = flow_runs.get(db, pid, flow_id, instance)
        if sub.finished:
            assert run.status == "done" and run.question is None
            break
        assert run.status == "active" and Pos(run.question, run.idx) == sub.next
    db.close()
