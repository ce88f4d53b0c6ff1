"""`python bot.py admin purge --older-than-months N [--dry-run]`: retention."""

from __future__ import annotations

import argparse

HELP = """\
  purge --older-than-months N [--dry-run]   erase the data of people whose trajectories all
                 ended more than N months ago (retention); --dry-run only lists them
"""


def add_commands(sub: argparse._SubParsersAction) -> None:
    from kernbot.admin_programme import _database_option

    purge = sub.add_parser("purge", help="retention: erase data of long-ended trajectories")
    purge.add_argument("--older-than-months", type=int, required=True, metavar="N")
    purge.add_argument("--dry-run", action="store_true", help="list, erase nothing")
    _database_option(purge)
    purge.set_defaults(func=run_purge)


def run_purge(args, config) -> int:
    from kernbot.admin_programme import _fail, _target
    from programme import privacy
    from storage.db import connect

    if args.older_than_months < 1:
        return _fail("purge: --older-than-months must be at least 1")
    path, now = _target(args, config)
    db = connect(path)
    plan = privacy.purge_plan(db, args.older_than_months, now)
    verb = "would erase" if args.dry_run else "erased"
    for trajectory in plan.trajectories:
        print(f"trajectory {trajectory.number} ended more than {args.older_than_months} months ago")
    if not args.dry_run:
        privacy.purge(db, plan, now, config["storage"]["files_dir"])
    print(f"{verb} the data of {len(plan.people)} people")
    return 0
