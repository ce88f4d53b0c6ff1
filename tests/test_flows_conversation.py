"""Guided conversations through the whole Application (fake Bot API, FakeClock, demo data)."""

from __future__ import annotations

from flows.engine import SKIPPED, Pos
from kernbot.harness import AN, NEWCOMER_USER, PIETER, SOFIE, enrol
from programme import flow_progress, flow_runner
from storage import answers, flow_runs, trajectories
from tests.flow_helpers import INTAKE_EN, INTAKE_NL, person_id, play, set_language


async def test_intake_in_dutch_from_start_to_summary(bot):
    calls = await bot.send(SOFIE, "/intake")
    assert "Fijn dat je erbij bent" in calls[0].text
    assert "vraag 1 van 13" in calls[-1].text and "/cancel" in calls[-1].text
    calls = await play(bot, SOFIE, INTAKE_NL)
    summary = calls[-1].text
    assert "Intake" in summary and "✅" in summary
    assert "Economie, Mobiliteit" in summary and "De Antwerpsestraat" in summary
    assert "Nog niet" in summary and "(overgeslagen)" in summary
    labels = [b["text"] for b in calls[-1].buttons]
    assert "✏️ Rol en dienst" in labels and len(labels) == 14
    pid = person_id(bot, SOFIE)
    assert flow_progress.intake_done(bot.db, bot.services.flows, pid)
    assert flow_runs.get(bot.db, pid, "intake").status == "done"
    stored = flow_progress.flow_answers(bot.db, pid, "intake")
    assert stored[("support_mat", 0)] == "not_yet" and stored[("notes", 0)] is None


async def test_intake_in_english(bot):
    set_language(bot, SOFIE, "en")
    calls = await bot.send(SOFIE, "/intake")
    assert "Great to have you on board" in calls[0].text
    assert "question 1 of 13" in calls[-1].text
    calls = await play(bot, SOFIE, INTAKE_EN)
    assert "Thank you! Your intake is complete" in calls[-1].text
    assert "Economy, Mobility" in calls[-1].text
    assert flow_progress.intake_done(bot.db, bot.services.flows, person_id(bot, SOFIE))


async def test_progress_counts_and_how_to_go_back_and_skip(bot):
    await bot.send(SOFIE, "/intake")
    calls = await bot.send(SOFIE, "Centrummanager")
    assert "vraag 2 van 13" in calls[-1].text and "Vorige vraag" in calls[-1].text
    calls = await bot.tap(SOFIE, "Vorige vraag")
    assert "vraag 1 van 13" in calls[-1].text and "Centrummanager" in calls[-1].text
    calls = await bot.tap(SOFIE, "Hou dit antwoord")
    assert "vraag 2 van 13" in calls[-1].text


async def test_restart_in_the_middle_resumes_at_the_same_question(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:5])
    assert "vraag 4 van 13" in bot.last_text(SOFIE)
    await bot.restart()
    calls = await bot.send(SOFIE, "Een plan dat het college mee draagt.")
    assert "vraag 5 van 13" in calls[-1].text
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("expectations", 0)] == "Een plan dat het college mee draagt."
    await bot.restart()
    calls = await bot.send(SOFIE, "/intake")
    assert "We gaan verder waar je was" in calls[-1].text and "vraag 5 van 13" in calls[-1].text


async def test_cancel_keeps_answers_and_restarting_resumes(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:2])
    calls = await bot.send(SOFIE, "/cancel")
    assert "bewaard" in calls[-1].text
    pid = person_id(bot, SOFIE)
    assert flow_runs.get(bot.db, pid, "intake").status == "paused"
    calls = await bot.send(SOFIE, "Iets los")
    assert "er loopt nu geen vragenreeks" in calls[-1].text
    calls = await bot.send(SOFIE, "/intake")
    assert "vraag 2 van 13" in calls[-1].text
    assert flow_progress.flow_answers(bot.db, pid, "intake")[("role", 0)] == \
        "Ambtenaar lokale economie in Lier"


async def test_wrong_input_is_reprompted_with_what_is_expected(bot):
    await bot.send(SOFIE, "/intake")
    calls = await bot.sim.send_sticker(SOFIE)
    assert "Ik verwacht hier tekst" in calls[-1].text and "vraag 1 van 13" in calls[-1].text
    calls = await bot.sim.send_voice(SOFIE)
    assert "Ik verwacht hier tekst" in calls[-1].text
    calls = await bot.sim.send_photo(SOFIE, b"\x89PNG")
    assert "Ik verwacht hier tekst" in calls[-1].text
    calls = await bot.send(SOFIE, "x" * 250)
    assert "250 tekens; het maximum is 200" in calls[-1].text
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "Sport")
    assert "Dat herken ik niet als keuze" in calls[-1].text and "Economie" in calls[-1].text
    assert "vraag 2 van 13" in calls[-1].text
    pid = person_id(bot, SOFIE)
    assert flow_progress.flow_answers(bot.db, pid, "intake") == {("role", 0): "Centrummanager"}


async def test_score_out_of_range_and_typed_score(bot):
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "Te lang"), ("send", "De wandeling"), ("tap", "Overslaan")])
    calls = await bot.send(SOFIE, "9")
    assert "Kies een getal van 1 tot 5" in calls[-1].text
    calls = await bot.send(SOFIE, "4")
    assert "4 op 5" in calls[-1].text and "Dank je voor je eerlijke evaluatie" in calls[-1].text
    evaluations = flow_progress.evaluations(bot.db, bot.services.flows, person_id(bot, SOFIE))
    assert [(e.session_id, e.score, e.complete) for e in evaluations] == [(None, 4, True)]


async def test_button_of_an_answered_question_says_so_and_shows_the_current_one(bot):
    await bot.send(SOFIE, "/intake")
    await play(bot, SOFIE, INTAKE_NL[:6])  # up to and including "area_specific"? no: before
    yes_no = bot.sim.last_keyboard(SOFIE)
    assert "vraag 5 van 13" in yes_no.text
    await bot.tap(SOFIE, "Ja")
    data = next(b["callback_data"] for b in yes_no.buttons if b["text"] == "Nee")
    calls = await bot.press(SOFIE, data)
    assert "al beantwoord" in calls[-1].text and "vraag 6 van 14" in calls[-1].text
    stored = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "intake")
    assert stored[("area_specific", 0)] == "yes"
    calls = await bot.press(SOFIE, "fl:ans:intake::nonsense:0:yes")  # forged
    assert "al beantwoord" in calls[-1].text


async def test_starting_another_flow_asks_to_pause_the_current_one(bot):
    await bot.send(SOFIE, "/intake")
    await bot.send(SOFIE, "Centrummanager")
    calls = await bot.send(SOFIE, "/evaluatie")
    assert "Wil je die pauzeren" in calls[-1].text
    calls = await bot.tap(SOFIE, "Nee, ga verder")
    assert "vraag 2 van 13" in calls[-1].text
    await bot.send(SOFIE, "/evaluatie")
    calls = await bot.tap(SOFIE, "Ja, pauzeer")
    assert "staat op pauze" in calls[0].text and "/intake" in calls[0].text
    assert "Evaluatie" in calls[-1].text and "vraag 1 van 4" in calls[-1].text
    pid = person_id(bot, SOFIE)
    assert flow_runs.active(bot.db, pid).flow == "evaluatie"
    assert flow_runs.get(bot.db, pid, "intake").status == "paused"


async def test_edit_from_the_summary_keeps_the_earlier_value_in_history(bot):
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "Te lang"), ("send", "De wandeling"),
                            ("send", "Een andere vergadering"), ("tap", "5")])
    calls = await bot.tap(SOFIE, "✏️ Goed initiatief")
    assert "Je huidige antwoord: <i>De wandeling</i>" in calls[-1].text
    calls = await bot.send(SOFIE, "De wandeling door de kern")
    assert "Aangepast en bewaard" in calls[-1].text and "De wandeling door de kern" in \
        calls[-1].text
    pid = person_id(bot, SOFIE)
    old = answers.history(bot.db, pid, "evaluatie", "0", "good")
    assert [value for value, _, _ in old] == ["De wandeling"]
    assert flow_progress.flow_answers(bot.db, pid, "evaluatie", "0")[("good", 0)] == \
        "De wandeling door de kern"


async def test_brief_step_one_and_a_five_whys_chain_in_english(bot):
    set_language(bot, PIETER, "en")
    calls = await bot.send(PIETER, "/brief")
    assert "Your design brief" in calls[-1].text and "(still open)" in calls[-1].text
    await bot.tap(PIETER, "Step 1")
    calls = await play(bot, PIETER, [
        ("send", "Shoppers don’t stay in the core"), ("send", "The market square only"),
        ("send", "Goal: a lively core; means: events"), ("send", "A family with a cargo bike"),
        ("send", "The traders' association"), ("send", "The cultural centre"),
        ("send", "co-produce")])
    assert "Step 1: name the challenge clearly" in calls[-1].text
    assert "This part of your design brief is done" in calls[-1].text
    assert flow_progress.brief_steps_done(bot.db, bot.services.flows, person_id(bot, PIETER)) == {
        "step1": True, "step2": False, "step3": False, "step4": False}
    calls = await bot.send(PIETER, "/waarom")
    assert "Use my problem statement" in [b["text"] for b in calls[-1].buttons]
    await bot.tap(PIETER, "Use my problem statement")
    calls = await bot.send(PIETER, "There is nothing to do after 6 pm")
    assert "Your chain so far" in calls[-1].text and "Shoppers don’t stay" in calls[-1].text
    calls = await bot.tap(PIETER, "I found the root")
    assert "root cause" in calls[-1].text
    await bot.send(PIETER, "Shops close at six and nothing else is open")
    calls = await bot.send(PIETER, "mix evening activities into the core")
    assert "How might we mix evening activities into the core?" in calls[-1].text
    chains = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, PIETER))
    assert len(chains) == 1 and chains[0].complete
    assert chains[0].whys == ["There is nothing to do after 6 pm"]
    calls = await bot.tap(PIETER, "New chain")
    assert "question 1 of 4" in calls[-1].text


async def test_five_whys_up_to_five_and_back_one_level(bot):
    await bot.send(SOFIE, "/waarom")
    calls = await bot.send(SOFIE, "Leegstand in de winkelstraat")
    assert "Ik heb de kern gevonden" not in [b["text"] for b in calls[-1].buttons]
    for n in range(1, 5):
        calls = await bot.send(SOFIE, f"omdat {n}")
        assert f"({n + 1} van 5)" in calls[-1].text
    calls = await bot.tap(SOFIE, "Vorige vraag")
    assert "(4 van 5)" in calls[-1].text and "omdat 4" in calls[-1].text
    await bot.send(SOFIE, "omdat vier")
    calls = await bot.send(SOFIE, "omdat 5")
    assert "kernoorzaak" in calls[-1].text
    await bot.send(SOFIE, "Eigenaars vragen te hoge huur")
    calls = await bot.send(SOFIE, "Hoe kunnen we eigenaars overtuigen")
    assert "Hoe kunnen we eigenaars overtuigen?" in calls[-1].text
    chain = flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))[0]
    assert chain.whys == ["omdat 1", "omdat 2", "omdat 3", "omdat vier", "omdat 5"]
    await bot.send(SOFIE, "/waarom")
    assert [c.number for c in flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))] == ["1"]
    await bot.send(SOFIE, "Tweede probleem")
    assert [c.number for c in flow_progress.chains(bot.db, bot.services.flows, person_id(bot, SOFIE))] == ["1", "2"]


async def test_action_sheets_repeat_and_photo_in_step_three(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, "Stap 3")
    await play(bot, SOFIE, [("send", "Tijdelijk groen"), ("send", "Bakken groen op de markt"),
                            ("send", "De handelaars"), ("send", "Blijven mensen langer?")])
    calls = await bot.tap(SOFIE, "Ja")
    calls = await bot.send(SOFIE, "Mensen bleven langer zitten")
    assert "Stuur een foto" in calls[-1].text
    calls = await bot.send(SOFIE, "geen foto")
    assert "Ik verwacht hier een foto" in calls[-1].text
    calls = await bot.sim.send_photo(SOFIE, b"\x89PNG-test")
    assert "Dit deel van je ontwerpbrief is klaar" in calls[-1].text
    pid = person_id(bot, SOFIE)
    photo = flow_progress.flow_answers(bot.db, pid, "brief")[("test_photo", 0)]
    assert photo.startswith("upload-")
    await bot.tap(SOFIE, "Terug naar de ontwerpbrief")
    await bot.tap(SOFIE, "Stap 4")
    for n in (1, 2):
        await play(bot, SOFIE, [("send", f"Actie {n}"), ("send", "Sofie en de dienst economie"),
                                ("tap", "Plaatsgebonden"), ("tap", "Dringend"),
                                ("tap", "Grote impact, kleine kost"), ("send", "Eind juni"),
                                ("send", "De eerste pop-up")])
        calls = await bot.tap(SOFIE, "Ja" if n == 1 else "Nee")
    assert "Verankeren" in calls[-1].text
    stored = flow_progress.flow_answers(bot.db, pid, "brief")
    assert stored[("action", 1)] == "Actie 2" and stored[("urgency", 1)] == "urgency_high"


async def test_evaluation_button_from_the_scheduler_is_tied_to_the_session(bot):
    pid = person_id(bot, SOFIE)
    trajectory_id = flow_runner_trajectory(bot, pid)
    session = trajectories.session_by_number(bot.db, trajectory_id, 2)
    calls = await bot.press(SOFIE, f"fl:start:evaluatie:{session.id}")
    assert "Stap 2: praktijken en oplossingsrichtingen verkennen" in calls[0].text
    await play(bot, SOFIE, [("send", "a"), ("send", "b"), ("tap", "Overslaan"), ("tap", "3")])
    evaluations = flow_progress.evaluations(bot.db, bot.services.flows, pid)
    assert [(e.session_id, e.score) for e in evaluations] == [(session.id, 3)]
    calls = await bot.press(SOFIE, "fl:start:evaluatie:99999")
    assert "Die werksessie vind ik niet" in calls[-1].text


def flow_runner_trajectory(bot, pid):
    from storage import memberships

    return memberships.of_person(bot.db, pid)[0].trajectory_id


async def test_start_greeting_button_starts_the_intake(bot):
    calls = await enrol(bot, NEWCOMER_USER)
    assert "Start de intake" in [b["text"] for b in calls[-1].buttons]
    calls = await bot.tap(NEWCOMER_USER, "Start de intake")
    assert "vraag 1 van 13" in calls[-1].text


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
    await bot.send(SOFIE, "/evaluatie")
    await play(bot, SOFIE, [("send", "a"), ("send", "b"), ("tap", "Overslaan"), ("tap", "3")])
    calls = await bot.send(SOFIE, "/evaluatie")
    assert "✏️ Score" in [b["text"] for b in calls[-1].buttons]
    calls = await bot.send(SOFIE, "/intake")
    assert "vraag 1 van 13" in calls[-1].text  # no "pause the evaluation?" question
    calls = await bot.send(AN, "/help")
    assert "/intake" not in calls[-1].text
    calls = await bot.send(SOFIE, "/help")
    for command in ("/intake", "/brief", "/waarom", "/evaluatie"):
        assert command in calls[-1].text


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
    assert "vraag 5 van 13" in calls[-1].text
    stored = flow_progress.flow_answers(bot.db, pid, "intake")
    assert stored[("expectations", 0)] == "Een plan dat het college mee draagt."
    assert stored[("role", 0)] == "Ambtenaar lokale economie in Lier"


async def test_an_album_of_photos_is_kept_whole(bot):
    await bot.send(SOFIE, "/brief")
    await bot.tap(SOFIE, "Stap 3")
    await play(bot, SOFIE, [("send", "Tijdelijk groen"), ("send", "Bakken groen"),
                            ("send", "De handelaars"), ("send", "Blijven mensen langer?"),
                            ("tap", "Ja"), ("send", "Ze bleven langer")])
    calls = await bot.sim.send_photo(SOFIE, b"one", media_group_id="album-1")
    assert "(foto)" in calls[-1].text
    assert await bot.sim.send_photo(SOFIE, b"two", media_group_id="album-1") == []
    assert await bot.sim.send_photo(SOFIE, b"three", media_group_id="album-1") == []
    photos = flow_progress.flow_answers(bot.db, person_id(bot, SOFIE), "brief")[
        ("test_photo", 0)]
    assert isinstance(photos, list) and len(photos) == 3
    calls = await bot.sim.send_photo(SOFIE, b"four")  # not part of the album
    assert "geen vragenreeks" in calls[-1].text or "foto" in calls[-1].text.lower()
    await bot.send(SOFIE, "/brief")
    calls = await bot.tap(SOFIE, "Stap 3")
    assert "(3 foto&#39;s)" in calls[-1].text


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
