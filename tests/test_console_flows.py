"""The "done when" of the guided conversations, in the console chat as a separate process:
intake, an edit from the summary, design brief step 1, a five-whys chain, the evaluation and
the PDF (the console prints the path it wrote). The script chooses options by button number, and
the texts expected are rendered from their templates: rewording one breaks no line here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdf

from messages.render import Messages
from transports.console import html_to_terminal

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).parent / "console_flows_script.txt"


def test_console_session_completes_the_flows_and_writes_the_pdf(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py")], cwd=tmp_path, input=SCRIPT.read_text(),
        capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    out = result.stdout
    assert result.returncode == 0, result.stderr
    m = Messages("nl")

    def shown(key: str, **values) -> str:
        return html_to_terminal(m.render(key, "nl", **values))

    for key in ("flows/ui/done_intake", "flows/ui/edited", "flows/ui/done_brief"):
        assert shown(key) in out, key
    assert shown("flows/ui/done_evaluatie", last=False) in out  # after session 1 (:klok +9d)
    assert "Centrummanager en ambtenaar lokale economie" in out
    assert f"{m.plain('flows/waarom/hkw_prefix', 'nl')} afspraken maken over openingsuren?" in out
    match = re.search(r"\[bestand\] (\S+\.pdf)", out)
    assert match, out[-2000:]
    path = Path(match.group(1))
    assert path.is_file() and path.is_relative_to(tmp_path)
    text = " ".join("\n".join(p.extract_text() for p in pypdf.PdfReader(path).pages).split())
    assert "café’s en winkels sluiten vroeg" in text
    assert m.plain("flows/doc/chain", "nl", number=1) in text
