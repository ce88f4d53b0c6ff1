"""The console chat as a newcomer uses it: piped input, Dutch greeting, clean exit."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def console(tmp_path, script: str):
    config = tmp_path / "console.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "demo.sqlite3"}"\n'
                      f'documents_dir = "{tmp_path / "out"}"\n')
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), "--config", str(config)],
                          input=script, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})


def test_newcomer_is_greeted_in_dutch_and_quits(tmp_path):
    result = console(tmp_path, "/start DEMO-DEELNEMER\n:quit\n")
    assert result.returncode == 0, result.stderr
    assert "Welkom! Je bent ingeschreven als deelnemer van traject 7: Het DNA van de kern" \
        in result.stdout
    assert "Traceback" not in result.stderr


def test_end_of_input_leaves_cleanly(tmp_path):
    result = console(tmp_path, "/help\n")
    assert result.returncode == 0
    assert "Wat kan ik voor je doen?" in result.stdout


def test_switch_person_buttons_by_number(tmp_path):
    result = console(tmp_path, ":who\n:as sofie\n/taal\n2\n/help\n:as nobody\n:quit\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "els" in out and "coordinator" in out
    assert "(je bent nu Sofie Janssens)" in out
    assert "[1] Nederlands   [2] English" in out
    assert "What can I do for you?" in out
    assert "onbekend" in out


def test_state_is_kept_between_console_runs(tmp_path):
    console(tmp_path, "/start DEMO-DEELNEMER\n1\nLier\nLokale economie\n:quit\n")
    result = console(tmp_path, "/start\n:quit\n")
    assert "Dag Jij, fijn dat je er weer bent!" in result.stdout


def test_moving_the_demo_clock_brings_reminders(tmp_path):
    script = "/start DEMO-DEELNEMER\n1\nLier\nLokale economie\n:klok +7d\n:klok +1d\n:as an\n:quit\n"
    result = console(tmp_path, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "bot: ⏰ Volgende week: werksessie 1 van traject 7" in out
    assert "bot: ⏰ Morgen: werksessie 1 van traject 7" in out
    assert "(demoklok: dinsdag 20 februari 2024 om 9u00)" in out
    assert "(je bent nu An Peeters; 3 nieuwe berichten)" in out


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
    assert "Ingediend: Foto's van je kern" in out
    assert "✅ ingediend: Sofie Janssens (Lier), 2 stukken" in out
    assert "Feedback van An Peeters op \"Foto's van je kern\"" in out
    exported = [line for line in out.splitlines() if "[bestand]" in line and "traject-7" in line]
    assert sorted(line.rsplit(".", 1)[1] for line in exported) == ["pdf", "xlsx", "zip"]
