"""`bot.py admin import | invite | max-participants`: thin command-line layer over
programme.importer and programme.invitations (parse, call, print; exit 2 on a mistake)."""

from __future__ import annotations

import argparse
import sys

HELP = """\
  import FILE    load trajectories, sessions and coaches from a TOML programme file
                 (see programme.example.toml); re-importing changes only what was edited
  invite         make an invite link: --trajectory N --role participant --uses 1 --days 30
                 [--name --municipality --department]; --list --trajectory N; --revoke CODE
  max-participants --trajectory N --max M   change a trajectory's maximum (default 10)
"""


def add_commands(sub: argparse._SubParsersAction) -> None:
    imp = sub.add_parser("import", help="import a programme file (TOML)")
    imp.add_argument("file", help="the programme file, e.g. programme.example.toml")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    _database_option(imp)
    imp.set_defaults(func=run_import)

    inv = sub.add_parser("invite", help="make, list or revoke invite links")
    inv.add_argument("--trajectory", type=int, metavar="N", help="trajectory number")
    inv.add_argument("--role", choices=["participant", "coach", "coordinator"],
                     default="participant")
    inv.add_argument("--uses", type=int, default=None, help="how many people may use it (1)")
    inv.add_argument("--days", type=int, default=None, help="valid for this many days (30)")
    inv.add_argument("--name", default="", help="prefill: the invitee's name")
    inv.add_argument("--municipality", default="", help="prefill: the municipality")
    inv.add_argument("--department", default="", help="prefill: the department (dienst)")
    inv.add_argument("--revoke", metavar="CODE", help="withdraw this invite")
    inv.add_argument("--list", action="store_true", help="list the open invites of --trajectory")
    inv.add_argument("--bot-username", help="use this @username instead of asking getMe")
    _database_option(inv)
    inv.set_defaults(func=run_invite)

    cap = sub.add_parser("max-participants", help="change a trajectory's maximum participants")
    cap.add_argument("--trajectory", type=int, required=True, metavar="N")
    cap.add_argument("--max", type=int, required=True, metavar="M")
    _database_option(cap)
    cap.set_defaults(func=run_max_participants)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database", metavar="PATH",
                        help="database file (default: the console database without a token, "
                             "else storage.database)")


def _target(args, config):
    """(database path, now): the console database runs on the demo clock."""
    from core.clock import SystemClock
    from programme.demo import DEMO_NOW

    console = config.effective_mode() == "console"
    path = args.database or config["console" if console else "storage"]["database"]
    now = DEMO_NOW if path == config["console"]["database"] else SystemClock().now()
    return path, now


def _services(config, path: str):
    """The bot's own services on that database: the admin commands plan reminders with the
    same settings and the same event subscribers as the running bot."""
    from kernbot.composition import build_services

    return build_services(config, database=path)


def _fail(message: str) -> int:
    print(f"kernbot: {message}", file=sys.stderr)
    return 2


def run_import(args, config) -> int:
    from pathlib import Path

    from programme import importer

    path, now = _target(args, config)
    try:
        programme = importer.read_file(Path(args.file), config.timezone)
    except importer.ImportProblem as exc:
        return _fail(f"import error: {exc}")
    services = _services(config, path)
    try:
        report = importer.apply(services.db, services.bus, programme, now=now,
                                dry_run=args.dry_run)
    except Exception as exc:  # a database constraint: nothing was written (one transaction)
        return _fail(f"import error: {args.file}: {exc}")
    for line in report.changes:
        print(f"  {line}")
    for line in report.kept:
        print(f"  kept (changed in the chat): {line}")
    verb = "would change" if args.dry_run else "imported into"
    print(f"{args.file}: {importer.summary(report)} ({verb} {path})")
    if report.coach_invites:
        username = _username(args, config)
        print("coach invites (send each link to that coach):")
        for number, invite in report.coach_invites:
            print(f"  trajectory {number}, {invite.prefill_name}: "
                  f"{_link_or_code(username, invite.code)}")
    return 0


def _username(args, config) -> str | None:
    from transports.bot_identity import bot_username

    return getattr(args, "bot_username", None) or bot_username(config)


def _link_or_code(username: str | None, code: str) -> str:
    from programme.invitations import link

    return f"{link(username, code)}  (code: {code})" if username else f"code: {code}"


def run_invite(args, config) -> int:
    from programme import invitations
    from storage import trajectories
    from storage.db import connect

    path, now = _target(args, config)
    db = connect(path)
    try:
        if args.revoke:
            invite = invitations.revoke(db, args.revoke, now)
            print(f"revoked {invite.code} (used {invite.uses} of {invite.max_uses} times)")
            return 0
        trajectory = None
        if args.trajectory is not None:
            trajectory = trajectories.by_number(db, args.trajectory)
            if trajectory is None:
                return _fail(f"invite: no trajectory {args.trajectory} in {path}")
        if args.list:
            if trajectory is None:
                return _fail("invite: --list needs --trajectory N")
            for invite in invitations.open_invites(db, trajectory.id, now):
                prefill = f" for {invite.prefill_name}" if invite.prefill_name else ""
                expires = f"{invite.expires_at:%Y-%m-%d}" if invite.expires_at else "never"
                print(f"{invite.code}  {invite.role}{prefill}  used {invite.uses}/"
                      f"{invite.max_uses}  expires {expires}")
            return 0
        if trajectory is None and args.role != "coordinator":
            return _fail("invite: --trajectory N is needed (except for --role coordinator)")
        invite = invitations.create(
            db, role=args.role, trajectory_id=trajectory.id if trajectory else None, now=now,
            uses=args.uses or invitations.DEFAULT_USES, days=args.days or invitations.DEFAULT_DAYS,
            name=args.name, municipality=args.municipality, department=args.department)
    except invitations.InviteError as exc:
        return _fail(f"invite: {_explain(exc)}")
    username = _username(args, config)
    if username:
        print(invitations.link(username, invite.code))
    else:
        print("(could not ask Telegram for the bot's username: share the code)", file=sys.stderr)
    print(invite.code)
    return 0


def run_max_participants(args, config) -> int:
    from programme import invitations
    from storage.db import connect

    path, _now = _target(args, config)
    try:
        trajectory = invitations.set_max_participants(connect(path), args.trajectory, args.max)
    except invitations.InviteError as exc:
        return _fail(f"max-participants: {_explain(exc)}")
    print(f"trajectory {trajectory.number}: at most {trajectory.max_participants} participants")
    return 0


_EXPLANATIONS = {
    "bad_role": "unknown role {role}",
    "bad_uses": "--uses must be 1 to {maximum}",
    "bad_days": "--days must be 1 to {maximum}",
    "too_long": "--name, --municipality and --department: at most {maximum} characters",
    "unknown_trajectory": "no such trajectory",
    "needs_trajectory": "--trajectory N is needed (except for --role coordinator)",
    "full": "trajectory {number} is full ({maximum} participants); raise it with "
            "`admin max-participants`",
    "unknown_code": "no invite with that code",
    "already_revoked": "that invite was already revoked",
    "bad_maximum": "--max must be 1 to {limit}",
    "below_enrolled": "--max cannot be below the {taken} participants already enrolled",
}


def _explain(exc) -> str:
    return _EXPLANATIONS.get(exc.reason, exc.reason).format(**exc.values)
