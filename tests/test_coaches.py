"""Issue 14 through the whole Application on the injected clock: what participants give reaches
the coaches and the coordinator.

Trajectory 7 of the demo over its first two sessions (20 February and 23 April 2024), with four
participants: Sofie hands in on time, Pieter late, Lotte not at all (she leaves a draft), and
Jan joins after session 2. The coach opens every kind of submission and sees its content, the
preparation pack of session 2 arrives at its time with the right content, /voortgang (text and
XLSX) matches a table of expected states, and the nudge reaches the right people with the
right reasons, once.
"""

from __future__ import annotations

import io
from datetime import timedelta
from io import BytesIO

from openpyxl import load_workbook
from PIL import Image

from documents.brief import pdf_safe
from flows.engine import DONE
from kernbot.harness import AN, ELS, KOEN, PIETER, SOFIE, enrol
from programme.flow_runner import load_answers
from schedule import planner
from storage import answers as answer_store
from storage import assignments, memberships, outbox, people, trajectories
from storage import coaches as coach_store
from storage import homework as homework_store
from tests.flow_helpers import INTAKE_NL, SKIP, play
from tests.support.timeline import local as at
from tests.support.timeline import no_pacing, pid  # noqa: F401 (fixture)
from transports.simulator import User

LOTTE = User(9013, "Lotte", "Willems")
JAN = User(1000, "Jan", "Peeters", language_code="nl")
SUBMIT = "homework/submit"


def session(bot, number: int) -> trajectories.Session:
    return trajectories.session_by_number(bot.db, trajectories.by_number(bot.db, 7).id, number)


def assignment(bot, number: int) -> assignments.Assignment:
    return assignments.of_session(bot.db, session(bot, number).id)[0]


def fill(bot, user, flow: str, answers: dict, instance: str = "") -> None:
    """Answers stored as the guided conversation stores them (the conversations themselves
    are issue 15's and tested there): {question or (question, idx): value}."""
    for key, value in answers.items():
        qid, idx = key if isinstance(key, tuple) else (key, 0)
        answer_store.save(bot.db, pid(bot, user), flow, instance, qid, idx, value,
                          now=bot.now())


STEP1 = {"problem": "Winkels sluiten om 18u en de kern loopt leeg.",
         "scope": "De Antwerpsestraat, niet de steenweg.",
         "goal_means": "Doel: een levendige kern; middel: avondmarkten.",
         "users": "Een gezin met een bakfiets.", "actors_active": "De handelaarsvereniging.",
         "actors_involve": "De eigenaars van leegstaande panden.", "ladder": "ladder_coproduce",
         "own_role": ["role_support"]}
CHAIN = {"problem": "Er is niets te beleven na 18u.",
         ("why", 0): "De handelaars stemmen hun openingsuren niet af.", ("whys", 1): DONE,
         "root": "Niemand trekt de afspraken.",
         "hkw": "Hoe kunnen we afspraken maken over de openingsuren?"}


def jpeg(colour=(200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


async def evaluate(bot, user, number: int, less: str, good: str, held_back: str | None,
                   score: str) -> None:
    await bot.press(user, f"fl:start:evaluatie:{session(bot, number).id}")
    steps = [("send", less), ("send", good),
             ("send", held_back) if held_back else ("key", SKIP), ("tap", score)]
    await play(bot, user, steps)


async def hand_in_brief_step(bot, user) -> list:
    await bot.send(user, "/huiswerk")
    await bot.tap(user, assignment(bot, 1).title)
    return await bot.tap(user, key="homework/submit_as_is")   # the step is done: as it is


async def first_two_sessions(bot) -> None:
    """The scenario up to Friday 26 April 2024, 10u00."""
    for user in (SOFIE, PIETER):
        await bot.send(user, "/intake")
        await play(bot, user, INTAKE_NL)
    bot.clock.set(at(2024, 2, 20, 14, 0))                   # after session 1
    await evaluate(bot, SOFIE, 1, "De online sessie was wat lang.",
                   "De oefening met de actorenkaart.", None, "4")
    await evaluate(bot, PIETER, 1, "Te weinig tijd om te oefenen.", "Het delen met anderen.",
                   "Drukte op de dienst.", "2")
    bot.clock.set(at(2024, 3, 1, 10, 0))
    fill(bot, SOFIE, "brief", STEP1)
    fill(bot, SOFIE, "waarom", CHAIN, instance="1")
    calls = await hand_in_brief_step(bot, SOFIE)
    assert calls[-1].key == "homework/handed_in"
    bot.clock.set(at(2024, 3, 15, 10, 0))                   # Sofie rewrites her problem
    fill(bot, SOFIE, "brief", {"problem": "Na 18u is er niets meer open in de kern."})
    bot.clock.set(at(2024, 4, 20, 10, 0))                   # a Saturday: the day after the due time
    fill(bot, PIETER, "brief", {**STEP1, "problem": "De markt trekt geen jongeren."})
    calls = await hand_in_brief_step(bot, PIETER)
    assert calls[-1].values("homework/handed_in")["submission"].late
    bot.clock.set(at(2024, 4, 23, 17, 0))                   # after session 2
    await evaluate(bot, SOFIE, 2, "Het stadhuis was koud.", "De wandeling door de kern.",
                   None, "5")
    bot.clock.set(at(2024, 4, 25, 10, 0))                   # Jan joins; Lotte starts, stops
    await enrol(bot, JAN, municipality="Geel", department="Economie")
    await bot.send(LOTTE, "/huiswerk")
    await bot.tap(LOTTE, "Foto's van je kern")
    await bot.send(LOTTE, "Een halve versie: de markt op zaterdag.")
    await bot.tap(LOTTE, key="homework/stop")
    await bot.send(SOFIE, "/huiswerk")
    await bot.tap(SOFIE, "Foto's van je kern")
    await bot.send(SOFIE, "De markt is ons DNA.")
    await bot.sim.send_photo(SOFIE, jpeg())
    await bot.tap(SOFIE, key=SUBMIT)
    bot.clock.set(at(2024, 4, 26, 10, 0))


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(path).pages).split())


def words(bot, key: str, **values) -> str:
    return bot.services.messages.plain(key, "nl", **values)


async def test_the_coach_sees_that_a_participant_reads_english(bot):
    """A Dutch-speaking coach opening the submission of a participant who reads English is
    told so (feedback in English reaches them better); a Dutch participant's has no such
    line."""
    await first_two_sessions(bot)
    people.update(bot.db, pid(bot, SOFIE), bot.now(), language="en")
    shown = {}
    for name in ("Sofie Janssens", "Pieter De Smet"):
        await bot.send(AN, "/inzendingen")
        await bot.tap(AN, key="announcements/session_button", values={"session": session(bot, 1)})
        shown[name] = (await bot.tap(AN, name))[0]
        assert shown[name].key == "homework/submission"
    assert "🇬🇧" in shown["Sofie Janssens"].text
    assert "🇬🇧" not in shown["Pieter De Smet"].text


# -- the overview says what its name buttons do ---------------------------------------------------
async def test_the_overview_says_what_its_name_buttons_do(bot):
    """With nothing handed in, every name button gives more time: the overview says that, not
    "tap a name to open the submission" (no button would); once Sofie hands in, it says both."""
    await bot.send(AN, "/inzendingen")
    calls = await bot.tap(AN, key="announcements/session_button",
                          values={"session": session(bot, 1)})
    overview = calls[-1]
    values = overview.values("homework/session_overview")
    assert (values["openable"], values["extendable"]) == (0, 3)  # Sofie, Pieter, Lotte
    assert words(bot, "homework/overview_open_hint") not in overview.text
    assert words(bot, "homework/overview_extend_hint") in overview.text
    bot.clock.set(at(2024, 3, 1, 10, 0))
    fill(bot, SOFIE, "brief", STEP1)
    assert (await hand_in_brief_step(bot, SOFIE))[-1].key == "homework/handed_in"
    await bot.send(AN, "/inzendingen")
    calls = await bot.tap(AN, key="announcements/session_button",
                          values={"session": session(bot, 1)})
    overview = calls[-1]
    values = overview.values("homework/session_overview")
    assert (values["openable"], values["extendable"]) == (1, 2)
    assert words(bot, "homework/overview_open_hint") in overview.text
    assert words(bot, "homework/overview_extend_hint") in overview.text


# -- the coach reads every kind of submission ---------------------------------------------------
async def test_the_coach_reads_every_kind_of_submission(bot):
    await first_two_sessions(bot)
    # homework that is a brief step: the answers as they were at the hand-in
    await bot.send(AN, "/inzendingen")
    calls = await bot.tap(AN, key="announcements/session_button",
                          values={"session": session(bot, 1)})
    overview = calls[-1].values("homework/session_overview")
    states = {p.name: v.status for _w, entries in overview["blocks"] for p, v in entries}
    assert states == {"Sofie Janssens": "handed_in", "Pieter De Smet": "late",
                      "Lotte Willems": "closed",       # session 2 started: too late now
                      "Jan Peeters": "open"}  # his own catch-up time
    calls = await bot.tap(AN, "Sofie Janssens")
    shown = calls[0]
    assert shown.key == "homework/submission"
    assert STEP1["problem"] in shown.text and STEP1["users"] in shown.text
    assert "Na 18u is er niets meer open" not in shown.text     # a later edit is not in it
    calls = await bot.tap(AN, key="homework/current_button")      # the current version
    assert calls[0].key == "coaches/current" and calls[0].values("coaches/current")["changed"]
    assert "Na 18u is er niets meer open in de kern." in calls[0].text
    # uploaded pieces: the text and the photo again
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, key="announcements/session_button", values={"session": session(bot, 2)})
    calls = await bot.tap(AN, "Sofie Janssens")
    assert calls[0].key == "homework/submission" and "De markt is ons DNA." in calls[0].text
    assert [c.method for c in calls[1:]] == ["sendPhoto"]
    # evaluations of session 1: a summary with the open answers side by side, and per person
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, key="announcements/session_button", values={"session": session(bot, 1)})
    calls = await bot.tap(AN, key="coaches/evaluations_button")
    data = calls[-1].values("coaches/evaluations")["data"]
    assert (data.average, data.expected, len(data.complete)) == (3.0, 3, 2)
    assert [(p.name, a) for p, a in data.answers_to("good")] == [   # by municipality
        ("Pieter De Smet", "Het delen met anderen."),
        ("Sofie Janssens", "De oefening met de actorenkaart.")]
    assert "Drukte op de dienst." in calls[-1].text and "De online sessie was wat lang." in \
        calls[-1].text
    calls = await bot.tap(AN, key="coaches/evaluation_person_button",
                          values={"entry": data.entries[0]})
    assert calls[-1].key == "coaches/evaluation" and "Te weinig tijd om te oefenen." in \
        calls[-1].text
    # the intake, per person
    await bot.send(AN, "/inzendingen")
    calls = await bot.tap(AN, key="coaches/intakes_button")
    entries = calls[-1].values("coaches/intakes")["entries"]
    assert {p.name: done for p, done in entries} == {
        "Sofie Janssens": True, "Pieter De Smet": True, "Lotte Willems": False,
        "Jan Peeters": False}
    calls = await bot.tap(AN, "Sofie Janssens")
    assert calls[-1].key == "coaches/intake" and "Een kernversterkingsplan uit 2021." in \
        calls[-1].text
    # the participant cannot read any of it; a coach of another trajectory neither
    sub = homework_store.of(bot.db, pid(bot, SOFIE), assignment(bot, 1).id)
    for data_ in (f"co:current:{sub.id}", f"co:evals:{session(bot, 1).id}",
                  f"co:intake:{trajectories.by_number(bot.db, 7).id}:{pid(bot, SOFIE)}"):
        calls = await bot.press(PIETER, data_)
        assert calls[-1].key == "common/not_allowed", data_


async def test_a_draft_is_asked_about_at_the_deadline_and_reaches_the_coaches_at_the_lock(bot):
    await first_two_sessions(bot)
    draft = homework_store.of(bot.db, pid(bot, LOTTE), assignment(bot, 2).id)
    assert draft.status == "draft"
    listing = (await bot.send(LOTTE, "/huiswerk"))[-1]
    mine = {v.assignment.title: v for v in listing.values("homework/list")["views"]}
    assert mine["Foto's van je kern"].draft                        # "concept, nog niet ingediend"
    assert [i.text for i in listing.values("homework/list")["pieces"][assignment(bot, 2).id]] \
        == ["Een halve versie: de markt op zaterdag."]
    calls = await bot.press(AN, f"hw:view:{draft.id}")               # not before the lock
    assert calls[-1].key == "common/not_allowed"
    # the gentle reminder mentions the draft
    gentle = outbox.find(bot.db, kind=planner.FOLLOWUP, person_id=pid(bot, LOTTE),
                         subject=f"assignment:{assignment(bot, 2).id}")
    bot.clock.set(min(r.planned_at for r in gentle if r.unique_key.endswith(":gentle")))
    await bot.run_pass()
    reminder = bot.api.sent(LOTTE.id)[-1]
    assert reminder.key == "followup/reminder" and reminder.values(reminder.key)["draft"] == 1
    # at the deadline: hand in the draft as it is?
    due = next(r for r in outbox.find(bot.db, kind=planner.DRAFT_CHECK,
                                      person_id=pid(bot, LOTTE))
               if r.subject == f"assignment:{assignment(bot, 2).id}").planned_at
    bot.clock.set(due)
    await bot.run_pass()
    asked = bot.api.sent(LOTTE.id)[-1]
    assert asked.key == "homework/draft_deadline" and asked.values(asked.key)["on_time"]
    assert not [c for c in bot.api.sent(SOFIE.id) if c.key == "homework/draft_deadline"]
    # Lotte does not answer; at the lock (session 3 starts) the draft reaches the coaches
    bot.clock.set(session(bot, 3).starts_at + timedelta(minutes=1))
    await bot.run_pass()
    for coach in (AN, KOEN):
        notice = next(c for c in bot.api.sent(coach.id) if c.key == "homework/drafts_locked")
        assert [p.name for p, _s, n in notice.values(notice.key)["drafts"]] == ["Lotte Willems"]
    calls = await bot.tap(AN, key="homework/view_draft_button")
    assert calls[0].key == "homework/submission" and "Een halve versie" in calls[0].text
    assert calls[0].values("homework/submission")["submission"].status == "draft"


async def test_handing_in_the_draft_as_it_is_counts_from_its_last_piece(bot):
    await first_two_sessions(bot)
    due = next(r for r in outbox.find(bot.db, kind=planner.DRAFT_CHECK,
                                      person_id=pid(bot, LOTTE))
               if r.subject == f"assignment:{assignment(bot, 2).id}").planned_at
    bot.clock.set(due)
    await bot.run_pass()
    bot.clock.advance(timedelta(hours=1))                          # after the deadline
    calls = await bot.tap(LOTTE, key="homework/submit_as_is")
    assert calls[-1].key == "homework/handed_in"
    submission = homework_store.of(bot.db, pid(bot, LOTTE), assignment(bot, 2).id)
    assert submission.status == "submitted" and not submission.late


# -- the preparation pack --------------------------------------------------------------------------
async def test_the_preparation_pack_of_session_two(bot):
    await first_two_sessions(bot)
    rows = [r for r in outbox.find(bot.db, kind=planner.PREP_PACK)
            if r.subject == f"session:{session(bot, 2).id}"]
    assert {r.person_id for r in rows} == {pid(bot, AN), pid(bot, KOEN)}
    # two working days before Tuesday 23 April is Friday 19 April, the homework's due day: the
    # pack waits for the due time (17u00) and comes the next working morning
    assert {r.planned_at for r in rows} == {at(2024, 4, 22, 9, 0)}


async def test_the_pack_arrives_with_the_group_and_every_participant(bot):
    for user in (SOFIE, PIETER):
        await bot.send(user, "/intake")
        await play(bot, user, INTAKE_NL)
    bot.clock.set(at(2024, 2, 20, 14, 0))
    await evaluate(bot, SOFIE, 1, "De online sessie was wat lang.",
                   "De oefening met de actorenkaart.", None, "4")
    bot.clock.set(at(2024, 3, 1, 10, 0))
    fill(bot, SOFIE, "brief", STEP1)
    fill(bot, SOFIE, "waarom", CHAIN, instance="1")
    await hand_in_brief_step(bot, SOFIE)
    bot.clock.set(at(2024, 4, 20, 10, 0))
    fill(bot, PIETER, "brief", {**STEP1, "problem": "De markt trekt geen jongeren."})
    await hand_in_brief_step(bot, PIETER)
    bot.clock.set(at(2024, 4, 22, 8, 59))
    await bot.run_pass()
    assert not [c for c in bot.api.sent(AN.id) if c.key == "coaches/pack_message"]
    bot.clock.set(at(2024, 4, 22, 9, 0))
    await bot.run_pass()
    for coach in (AN, KOEN):
        sent = bot.api.sent(coach.id)
        message = next(c for c in sent if c.key == "coaches/pack_message")
        pack = message.values("coaches/pack_message")["pack"]
        assert pack.session.number == 2 and pack.previous.number == 1
        assert [p.person.name for p in pack.participants if p.progress.lagging] == [
            "Lotte Willems", "Pieter De Smet"]   # Pieter did not evaluate session 1
        document = next(c for c in sent if c.method == "sendDocument")
        assert document.saved_paths[0].name.startswith("voorbereiding-traject-7-sessie-2")
    text = pdf_text(document.saved_paths[0])
    for expected in (
            words(bot, "prep/label", name="glance"),
            "Sofie Janssens", "Pieter De Smet", "Lotte Willems",
            "Een kernversterkingsplan uit 2021.",                  # the intake
            STEP1["problem"], "De markt trekt geen jongeren.",     # the briefs
            words(bot, "prep/label", name="new"),                  # changed since session 1
            "Hoe kunnen we afspraken maken over de openingsuren?",  # the chain
            words(bot, "homework/_status", status="late"),         # Pieter
            words(bot, "homework/_status", status="overdue"),      # Lotte
            "De oefening met de actorenkaart.",                    # evaluations of session 1
            words(bot, "prep/label", name="intake_open")):         # Lotte's intake
        assert " ".join(pdf_safe(expected).split()) in text, expected   # emoji left out
    # the same pack on request, from /inzendingen
    await bot.send(KOEN, "/inzendingen")
    calls = await bot.tap(KOEN, key="announcements/session_button",
                          values={"session": session(bot, 2)})
    calls = await bot.tap(KOEN, key="coaches/pack_button")
    assert calls[-1].method == "sendDocument" and "Sofie Janssens" in pdf_text(
        calls[-1].saved_paths[0])


# -- progress that tells the truth ---------------------------------------------------------------
ON, LATE, MISS, OPEN, NA = "on_time", "late", "missing", "open", "n/a"
EXPECTED = {  # name: (intake, homework 1, homework 2, evaluation 1, evaluation 2)
    "Sofie Janssens": (True, ON, ON, ON, ON),
    "Pieter De Smet": (True, LATE, OPEN, ON, OPEN),
    "Lotte Willems": (False, MISS, OPEN, MISS, OPEN),
    "Jan Peeters": (False, NA, OPEN, NA, NA),
}
CELLS = {ON: "progress/status_done", LATE: "progress/status_late",
         MISS: "progress/status_missing", OPEN: "progress/status_open",
         NA: "progress/status_na"}


async def test_progress_text_and_sheet_match_what_each_did(bot):
    await first_two_sessions(bot)
    calls = await bot.send(ELS, "/voortgang")
    shown = calls[0].values("progress/overview")["progress"]
    got = {p.person.name: (p.intake, p.homework.get(1), p.homework.get(2),
                           p.evaluations.get(1), p.evaluations.get(2))
           for p in shown.participants}
    assert got == EXPECTED
    lagging = {p.person.name: [i.subject for i in p.behind] for p in shown.participants}
    t7 = trajectories.by_number(bot.db, 7).id
    assert lagging == {"Sofie Janssens": [], "Pieter De Smet": [], "Jan Peeters": [],
                       "Lotte Willems": [f"assignment:{assignment(bot, 1).id}",
                                         f"intake:{t7}", f"evaluation:{session(bot, 1).id}"]}
    drafts = {p.person.name: p.drafts for p in shown.participants}
    assert drafts["Lotte Willems"] == {2} and drafts["Sofie Janssens"] == set()
    # "last active" counts homework too: Sofie handed in photos on 25 April
    last = {p.person.name: p.last_activity for p in shown.participants}
    assert last["Sofie Janssens"] == at(2024, 4, 25, 10, 0)
    assert last["Pieter De Smet"] == at(2024, 4, 20, 10, 0)
    assert "Jan Peeters" in calls[0].text and "n.v.t." in calls[0].text
    sheet = next(c for c in calls if c.method == "sendDocument")
    rows = list(load_workbook(BytesIO(sheet.saved_paths[0].read_bytes()))
                .active.iter_rows(values_only=True))
    header = rows[0]
    cells = {r[0].split(" (")[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    columns = (words(bot, "progress/col_intake"),
               words(bot, "progress/col_homework", number=1),
               words(bot, "progress/col_homework", number=2),
               words(bot, "progress/col_evaluation", number=1),
               words(bot, "progress/col_evaluation", number=2))
    for name, (intake, *states) in EXPECTED.items():
        intake_cell = "progress/status_done" if intake else (
            "progress/status_missing" if name == "Lotte Willems" else "progress/status_open")
        expected = [words(bot, intake_cell), *(words(bot, CELLS[s]) for s in states)]
        assert [cells[name][c] for c in columns] == expected, name
    assert cells["Lotte Willems"][words(bot, "progress/col_behind")]
    assert not cells["Sofie Janssens"][words(bot, "progress/col_behind")]


async def test_where_a_person_stopped_and_since_when(bot):
    await bot.send(PIETER, "/intake")
    await bot.send(PIETER, "Centrummanager")            # the first answer, then nothing
    bot.clock.advance(timedelta(days=3))
    shown = (await bot.send(ELS, "/voortgang"))[0].values("progress/overview")["progress"]
    pieter = next(p for p in shown.participants if p.person.name == "Pieter De Smet")
    assert pieter.stuck is not None and pieter.stuck.flow == "intake"
    assert pieter.stuck.question != "role" and pieter.stuck.since == at(2024, 2, 12, 9, 0)


# -- the nudge ---------------------------------------------------------------------------------------
async def test_the_overview_explains_a_nudge_count_smaller_than_who_is_behind(bot):
    """"2 achterop" above a button "Herinner wie achterloopt (1)": the overview says why."""
    await first_two_sessions(bot)
    bot.clock.set(at(2024, 5, 3, 10, 0))        # Lotte and Pieter are behind
    await bot.send(PIETER, "/stil")             # Pieter pauses his reminders for a week
    await bot.tap(PIETER, key="calendar/mute_1w")
    call = (await bot.send(AN, "/voortgang"))[0]
    values = call.values("progress/overview")
    lagging, nudges = len(values["progress"].lagging), values["nudges"]
    assert (nudges, lagging) == (1, 2)
    assert f"{nudges} van de {lagging}" in call.text


async def test_the_nudge_reaches_who_is_behind_with_what_is_open_once(bot):
    await first_two_sessions(bot)
    await bot.send(AN, "/voortgang")
    calls = await bot.tap(AN, key="progress/nudge_button")
    assert calls[-1].values("progress/nudged") == {"count": 1}
    await bot.run_pass()
    for user in (SOFIE, PIETER, JAN):
        assert not [c for c in bot.api.sent(user.id) if c.key == "reminders/lagging"]
    nudge = [c for c in bot.api.sent(LOTTE.id) if c.key == "reminders/lagging"]
    assert len(nudge) == 1
    items = nudge[0].values("reminders/lagging")["items"]
    t7 = trajectories.by_number(bot.db, 7).id
    # homework 1 closed when session 2 started: behind on it, but not told to hand it in
    assert [i.subject for i in items] == [f"intake:{t7}", f"evaluation:{session(bot, 1).id}"]
    # again the same day: nothing new to say
    bot.clock.advance(timedelta(hours=1))
    await bot.send(AN, "/voortgang")
    calls = await bot.tap(AN, key="progress/nudge_button")
    assert calls[-1].values("progress/nudged") == {"count": 0}
    # Monday: the evaluation of session 2 was due on Friday; only that is new
    bot.clock.set(at(2024, 4, 29, 10, 0))
    await bot.send(KOEN, "/voortgang")
    calls = await bot.tap(KOEN, key="progress/nudge_button")
    assert calls[-1].values("progress/nudged") == {"count": 2}
    await bot.run_pass()
    second = [c for c in bot.api.sent(LOTTE.id) if c.key == "reminders/lagging"][-1]
    assert [i.subject for i in second.values("reminders/lagging")["items"]] == [
        f"evaluation:{session(bot, 2).id}"]
    assert [c for c in bot.api.sent(PIETER.id) if c.key == "reminders/lagging"]
    # after the repeat period (7 days), the first items may be named again
    bot.clock.set(at(2024, 5, 6, 10, 0))
    await bot.send(ELS, "/voortgang")
    calls = await bot.tap(ELS, key="progress/nudge_button")
    assert calls[-1].values("progress/nudged")["count"] >= 1


async def test_the_nudge_leaves_out_what_the_ladder_just_said(bot):
    await first_two_sessions(bot)
    lotte = pid(bot, LOTTE)
    firm = next(r for r in outbox.find(bot.db, kind=planner.FOLLOWUP, person_id=lotte)
                if r.subject == f"assignment:{assignment(bot, 1).id}"
                and r.unique_key.endswith(":firm"))
    bot.clock.set(firm.planned_at)
    await bot.run_pass()                                  # the ladder reminded her of it
    assert outbox.get(bot.db, firm.id).status == outbox.SENT
    bot.clock.set(at(2024, 4, 26, 10, 0))
    await bot.send(AN, "/voortgang")
    await bot.tap(AN, key="progress/nudge_button")
    await bot.run_pass()
    nudge = [c for c in bot.api.sent(LOTTE.id) if c.key == "reminders/lagging"][-1]
    subjects = [i.subject for i in nudge.values("reminders/lagging")["items"]]
    assert f"assignment:{assignment(bot, 1).id}" not in subjects and subjects
    assert coach_store.nudged_since(bot.db, lotte, at(2024, 4, 26, 0, 0)) == set(subjects)


async def test_a_filled_brief_step_not_handed_in_is_still_open(bot):
    """Bug: the follow-up counted a brief step as done once it was filled in, although it was
    never handed in and so never reached the coaches."""
    bot.clock.set(at(2024, 3, 1, 10, 0))
    fill(bot, LOTTE, "brief", STEP1)
    bot.clock.set(at(2024, 4, 26, 10, 0))
    shown = (await bot.send(ELS, "/voortgang"))[0].values("progress/overview")["progress"]
    lotte = next(p for p in shown.participants if p.person.name == "Lotte Willems")
    assert f"assignment:{assignment(bot, 1).id}" in [i.subject for i in lotte.behind]


# -- feedback on input ----------------------------------------------------------------------------
async def test_koppel_terug_reaches_the_group_and_shows_in_huiswerk(bot):
    await first_two_sessions(bot)
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, key="announcements/session_button", values={"session": session(bot, 2)})
    await bot.tap(AN, key="coaches/evaluations_button")
    calls = await bot.tap(AN, key="coaches/feedback_button")
    assert calls[-1].key == "coaches/feedback_ask"
    calls = await bot.send(AN, "Volgende keer verwarmen we de zaal; de wandeling houden we.")
    assert calls[-1].key == "coaches/feedback_preview"
    calls = await bot.tap(AN, key="coaches/feedback_send")
    assert calls[-1].values("coaches/feedback_sent")["count"] == 4
    await bot.run_pass()
    for user in (SOFIE, PIETER, LOTTE, JAN):
        got = [c for c in bot.api.sent(user.id) if c.key == "coaches/group_feedback"]
        assert len(got) == 1 and "verwarmen we de zaal" in got[0].text, user
    assert not [c for c in bot.api.sent(KOEN.id) if c.key == "coaches/group_feedback"]
    # feedback on one homework, and the group's, in /huiswerk
    await bot.send(AN, "/inzendingen")
    await bot.tap(AN, key="announcements/session_button", values={"session": session(bot, 1)})
    await bot.tap(AN, "Sofie Janssens")
    await bot.tap(AN, key="homework/give_feedback")
    await bot.send(AN, "Scherp benoemd; wie zijn je gebruikers 's avonds?")
    listing = (await bot.send(SOFIE, "/huiswerk"))[-1].values("homework/list")
    feedback = {a: [f.text for f, _ in thread] for a, thread in listing["feedback"].items()}
    assert feedback == {assignment(bot, 1).id:
                        ["Scherp benoemd; wie zijn je gebruikers 's avonds?"]}
    assert [(s.number, f.text) for s, f, _a in listing["group"]] == [
        (2, "Volgende keer verwarmen we de zaal; de wandeling houden we.")]
    assert memberships.get(bot.db, pid(bot, JAN), trajectories.by_number(bot.db, 7).id)


async def test_the_snapshot_is_kept_in_the_database(bot):
    await first_two_sessions(bot)
    sub = homework_store.of(bot.db, pid(bot, SOFIE), assignment(bot, 1).id)
    [snap] = coach_store.snapshots(bot.db, sub.id)
    assert (snap.flow, snap.section) == ("brief", "step1")
    assert ("problem", 0, STEP1["problem"], False) in snap.answers
    current = load_answers(bot.db, pid(bot, SOFIE), "brief")
    assert current[next(p for p in current if p.qid == "problem")] != STEP1["problem"]


# -- a complete export ----------------------------------------------------------------------------
STEP4_ACTIONS = {("action", 0): "Avondmarkt in juni", ("owner", 0): "Dienst economie",
                 ("place", 0): "place_bound", ("urgency", 0): "urgency_high",
                 ("impact_cost", 0): "ic_quickwin", ("done_when", 0): "Drie edities",
                 ("milestone", 0): "De eerste markt", ("actions", 0): "more",
                 ("action", 1): "Leegstandsbeheer", ("owner", 1): "Ruimtelijke ordening",
                 ("place", 1): "general", ("urgency", 1): "urgency_low",
                 ("impact_cost", 1): "ic_investment", ("done_when", 1): "Tien panden",
                 ("milestone", 1): "Het eerste pand", ("actions", 1): "done"}


async def test_the_export_holds_every_action_chain_photo_evaluation_and_intake(bot):
    import zipfile

    await first_two_sessions(bot)
    photo = bot.api.add_file(jpeg((30, 90, 160)))
    fill(bot, SOFIE, "brief", {"test_direction": "Tijdelijk groen", "tested": "yes",
                               "learned": "Mensen blijven langer", "test_photo": photo,
                               **STEP4_ACTIONS})
    sofie = pid(bot, SOFIE)
    handed = next(s for s in homework_store.of_person(bot.db, sofie) if s.submitted_at)
    homework_store.add_item(bot.db, handed.id, kind="text", text="🙂", now=bot.now())
    calls = await bot.send(AN, "/export")
    files = {c.saved_paths[0].suffix: c.saved_paths[0] for c in calls
             if c.method == "sendDocument"}
    book = load_workbook(files[".xlsx"])
    actions = list(book[words(bot, "export/sheet_actions")].iter_rows(values_only=True))
    assert [(r[0], r[2], r[3]) for r in actions[1:]] == [
        ("Sofie Janssens", 1, "Avondmarkt in juni"), ("Sofie Janssens", 2, "Leegstandsbeheer")]
    evaluations = list(book[words(bot, "export/sheet_evaluations")].iter_rows(
        values_only=True))
    assert {(r[0], r[2], r[3]) for r in evaluations[1:]} == {
        ("Sofie Janssens", 1, 4), ("Pieter De Smet", 1, 2), ("Sofie Janssens", 2, 5)}
    text = pdf_text(files[".pdf"])
    for expected in ("Hoe kunnen we afspraken maken over de openingsuren?",  # the chain
                     "Een kernversterkingsplan uit 2021.",                   # the intake
                     "De oefening met de actorenkaart.",                     # an evaluation
                     "Leegstandsbeheer"):                                    # the 2nd action
        assert expected in text, expected
    # a homework status keeps a symbol the PDF font can draw (it read "( open)": the emoji
    # was left out and its space stayed behind)
    assert "( " not in text, text
    # a piece of emoji only is named, not dropped (it vanished from the PDF)
    assert bot.services.messages.plain("prep/label", "nl", name="emoji_only") in text
    assert f"(✓ {words(bot, 'homework/_status', status='handed_in')[2:]})" in text, text
    from pypdf import PdfReader

    assert sum(len(p.images) for p in PdfReader(files[".pdf"]).pages) >= 2  # brief + homework
    with zipfile.ZipFile(files[".zip"]) as archive:
        names = archive.namelist()
    assert any(n.startswith("Lier/ontwerpbrief/foto-1") for n in names), names
