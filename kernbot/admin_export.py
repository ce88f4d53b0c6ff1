"""`python bot.py admin export --trajectory N --out DIR`: the session preparation files."""

from __future__ import annotations

import argparse

HELP = """\
  export --trajectory N --out DIR   the trajectory's PDF (briefs and homework), ZIP (original
                 files) and XLSX (one row per participant) for session preparation
"""


def add_commands(sub: argparse._SubParsersAction) -> None:
    from kernbot.admin_programme import _database_option

    exp = sub.add_parser("export", help="export a trajectory for session preparation")
    exp.add_argument("--trajectory", type=int, required=True, metavar="N")
    exp.add_argument("--out", required=True, metavar="DIR")
    exp.add_argument("--language", choices=["nl", "en"], default=None)
    _database_option(exp)
    exp.set_defaults(func=run_export)


def run_export(args, config) -> int:
    from documents.export import export_trajectory
    from kernbot.admin_programme import _fail, _services, _target
    from storage import trajectories

    path, now = _target(args, config)
    services = _services(config, path)
    trajectory = trajectories.by_number(services.db, args.trajectory)
    if trajectory is None:
        return _fail(f"export: no trajectory {args.trajectory} in {path}")
    files = export_trajectory(services, trajectory.id, args.out,
                              args.language or config.default_language, now)
    for file in files.all:
        print(file)
    return 0
