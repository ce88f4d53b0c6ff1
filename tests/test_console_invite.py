"""The console chat: a coordinator makes an invite, the newcomer enrols with the printed code,
on a console database into which the example programme was imported first."""

from __future__ import annotations

import io
import re
from pathlib import Path

from programme import importer
from programme.demo import DEMO_NOW, seed_demo
from runtime.application import build_application, build_services, on_start
from runtime.clock import FakeClock
from storage import people
from transports.console import Console
from transports.fake_api import FakeBotAPI
from transports.testing import test_config as make_config

EXAMPLE = Path(__file__).resolve().parents[1] / "programme.example.toml"


async def test_console_coordinator_invites_newcomer_enrols(tmp_path):
    config = make_config(tmp_path)
    services = build_services(config, clock=FakeClock(DEMO_NOW))
    importer.import_file(services.db, EXAMPLE, now=DEMO_NOW)   # `admin import` first
    assert seed_demo(services.db).count > 0                     # then `make run` seeds
    api = FakeBotAPI(documents_dir=tmp_path / "out")
    app = build_application(config, services, request=api)
    out = io.StringIO()
    async with app:
        await on_start(app)
        console = Console(app, api, services.clock, out, echo=True)
        for line in (":as els", "/uitnodiging"):
            await console.handle(line)
        assert "12 · Vastgoed en onderhandelen" in out.getvalue()
        for line in ("1", "1", "2", "10"):     # trajectory 7, participant, 5x, create
            await console.handle(line)
        match = re.search(r"https://t\.me/kernbot_demo_bot\?start=(\S+)", out.getvalue())
        assert match, out.getvalue()
        for line in (":as jij", f"/start {match.group(1)}", "1", "Mechelen", "Economie"):
            await console.handle(line)
    text = out.getvalue()
    assert "Welkom, Jij!" in text and "Begeleiding: An Peeters" in text
    person = people.by_telegram_id(services.db, 1000)
    assert (person.municipality, person.department) == ("Mechelen", "Economie")
    services.db.close()
