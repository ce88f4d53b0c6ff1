"""What the bot checks before it starts, and how it leaves its files: the mode from the
command line checked like the config, the token from a credentials file, a database that
cannot be used ends with one line and status 2, files readable by the bot's user only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

import bot as bot_module
from core.config import load_config
from programme import enrolment
from storage.db import connect

ROOT = Path(__file__).resolve().parents[1]


def run(tmp_path: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KERNBOT_")}
    environment.update(env or {})
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=tmp_path,
                          env=environment, capture_output=True, text=True, timeout=60)


def test_webhook_mode_from_the_command_line_needs_url_and_secret(tmp_path):
    result = run(tmp_path, "--mode", "webhook", "admin", "check-config",
                 env={"KERNBOT_TOKEN": "123:abc"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "webhook.url must be set" in lines[0]


def test_token_from_a_credentials_file(tmp_path):
    (tmp_path / "kernbot-token").write_text("123456:from-a-file\n")
    (tmp_path / "none.toml").write_text("")
    config = load_config(tmp_path / "none.toml", env={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert config.token == "123456:from-a-file"
    config = load_config(tmp_path / "none.toml",
                         env={"KERNBOT_TOKEN_FILE": str(tmp_path / "kernbot-token")})
    assert config.token == "123456:from-a-file"


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_an_unusable_database_stops_the_bot_with_one_line(tmp_path, damage):
    database = tmp_path / "kernbot.sqlite3"
    db = connect(database)
    db.execute("CREATE TABLE filler (x TEXT)")
    for _ in range(200):
        db.execute("INSERT INTO filler VALUES (?)", ["x" * 500])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    if damage == "garbage":
        database.write_bytes(b"this is not a database at all" * 100)
    else:
        data = database.read_bytes()
        database.write_bytes(data[: len(data) // 3])
    result = run(tmp_path, "admin", "seed-demo", "--database", str(database))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "database" in lines[0] and "Traceback" not in result.stderr


def test_a_read_only_database_stops_the_bot_with_one_line(tmp_path, monkeypatch, capsys):
    """(As root, chmod cannot make a file read-only: SQLite's own error is raised instead.)"""
    import sqlite3

    import storage.db

    def read_only(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(storage.db, "apply_migrations", read_only)
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\ndatabase = "{tmp_path / "demo.sqlite3"}"\n')
    assert bot_module.main(["--config", str(config), "admin", "seed-demo"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "readonly" in err[0]


def test_files_are_readable_by_the_bot_user_only(tmp_path):
    database = tmp_path / "data" / "demo.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[console]\ndatabase = "{database}"\n')
    result = run(tmp_path, "--config", str(config), "admin", "seed-demo")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(database.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(database.parent.stat().st_mode) & 0o077 == 0


def test_a_clock_set_back_does_not_extend_the_wrong_code_pause(tmp_path):
    from core.events import EventBus
    from programme.demo import DEMO_NOW

    db = connect(tmp_path / "k.sqlite3")
    for i in range(enrolment.WRONG_CODE_LIMIT + 1):
        enrolment.redeem(db, EventBus(), code=f"FOUT{i}", telegram_id=55, display_name="X",
                         language="nl", now=DEMO_NOW + timedelta(days=1, seconds=i))
    # the clock goes back a day: the wrong codes "from tomorrow" do not hold the person a day
    assert not enrolment.is_throttled(db, 55, DEMO_NOW)
    assert enrolment.is_throttled(db, 55, DEMO_NOW + timedelta(days=1, minutes=1))


def test_main_sets_a_private_umask():
    old = os.umask(0o022)
    try:
        bot_module.main(["admin", "check-config"])
        current = os.umask(0o022)
        assert current == 0o077
    finally:
        os.umask(old)
