"""The console chat as a newcomer uses it: piped input, Dutch greeting, clean exit."""

import subprocess
import sys
from pathlib import Path

from messages.render import Messages
from transports.console import html_to_terminal

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = Messages("nl")


def first_line(key: str, language: str = "nl", **values) -> str:
    """The first line of a template as the console prints it (its wording as it is now)."""
    return html_to_terminal(MESSAGES.render(key, language, **values)).split("\n", 1)[0]


def console_db(tmp_path):
    """The console's database after the run: what the chat stored."""
    from storage.db import connect

    return connect(tmp_path / "demo.sqlite3", migrate=False)


def console(tmp_path, script: str):
    config = tmp_path / "console.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "demo.sqlite3"}"\n'
                      f'documents_dir = "{tmp_path / "out"}"\n')
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), "--config", str(config)],
                          input=script, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def test_newcomer_is_greeted_in_dutch_and_quits(tmp_path):
    from types import SimpleNamespace as Obj

    result = console(tmp_path, "/start DEMO-DEELNEMER\n:quit\n")
    assert result.returncode == 0, result.stderr
    trajectory = Obj(number=7, year=2024, title="Het DNA van de kern vertalen naar marketing, "
                     "publiek domein en producten")
    assert first_line("enrol/ask", first=True, field="name", value="Jij", typed=False, part="",
                      views=[Obj(trajectory=trajectory)]) in result.stdout
    assert "Traceback" not in result.stderr


def test_end_of_input_leaves_cleanly(tmp_path):
    result = console(tmp_path, "/help\n")
    assert result.returncode == 0
    assert f"bot: {first_line('common/help', commands=[], role='', contact='')}" in result.stdout


def test_switch_person_buttons_by_number(tmp_path):
    result = console(tmp_path, ":who\n:as sofie\n/taal\n2\n/help\n:as nobody\n:quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "els" in out and "coordinator" in out
    assert "(je bent nu Sofie Janssens)" in out
    labels = [MESSAGES.plain(f"buttons/lang_{language}", "nl") for language in ("nl", "en")]
    assert f"[1] {labels[0]}   [2] {labels[1]}" in out
    assert f"bot: {first_line('common/help', 'en', commands=[], role='', contact='')}" in out
    assert "onbekend" in out


def test_state_is_kept_between_console_runs(tmp_path):
    console(tmp_path, "/start DEMO-DEELNEMER\n1\nLier\nLokale economie\n:quit\n")
    from types import SimpleNamespace as Obj

    result = console(tmp_path, "/start\n:quit\n")
    welcome_back = first_line("start/welcome_participant", person=Obj(name="Jij"), views=[],
                              welcome_back=True, intake_open=True)
    assert f"bot: {welcome_back}" in result.stdout


def test_moving_the_demo_clock_brings_reminders(tmp_path):
    script = "/start DEMO-DEELNEMER\n1\nLier\nLokale economie\n:klok +7d\n:klok +1d\n:as an\n:quit\n"
    result = console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    from storage import outbox, people

    db = console_db(tmp_path)
    newcomer = people.by_telegram_id(db, 1000)
    sent = {row.unique_key.rsplit(":", 1)[-1] for row in outbox.find(
        db, kind="session_reminder", person_id=newcomer.id) if row.status == "sent"}
    db.close()
    assert {"168h", "24h"} <= sent, sent
    assert out.count("Stap 1: de uitdaging helder benoemen") >= 2  # shown: the session title
    assert "(demoklok: dinsdag 20 februari 2024 om 9u00)" in out
    # the two session reminders, and the preparation pack of session 1 (its text and PDF)
    assert "(je bent nu An Peeters; 5 nieuwe berichten)" in out
    assert "voorbereiding-traject-7-sessie-1.pdf" in out


def test_homework_round_trip_and_export_in_the_console(tmp_path):
    from PIL import Image

    photo = tmp_path / "kaart.png"
    Image.new("RGB", (40, 30), (30, 120, 200)).save(photo)
    script = "\n".join([
        ":as sofie", ":klok +72d", "/huiswerk", "1",
        "De Grote Markt is ons DNA: markt, kerk, terrassen.", f":foto {photo}", "1",
        ":as an", "/inzendingen", "2", "1", "1", "Mooi beeld! Welke gebruikers mis je nog?",
        ":as sofie", ":as an", "/export", ":quit"]) + "\n"
    result = console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    from storage import assignments, people, trajectories
    from storage import homework as store

    db = console_db(tmp_path)
    session = trajectories.session_by_number(db, trajectories.by_number(db, 7).id, 2)
    photos = assignments.of_session(db, session.id)[0]
    submission = store.of(db, people.by_telegram_id(db, 9011).id, photos.id)
    assert submission.status == "submitted"
    assert [i.kind for i in store.items(db, submission.id)] == ["text", "photo"]
    assert [f.text for f in store.thread(db, submission.id)] == [
        "Mooi beeld! Welke gebruikers mis je nog?"]
    db.close()
    assert "Mooi beeld! Welke gebruikers mis je nog?" in out   # shown in Sofie's chat too
    exported = [line for line in out.splitlines() if "[bestand]" in line and "traject-7" in line
                and "voorbereiding" not in line]   # the preparation pack of session 2 too
    assert sorted(line.rsplit(".", 1)[1] for line in exported) == ["pdf", "xlsx", "zip"]


def test_console_album_in_the_brief_pdf_and_a_long_answer_stored_whole(tmp_path):
    """Issue 15's "done when", in the console: an album of three photos in brief step 3 is in
    the brief PDF, and a 6,000-character answer pasted as two messages (the console splits a
    long line as a Telegram client does) is stored whole."""
    import json
    import re

    from PIL import Image
    from pypdf import PdfReader

    photos = []
    for n, color in enumerate(["red", "green", "blue"]):
        path = tmp_path / f"foto{n}.png"
        Image.new("RGB", (60, 40), color).save(path)
        photos.append(str(path))
    long_answer = " ".join(f"zin{n} over de kern." for n in range(400))[:6000].rstrip()
    assert len(long_answer) > 5900
    script = "\n".join([
        ":as sofie", "/brief", "1", long_answer, "/brief", "3", "Tijdelijk groen",
        "Bakken groen op het Marktplein", "De handelaars", "Blijven mensen langer?", "1",
        "Ze bleven langer", f":album {' '.join(photos)}", "/brief", "6", ":quit"]) + "\n"
    result = console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    db = console_db(tmp_path)
    stored = {(q, idx): json.loads(v) for q, idx, v in db.execute(
        "SELECT a.question, a.idx, a.value FROM flow_answers a JOIN people p"
        " ON p.id = a.person_id WHERE p.telegram_id = 9011 AND a.flow = 'brief'").fetchall()}
    assert stored[("problem", 0)] == long_answer
    # the question sent after the first part is taken back when the second part joins it
    assert result.stdout.count("bot: (een bericht hierboven is ingetrokken)") == 1
    assert len(stored[("test_photo", 0)]) == 3
    match = re.search(r"\[bestand\] (\S+\.pdf)", result.stdout)
    assert match, result.stdout[-2000:]
    pdf = PdfReader(match.group(1))
    assert sum(len(page.images) for page in pdf.pages) == 3
