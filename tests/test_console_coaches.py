"""Issue 14, "done when", through the console: walking the demo clock from the first to the
second session, the coach An reads every homework, every evaluation and every intake of the
demo trajectory, receives the preparation pack before session 2, and /voortgang matches what
each participant did."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.settings import Settings
from flows.loader import load_all
from messages.render import Messages
from programme import progress
from storage import outbox, people, trajectories
from tests.test_console import console, console_db

BXL = ZoneInfo("Europe/Brussels")
INTAKE = ["Ambtenaar lokale economie", "1", "3", "8",
          "Leegstand in de Stationsstraat; ’s avonds is de kern leeg.",
          "Een plan dat het college mee draagt.", "1", "De Stationsstraat en het Marktplein.",
          "Een leegstandspremie: goed bedoeld, weinig respons.",
          "Een kernversterkingsplan uit 2021.", "Eén halftijdse centrummanager.",
          "Een stuurgroep met economie, ruimte en mobiliteit.", "1", "3", "2", "Niets, dank je."]


def step1(problem: str) -> list[str]:
    return ["/brief", "1", problem, "Enkel de Stationsstraat, niet de baan.",
            "Doel: een levendige kern. Middel: avondmarkten.", "Een gezin met een bakfiets.",
            "De handelaarsvereniging en de cultuurdienst.",
            "De eigenaars van leegstaande panden.", "3", "2", "4"]   # ladder, own role, Klaar


SOFIE_PROBLEM = "Mensen blijven niet hangen in de kern; café’s en winkels sluiten vroeg."
PIETER_PROBLEM = "De markt trekt geen jongeren meer."
SCRIPT = "\n".join([
    ":as sofie", "/intake", *INTAKE, *step1(SOFIE_PROBLEM),
    ":klok +8d", ":klok +4h",                      # Tuesday 20 February, after session 1
    "/evaluatie", "De online sessie was wat lang.", "De oefening met de actorenkaart.",
    "Niets.", "4",
    "/huiswerk", "1", "1",                         # hand in brief step 1 as it is: on time
    ":as pieter", "/evaluatie", "Te weinig tijd om te oefenen.", "Het delen met anderen.",
    "Drukte op de dienst.", "2",
    ":klok +60d",                                  # Saturday 20 April: after the due time
    *step1(PIETER_PROBLEM), "/huiswerk", "1", "1",  # hand in late
    ":klok +2d",                                   # Monday 22 April, 14u00
    ":as an",
    "/inzendingen", "1", "1",                      # session 1: Sofie's homework
    "/inzendingen", "1", "2",                      # Pieter's
    "/inzendingen", "1", "4",                      # the evaluations of session 1
    "/inzendingen", "5", "3",                      # the intakes: Sofie's
    "/voortgang",
    ":quit"]) + "\n"


def test_the_coach_reads_everything_and_gets_the_pack_in_the_console(tmp_path):
    result = console(tmp_path, SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    an = out.split("(je bent nu An Peeters", 1)[1]
    # the pack, before session 2
    assert "voorbereiding-traject-7-sessie-2.pdf" in an
    # every homework, with its content
    for problem in (SOFIE_PROBLEM, PIETER_PROBLEM):
        assert problem in an.split("An Peeters> /inzendingen", 1)[1], problem
    # every evaluation, side by side
    for answer in ("De online sessie was wat lang.", "Te weinig tijd om te oefenen.",
                   "De oefening met de actorenkaart.", "Het delen met anderen.",
                   "Drukte op de dienst."):
        assert answer in an, answer
    # the intake
    assert "Een kernversterkingsplan uit 2021." in an
    db = console_db(tmp_path)
    try:
        seven = trajectories.by_number(db, 7)
        second = trajectories.session_by_number(db, seven.id, 2)
        an_id = people.by_telegram_id(db, 9002).id
        [pack] = [r for r in outbox.find(db, kind="prep_pack", person_id=an_id)
                  if r.subject == f"session:{second.id}"]
        assert pack.status == outbox.SENT and pack.sent_at < second.starts_at
        # /voortgang as each participant did
        flows = load_all(Messages("nl").has)
        now = datetime(2024, 4, 22, 14, 0, tzinfo=BXL)
        data = progress.trajectory_progress(db, flows, Settings.defaults(), seven.id, now)
        got = {p.person.name: (p.intake, p.brief_done, p.homework, p.evaluations,
                               p.lagging) for p in data.participants}
        assert got == {
            "Sofie Janssens": (True, 1, {1: "on_time"}, {1: "on_time"}, False),
            "Pieter De Smet": (False, 1, {1: "late"}, {1: "on_time"}, True),
            "Lotte Willems": (False, 0, {1: "missing"}, {1: "missing"}, True)}
        overview = an.split("An Peeters> /voortgang", 1)[1]
        for name in got:
            assert name in overview
    finally:
        db.close()
