"""The admin command line builds the same services as the bot: it plans with the configured
settings, not the defaults (a regression: seed-demo and import planned 168/24/1-hour
reminders while the config said 48)."""

from __future__ import annotations

from pathlib import Path

import bot
from schedule import planner
from storage import outbox
from storage.db import connect

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path, database: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{database}"\n'
                    f'[console]\ndatabase = "{database}"\n'
                    "[reminders]\nsession_offsets_hours = [48]\n")
    return path


def _offsets(database: Path) -> set[str]:
    db = connect(database)
    rows = outbox.find(db, kind=planner.SESSION_REMINDER)
    db.close()
    return {row.unique_key.rsplit(":", 1)[-1] for row in rows}


def test_seed_demo_plans_with_the_configured_offsets(tmp_path):
    database = tmp_path / "demo.sqlite3"
    assert bot.main(["--config", str(_config(tmp_path, database)), "admin", "seed-demo"]) == 0
    assert _offsets(database) == {"48h"}


def test_import_plans_with_the_configured_offsets(tmp_path):
    database = tmp_path / "kernbot.sqlite3"
    config = _config(tmp_path, database)
    assert bot.main(["--config", str(config), "admin", "import",
                     str(ROOT / "programme" / "demo_programme.toml"), "--database",
                     str(database)]) == 0
    assert _offsets(database) == {"48h"}
