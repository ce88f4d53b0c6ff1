"""Issue 16, "done when", through the console: walking the demo clock through the whole
trajectory, no deadline or nudge falls on a weekend, nobody is silent for longer than the
configured period, the coordinator moves session 3 and everyone receives the updated .ics, and
the trajectory closes with the closing message and the final evaluation."""

from __future__ import annotations

from datetime import date

from core.settings import Settings
from storage import outbox, people
from storage.db import connect
from tests.test_console import console

WORK = Settings.defaults().work
SCRIPT = "\n".join([
    ":as els", "/sessies", "3",            # ⚙️ Sessie 3
    "1",                                   # 📅 Verplaatsen
    "25/6 9u30",                           # the preview
    "1",                                   # Bevestigen
    ":klok +247d",                         # to Wednesday 16 October, the closing message
    ":as sofie", "/slotevaluatie",
    "We leerden focussen op de gebruiker.", "Meer tijd tussen de sessies.",
    "De pop-up in de Antwerpsestraat.", "4", "1",
    ":klok +100d",                         # past the after-care in January
    ":quit"]) + "\n"


def test_the_whole_trajectory_in_the_console(tmp_path):
    result = console(tmp_path, SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "Sessie 3 van traject 7 verplaatsen" in out
    assert "agenda-uitnodiging die de oude in hun agenda vervangt" in out
    assert "Sessie 3 van traject 7 is verplaatst naar dinsdag 25 juni 2024 om 9u30" in out
    assert "Werksessie 3 van traject 7 is verplaatst" in out      # Sofie's notice
    assert "kernbot-traject-7-sessie-3.ics" in out                # with the updated .ics
    assert "Traject 7 zit erop" in out                            # the closing message
    assert "ontwerpbrief" in out and ".pdf" in out
    assert "Evaluatie van het traject" in out                     # the final evaluation
    db = connect(tmp_path / "demo.sqlite3")
    sent = outbox.find(db, status=outbox.SENT)
    # everyone in trajectory 7 got the notice of the move, each with the new .ics
    moved = [r for r in sent if r.kind == "session_change"]
    assert {people.get(db, r.person_id).name for r in moved} >= {
        "Sofie Janssens", "Pieter De Smet", "Lotte Willems", "An Peeters", "Koen Claes"}
    # no deadline and no nudge on a weekend or holiday
    timed = [r for r in sent if r.kind in ("followup", "followup_staff", "check_in", "digest",
                                           "closing", "aftercare")]
    assert timed
    for row in timed:
        assert WORK.is_working_moment(row.sent_at), (row.kind, row.sent_at)
    # nobody silent for more than 10 working days while the trajectory runs
    start, end = date(2024, 2, 20), date(2024, 10, 16)
    for name in ("Sofie Janssens", "Pieter De Smet", "Lotte Willems"):
        person = next(p for p in people.all_people(db) if p.name == name)
        days = sorted({r.sent_at.date() for r in sent if r.person_id == person.id
                       and start <= r.sent_at.date() <= end} | {start, end})
        gaps = [sum(WORK.is_working_day(date.fromordinal(o))
                    for o in range(a.toordinal() + 1, b.toordinal() + 1))
                for a, b in zip(days, days[1:], strict=False)]
        assert max(gaps) <= 10, (name, gaps)
    # the closing message and the final evaluation
    sofie = next(p for p in people.all_people(db) if p.name == "Sofie Janssens")
    assert [r for r in sent if r.kind == "closing" and r.person_id == sofie.id]
    answers = db.execute("SELECT COUNT(*) FROM flow_answers WHERE person_id = ? AND"
                         " flow = 'slotevaluatie'", [sofie.id]).fetchone()[0]
    assert answers == 5
    db.close()
