#!/usr/bin/env python3
"""Benchmark: N simulated participants complete the intake through the whole Application on
the fake Bot API, against a bare python-telegram-bot echo Application in the same run.

    .venv/bin/python bench/flows.py [--n 200] [--rounds 3]

Prints per-update p50 and p99 latency (milliseconds) for both, and their ratio, over all
rounds together (each round a fresh database and fresh Applications; one round takes about
7 s), and the ratios of each round, to show how much one round's figure moves. Participants
are enrolled directly through storage; their updates are interleaved (everyone answers
question 1, then everyone answers question 2, ...), as many people would in real life. Each
such wave is timed on Kernbot and then, the very same updates, on the echo baseline, so load
on a shared machine weighs on both alike; the first participants of every wave warm up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from core.clock import FakeClock  # noqa: E402
from kernbot.composition import build_application, build_services, on_start  # noqa: E402
from kernbot.harness import test_config  # noqa: E402
from programme.demo import DEMO_NOW, seed_demo  # noqa: E402
from storage import memberships, people, trajectories  # noqa: E402
from storage.db import transaction  # noqa: E402
from transports.fake_api import FakeBotAPI  # noqa: E402
from transports.simulator import ChatSimulator, User  # noqa: E402

# The intake, as a participant answers it: typed text, button labels (tap), typed choices.
INTAKE = [("send", "/intake"), ("send", "Ambtenaar lokale economie"), ("tap", "Economie"),
          ("tap", "Mobiliteit"), ("tap", "Klaar"),
          ("send", "Leegstand in de winkelstraat; de kern loopt leeg na 18u."),
          ("send", "Een plan dat het college mee draagt."), ("tap", "Ja"),
          ("send", "De Stationsstraat en de Grote Markt."),
          ("send", "Een leegstandspremie: goed bedoeld, weinig respons."),
          ("send", "Een kernversterkingsplan uit 2021."), ("send", "Een halftijdse centrummanager."),
          ("send", "Een stuurgroep met economie, ruimte en mobiliteit."), ("tap", "Ja"),
          ("send", "nog niet"), ("tap", "Nee"), ("tap", "Overslaan")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def enrol(db, n: int) -> list[User]:
    trajectory = trajectories.by_number(db, 7)
    users = []
    with transaction(db):
        for i in range(n):
            telegram_id = 500_000 + i
            person = people.create(db, telegram_id=telegram_id, name=f"Deelnemer {i}",
                                   role="participant", language="nl", municipality="Lier",
                                   now=DEMO_NOW)
            memberships.add(db, person_id=person.id, trajectory_id=trajectory.id,
                            role="participant", now=DEMO_NOW)
            users.append(User(telegram_id, f"Deelnemer{i}"))
    return users


async def timed(app, data: dict, samples: list[float], inbox=None) -> None:
    """One update, from its JSON to the last reply. Through the inbox (Kernbot's real path):
    committed to the inbox as polling and the webhook do before Telegram hears it arrived (the
    JSON text as received, one INSERT), handled, then marked done; without it (the echo):
    process_update only."""
    start = time.perf_counter()
    update = Update.de_json(data, app.bot)
    if inbox is None:
        await app.process_update(update)
    else:
        inbox.store([update], [json.dumps(data, ensure_ascii=False)])
        await inbox.handle(update)
    samples.append((time.perf_counter() - start) * 1000)


def echo_app(api: FakeBotAPI):
    """A bare PTB Application on the same fake transport: echo every text and button press."""

    async def echo(update, context):
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    async def press(update, context):
        await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data)

    app = (ApplicationBuilder().token("123456:bench").request(api).get_updates_request(api)
           .build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(press))
    return app


def wave(sim: ChatSimulator, users: list[User], kind: str, value: str) -> list[dict]:
    """Everyone's next update: a typed text or the press of the button labelled `value`."""
    updates = []
    for user in users:
        if kind == "send":
            entities = {"entities": [{"type": "bot_command", "offset": 0, "length": len(value)}]} \
                if value.startswith("/") else {}
            updates.append(sim.message_json(user, text=value, **entities))
            continue
        keyboard = sim.last_keyboard(user)
        button = next(b for b in keyboard.buttons if value in b["text"])
        updates.append({"update_id": next(sim._update_ids), "callback_query": {
            "id": str(next(sim._callback_ids)), "from": user.as_json(),
            "chat_instance": str(user.id), "data": button["callback_data"],
            "message": {"message_id": keyboard.result["message_id"], "date": 1_700_000_000,
                        "chat": sim._chat(user), "text": keyboard.text}}})
    return updates


async def run(workdir: Path, n: int, warmup: int, paths: tuple[str, ...] = ("inbox",)
              ) -> tuple[dict[str, list[float]], list[float], int]:
    """Kernbot and the echo baseline, wave by wave in the same run: each wave (everyone's
    answer to one question) is timed on Kernbot, then the very same updates on the echo, so
    machine load hits both alike. The first `warmup` participants' updates are not timed.
    With two paths ("inbox", "direct") two Kernbots, each on its own database, take each wave
    in turn: the difference between them is what the inbox costs, under the same load."""
    kernbots = {}
    for path in paths:
        (workdir / path).mkdir()
        config = test_config(workdir / path)
        services = build_services(config, clock=FakeClock(DEMO_NOW))
        seed_demo(services.db, services.bus)
        users = enrol(services.db, warmup + n)
        api = FakeBotAPI()
        kernbots[path] = (services, api, build_application(config, services, request=api))
    echo_api = FakeBotAPI()
    echo = echo_app(echo_api)
    kernbot_ms: dict[str, list[float]] = {path: [] for path in paths}
    echo_ms: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        sims = {}
        for path, (_services, api, app) in kernbots.items():
            await stack.enter_async_context(app)
            await on_start(app)
            sims[path] = ChatSimulator(app, api, first_update_id=1)
        await stack.enter_async_context(echo)
        for kind, value in INTAKE:
            for path, (_services, _api, app) in kernbots.items():
                updates = wave(sims[path], users, kind, value)
                inbox = app.bot_data["inbox"] if path == "inbox" else None
                for i, data in enumerate(updates):
                    await timed(app, data, kernbot_ms[path] if i >= warmup else [], inbox)
            for i, data in enumerate(updates):
                await timed(echo, data, echo_ms if i >= warmup else [])
        for path, (_services, api, _app) in kernbots.items():
            done = sum(1 for u in users if "Je intake is klaar" in (
                api.sent(u.id)[-1].text if api.sent(u.id) else ""))
            if done != warmup + n:
                raise SystemExit(f"{path}: only {done} of {warmup + n} participants completed "
                                 "the intake")
    for services, _api, _app in kernbots.values():
        services.db.close()
    return kernbot_ms, echo_ms, len(updates)


async def main(n: int, warmup: int, db_dir: str | None = None, path: str = "inbox",
               rounds: int = 3) -> int:
    paths = ("inbox", "direct") if path == "both" else (path,)
    kernbots: dict[str, list[float]] = {p: [] for p in paths}
    echo: list[float] = []
    per_round = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="kernbot-bench-", dir=db_dir) as tmp:
            round_kernbots, round_echo, _ = await run(Path(tmp), n, warmup, paths)
        first = round_kernbots[paths[0]]
        per_round.append((percentile(first, .5) / percentile(round_echo, .5),
                          percentile(first, .99) / percentile(round_echo, .99)))
        for p in paths:
            kernbots[p] += round_kernbots[p]
        echo += round_echo
    e50, e99 = percentile(echo, 0.50), percentile(echo, 0.99)
    print(f"participants: {n} (+{warmup} warm-up), rounds: {rounds}, updates timed: "
          f"{len(echo)} (intake: {len(INTAKE)} per person); database in "
          f"{db_dir or tempfile.gettempdir()}")
    names = {"inbox": "kernbot intake ", "direct": "kernbot direct "}
    for name, samples in kernbots.items():
        k50, k99 = percentile(samples, 0.50), percentile(samples, 0.99)
        print(f"{names[name]} p50 {k50:7.3f} ms   p99 {k99:7.3f} ms   "
              f"mean {statistics.fmean(samples):7.3f} ms")
    print(f"PTB echo        p50 {e50:7.3f} ms   p99 {e99:7.3f} ms   "
          f"mean {statistics.fmean(echo):7.3f} ms")
    for name, samples in kernbots.items():
        k50, k99 = percentile(samples, 0.50), percentile(samples, 0.99)
        print(f"ratio {name:9s} p50 {k50 / e50:7.2f} x    p99 {k99 / e99:7.2f} x")
    if len(kernbots) == 2:
        inbox, direct = kernbots["inbox"], kernbots["direct"]
        print(f"the inbox costs  p50 {percentile(inbox, .5) - percentile(direct, .5):+7.3f} ms"
              f"   mean {statistics.fmean(inbox) - statistics.fmean(direct):+7.3f} ms per update")
    print(f"each round ({paths[0]}): p50 " + " ".join(f"{r[0]:.2f}x" for r in per_round)
          + "   p99 " + " ".join(f"{r[1]:.2f}x" for r in per_round))
    first = next(iter(kernbots.values()))
    k50, k99 = percentile(first, 0.50), percentile(first, 0.99)
    print(f"targets ({next(iter(kernbots))}): ratio <= 3x: "
          f"{'met' if k50 / e50 <= 3 and k99 / e99 <= 3 else 'NOT met'}; "
          f"p99 < 10 ms: {'met' if k99 < 10 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="participants (default 200)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="participants whose updates are not timed (default 20)")
    parser.add_argument("--db-dir", help="where the temporary SQLite file lives (default: the "
                        "system temporary directory; /dev/shm takes the disk out)")
    parser.add_argument("--path", choices=["inbox", "direct", "both"], default="inbox",
                        help="inbox (default): each update is stored in the inbox, handled and "
                        "marked done, as in production; direct: process_update only; both: "
                        "the two side by side in one run, to see what the inbox costs")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds, each on a fresh database, pooled (default 3)")
    args = parser.parse_args()
    if args.rounds < 1 or args.n < 1:
        parser.error("--rounds and --n must be at least 1")
    sys.exit(asyncio.run(main(args.n, args.warmup, args.db_dir, args.path, args.rounds)))
