#!/usr/bin/env python3
"""Kernbot: the Telegram assistant of the "Bedrijvige kern" learning trajectories.

Builds the Application and picks the transport; everything else lives in the packages.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable

from core.config import ConfigError, check_mode, load_config
from kernbot import admin_export, admin_privacy, admin_programme

DESCRIPTION = """\
Run Kernbot.

Modes (bot.mode in config.toml, or --mode; default "auto"):
  console   a chat in this terminal on a demo programme: no token needed. Chosen
            automatically when no token is configured.
  polling   the real bot with long polling. Needs KERNBOT_TOKEN (or bot.token).
  webhook   our webhook server with a secret token. Needs bot.token and [webhook]
            url and secret_token. Chosen automatically when webhook.url is set.

Every update is stored in the database before Telegram hears it arrived, and one process
per database: a second one on the same database stops with exit status 2.

Configuration: defaults < config.toml (or --config PATH) < environment (KERNBOT_TOKEN,
KERNBOT_<SECTION>_<KEY>). See config.example.toml for every key.
"""

ADMIN_EPILOG = """\
admin subcommands:
  migrate        create or upgrade the database schema (also done at every start)
  seed-demo      put the demo programme (one 2024 trajectory, demo invite codes) in the database
  check-config   validate the configuration and print the effective mode
""" + admin_programme.HELP + admin_export.HELP + admin_privacy.HELP


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bot.py", description=DESCRIPTION, epilog=ADMIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", metavar="PATH", help="configuration file (default: ./config.toml)")
    parser.add_argument("--mode", choices=["auto", "console", "polling", "webhook"],
                        help="override bot.mode")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    admin = sub.add_parser("admin", help="administration (see below)",
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog=ADMIN_EPILOG)
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    admin_sub.add_parser("migrate", help="create or upgrade the database schema")
    seed = admin_sub.add_parser("seed-demo", help="load the demo programme into the database")
    seed.add_argument("--database", help="database file (default: the console database)")
    admin_sub.add_parser("check-config", help="validate the configuration")
    for extend in ADMIN_COMMANDS:
        extend(admin_sub)
    return parser.parse_args(argv)


# Features add admin subcommands: each entry adds its parser and sets `func` (args, config) -> int.
ADMIN_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    admin_programme.add_commands,
    admin_export.add_commands,
    admin_privacy.add_commands,
]


def main(argv: list[str] | None = None) -> int:
    # Every file the bot makes (database, WAL, lock, homework files, exports) is readable by
    # the bot's own user only.
    os.umask(0o077)
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = load_config(args.config, required=args.config is not None)
        if args.mode:
            config = config.with_overrides(bot={"mode": args.mode})
            check_mode(config)
    except ConfigError as exc:
        print(f"kernbot: configuration error: {exc}", file=sys.stderr)
        return 2
    from core.logs import setup_logging

    mode = config.effective_mode()
    level = config["bot"]["log_level"]
    if mode == "console" and level == "INFO":
        level = "WARNING"  # keep the chat readable; errors still show
    setup_logging(level, [config.token])
    from kernbot.composition import StartupError
    from storage.lock import DatabaseInUse

    try:
        if args.command == "admin":
            return run_admin(args, config)
        if mode == "console":
            return run_console(config)
        return run_telegram(config, mode)
    except (StartupError, DatabaseInUse) as exc:
        print(f"kernbot: {exc}", file=sys.stderr)
        return 2


def run_admin(args: argparse.Namespace, config) -> int:
    from storage.db import connect
    from storage.migrations import current_version

    if args.admin_command == "migrate":
        db = connect(config["storage"]["database"])
        print(f"schema version {current_version(db)}: {config['storage']['database']}")
        return 0
    if args.admin_command == "seed-demo":
        from kernbot.composition import build_services
        from programme.demo import seed_demo

        path = args.database or config["console"]["database"]
        services = build_services(config, database=path)
        seed_demo(services.db, services.bus)
        print(f"demo programme loaded into {path}")
        return 0
    if args.admin_command == "check-config":
        print(f"configuration OK ({config.source or 'defaults'}); mode: {config.effective_mode()}")
        return 0
    return args.func(args, config)


def run_console(config) -> int:
    from pathlib import Path

    from core.clock import OffsetClock, SystemClock
    from kernbot.composition import build_application, build_services, console_hooks
    from programme.demo import DEMO_NOW, seed_demo
    from storage.lock import hold
    from transports.console import run_console as console_loop
    from transports.fake_api import FakeBotAPI

    # A piped demo script types faster than any person: no flood control in the console.
    config = config.with_overrides(bot={"flood_limit": 0, "documents_per_minute": 0})
    lock = hold(config["console"]["database"])  # the console on the demo database is a process too
    clock = OffsetClock()
    clock.offset = DEMO_NOW - SystemClock().now()
    services = build_services(config, clock=clock, database=config["console"]["database"])
    seed_demo(services.db, services.bus)
    api = FakeBotAPI(documents_dir=Path(config["console"]["documents_dir"]))
    app = build_application(config, services, request=api)
    hooks = console_hooks(app)
    try:
        return asyncio.run(console_loop(app, api, clock, on_start=hooks.on_start,
                                        travel=hooks.travel, settle=hooks.settle))
    finally:
        if lock is not None:
            lock.release()


def run_telegram(config, mode: str) -> int:
    from kernbot.composition import build_application, build_services
    from kernbot.serve import serve
    from storage.lock import hold

    lock = hold(config["storage"]["database"])  # before anything touches the database
    try:
        services = build_services(config)
        app = build_application(config, services)
        return asyncio.run(serve(app, mode))
    finally:
        if lock is not None:
            lock.release()


if __name__ == "__main__":
    sys.exit(main())
