"""One state per homework and person (open, draft, overdue, handed in, closed), followed by
every message that shows homework to a participant: /huiswerk, the session reminders, the
check-ins and the nudges; /huiswerk's layout; the undo after "opnieuw beginnen" after
reopening; the note on homework already handed in; the nudge button's count; the coach's
intake view. Regressions from a walk through the console (clock moved months ahead)."""

from __future__ import annotations

from datetime import timedelta

from markupsafe import escape

from kernbot.harness import AN, ELS, PIETER, SOFIE
from programme import homework, progress
from storage import answers as answer_store
from storage import assignments, outbox, trajectories
from storage import homework as store
from tests.support.timeline import local as at
from tests.support.timeline import no_pacing, pid, walk  # noqa: F401 (fixture)
from transports.simulator import User

LOTTE = User(9013, "Lotte", "Willems")
SUBMIT = "homework/submit"


def assignment(bot, number: int) -> assignments.Assignment:
    trajectory = trajectories.by_number(bot.db, 7)
    session = trajectories.session_by_number(bot.db, trajectory.id, number)
    return assignments.of_session(bot.db, session.id)[0]


def views(bot, user) -> dict[str, homework.HomeworkView]:
    return {v.assignment.title: v for v in homework.for_person(
        bot.db, bot.services.settings, pid(bot, user), bot.now())}


def state_line(bot, view) -> str:
    return bot.services.messages.render("homework/_state", "nl", v=view)


def assert_item_shape(bot, call) -> None:
    """Every item of a /huiswerk list: its title line, its state line, then its own lines;
    items separated by one blank line."""
    shown = call.values("homework/list")["views"]
    text = call.text
    for v in shown:
        line = state_line(bot, v)
        assert "\n" not in line and line
        block = f"<b>{escape(v.assignment.title)}</b> (sessie {v.window.session.number})\n{line}\n"
        assert block in text, (block, text)
    assert text.count("\n\n<b>") == len(shown), text   # a blank line before every item


# -- 1. closed homework is not something to do any more -------------------------------------------
async def test_closed_homework_is_shown_as_closed_and_left_out_of_what_is_to_do(bot):
    await walk(bot, at(2024, 9, 11, 10, 0))   # Sofie did nothing; session 4 is next week
    by_title = views(bot, SOFIE)
    assert {t: v.state for t, v in by_title.items()} == {
        "Je uitdaging helder benoemd": "closed", "Foto's van je kern": "closed",
        "Je kleinste test": "open"}
    assert all(v.to_do == (v.state == "open") for v in by_title.values())
    # the reminder of session 4 names only what can still be handed in
    sent = bot.api.sent(SOFIE.id)
    reminders = [c for c in sent if c.key == "reminders/session"
                 and c.values("reminders/session")["session"].number == 4]
    assert reminders
    listed = reminders[-1].values("reminders/session")["homework"]
    assert [(w.assignment.title, done) for w, done in listed] == [("Je kleinste test", False)]
    # one line per homework in it (no blank line between them)
    assert "Je kleinste test" in reminders[-1].text.split("\n")[-1]
    # the check-ins after session 2 no longer list the homework of session 1, those after
    # session 3 not that of session 2 either
    check_ins = [c for c in sent if c.key == "followup/check_in"]
    assert check_ins
    for call in check_ins:
        items = call.values("followup/check_in")["items"]
        titles = [i.assignment.title for i in items if i.kind == "assignment"]
        session = call.values("followup/check_in")["session"]
        if session is not None and session.number >= 3:
            assert "Je uitdaging helder benoemd" not in titles, titles
        if session is not None and session.number >= 4:
            assert "Foto's van je kern" not in titles, titles
        # an item past its time says so; the commands named are those of the items listed
        now = call.values("followup/check_in")["now"]
        for item in items:
            if item.due_at <= now:
                stamp = bot.services.messages.format(item.due_at, "nl", "datetime_short")
                assert f"moest klaar zijn op {stamp}" in call.text, call.text
        kinds = {i.kind for i in items}
        assert ("/intake" in call.text) == ("intake" in kinds)
        assert ("/huiswerk" in call.text) == ("assignment" in kinds)
    # /huiswerk: closed items say so, and no "late is possible until <a past date>"
    call = (await bot.send(SOFIE, "/huiswerk"))[-1]
    assert call.key == "homework/list"
    assert {v.assignment.title: v.state for v in call.values("homework/list")["views"]} == {
        "Je uitdaging helder benoemd": "closed", "Foto's van je kern": "closed",
        "Je kleinste test": "open"}
    for v in by_title.values():
        if v.state == "closed":
            assert bot.services.messages.format(v.editable_until, "nl", "datetime_short") \
                not in call.text
    assert [b["text"] for b in call.buttons] == ["Je kleinste test"]
    assert_item_shape(bot, call)


async def test_reminders_and_nudges_about_closed_homework_are_not_sent(bot):
    lotte = pid(bot, LOTTE)
    hw1 = f"assignment:{assignment(bot, 1).id}"
    await walk(bot, at(2024, 4, 23, 9, 0))       # homework 1 overdue, still accepted
    reminded = [r for r in outbox.find(bot.db, person_id=lotte, subject=hw1)
                if r.kind == "followup" and r.status == outbox.SENT]
    assert reminded                                # the ladder said "het kan nog"
    calls = await bot.tap(LOTTE, key="followup/later_button")   # "herinner me morgen"
    assert "followup/later_set" in calls[-1].keys
    # session 2 starts on Tuesday 23 April and closes homework 1: tomorrow's reminder and,
    # two weeks on, a staff nudge leave it out (it can no longer be handed in)
    await walk(bot, at(2024, 5, 6, 10, 0))
    late = [r for r in outbox.find(bot.db, person_id=lotte, subject=hw1)
            if r.kind == "followup" and r.planned_at > at(2024, 4, 23, 13, 30)]
    assert late and all(r.status == outbox.SKIPPED for r in late)
    data = progress.trajectory_progress(bot.db, bot.services.flows, bot.services.settings,
                                        trajectories.by_number(bot.db, 7).id, bot.now())
    chosen = progress.nudges_due(bot.db, bot.services.settings, data, bot.now())
    assert chosen.get(lotte)                       # the intake and evaluations are still due
    assert all(hw1 not in [i.subject for i in items] for items in chosen.values())
    # the staff's overview still records it as behind (missed)
    row = next(p for p in data.participants if p.person.id == lotte)
    assert hw1 in [i.subject for i in row.behind] and row.homework[1] == "missing"


# -- 2. /huiswerk: every item the same shape ----------------------------------------------------
async def test_homework_list_keeps_every_item_on_its_own_lines(bot):
    bot.clock.set(at(2024, 4, 22, 10, 0))          # homework 1 overdue, still accepted
    call = (await bot.send(PIETER, "/huiswerk"))[-1]
    assert [v.state for v in call.values("homework/list")["views"]] == ["overdue"]
    assert_item_shape(bot, call)
    # a draft left with "Later verder", next to a closed homework
    bot.clock.set(at(2024, 6, 12, 10, 0))
    await bot.send(PIETER, "/huiswerk")
    await bot.tap(PIETER, "Foto's van je kern")
    await bot.sim.send_photo(PIETER, b"jpeg")
    await bot.sim.send_photo(PIETER, b"jpeg2")
    await bot.tap(PIETER, key="homework/stop")
    call = (await bot.send(PIETER, "/huiswerk"))[-1]
    assert [v.state for v in call.values("homework/list")["views"]] == ["closed", "draft"]
    assert_item_shape(bot, call)
    # the draft's pieces on a line of their own, right under its state
    draft = call.values("homework/list")["views"][1]
    assert f"{state_line(bot, draft)}\nJe concept: foto, foto." in call.text
    # handed in, next to the closed one
    await bot.tap(PIETER, "Foto's van je kern")
    await bot.tap(PIETER, key=SUBMIT)
    call = (await bot.send(PIETER, "/huiswerk"))[-1]
    assert [v.state for v in call.values("homework/list")["views"]] == ["closed", "handed_in"]
    assert_item_shape(bot, call)


# -- 4. undo after reopening; the note on what was handed in -------------------------------------
async def test_undo_is_offered_again_after_reopening_until_the_hand_in(bot):
    bot.clock.set(at(2024, 4, 24, 10, 0))
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    await bot.send(SOFIE, "Eerste stuk")
    await bot.sim.send_photo(SOFIE, b"jpeg")
    await bot.tap(SOFIE, key="homework/restart")
    calls = await bot.tap(SOFIE, key="homework/restart_yes")
    assert calls[-1].key == "homework/cleared"
    await bot.tap(SOFIE, key="homework/stop")            # leave, and come back later
    bot.clock.advance(timedelta(hours=2))
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Foto's van je kern")
    assert calls[-1].key == "homework/collect" and "homework/undo" in calls[-1].keys
    calls = await bot.send(SOFIE, "Nieuw stuk")           # still offered while collecting
    assert "homework/undo" in calls[-1].keys
    calls = await bot.tap(SOFIE, key="homework/undo")
    assert calls[-1].key == "homework/restored" and "homework/undo" not in calls[-1].keys
    submission = store.of(bot.db, pid(bot, SOFIE), assignment(bot, 2).id)
    assert [i.text for i in store.items(bot.db, submission.id)] == ["Eerste stuk", "",
                                                                    "Nieuw stuk"]
    await bot.tap(SOFIE, key="homework/restart")
    await bot.tap(SOFIE, key="homework/restart_yes")
    await bot.send(SOFIE, "Definitief")
    await bot.tap(SOFIE, key=SUBMIT)                      # handed in: nothing to bring back
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Foto's van je kern")
    assert calls[-1].key == "homework/collect" and "homework/undo" not in calls[-1].keys
    # and the view says it was handed in, when, and until when it can be added to
    view = calls[-1].values("homework/collect")["view"]
    assert view.state == "handed_in" and view.changeable
    assert state_line(bot, view) in calls[-1].text
    assert "24 april" in state_line(bot, view) and "18 juni" in state_line(bot, view)


STEP1 = {"problem": "Probleem Lier", "scope": "Scope Lier", "goal_means": "Doel Lier",
         "users": "Gebruikers Lier", "actors_active": "Actoren Lier",
         "actors_involve": "Wie Lier", "ladder": "ladder_coproduce",
         "own_role": ["role_support"]}


async def test_a_handed_in_brief_step_says_so_and_is_offered_again_only_after_a_change(bot):
    bot.clock.set(at(2024, 2, 20, 13, 0))
    for qid, value in STEP1.items():
        answer_store.save(bot.db, pid(bot, SOFIE), "brief", "", qid, 0, value, now=bot.now())
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je uitdaging helder benoemd")
    assert "homework/submit_as_is" in calls[-1].keys
    calls = await bot.tap(SOFIE, key="homework/submit_as_is")
    assert calls[-1].key == "homework/handed_in"
    # handed in by finishing a step: changing the step is what "adding to it" means here
    assert "opnieuw indienen" in calls[-1].text and "Aanvullen" not in calls[-1].text
    bot.clock.advance(timedelta(days=1))
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je uitdaging helder benoemd")
    shown = calls[-1]
    view = shown.values("homework/via_flow")["view"]
    assert shown.key == "homework/via_flow" and view.state == "handed_in"
    assert state_line(bot, view) in shown.text and "20 februari" in state_line(bot, view)
    assert "aanpassen en opnieuw indienen kan nog tot" in state_line(bot, view)
    assert "homework/submit_as_is" not in shown.keys and "homework/submit_again" not in \
        shown.keys                                       # nothing new to hand in
    assert "homework/go_brief" in shown.keys
    answer_store.save(bot.db, pid(bot, SOFIE), "brief", "", "problem", 0, "Nieuw probleem",
                      now=bot.now())
    await bot.send(SOFIE, "/huiswerk")
    calls = await bot.tap(SOFIE, "Je uitdaging helder benoemd")
    assert calls[-1].values("homework/via_flow")["changed"] is True
    calls = await bot.tap(SOFIE, key="homework/submit_again")
    assert calls[-1].key == "homework/handed_in"


# -- 3. the nudge button: its count is what it sends ---------------------------------------------
async def test_the_nudge_button_is_offered_only_with_someone_to_remind(bot):
    await walk(bot, at(2024, 2, 20, 13, 0))    # all were just reminded of the intake
    calls = await bot.send(ELS, "/voortgang")
    overview = calls[0]
    assert overview.key == "progress/overview"
    data = overview.values("progress/overview")["progress"]
    assert len(data.lagging) == 3
    assert overview.values("progress/overview")["nudges"] == 0
    assert "progress/nudge_button" not in overview.keys     # it would send nothing
    # a week later the ladder's reminders are older than the repeat period: the button counts
    # exactly whom it reminds
    bot.clock.set(at(2024, 2, 28, 10, 0))
    calls = await bot.send(ELS, "/voortgang")
    count = calls[0].values("progress/overview")["nudges"]
    assert count >= 1
    assert calls[0].values("progress/nudge_button") == {"count": count}
    calls = await bot.tap(ELS, key="progress/nudge_button")
    assert calls[-1].values("progress/nudged") == {"count": count}


# -- 5. the coach's intake view -----------------------------------------------------------------
async def test_an_unfinished_intake_is_marked_on_its_own_line(bot):
    bot.clock.set(at(2024, 2, 15, 10, 0))
    answer_store.save(bot.db, pid(bot, PIETER), "intake", "", "role", 0, "Centrummanager",
                      now=bot.now())
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, key="coaches/intakes_button")
    calls = await bot.tap(AN, "Pieter De Smet")
    call = calls[-1]
    assert call.key == "coaches/intake" and call.values("coaches/intake")["done"] is False
    person = call.values("coaches/intake")["person"]
    first, second = call.text.split("\n")[:2]
    last = person.department or person.municipality or person.name
    assert first.endswith(last) or first.endswith(f"({last})"), first
    assert second and not second.startswith("<i>"), second   # the marker, on its own line


async def test_a_session_reminder_lists_the_homework_of_that_session_only(bot):
    """Homework 1 (due before session 2), handed in, is listed with ✅ under session 2, and no
    longer under sessions 3 and 4: each reminder lists the homework due for its session."""
    from tests.test_coaches import STEP1

    bot.clock.set(at(2024, 3, 1, 10, 0))
    for qid, value in STEP1.items():
        answer_store.save(bot.db, pid(bot, SOFIE), "brief", "", qid, 0, value, now=bot.now())
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, assignment(bot, 1).title)
    assert (await bot.tap(SOFIE, key="homework/submit_as_is"))[-1].key == "homework/handed_in"
    await walk(bot, at(2024, 9, 16, 10, 0))
    listed = {}
    for call in bot.api.sent(SOFIE.id):
        if call.key == "reminders/session":
            values = call.values("reminders/session")
            listed[values["session"].number] = [(w.assignment.title, done)
                                                for w, done in values["homework"]]
    first = assignment(bot, 1).title
    assert (first, True) in listed[2]
    assert all(title != first for n in (3, 4) for title, _ in listed[n]), listed
