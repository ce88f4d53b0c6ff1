#!/usr/bin/env python3
"""Where the SQL time of an answer goes: bench/flows.py's intake (Kernbot side only, the inbox
path), with every statement on the connection timed and counted.

    .venv/bin/python bench/flows_sql.py [--n 200]

Prints the SQL time and the number of statements per update, then the statements by total
time (an implicit COMMIT is inside its INSERT, UPDATE or DELETE when no transaction is open).
The timing wraps the connection, so its figures are for comparing two versions of the code
on one machine, not absolute.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import importlib.util
import re
import sys
import tempfile
import time
from pathlib import Path

_spec = importlib.util.spec_from_file_location("bench_flows", Path(__file__).with_name("flows.py"))
flows_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(flows_bench)  # the name `flows` is the flow package's


class TimedConnection:
    """A sqlite3 connection whose `execute` is timed while `on` is set."""

    def __init__(self, conn, totals) -> None:
        object.__setattr__(self, "_conn", conn)
        object.__setattr__(self, "_totals", totals)
        object.__setattr__(self, "on", False)

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __setattr__(self, name, value):
        if name == "on":
            object.__setattr__(self, name, value)
        else:
            setattr(self._conn, name, value)

    def execute(self, sql, params=()):
        start = time.perf_counter()
        try:
            return self._conn.execute(sql, params)
        finally:
            if self.on:
                entry = self._totals[re.sub(r"\s+", " ", sql)[:90]]
                entry[0] += 1
                entry[1] += time.perf_counter() - start


def main(n: int, warmup: int) -> int:
    totals: dict[str, list] = collections.defaultdict(lambda: [0, 0.0])
    connections: list[TimedConnection] = []
    build = flows_bench.build_services

    def build_services(*args, **kwargs):
        services = build(*args, **kwargs)
        services.db.conn = TimedConnection(services.db.conn, totals)
        connections.append(services.db.conn)
        return services

    flows_bench.build_services = build_services
    updates = [0]
    timed = flows_bench.timed

    async def timed_kernbot(app, data, samples, inbox=None):
        if inbox is None:  # the echo: not ours
            return await timed(app, data, samples, inbox)
        updates[0] += 1
        for conn in connections:
            conn.on = True
        try:
            return await timed(app, data, samples, inbox)
        finally:
            for conn in connections:
                conn.on = False

    flows_bench.timed = timed_kernbot
    with tempfile.TemporaryDirectory(prefix="kernbot-bench-") as tmp:
        asyncio.run(flows_bench.run(Path(tmp), n, warmup, ("inbox",)))
    count = updates[0]
    seconds = sum(t for _n, t in totals.values())
    statements = sum(k for k, _t in totals.values())
    print(f"updates: {count}; SQL per update: {seconds / count * 1e6:.1f} us, "
          f"{statements / count:.1f} statements")
    for sql, (k, t) in sorted(totals.items(), key=lambda item: -item[1][1])[:15]:
        print(f"{t / count * 1e6:7.1f} us/update  {k / count:4.2f}x  {t / k * 1e6:6.1f} us  {sql}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="participants (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up participants")
    args = parser.parse_args()
    sys.exit(main(args.n, args.warmup))
