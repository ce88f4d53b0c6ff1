"""Run `python bot.py` as a real process against the local Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "4242:ProcessTestToken_abcdefghijklmnopqrstuv"


def write_config(tmp_path: Path, base_url: str) -> Path:
    config = tmp_path / "process.toml"
    config.write_text(
        "[bot]\n"
        f'base_url = "{base_url}"\n'
        f'base_file_url = "{base_url.replace("/bot", "/file/bot")}"\n'
        'mode = "polling"\n'
        'log_level = "INFO"\n'
        "[storage]\n"
        f'database = "{tmp_path / "kernbot.sqlite3"}"\n'
        f'files_dir = "{tmp_path / "files"}"\n'
    )
    return config


class BotProcess:
    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    def env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "KERNBOT_TOKEN": TOKEN,
                "HOME": str(self.config.parent), "PYTHONUNBUFFERED": "1"}

    async def admin(self, *args: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "bot.py"), "--config", str(self.config), "admin", *args,
            env=self.env(), cwd=str(ROOT), stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL)
        return await proc.wait()

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bot.py"), "--config", str(self.config),
                env=self.env(), cwd=str(ROOT), stdout=log, stderr=log)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is flushed."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)

    async def wait_dead(self) -> None:
        if self.proc is not None:
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.kill()
                await self.proc.wait()


async def wait_for(predicate, timeout: float = 20.0, interval: float = 0.02) -> bool:
    """Poll a condition of the server's records (the process runs on its own clock)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(interval)
    return predicate()


class ForkServer:
    """tests/support/forkserver.py: starts bot.py processes by forking a pre-imported
    interpreter (each start is a new process running bot.main; only the imports are shared)."""

    def __init__(self) -> None:
        self.proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> ForkServer:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "tests" / "support" / "forkserver.py"), cwd=str(ROOT),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    async def ask(self, command: dict) -> dict:
        import json

        async with self._lock:
            self.proc.stdin.write((json.dumps(command) + "\n").encode())
            await self.proc.stdin.drain()
            line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
        return json.loads(line)


class ForkedBot:
    """Like BotProcess, through a ForkServer: start, SIGKILL, wait, stop."""

    def __init__(self, server: ForkServer, config: Path, log: Path) -> None:
        self.server = server
        self.config = config
        self.log = log
        self.pid: int | None = None
        self.starts = 0

    def env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "KERNBOT_TOKEN": TOKEN,
                "HOME": str(self.config.parent), "PYTHONUNBUFFERED": "1"}

    @property
    def running(self) -> bool:
        return self.pid is not None

    async def start(self) -> None:
        answer = await self.server.ask({"op": "start", "argv": ["--config", str(self.config)],
                                        "env": self.env(), "log": str(self.log)})
        self.pid = answer["pid"]
        self.starts += 1

    def kill(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    async def wait_dead(self) -> int | None:
        if self.pid is None:
            return None
        answer = await self.server.ask({"op": "wait", "pid": self.pid})
        self.pid = None
        return answer["code"]

    async def stop(self) -> None:
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        pid = self.pid
        try:
            await asyncio.wait_for(self.wait_dead(), 10)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            await self.wait_dead()
