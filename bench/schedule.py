#!/usr/bin/env python3
"""Benchmark: the outbox at scale.

    .venv/bin/python bench/schedule.py [--people 1000] [--rows 10000] [--burst 1000]

1. Start-up (connect + migrate + plan every trajectory + one catch-up dispatcher pass) with
   `--rows` pending outbox rows across `--people` people, against the same start-up on the demo
   database alone (baseline), and the resident memory after it.
2. Lag between planned and sent time for `--burst` messages falling due at the same moment,
   through the whole dispatcher (claim, compose, send on the fake Bot API, record), against the
   raw cost of the same number of `send_message` calls on the same fake transport (baseline).
   The pacing to Telegram's limit is switched off here: it is a deliberate wait (at the default
   29 messages per second, 1,000 messages take 34 s by design), not dispatcher cost.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.clock import FakeClock  # noqa: E402
from core.events import EventBus  # noqa: E402
from delivery.sender import Outgoing  # noqa: E402
from kernbot.composition import build_application, build_services, on_start  # noqa: E402
from kernbot.harness import test_config  # noqa: E402
from programme.demo import DEMO_NOW, seed_demo  # noqa: E402
from schedule import dispatcher  # noqa: E402
from storage import outbox, people  # noqa: E402
from storage.db import connect, transaction  # noqa: E402
from transports.fake_api import FakeBotAPI  # noqa: E402

BENCH_KIND = "bench"


def _bench_message(c, row, person):
    return Outgoing(f"Bericht {row.id} voor {person.name}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fill(path: Path, n_people: int, n_rows: int, now) -> list[int]:
    db = connect(path)
    seed_demo(db, EventBus())
    ids = []
    with transaction(db):
        for i in range(n_people):
            ids.append(people.create(db, telegram_id=10_000_000 + i, name=f"Deelnemer {i}",
                                     role="participant", language="nl", now=now).id)
        for j in range(n_rows):
            outbox.enqueue(db, kind=BENCH_KIND, person_id=ids[j % n_people],
                           subject=f"bench:{j}", planned_at=now + timedelta(days=30 + j % 60),
                           now=now)
    db.close()
    return ids


async def start_up(tmp: Path, database: Path, clock: FakeClock) -> float:
    config = test_config(tmp, storage={"database": str(database)})
    started = time.perf_counter()
    services = build_services(config, clock=clock)
    app = build_application(config, services, request=FakeBotAPI())
    await app.initialize()
    await on_start(app)
    elapsed = time.perf_counter() - started
    await app.shutdown()
    services.db.close()
    return elapsed


async def lag(tmp: Path, database: Path, clock: FakeClock, person_ids: list[int], burst: int
              ) -> tuple[list[float], float]:
    config = test_config(tmp, storage={"database": str(database)})
    services = build_services(config, clock=clock)
    api = FakeBotAPI()
    app = build_application(config, services, request=api)
    app.bot_data["dispatcher"].composers[BENCH_KIND] = _bench_message
    await app.initialize()
    due_at = clock.now() + timedelta(minutes=5)
    with transaction(services.db):
        for k in range(burst):
            outbox.enqueue(services.db, kind=BENCH_KIND, person_id=person_ids[k % len(person_ids)],
                           subject=f"burst:{k}", planned_at=due_at, now=clock.now())
    # Baseline: the same number of bare send_message calls on the same transport.
    started = time.perf_counter()
    for k in range(burst):
        await app.bot.send_message(10_000_000 + k % len(person_ids), f"Bericht {k}")
    baseline = time.perf_counter() - started
    # The burst: the clock reaches the planned time, the dispatcher wakes.
    clock.set(due_at)
    sent_at: list[float] = []
    api.on_call = lambda call: sent_at.append(time.perf_counter()) \
        if call.method == "sendMessage" else None
    woke = time.perf_counter()
    sender = app.bot_data["dispatcher"]
    sender.pacer = dispatcher.Pacer(0)
    while True:
        report = await sender.dispatch_due(app.bot, limit=burst)
        if report.sent == 0:
            break
    await app.shutdown()
    services.db.close()
    return [t - woke for t in sent_at], baseline


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    clock = FakeClock(DEMO_NOW)
    with tempfile.TemporaryDirectory(prefix="kernbot-bench-") as tmp_name:
        tmp = Path(tmp_name)
        empty = tmp / "baseline.sqlite3"
        connect(empty).close()
        seed_demo(connect(empty), EventBus())
        full = tmp / "outbox.sqlite3"
        ids = fill(full, args.people, args.rows, clock.now())
        await start_up(tmp, empty, FakeClock(DEMO_NOW))  # warm-up: imports, templates
        baseline_start = await start_up(tmp, empty, FakeClock(DEMO_NOW))
        full_start = await start_up(tmp, full, FakeClock(DEMO_NOW))
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        lags, raw = await lag(tmp, full, FakeClock(DEMO_NOW), ids, args.burst)
    import subprocess

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import kernbot.composition"],
                   cwd=Path(__file__).resolve().parent.parent, check=True)
    imports = time.perf_counter() - started
    p50, p99 = percentile(lags, 0.50), percentile(lags, 0.99)
    print(f"outbox: {args.rows} pending rows across {args.people} people; burst {args.burst}")
    print(f"start-up   demo only {baseline_start * 1000:7.1f} ms   with outbox "
          f"{full_start * 1000:7.1f} ms   ratio {full_start / baseline_start:5.2f} x")
    print(f"process    python start + imports {imports * 1000:7.1f} ms (whole start-up: "
          f"{(imports + full_start) * 1000:.0f} ms)")
    print(f"memory     max resident {rss_mb:7.1f} MB")
    print(f"burst lag  p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   last "
          f"{max(lags) * 1000:7.1f} ms   sent {len(lags)}")
    print(f"baseline   {args.burst} bare send_message calls {raw * 1000:7.1f} ms   ratio "
          f"(whole burst / baseline) {max(lags) / raw:5.2f} x")
    ok = imports + full_start < 2 and p99 < 1 and len(lags) == args.burst
    print(f"targets: start-up < 2 s: {'met' if imports + full_start < 2 else 'NOT met'}; "
          f"lag p99 < 1 s: {'met' if p99 < 1 else 'NOT met'}; all sent: "
          f"{'yes' if len(lags) == args.burst else 'NO'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
