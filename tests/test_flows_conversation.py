"""Guided conversations through the whole Application (fake Bot API, FakeClock, demo data)."""

from __future__ import annotations

from buttons import flows as fb
from flows.engine import SKIPPED, Pos
from kernbot.harness import AN, NEWCOMER_USER, PIETER, SOFIE, enrol
from programme import flow_progress, flow_runner
from storage import answers, flow_runs, trajectories
from tests.flow_helpers import (
    BACK,
    BACK_TO_BRIEF,
    INTAKE_EN,
    INTAKE_NL,
    KEEP,
    NO,
    SKIP,
    YES,
    after_session,
    person_id,
    play,
    question,
    set_language,
    summary,
)


def label(bot, key: str, language: str = "nl", **values) -> str:
    return bot.services.messages.plain(key, language, **values)


async def test_intake_in_dutch_from_start_to_summary(bot):
    calls = await bot.send(SOFIE, "/intake")
    assert calls[0].key == "flows/ui/intro" and "flows/intake/intro" in calls[0].keys
    assert calls[0].language == "nl"
    assert question(calls[-1]) == ("role", 1, 13) and "flows/ui/hint" in calls[-1].keys
    calls = await play(bot, SOFIE, INTAKE_NL)
    shown = summary(calls[-1])
    assert shown["complete"] and shown["title"] == label(bot, "flows/intake/title")
    assert "flows/ui/done_intake" in calls[-1].keys
    rows = dict(shown["rows"])
    assert rows[label(bot, "flows/intake/domains/label")] == ", ".join(
        label(bot, f"flows/options/{o}") for o in ("dom_economy", "dom_mobility"))
    assert rows[label(bot, "flows/intake/area/label")] == "De Antwerpsestraat en de Grote Markt."
    assert rows[label(bot, "flows/intake/support_mat/label")] == label(bot, "flows/options/not_yet")
    assert rows[label(bot, "flows/intake/notes/label")] == label(bot, "flows/ui/skipped")
    edits = [b["callback_data"] for b in calls[-1].buttons]
    assert fb.Edit("intake", "", "role", 0).pack() in edits and len(edits) == 14
    pid = person_id(bot, SOFIE)
    assert flow_progress.intake_done(bot.db, bot.services.flows, pid)
    assert flow_runs.get(bot.db, pid, "intake").status == "done"
    stored = flow_progress.flow_answers(bot.db, pid, "intake")
    assert stored[("support_mat", 0)] == "not_yet" and stored[("notes", 0)] is None


async def test_intake_in_english(bot):
    set_language(bot, SOFIE, "en")
    calls = await bot.send(SOFIE, "/intake")
    assert calls[0].key == "flows/ui/intro" and calls[0].language == "en"
    assert question(calls[-1]) == ("role", 1, 13) and calls[-1].language == "en"
    calls = await play(bot, SOFIE, INTAKE_EN)
    assert "flows/ui/done_intake" in calls[-1].keys and calls[-1].language == "en"
    assert summary(calls[-1])["complete"]
    pid = person_id(bot, SOFIE)
    stored = flow_progress.flow_answers(bot.db, pid, "intake")
    assert stored[("domains", 0)] == ["dom_economy", "dom_mobility"]   # typed, in English
    assert stored[("area_specific", 0)] == "no" and stored[("support_lead", 0)] == "yes"
    assert stored[("support_mat", 0)] == "not_yet"
    assert flow_progress.intake_done(bot.db, bot.services.flows, pid)


async def test_progress_counts_and_how_to_go_back_and_skip(bot):
    await bot.send(SOFIE, "/intake")
    calls = await bot.send(SOFIE, "Centrummanager")
    assert question(calls[-1]) == ("domains", 2, 13) and BACK in calls[-1].keys
    assert calls[-1].values("flows/ui/hint")["can_back"]
    calls = await bot.tap(SOFIE, key=BACK)
    assert question(calls[-1]) == ("role", 1, 13)
    assert calls[-1].values("flows/ui/question")["current"] == "Centrummanager"
    calls = await bot.tap(SOFIE, key=KEEP)
    assert question(calls[-1]) == ("domains", 2, 13)


async def test_restart_in_the_middle_resumes_at_the_same_question(bot):
    await bot.send(SOFIE, "/intake")
    calls = await play(bot, SOFIE, INTAKE_NL[:5])
    assert question(calls[-1]) == ("expectations", 4, 13)
    await bot.restart()
    calls = await bot.send(SOFIE, "Een plan dat het college mee draagt.")
    assert question(calls[-1]) == ("area_specific", 5, 13)
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("expectations", 0)] == "Een plan dat het college mee draagt."
    await bot.restart()
    calls = await bot.send(SOFIE, "/intake")
    assert "flows/ui/resume" in calls[-1].keys
    assert question(calls[-1]) == ("area_specific", 5, 13)


async def test_cancel_keeps_answers_and_restarting_resumes(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:2])
    calls = await bot.send(SOFIE, "/cancel")
    assert calls[-1].key == "common/cancelled"
    pid = person_id(bot, SOFIE)
    assert flow_runs.get(bot.db, pid, "intake").status == "paused"
    calls = await bot.send(SOFIE, "Iets los")
    assert calls[-1].key == "common/idle_text"
    calls = await bot.send(SOFIE, "/intake")
    assert question(calls[-1]) == ("domains", 2, 13)
    assert flow_progress.flow_answers(bot.db, pid, "intake")[("role", 0)] == \
        "Ambtenaar lokale economie in Lier"


async def test_wrong_input_is_reprompted_with_what_is_expected(bot):
    await bot.send(SOFIE, "/intake")
    calls = await bot.sim.send_sticker(SOFIE)
    assert "flows/errors/expects_text" in calls[-1].keys
    assert question(calls[-1]) == ("role", 1, 13)
    calls = await bot.sim.send_voice(SOFIE)
    assert "flows/errors/expects_text" in calls[-1].keys
    calls = await bot.sim.send_photo(SOFIE, b"\x89PNG")
    assert "flows/errors/expects_text" in calls[-1].keys
    calls = await bot.send(SOFIE, "x" * 250)
    too_long = calls[-1].values("flows/errors/too_long")
    assert (too_long["length"], too_long["limit"]) == (250, 200)
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "Sport")
    options = calls[-1].values("flows/errors/unknown_option")["options"]
    assert label(bot, "flows/options/dom_economy") in options
    assert question(calls[-1]) == ("domains", 2, 13)
    pid = person_id(bot, SOFIE)
    assert flow_progress.flow_answers(bot.db, pid, "intake") == {("role", 0): "Centrummanager"}


async def test_the_closing_words_come_once_not_each_time_the_intake_is_viewed(bot):
    """Regression (console walk): /intake repeated "Dank je wel! Je intake is klaar" every
    time it was looked at, and after every edit."""
    await bot.send(SOFIE, "/intake")
    calls = await play(bot, SOFIE, INTAKE_NL)
    assert "flows/ui/done_intake" in calls[-1].keys
    calls = await bot.send(SOFIE, "/intake")
    assert summary(calls[-1])["complete"] and "flows/ui/done_intake" not in calls[-1].keys
    await bot.tap(SOFIE, 1)                              # edit the first answer
    calls = await bot.send(SOFIE, "Centrummanager")
    assert "flows/ui/edited" in calls[-1].keys and "flows/ui/done_intake" not in calls[-1].keys


async def test_score_out_of_range_and_typed_score(bot):
    session = after_session(bot, 1)
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "Te lang"), ("send", "De wandeling"), ("key", SKIP)])
    calls = await bot.send(SOFIE, "9")
    out_of_range = calls[-1].values("flows/errors/number_range")
    assert (out_of_range["low"], out_of_range["high"]) == (1, 5)
    assert question(calls[-1])[0] == "score"
    calls = await bot.send(SOFIE, "4")
    assert str(calls[-1].values("flows/ui/score")["value"]) == "4"
    assert "flows/ui/done_evaluatie" in calls[-1].keys and summary(calls[-1])["complete"]
    evaluations = flow_progress.evaluations(bot.db, bot.services.flows, person_id(bot, SOFIE))
    assert [(e.session_id, e.score, e.complete) for e in evaluations] == [(session.id, 4, True)]


async def test_the_button_of_the_question_a_cancelled_run_stopped_at_carries_on(bot):
    """Regression (console walk): after /cancel at the score, tapping the old "5" said the
    evaluation "is klaar" and dropped the score. It is the answer to that question."""
    session = after_session(bot, 1)
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "Te lang"), ("send", "De wandeling"), ("key", SKIP)])
    await bot.send(SOFIE, "/cancel")
    calls = await bot.tap(SOFIE, "5")
    assert "flows/ui/already_done" not in calls[-1].keys
    assert str(calls[-1].values("flows/ui/score")["value"]) == "5"
    assert summary(calls[-1])["complete"]
    evaluations = flow_progress.evaluations(bot.db, bot.services.flows, person_id(bot, SOFIE))
    assert [(e.session_id, e.score, e.complete) for e in evaluations] == [(session.id, 5, True)]


async def test_an_old_button_of_a_paused_run_says_it_is_paused_not_done(bot):
    after_session(bot, 1)
    await bot.send(SOFIE, "/evaluatie")
    await bot.send(SOFIE, "Te lang")
    await bot.send(SOFIE, "/cancel")
    calls = await bot.tap(SOFIE, key=BACK)              # of "good", where it stopped:
    assert question(calls[-1])[0] == "less"             # carries on from there
    await bot.send(SOFIE, "/cancel")
    run = flow_runs.of_flow(bot.db, person_id(bot, SOFIE), "evaluatie")[0]
    calls = await bot.press(SOFIE, fb.Move("evaluatie", run.instance, "good", 0,
                                           "back").pack())   # not where it stopped now
    assert calls[-1].key == "flows/ui/paused" and "flows/ui/already_done" not in calls[-1].keys


async def test_an_old_button_of_a_paused_run_while_another_runs_offers_to_switch(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")                # at question 2, the domains
    await bot.send(SOFIE, "/cancel")
    await bot.send(SOFIE, "/waarom")
    intake = flow_runs.get(bot.db, person_id(bot, SOFIE), "intake")
    calls = await bot.press(SOFIE, fb.Toggle("intake", "", intake.question, intake.idx,
                                             "dom_economy").pack())
    assert calls[-1].key == "flows/ui/pause_ask"


async def test_evaluatie_reaches_an_earlier_session_still_open(bot):
    """Regression (console walk): a missed evaluation of session 1 was chased by the
    progress overview and the nudges, yet /evaluatie only ever opened the latest session.
    The latest comes first; once it is done, /evaluatie opens what is still open."""
    evaluate = [("send", "Te lang"), ("send", "De wandeling"), ("key", SKIP), ("send", "4")]
    after_session(bot, 3)
    calls = await bot.send(SOFIE, "/evaluatie")         # the session just held
    assert "3" in calls[0].values("flows/ui/intro")["title"]
    await play(bot, SOFIE, evaluate)
    calls = await bot.send(SOFIE, "/evaluatie")         # then sessions 1 and 2: a choice
    assert calls[-1].key == "flows/ui/evaluation_choose"
    assert [b["text"] for b in calls[-1].buttons] == [
        label(bot, "flows/buttons/evaluate_session", number=n) for n in (1, 2)]
    calls = await bot.tap(SOFIE, 2)
    assert "2" in calls[0].values("flows/ui/intro")["title"]
    await play(bot, SOFIE, evaluate)
    calls = await bot.send(SOFIE, "/evaluatie")         # only session 1 is left: straight in
    assert "1" in calls[0].values("flows/ui/intro")["title"]


async def test_button_of_an_answered_question_says_so_and_shows_the_current_one(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:6])  # up to and including "area_specific"? no: before
    yes_no = bot.sim.last_keyboard(SOFIE)
    assert question(yes_no) == ("area_specific", 5, 13)
    await bot.tap(SOFIE, key=YES)
    no = fb.Answer("intake", "", "area_specific", 0, "no").pack()
    assert no in [b["callback_data"] for b in yes_no.buttons]
    calls = await bot.press(SOFIE, no)
    assert "flows/ui/already_answered" in calls[-1].keys
    assert question(calls[-1]) == ("area", None, None)
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("area_specific", 0)] == "yes"
    calls = await bot.press(SOFIE, "fl:ans:intake::nonsense:0:yes")  # forged
    assert "flows/ui/already_answered" in calls[-1].keys


async def test_starting_another_flow_asks_to_pause_the_current_one(bot):
    after_session(bot, 1)
    evaluation_title = bot.services.messages.plain("flows/evaluatie/title_session", "nl",
                                                   number=1)
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "/evaluatie")
    assert calls[-1].key == "flows/ui/pause_ask"
    assert calls[-1].values("flows/ui/pause_ask") == {
        "current": label(bot, "flows/intake/title"), "new": evaluation_title}
    calls = await bot.tap(SOFIE, key="flows/buttons/pause_no")
    assert question(calls[-1]) == ("domains", 2, 13)
    await bot.send(SOFIE, "/evaluatie")
    calls = await bot.tap(SOFIE, key="flows/buttons/pause_yes")
    assert calls[0].key == "flows/ui/paused"
    assert calls[0].values("flows/ui/paused")["command"] == "/intake"
    assert calls[-1].values("flows/ui/question")["title"] == evaluation_title
    assert question(calls[-1]) == ("less", 1, 4)
    pid = person_id(bot, SOFIE)
    assert flow_runs.active(bot.db, pid).flow == "evaluatie"
    assert flow_runs.get(bot.db, pid, "intake").status == "paused"


async def test_edit_from_the_summary_keeps_the_earlier_value_in_history(bot):
    instance = str(after_session(bot, 1).id)
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "Te lang"), ("send", "De wandeling"),
                            ("send", "Een andere vergadering"), ("tap", "5")])
    calls = await bot.tap(SOFIE, key="flows/evaluatie/good/label")
    assert question(calls[-1])[0] == "good"
    assert calls[-1].values("flows/ui/question")["current"] == "De wandeling"
    calls = await bot.send(SOFIE, "De wandeling door de kern")
    assert "flows/ui/edited" in calls[-1].keys
    assert (label(bot, "flows/evaluatie/good/label"), "De wandeling door de kern") in \
        summary(calls[-1])["rows"]
    pid = person_id(bot, SOFIE)
    old = answers.history(bot.db, pid, "evaluatie", instance, "good")
    assert [value for value, _, _ in old] == ["De wandeling"]
    assert flow_progress.flow_answers(bot.db, pid, "evaluatie", instance)[("good", 0)] == \
        "De wandeling door de kern"


async def test_brief_step_one_and_a_five_whys_chain_in_english(bot):
    set_language(bot, PIETER, "en")
    calls = await bot.send(PIETER, "/brief")
    assert calls[-1].key == "flows/ui/brief_menu" and calls[-1].language == "en"
    assert [done for _, done in calls[-1].values("flows/ui/brief_menu")["parts"]] == [
        False, False, False, False]
    await bot.tap(PIETER, key="flows/brief/sections/step1")
    calls = await play(bot, PIETER, [
        ("send", "Shoppers don’t stay in the core"), ("send", "The market square only"),
        ("send", "Goal: a lively core; means: events"), ("send", "A family with a cargo bike"),
        ("send", "The traders' association"), ("send", "The cultural centre"),
        ("type", "flows/options/ladder_coproduce"),
        ("type", ["flows/options/role_support", "flows/options/role_facilitate"])])
    assert summary(calls[-1])["section"] == label(bot, "flows/brief/sections/step1", "en")
    assert "flows/ui/done_brief" in calls[-1].keys and calls[-1].language == "en"
    assert flow_progress.flow_answers(bot.db, person_id(bot, PIETER), "brief")[
        ("ladder", 0)] == "ladder_coproduce"
    assert flow_progress.flow_answers(bot.db, person_id(bot, PIETER), "brief")[
        ("own_role", 0)] == ["role_support", "role_facilitate"]
    assert flow_progress.brief_steps_done(bot.db, bot.services.flows, person_id(bot, PIETER)) == {
        "step1": True, "step2": False, "step3": False, "step4": False}
    calls = await bot.send(PIETER, "/waarom")
    assert "flows/buttons/use_suggestion" in calls[-1].keys
    await bot.tap(PIETER, key="flows/buttons/use_suggestion")
    calls = await bot.send(PIETER, "There is nothing to do after 6 pm")
    why = calls[-1].values("flows/waarom/why/prompt")
    assert list(why["chain"]) == ["There is nothing to do after 6 pm"]
    assert why["problem"] == "Shoppers don’t stay in the core"
    calls = await bot.tap(PIETER, key="flows/buttons/found_root")
    assert question(calls[-1])[0] == "root"
    await bot.send(PIETER, "Shops close at six and nothing else is open")
    calls = await bot.send(PIETER, "mix evening activities into the core")
    prefix = label(bot, "flows/waarom/hkw_prefix", "en")
    assert f"{prefix} mix evening activities into the core?" in calls[-1].text
    chains = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, PIETER))
    assert len(chains) == 1 and chains[0].complete
    assert chains[0].whys == ["There is nothing to do after 6 pm"]
    calls = await bot.tap(PIETER, key="flows/buttons/new_chain")
    assert question(calls[-1]) == ("problem", 1, 3) and calls[-1].language == "en"


async def test_five_whys_up_to_five_and_back_one_level(bot):
    await bot.send(SOFIE, "/waarom")
    calls = await bot.send(SOFIE, "Leegstand in de winkelstraat")
    stop = fb.Move("waarom", "1", "why", 0, "stop").pack()
    assert stop not in [b["callback_data"] for b in calls[-1].buttons]
    for n in range(1, 5):
        calls = await bot.send(SOFIE, f"omdat {n}")
        assert calls[-1].values("flows/waarom/why/prompt")["round"] == n + 1
    calls = await bot.tap(SOFIE, key=BACK)
    assert calls[-1].values("flows/waarom/why/prompt")["round"] == 4
    assert calls[-1].values("flows/ui/question")["current"] == "omdat 4"
    await bot.send(SOFIE, "omdat vier")
    calls = await bot.send(SOFIE, "omdat 5")
    assert question(calls[-1])[0] == "root"
    await bot.send(SOFIE, "Eigenaars vragen te hoge huur")
    prefix = label(bot, "flows/waarom/hkw_prefix")          # typed along: not doubled
    calls = await bot.send(SOFIE, f"{prefix} eigenaars overtuigen")
    assert "flows/ui/done_waarom" in calls[-1].keys
    chain = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))[0]
    assert chain.hkw == f"{prefix} eigenaars overtuigen?"
    chain = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))[0]
    assert chain.whys == ["omdat 1", "omdat 2", "omdat 3", "omdat vier", "omdat 5"]
    await bot.send(SOFIE, "/waarom")
    assert [c.number for c in flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))] == ["1"]
    await bot.send(SOFIE, "Tweede probleem")
    assert [c.number for c in flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))] == ["1", "2"]


async def test_action_sheets_repeat_and_photo_in_step_three(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step3")
    await play(bot, SOFIE, [("send", "Tijdelijk groen"), ("send", "Bakken groen op de markt"),
                            ("send", "De handelaars"), ("send", "Blijven mensen langer?")])
    calls = await bot.tap(SOFIE, key=YES)
    calls = await bot.send(SOFIE, "Mensen bleven langer zitten")
    assert question(calls[-1])[0] == "test_photo"
    assert calls[-1].values("flows/ui/hint")["kind"] == "photo"
    calls = await bot.send(SOFIE, "geen foto")
    assert "flows/errors/expects_photo" in calls[-1].keys
    calls = await bot.sim.send_photo(SOFIE, b"\x89PNG-test")
    assert "flows/ui/done_brief" in calls[-1].keys and summary(calls[-1])["complete"]
    pid = person_id(bot, SOFIE)
    photo = flow_progress.flow_answers(bot.db, pid, "brief")[("test_photo", 0)]
    assert photo.startswith("upload-")
    await bot.tap(SOFIE, key=BACK_TO_BRIEF)
    await bot.tap(SOFIE, key="flows/brief/sections/step4")
    for n in (1, 2):
        await play(bot, SOFIE, [("send", f"Actie {n}"), ("send", "Sofie en de dienst economie"),
                                ("key", "flows/options/place_bound"),
                                ("key", "flows/options/urgency_high"),
                                ("key", "flows/options/ic_quickwin"), ("send", "Eind juni"),
                                ("send", "De eerste pop-up")])
        calls = await bot.tap(SOFIE, key=YES if n == 1 else NO)
    assert question(calls[-1])[0] == "anchor_college"
    stored = flow_progress.flow_answers(bot.db, pid, "brief")
    assert stored[("action", 1)] == "Actie 2" and stored[("urgency", 1)] == "urgency_high"


async def test_evaluation_button_from_the_scheduler_is_tied_to_the_session(bot):
    pid = person_id(bot, SOFIE)
    trajectory_id = flow_runner_trajectory(bot, pid)
    session = trajectories.session_by_number(bot.db, trajectory_id, 2)
    calls = await bot.press(SOFIE, f"fl:start:evaluatie:{session.id}")   # not yet
    assert calls[-1].key == "flows/ui/evaluation_not_yet"
    after_session(bot, 2)
    calls = await bot.press(SOFIE, f"fl:start:evaluatie:{session.id}")
    assert calls[0].values("flows/evaluatie/intro")["session"] == bot.services.messages.plain(
        "flows/ui/session_label", "nl", number=2, title=session.title)
    await play(bot, SOFIE, [("send", "a"), ("send", "b"), ("key", SKIP), ("tap", "3")])
    evaluations = flow_progress.evaluations(bot.db, bot.services.flows, pid)
    assert [(e.session_id, e.score) for e in evaluations] == [(session.id, 3)]
    calls = await bot.press(SOFIE, "fl:start:evaluatie:99999")
    assert calls[-1].key == "flows/ui/session_unknown"


def flow_runner_trajectory(bot, pid):
    from storage import memberships

    return memberships.of_person(bot.db, pid)[0].trajectory_id


async def test_start_greeting_button_starts_the_intake(bot):
    calls = await enrol(bot, NEWCOMER_USER)
    assert "buttons/start_intake" in calls[-1].keys
    calls = await bot.tap(NEWCOMER_USER, key="buttons/start_intake")
    assert question(calls[-1]) == ("role", 1, 13)


async def test_coaches_cannot_run_participant_flows(bot):
    refusal = bot.services.messages.render("common/not_allowed", "nl")
    calls = await bot.send(AN, "/intake")
    assert calls[-1].text == refusal
    calls = await bot.press(AN, "fl:start:intake:")
    assert calls[-1].text == refusal
    calls = await bot.press(AN, "fl:dl:pdf")
    assert calls[-1].text == refusal and not any(c.method == "sendDocument" for c in calls)


async def test_redelivered_update_is_not_stored_twice(bot):
    pid = person_id(bot, SOFIE)
    flow = bot.services.flows["evaluatie"]
    run, _ = flow_runner.start(bot.db, flow, pid, "0", now=bot.now())
    from flows.engine import Input

    first = flow_runner.submit(bot.db, flow, run, Input("text", "a"), now=bot.now(), update_id=424242)
    assert first.result.writes and not first.duplicate
    run = flow_runs.get(bot.db, pid, "evaluatie", "0")
    again = flow_runner.submit(bot.db, flow, run, Input("text", "a"), now=bot.now(), update_id=424242)
    assert again.duplicate
    stored = flow_runner.load_answers(bot.db, pid, "evaluatie", "0")
    assert stored == {Pos("less"): "a"}
    skip = flow_runner.submit(bot.db, flow, run, Input("text", "b"), now=bot.now(), update_id=424243)
    assert skip.next == Pos("held_back")
    assert SKIPPED is not None


async def test_a_finished_flow_shows_its_summary_and_does_not_block_others(bot):
    instance = str(after_session(bot, 1).id)
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "a"), ("send", "b"), ("key", SKIP), ("tap", "3")])
    calls = await bot.send(SOFIE, "/evaluatie")
    assert summary(calls[-1])["complete"]
    assert fb.Edit("evaluatie", instance, "score", 0).pack() in [
        b["callback_data"] for b in calls[-1].buttons]
    calls = await bot.send(SOFIE, "/intake")
    assert question(calls[-1]) == ("role", 1, 13)  # no "pause the evaluation?" question
    calls = await bot.send(AN, "/help")
    assert "intake" not in [name for name, _ in calls[-1].values("common/help")["commands"]]
    calls = await bot.send(SOFIE, "/help")
    names = [name for name, _ in calls[-1].values("common/help")["commands"]]
    for command in ("intake", "brief", "waarom", "evaluatie"):
        assert command in names


def test_how_might_we_question_is_completed_once():
    from programme.flow_text import how_might_we

    assert how_might_we("Hoe kunnen we", "we de avond beleefbaar maken") == \
        "Hoe kunnen we de avond beleefbaar maken?"
    assert how_might_we("Hoe kunnen we", "kunnen we X doen.") == "Hoe kunnen we x doen?"
    assert how_might_we("How might we", "How might we test it?") == "How might we test it?"
    assert how_might_we("Hoe kunnen we", "Eigenaars overtuigen") == \
        "Hoe kunnen we eigenaars overtuigen?"


async def test_a_run_at_a_question_that_no_longer_exists_resumes_at_the_first_open_one(bot):
    """A new release may drop or rename a question: nobody's place is reset, nothing lost."""
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:5])
    pid = person_id(bot, SOFIE)
    flow_runs.move(bot.db, pid, "intake", "", question="dropped_question", idx=0,
                   now=bot.now())
    calls = await bot.send(SOFIE, "Een plan dat het college mee draagt.")
    assert question(calls[-1]) == ("area_specific", 5, 13)
    stored = flow_progress.flow_answers(bot.db, pid, "intake")
    assert stored[("expectations", 0)] == "Een plan dat het college mee draagt."
    assert stored[("role", 0)] == "Ambtenaar lokale economie in Lier"


async def test_an_album_of_photos_is_kept_whole(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, key="flows/brief/sections/step3")
    await play(bot, SOFIE, [("send", "Tijdelijk groen"), ("send", "Bakken groen"),
                            ("send", "De handelaars"), ("send", "Blijven mensen langer?"),
                            ("key", YES), ("send", "Ze bleven langer")])
    calls = await bot.sim.send_photo(SOFIE, b"one", media_group_id="album-1")
    assert calls[-1].values("flows/ui/photo") == {"count": 1}
    # the rest of the album sends nothing new: the summary is brought up to date instead
    # (regression: it kept saying "(foto)" for an album of three)
    for n, data in ((2, b"two"), (3, b"three")):
        calls = await bot.sim.send_photo(SOFIE, data, media_group_id="album-1")
        assert [c.method for c in calls] == ["editMessageText"]
        assert calls[-1].values("flows/ui/photo") == {"count": n}
    photos = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "brief")[
        ("test_photo", 0)]
    assert isinstance(photos, list) and len(photos) == 3
    # another photo sent after the album belongs with it too (it used to get "I don't know
    # what this belongs to" and was dropped)
    calls = await bot.sim.send_photo(SOFIE, b"four", caption="De bakken op het plein")
    assert calls[-1].values("flows/ui/photo_added")["count"] == 4
    assert len(flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "brief")[
        ("test_photo", 0)]) == 4
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step3")
    assert calls[-1].values("flows/ui/photo") == {"count": 4}


async def test_progress_api_tells_where_each_flow_stands(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:2])
    await bot.send(SOFIE, "/cancel")
    pid = person_id(bot, SOFIE)
    [intake] = flow_progress.runs(bot.db, pid)
    assert (intake.flow, intake.status, intake.question) == ("intake", "paused", "domains")
    assert intake.since == bot.now().replace(microsecond=0)
    assert not flow_progress.intake_done(bot.db, bot.services.flows, pid)
    assert flow_progress.last_activity(bot.db, pid) is not None


async def test_a_stale_button_after_a_finished_intake_shows_the_overview(bot):
    """Regression: it said "Dit is de vraag waar je nu bent:" with nothing after it."""
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:6])
    old = bot.sim.last_keyboard(SOFIE)
    await play(bot, SOFIE, INTAKE_NL[6:])
    assert flow_progress.intake_done(bot.db, bot.services.flows, person_id(bot, SOFIE))
    calls = await bot.sim.press(SOFIE, old.buttons[0]["callback_data"], old)
    assert calls[-1].key is None or calls[-1].key != "flows/ui/already_answered"
    assert "flows/ui/already_done" in calls[-1].keys and summary(calls[-1])["complete"]
    # in the middle of something else, the overview leaves it alone
    await bot.send(SOFIE, "/waarom")
    await bot.send(SOFIE, "/cancel")
    calls = await bot.press(SOFIE, "fl:ans:brief::ladder:0:ladder_advise")
    assert calls[-1].key == "flows/ui/already_answered_idle"


async def test_the_evaluation_knows_its_session(bot):
    """Regression: /evaluatie worked before any session took place (stored under "0"), never
    said which session it was about, and after session 4 spoke of "de volgende werksessie"."""
    calls = await bot.send(SOFIE, "/evaluatie")                      # before session 1 ended
    assert calls[-1].key == "flows/ui/evaluation_not_yet"
    assert calls[-1].values("flows/ui/evaluation_not_yet")["session"].number == 1
    pid = person_id(bot, SOFIE)
    assert flow_runs.of_person(bot.db, pid) == []
    after_session(bot, 2)
    calls = await bot.send(SOFIE, "/evaluatie")
    assert calls[0].values("flows/evaluatie/intro")["session"].startswith(
        bot.services.messages.plain("flows/ui/session_label", "nl", number=2, title="")[:10])
    assert not calls[0].values("flows/evaluatie/intro")["last"]
    assert calls[-1].values("flows/ui/question")["title"] == bot.services.messages.plain(
        "flows/evaluatie/title_session", "nl", number=2)
    calls = await play(bot, SOFIE, [("send", "a"), ("send", "b"), ("key", SKIP), ("tap", "3")])
    assert not calls[-1].values("flows/ui/done_evaluatie")["last"]
    last = after_session(bot, 4)
    calls = await bot.send(SOFIE, "/evaluatie")
    assert calls[0].values("flows/evaluatie/intro")["last"]
    calls = await play(bot, SOFIE, [("send", "a"), ("send", "b"), ("key", SKIP), ("tap", "4")])
    assert calls[-1].values("flows/ui/done_evaluatie")["last"]
    evaluations = flow_progress.evaluations(bot.db, bot.services.flows, pid)
    assert sorted(e.session_id for e in evaluations)[-1] == last.id
    assert None not in [e.session_id for e in evaluations]


async def test_brief_shows_the_chains_and_opens_continues_or_starts_one(bot):
    """Regression: /brief could not show a five-whys chain; its button started a new empty
    chain."""
    await bot.send(SOFIE, "/waarom")
    await play(bot, SOFIE, [("send", "Leegstand"), ("send", "Te hoge huur"),
                            ("key", "flows/buttons/found_root"), ("send", "Eigenaars wachten"),
                            ("send", "eigenaars tonen wat een pop-up opbrengt")])
    await bot.send(SOFIE, "/waarom")                       # a second chain, left unfinished
    await bot.send(SOFIE, "Niemand komt na 18u")
    await bot.send(SOFIE, "/cancel")
    calls = await bot.send(SOFIE, "/brief")
    chains = calls[-1].values("flows/ui/brief_menu")["chains"]
    prefix = label(bot, "flows/waarom/hkw_prefix")
    assert [(c.number, c.complete) for c in chains] == [("1", True), ("2", False)]
    assert chains[0].hkw.startswith(prefix) and chains[0].hkw in calls[-1].text
    calls = await bot.tap(SOFIE, key="flows/buttons/chain", values={"number": "1"})
    shown = summary(calls[-1])
    assert shown["complete"] and ("Te hoge huur" in dict(shown["rows"]).values())
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/buttons/chain", values={"number": "2"})
    assert question(calls[-1])[0] == "why"                 # carries on where it stopped
    await bot.send(SOFIE, "/cancel")
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/buttons/new_chain")
    assert question(calls[-1])[0] == "problem"
    assert flow_runs.active(bot.db, person_id(bot, SOFIE)).instance == "3"


async def test_what_the_person_told_before_is_not_asked_twice(bot):
    """The department from the enrolment is not asked again in the intake; brief step 1 starts
    from the intake's challenge (shown, taken over with one tap, editable afterwards)."""
    calls = await bot.send(SOFIE, "/intake")
    role = calls[-1].values("flows/intake/role/prompt")
    assert (role["department"], role["municipality"]) == ("Lokale economie", "Lier")
    await play(bot, SOFIE, INTAKE_NL)
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step1")
    challenge = "Leegstand in de Antwerpsestraat; de kern loopt leeg na 18u."
    assert calls[-1].values("flows/brief/problem/prompt")["suggested"] == challenge
    calls = await bot.tap(SOFIE, key="flows/buttons/use_suggestion")
    assert question(calls[-1])[0] == "scope"
    pid = person_id(bot, SOFIE)
    assert flow_progress.flow_answers(bot.db, pid, "brief")[("problem", 0)] == challenge
    await bot.tap(SOFIE, key=BACK)
    await bot.send(SOFIE, "Mensen blijven niet hangen in de kern")     # editable
    assert flow_progress.flow_answers(bot.db, pid, "brief")[("problem", 0)] == \
        "Mensen blijven niet hangen in de kern"


async def test_domains_include_other_with_a_free_text(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "economie, andere")
    assert question(calls[-1])[0] == "domains_other"
    await bot.send(SOFIE, "Toerisme")
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("domains", 0)] == ["dom_economy", "dom_other"]
    assert stored[("domains_other", 0)] == "Toerisme"


async def test_the_ladder_has_the_five_rungs_and_the_municipalitys_own_role(bot):
    flow = bot.services.flows["brief"]
    assert flow.question("ladder").options == ("ladder_experience", "ladder_inform",
                                               "ladder_advise", "ladder_coproduce",
                                               "ladder_codecide")
    assert flow.question("own_role").options == ("role_stimulate", "role_support",
                                                 "role_facilitate")
    assert flow.question("ladder").help    # "misbruik de ladder niet"


async def test_a_brief_step_opened_for_the_first_time_does_not_say_we_go_on(bot):
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step1")
    assert "flows/ui/resume" not in calls[-1].keys and question(calls[-1])[0] == "problem"
    await bot.send(SOFIE, "Mensen blijven niet hangen")
    await bot.send(SOFIE, "/cancel")
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step4")
    assert "flows/ui/resume" not in calls[-1].keys, "step 4 was never started"
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, key="flows/brief/sections/step1")
    assert "flows/ui/resume" in calls[-1].keys and question(calls[-1])[0] == "scope"


async def test_ticked_choices_survive_a_typed_text_that_is_no_choice(bot):
    """Ticked boxes are kept when the person types something the question does not know: the
    question comes back with the same ticks, and "Klaar" stores them."""
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    await bot.tap(SOFIE, label(bot, "flows/options/dom_economy"))
    await bot.tap(SOFIE, label(bot, "flows/options/dom_housing"))
    calls = await bot.send(SOFIE, "Ook toerisme")
    assert "flows/errors/unknown_option" in calls[-1].keys or question(calls[-1])[0] == "domains"
    ticked = [b["text"] for b in calls[-1].buttons if "☑" in b["text"]]
    assert len(ticked) == 2, calls[-1].buttons
    await bot.tap(SOFIE, key="flows/buttons/multi_done")
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("domains", 0)] == ["dom_economy", "dom_housing"]


async def test_a_tick_whose_message_cannot_be_edited_comes_as_a_new_question(bot):
    """Telegram refuses to edit the question (too old): the tick is kept and the question
    comes anew with it, on the same request path as every other text."""
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    bot.api.fault = lambda method, params: (400, {
        "ok": False, "error_code": 400,
        "description": "Bad Request: message can't be edited"}) \
        if method == "editMessageText" else None
    calls = await bot.tap(SOFIE, label(bot, "flows/options/dom_economy"))
    bot.api.fault = None
    assert calls[-1].method == "sendMessage" and question(calls[-1])[0] == "domains"
    assert calls[-1].params["parse_mode"] == "HTML"
    ticked = [b["text"] for b in calls[-1].buttons if "☑" in b["text"]]
    assert len(ticked) == 1 and label(bot, "flows/options/dom_economy") in ticked[0]
    await bot.tap(SOFIE, key="flows/buttons/multi_done")
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("domains", 0)] == ["dom_economy"]


async def test_back_to_a_multiple_choice_shows_the_current_ticks_and_adds_to_them(bot):
    """Going back to a multiple choice that has an answer shows that answer ticked; one more
    tick and "Klaar" store all three, nothing is silently dropped."""
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    await bot.tap(SOFIE, label(bot, "flows/options/dom_economy"))
    await bot.tap(SOFIE, label(bot, "flows/options/dom_housing"))
    await bot.tap(SOFIE, key="flows/buttons/multi_done")
    calls = await bot.tap(SOFIE, key="flows/buttons/back")
    assert question(calls[-1])[0] == "domains"
    ticked = [b["text"] for b in calls[-1].buttons if "☑" in b["text"]]
    assert len(ticked) == 2, calls[-1].buttons
    await bot.tap(SOFIE, label(bot, "flows/options/dom_mobility"))
    await bot.tap(SOFIE, key="flows/buttons/multi_done")
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("domains", 0)] == ["dom_economy", "dom_mobility", "dom_housing"]


async def test_switching_language_mid_question_shows_the_question_again_in_that_language(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "/taal en")
    assert "common/language_set" in calls[-1].keys and calls[-1].language == "en"
    assert question(calls[-1])[0] == "domains"
    assert label(bot, "flows/buttons/multi_done", "en") in [b["text"] for b in calls[-1].buttons]
    await bot.send(SOFIE, "/cancel")                   # outside a conversation: the line only
    calls = await bot.send(SOFIE, "/taal nl")
    assert calls[-1].key == "common/language_set"
