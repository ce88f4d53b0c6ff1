"""The "done when" of sharing (issue 17), in the console chat as a separate process: Sofie
shares brief step 1, Pieter takes it along and asks a question that Sofie answers; Pieter
shares a five-whys chain and Sofie takes it along; the coach An picks Sofie's step for the next
session; Sofie picks a practice from the library at step 2's practices question, and it is in
her brief PDF. Buttons are pressed by number; what is checked is the stored data, the texts
rendered from their templates and the PDF."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pypdf

from messages.render import Messages
from transports.console import html_to_terminal

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).parent / "console_sharing_script.txt"
ANSWER = "We belden ze een voor een op, met de schepen erbij."


def test_two_participants_share_and_react_the_coach_picks_and_a_practice_reaches_the_pdf(
        tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py")], cwd=tmp_path, input=SCRIPT.read_text(),
        capture_output=True, text=True, timeout=180,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    out = result.stdout
    assert result.returncode == 0, result.stderr
    m = Messages("nl")

    def first_line(key: str, **values) -> str:
        return html_to_terminal(m.render(key, "nl", **values)).split("\n", 1)[0]

    # Pieter's question reached Sofie, her answer reached Pieter
    asked = out.index(first_line("sharing/question_to_author", asker="Pieter De Smet",
                                 municipality="Halle", title="x", question="x"))
    assert out.index(ANSWER, asked) < out.rindex("(je bent nu Pieter De Smet")
    assert f"[1] {m.plain('sharing/useful_button', 'nl', on=True)}" in out
    # An's pick reached Sofie (the console shows the first line of a message to someone else)
    notice = first_line("sharing/picked_notice", coach="An Peeters", title="x")
    assert f"(aan Sofie Janssens: {notice}"[:60] in out
    db = sqlite3.connect(tmp_path / "data" / "demo.sqlite3")
    people = dict(db.execute("SELECT id, name FROM people").fetchall())
    shared = {people[p]: (kind, picked is not None) for p, kind, picked in db.execute(
        "SELECT person_id, kind, picked_by FROM shared_items").fetchall()}
    assert shared == {"Sofie Janssens": ("brief", True), "Pieter De Smet": ("chain", False)}
    reactions = sorted((people[p], kind, answer) for p, kind, answer in db.execute(
        "SELECT person_id, kind, answer FROM share_reactions").fetchall())
    assert reactions == [("Pieter De Smet", "question", ANSWER),
                         ("Pieter De Smet", "useful", ""), ("Sofie Janssens", "useful", "")]
    assert db.execute("SELECT practice_key FROM chosen_practices").fetchall() == [
        ("immo-cupido",)]
    # the brief PDF lists the chosen practice with step 2
    match = re.search(r"\[bestand\] (\S+\.pdf)", out)
    assert match, out[-2000:]
    path = Path(match.group(1))
    assert path.is_file() and path.is_relative_to(tmp_path)
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(path).pages).split())
    chosen = m.plain("flows/doc/chosen_practices", "nl")
    assert chosen in text
    assert "Immo Cupido (Aalst)" in text[text.index(chosen):]
    assert text.index(m.plain("flows/brief/sections/step2", "nl")) < text.index(chosen) < \
        text.index(m.plain("flows/brief/sections/step3", "nl"))
