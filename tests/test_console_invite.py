"""The console chat: a coordinator makes an invite, the newcomer enrols with the printed code,
on a console database into which the example programme was imported first."""

from __future__ import annotations

import io
import re
from pathlib import Path

from core.clock import FakeClock
from kernbot.composition import (
    build_application,
    build_services,
    console_hooks,
    on_start,
)
from kernbot.harness import test_config as make_config
from programme import importer
from programme.demo import DEMO_NOW, seed_demo
from storage import people
from transports.console import Console
from transports.fake_api import FakeBotAPI

EXAMPLE = Path(__file__).resolve().parents[1] / "programme.example.toml"
ELS_ID = 9001


async def test_console_coordinator_invites_newcomer_enrols(tmp_path):
    config = make_config(tmp_path)
    services = build_services(config, clock=FakeClock(DEMO_NOW))
    importer.import_file(services.db, services.bus, EXAMPLE, now=DEMO_NOW)  # `admin import`
    assert seed_demo(services.db, services.bus).count > 0                     # then `make run` seeds
    api = FakeBotAPI(documents_dir=tmp_path / "out")
    api.watch(services.messages)
    app = build_application(config, services, request=api)
    out = io.StringIO()
    async with app:
        await on_start(app)
        hooks = console_hooks(app)
        console = Console(app, api, services.clock, out, echo=True, travel=hooks.travel,
                          settle=hooks.settle)
        for line in (":as els", "/uitnodiging"):
            await console.handle(line)
        listed = [r.values["trajectory"] for r in api.sent(ELS_ID)[-1].rendered
                  if r.key == "buttons/invite_trajectory"]
        assert {7, 12} <= {t.number for t in listed}
        assert "Vastgoed en onderhandelen" in out.getvalue()  # the imported trajectory's title
        for line in ("1", "1", "2", "10"):     # trajectory 7, participant, 5x, create
            await console.handle(line)
        match = re.search(r"https://t\.me/kernbot_demo_bot\?start=(\S+)", out.getvalue())
        assert match, out.getvalue()
        for line in (":as jij", f"/start {match.group(1)}", "1", "Mechelen", "Economie"):
            await console.handle(line)
    greeting = api.sent(1000)[-1]
    welcome = greeting.values("start/welcome_participant")
    assert welcome["person"].name == "Jij" and welcome["welcome_back"] is False
    assert "An Peeters" in [c.name for c in welcome["views"][0].coaches]
    assert "An Peeters" in out.getvalue()
    person = people.by_telegram_id(services.db, 1000)
    assert (person.municipality, person.department) == ("Mechelen", "Economie")
    services.db.close()


async def test_console_announcement_reaches_sent_and_progress_chart_path(tmp_path, monkeypatch):
    """Issue 6's console walk-through, after the enrolment above: an announcement to the
    trajectory whose live status ends at "sent", then the progress chart's PNG path."""
    from schedule import dispatcher

    config = make_config(tmp_path)
    services = build_services(config, clock=FakeClock(DEMO_NOW))
    importer.import_file(services.db, services.bus, EXAMPLE, now=DEMO_NOW)
    seed_demo(services.db, services.bus)
    api = FakeBotAPI(documents_dir=tmp_path / "out")
    api.watch(services.messages)
    app = build_application(config, services, request=api)
    out = io.StringIO()
    monkeypatch.setattr(dispatcher.Pacer, "wait", _instant)  # no real-time pacing in a test
    async with app:
        await on_start(app)
        hooks = console_hooks(app)
        console = Console(app, api, services.clock, out, echo=True, travel=hooks.travel,
                          settle=hooks.settle)
        for line in (":as els", "/aankondiging", "Sessie 1 gaat online door.", "2"):
            await console.handle(line)
        assert "announcements/ask_trajectory" in api.sent(ELS_ID)[-1].keys
        for line in ("1", "1"):  # trajectory 7, send now
            await console.handle(line)
        await console.handle("/voortgang")
        await console.handle("1")  # trajectory 7 of the list
    text = out.getvalue()
    status = [c for c in api.sent(ELS_ID) if c.method == "editMessageText"
              and c.key == "announcements/status"][-1]
    progress = status.values("announcements/status")["progress"]
    assert status.values("announcements/status")["item"].audience_label in text
    assert (progress.sent, progress.pending, progress.total) == (5, 0, 5)
    report = next(c for c in api.sent(ELS_ID) if c.key == "announcements/report")
    assert report.values("announcements/report")["progress"].sent == 5
    assert report.text.split("\n")[0] in text                      # shown in the console
    png = re.search(r"\[bestand\] (\S+voortgang-traject-7\.png)", text)
    assert png and Path(png.group(1)).read_bytes()[:4] == b"\x89PNG"
    services.db.close()


async def _instant(self):
    return None
