"""Run `python bot.py` as a real process against the local Bot API server."""

from __future__ import annotations

import asyncio
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
