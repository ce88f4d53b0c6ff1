"""The console chat: the real Application in a terminal, on the demo programme, without a token.

Lines you type go to the bot as Telegram messages from the current demo person; what the bot
sends is printed. Inline keyboards show as numbered buttons: type the number to press one.
Console-only commands start with a colon (see CONSOLE_HELP).
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from telegram.ext import Application

from core.clock import OffsetClock
from programme.demo import DEMO_PEOPLE, NEWCOMER
from storage import people, updates
from transports.fake_api import Call, FakeBotAPI
from transports.simulator import ChatSimulator, User

CONSOLE_HELP = """\
Console commands (only here, not in Telegram):
  :who               who is who in the demo, and who you are now
  :as NAME           continue as another demo person (e.g. :as an, :as els, :as sofie)
  :klok [+7d|+3h|+30m]  show the demo clock, or move it forward (reminders then arrive)
  :foto PATH         send a local image as a photo      :bestand PATH  send a local file
  :album PATH PATH...  send local images as one album (as Telegram does: one message each)
  :tekst TEXT        send TEXT even if it is a number (numbers press buttons)
  :quit              leave (Ctrl-D works too)
Type a number to press the numbered button of the last message."""

# What the console does when the demo clock moves: fn(app, clock, target) moves the clock to
# target (in steps if it wants) and does what falls due. After each piped line: fn(app).
Travel = Callable[[Application, OffsetClock, datetime], Awaitable[None]]
Settle = Callable[[Application], Awaitable[object]]

_DURATION = re.compile(r"^\+?(\d+)\s*([dhmw])$")
_TAGS = re.compile(r"<(/?)(b|strong|i|em|u|ins|s|strike|del|code|pre|tg-spoiler|blockquote)"
                   r"(?:\s[^>]*)?>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.strip())
    if not match:
        return None
    amount, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=amount), "h": timedelta(hours=amount),
            "m": timedelta(minutes=amount), "w": timedelta(weeks=amount)}[unit]


def html_to_terminal(text: str, bold: bool = False) -> str:
    def link(match: re.Match) -> str:
        url, label = match.group(1), match.group(2)
        return label if label == url else f"{label} ({url})"

    text = _LINK.sub(link, text)
    if bold:
        text = re.sub(r"<(b|strong)>", "\x1b[1m", text)
        text = re.sub(r"</(b|strong)>", "\x1b[0m", text)
    text = _TAGS.sub("", text)
    return html.unescape(text)


class Console:
    def __init__(self, app: Application, api: FakeBotAPI, clock: OffsetClock,
                 out: TextIO = sys.stdout, *, echo: bool = False, travel: Travel | None = None,
                 settle: Settle | None = None) -> None:
        self.app = app
        self.travel = travel
        self.settle_hook = settle
        self.api = api
        self.clock = clock
        self.out = out
        self.echo = echo
        services = app.bot_data["services"]
        self.sim = ChatSimulator(app, api, first_update_id=updates.highest(services.db) + 1)
        self.users = {p.key: User(p.telegram_id, p.name.split()[0], " ".join(p.name.split()[1:]))
                      for p in DEMO_PEOPLE}
        self.users[NEWCOMER.key] = User(NEWCOMER.telegram_id, NEWCOMER.name)
        self.names = {p.telegram_id: p.name for p in [*DEMO_PEOPLE, NEWCOMER]}
        self.user = self.users[NEWCOMER.key]
        self.unseen: dict[int, list[Call]] = {}
        self.tty = out.isatty() if hasattr(out, "isatty") else False
        api.on_call = self.show

    # -- output ------------------------------------------------------------------------------
    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def show(self, call: Call) -> None:
        if call.method == "deleteMessage" and call.chat_id == self.user.id:
            self.print("bot: (een bericht hierboven is ingetrokken)")
            return
        if call.method not in {"sendMessage", "editMessageText", "sendDocument", "sendPhoto",
                               "sendVoice", "sendMediaGroup"}:
            return
        if call.chat_id != self.user.id:
            # Someone else's chat: keep it for when the console switches to them (:as).
            self.unseen.setdefault(call.chat_id, []).append(call)
            first = html_to_terminal(call.text).split("\n", 1)[0][:70] or "[bestand]"
            self.print(f"  (aan {self.names.get(call.chat_id, call.chat_id)}: {first})")
            return
        who = ""
        prefix = "bot (bewerkt)" if call.method == "editMessageText" else "bot"
        if call.text:
            body = html_to_terminal(call.text, bold=self.tty)
            self.print(f"{who}{prefix}: {body}")
        for path in call.saved_paths:
            self.print(f"{who}{prefix}: [bestand] {path.resolve()}")
        if call.method == "sendPhoto" and not call.saved_paths:
            self.print(f"{who}{prefix}: [foto] {call.params.get('photo')}")
        buttons = call.buttons
        if buttons:
            self.print("  " + "   ".join(f"[{i}] {b['text']}" for i, b in enumerate(buttons, 1)))

    # -- input -------------------------------------------------------------------------------
    def prompt(self) -> str:
        return f"{self.names.get(self.user.id, self.user.id)}> "

    async def handle(self, line: str) -> bool:
        """Handle one typed line; False when the console should stop."""
        line = line.rstrip("\n").strip()
        if not line:
            return True
        if self.echo:
            self.print(f"{self.prompt()}{line}")
        if line.startswith(":"):
            return await self.console_command(line)
        if line.isdigit():
            keyboard = self.sim.last_keyboard(self.user)
            if keyboard is not None and 1 <= int(line) <= len(keyboard.buttons):
                await self.sim.tap(self.user, int(line))
                await self.settle()
                return True
        await self.sim.send(self.user, line)
        await self.settle()
        return True

    async def settle(self) -> None:
        """With piped input, let the outbox deliver what is due before the next line, so a
        scripted session reads the same every time (interactively a background job does it)."""
        if self.echo and self.settle_hook is not None:
            await self.settle_hook(self.app)

    async def console_command(self, line: str) -> bool:
        command, _, rest = line.partition(" ")
        rest = rest.strip()
        if command in (":quit", ":q", ":exit"):
            return False
        if command == ":help":
            self.print(CONSOLE_HELP)
        elif command == ":who":
            self.who()
        elif command == ":as":
            user = self.users.get(rest.lower()) or next(
                (u for k, u in self.users.items()
                 if rest and rest.lower() in self.names[u.id].lower()), None)
            if user is None:
                self.print(f"(onbekend: {rest!r}; kies uit {', '.join(self.users)})")
            else:
                self.user = user
                waiting = self.unseen.pop(user.id, [])
                self.print(f"(je bent nu {self.names[user.id]}"
                           + (f"; {len(waiting)} nieuwe berichten)" if len(waiting) > 1
                              else "; 1 nieuw bericht)" if waiting else ")"))
                for call in waiting:
                    self.show(call)
        elif command == ":klok":
            await self.move_clock(rest)
        elif command in (":foto", ":bestand"):
            path = Path(rest).expanduser()
            if not path.is_file():
                self.print(f"(geen bestand gevonden op {path})")
            else:
                await self.sim.send_file_path(self.user, path)
        elif command == ":album":
            paths = [Path(p).expanduser() for p in rest.split()]
            missing = [str(p) for p in paths if not p.is_file()]
            if not paths or missing:
                self.print(f"(geen bestand gevonden op {', '.join(missing) or '?'})")
            else:
                await self.sim.send_album(self.user, [p.read_bytes() for p in paths])
        elif command == ":tekst":
            await self.sim.send(self.user, rest)
        else:
            self.print(f"(onbekend consolecommando {command}; typ :help)")
        return True

    def who(self) -> None:
        services = self.app.bot_data["services"]
        for key, user in self.users.items():
            person = people.by_telegram_id(services.db, user.id)
            role = person.role if person else "nog niet ingeschreven"
            marker = "*" if user.id == self.user.id else " "
            self.print(f" {marker} {key:8} {self.names[user.id]:22} {role}")

    async def move_clock(self, text: str) -> None:
        services = self.app.bot_data["services"]
        target = self.clock.now()
        if text:
            delta = parse_duration(text)
            if delta is None:
                self.print("(gebruik bv. :klok +7d, :klok +3h of :klok +30m)")
                return
            target = self.clock.now() + delta
        if self.travel is not None:  # walks the clock to target, sending what falls due
            await self.travel(self.app, self.clock, target)
        if self.clock.now() < target:
            self.clock.advance(target - self.clock.now())
        self.print(f"(demoklok: {services.messages.format(self.clock.now(), 'nl')})")


async def read_lines(stream: TextIO):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, stream.readline)
        if line == "":
            return
        yield line


async def run_console(app: Application, api: FakeBotAPI, clock: OffsetClock, *,
                      on_start: Settle, travel: Travel, settle: Settle,
                      stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    interactive = stdin.isatty()
    console = Console(app, api, clock, out, echo=not interactive, travel=travel, settle=settle)
    async with app:
        await app.start()
        await on_start(app)
        console.print("Kernbot console chat (demo). Typ :help voor de consolecommando's,"
                      " :quit om te stoppen.")
        me = people.by_telegram_id(app.bot_data["services"].db, console.user.id)
        if me is None:
            console.print(f"Je bent {console.names[console.user.id]}, nog niet ingeschreven."
                          " Probeer: /start DEMO-DEELNEMER")
        else:
            console.print(f"Je bent {console.names[console.user.id]} ({me.role}). Typ /help.")
        try:
            async for line in _prompted(console, stdin, interactive):
                if not await console.handle(line):
                    break
        finally:
            await app.stop()
    console.print("Tot ziens!")
    return 0


async def _prompted(console: Console, stdin: TextIO, interactive: bool):
    if interactive:
        console.out.write(console.prompt())
        console.out.flush()
    async for line in read_lines(stdin):
        yield line
        if interactive:
            console.out.write(console.prompt())
            console.out.flush()
