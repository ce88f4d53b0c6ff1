#!/usr/bin/env python3
"""Benchmark: one announcement to N recipients through a fake Bot API that enforces Telegram's
limit (30 messages per second: a 429 with retry_after when exceeded) and fails a share of the
calls with a network error.

    .venv/bin/python bench/broadcast.py [--n 2000] [--errors 0.02] [--limit 30]

Prints the elapsed time, the ideal time (N / limit), their ratio, and the numbers of lost and
duplicated deliveries; for comparison, the least time any dispatcher could take at its pace (and
at the limit) given the failures this run drew and the retry back-off. Runs in real time (the
pacing is real): about N / 29 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram.error import NetworkError  # noqa: E402

from core.clock import SystemClock  # noqa: E402
from kernbot.composition import build_application, build_services  # noqa: E402
from kernbot.harness import test_config  # noqa: E402
from programme import announcing  # noqa: E402
from programme.demo import seed_demo  # noqa: E402
from storage import memberships, outbox, people, trajectories  # noqa: E402
from storage.db import transaction  # noqa: E402
from transports.fake_api import FakeBotAPI  # noqa: E402


class TelegramLimits:
    """A fault rule for FakeBotAPI: 429 above `limit` sends per second, random network errors."""

    def __init__(self, limit: int, error_rate: float, seed: int = 7) -> None:
        self.limit = limit
        self.error_rate = error_rate
        self.window: deque[float] = deque()
        self.rng = random.Random(seed)
        self.too_many = 0
        self.network_errors = 0
        self.calls: list[tuple[int, bool]] = []  # (chat id, failed) of each call under the limit

    def __call__(self, method: str, params: dict):
        if method != "sendMessage":
            return None
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.limit:
            self.too_many += 1
            return 429, {"ok": False, "error_code": 429,
                         "description": "Too Many Requests: retry after 1",
                         "parameters": {"retry_after": 1}}
        if self.rng.random() < self.error_rate:
            self.network_errors += 1
            self.calls.append((int(params["chat_id"]), True))
            return NetworkError("connection reset by peer (injected)")
        self.calls.append((int(params["chat_id"]), False))
        self.window.append(now)
        return None


def best_possible(calls: list[tuple[int, bool]], rate: float, backoff: float) -> float:
    """A lower bound on the elapsed time of any dispatcher that sends at most `rate` per
    second and waits `backoff * 2 ** (failures - 1)` before retrying a row, given these
    failures: the fake fails a call by its position in the sequence of calls (one random
    draw per call), whichever row it carries, so the k-th call (from 0) fails for every
    dispatcher, cannot go before k / rate, and its row cannot be retried before its back-off
    after that. The whole sequence takes at least (calls - 1) / rate."""
    bound = (len(calls) - 1) / rate
    failures: Counter[int] = Counter()
    for k, (chat, failed) in enumerate(calls):
        if failed:
            failures[chat] += 1
            bound = max(bound, k / rate + backoff * 2 ** (failures[chat] - 1))
    return bound


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--errors", type=float, default=0.02)
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--rate", type=float, default=None,
                        help="the dispatcher's messages_per_second (default: the configured "
                        "reminders.messages_per_second)")
    args = parser.parse_args()
    clock = SystemClock()
    with tempfile.TemporaryDirectory(prefix="kernbot-broadcast-") as tmp_name:
        tmp = Path(tmp_name)
        config = test_config(tmp)
        if args.rate is not None:
            config = config.with_overrides(reminders={"messages_per_second": args.rate})
        rate = config["reminders"]["messages_per_second"]
        services = build_services(config, clock=clock)
        seed_demo(services.db, services.bus)
        trajectory = trajectories.by_number(services.db, 7)
        with transaction(services.db):
            for i in range(args.n):  # a role is a membership's: each one in trajectory 7
                person = people.create(services.db, telegram_id=20_000_000 + i,
                                       name=f"Ontvanger {i}", role="participant",
                                       language="nl", now=clock.now())
                memberships.add(services.db, person_id=person.id,
                                trajectory_id=trajectory.id, role="participant",
                                now=clock.now())
        api = FakeBotAPI()
        app = build_application(config, services, request=api)
        await app.initialize()
        audience = {"kind": "role", "role": "participant"}
        item = announcing.queue(services.db, author_id=None, text="Bench", audience=audience,
                                audience_label="bench", planned_at=clock.now(),
                                now=clock.now())
        recipients = {p.telegram_id for p in people.all_people(services.db)
                      if p.role == "participant" and p.telegram_id}
        limits = TelegramLimits(args.limit, args.errors)
        api.fault = limits
        started = time.perf_counter()
        sender = app.bot_data["dispatcher"]
        while True:
            report = await sender.dispatch_due(app.bot)
            counts = outbox.counts(services.db, subject=item.subject)
            if counts["pending"] == 0 and counts["sending"] == 0:
                break
            if report.retry_after:
                await asyncio.sleep(report.retry_after)
            elif report.sent == 0:
                await asyncio.sleep(0.05)  # waiting for a back-off to expire
        elapsed = time.perf_counter() - started
        delivered = Counter(c.chat_id for c in api.calls if c.method == "sendMessage")
        counts = outbox.counts(services.db, subject=item.subject)
        await app.shutdown()
    ideal = item.recipients / args.limit
    lost = len(recipients - set(delivered))
    duplicated = sum(n - 1 for n in delivered.values() if n > 1)
    attempts = sum(1 for c in api.calls if c.method == "sendMessage") + limits.network_errors \
        + limits.too_many
    floor = attempts / rate  # every attempt, at the dispatcher's pace, without any overhead
    backoff = config["reminders"]["retry_backoff_seconds"]
    best = best_possible(limits.calls, rate, backoff)
    best_at_limit = best_possible(limits.calls, args.limit, backoff)
    print(f"announcement to {item.recipients} recipients; limit {args.limit}/s; dispatcher "
          f"pace {rate:g}/s; {args.errors:.0%} network errors injected")
    print(f"elapsed {elapsed:7.2f} s   ideal {ideal:7.2f} s   ratio {elapsed / ideal:5.3f} x   "
          f"({attempts} attempts at {rate:g}/s take at least {floor:.2f} s: "
          f"{floor / ideal:5.3f} x)")
    print(f"best possible with these failures and the {backoff:g} s back-off: {best:.2f} s "
          f"({best / ideal:5.3f} x) at {rate:g}/s, {best_at_limit:.2f} s "
          f"({best_at_limit / ideal:5.3f} x) at the limit of {args.limit}/s")
    print(f"lost {lost}   duplicated {duplicated}   429 answers {limits.too_many}   "
          f"network errors {limits.network_errors}   outbox {dict(counts)}")
    ok = elapsed / ideal <= 1.05 and lost == 0 and duplicated == 0
    print(f"targets: ratio <= 1.05: {'met' if elapsed / ideal <= 1.05 else 'NOT met'}; "
          f"zero lost: {'yes' if lost == 0 else 'NO'}; zero duplicated: "
          f"{'yes' if duplicated == 0 else 'NO'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
