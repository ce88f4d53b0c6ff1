"""One process per database: a second bot.py (or console chat) on the same database stops at
start-up with exit status 2 and one line naming the first one's pid; the lock goes with the
process, also after a SIGKILL."""

import asyncio
import os
import sys

import pytest

from storage.lock import DatabaseInUse, hold
from tests.support.botapi_server import BotApiServer
from tests.support.process import ROOT, TOKEN, BotProcess, wait_for, write_config

NEWCOMER = (5656, "Slot")


def test_the_lock_is_exclusive_and_names_the_holder(tmp_path):
    database = tmp_path / "kernbot.sqlite3"
    first = hold(database)
    with pytest.raises(DatabaseInUse) as refused:
        hold(database)
    assert f"pid {os.getpid()}" in str(refused.value) and str(database) in str(refused.value)
    assert refused.value.pid == os.getpid()
    first.release()
    hold(database).release()  # free again
    assert hold(":memory:") is None


async def run_second(config, *args: str) -> tuple[int, list[str]]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), "--config", str(config), *args,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "KERNBOT_TOKEN": TOKEN,
             "HOME": str(config.parent)},
        cwd=str(ROOT), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    lines = [line for line in (out + err).decode().splitlines() if line.strip()]
    return proc.returncode, lines


@pytest.fixture
async def server():
    srv = BotApiServer(TOKEN)
    await srv.start()
    yield srv
    await srv.stop()


async def test_a_second_bot_on_the_same_database_exits_2_with_one_line(server, tmp_path):
    config = write_config(tmp_path, server.base_url)
    first = BotProcess(config, tmp_path / "bot.log")
    assert await first.admin("seed-demo", "--database", str(tmp_path / "kernbot.sqlite3")) == 0
    try:
        await first.start()
        server.type_text(*NEWCOMER, "/start DEMO-DEELNEMER")
        assert await wait_for(lambda: any("Welkom" in s.text
                                          for s in server.sent_to(NEWCOMER[0])), 30)
        status, lines = await run_second(config)
        assert status == 2
        assert len(lines) == 1, lines
        assert f"pid {first.proc.pid}" in lines[0] and "kernbot.sqlite3" in lines[0]
        # the second one answered nobody: one greeting only, and the first still answers
        server.type_text(*NEWCOMER, "/help")
        assert await wait_for(lambda: any("/intake" in s.text
                                          for s in server.sent_to(NEWCOMER[0])), 30)
        assert len([s for s in server.sent_to(NEWCOMER[0]) if "Welkom" in s.text]) == 1
        first.kill()  # the kernel releases the lock with the process, also after SIGKILL
        await first.wait_dead()
        await first.start()
        server.type_text(*NEWCOMER, "/help")
        assert await wait_for(lambda: len([s for s in server.sent_to(NEWCOMER[0])
                                           if "/intake" in s.text]) == 2, 30)
    finally:
        await first.stop()


async def test_the_console_chat_is_a_process_too(tmp_path):
    config = tmp_path / "console.toml"
    config.write_text("[bot]\nmode = \"console\"\n[console]\n"
                      f'database = "{tmp_path / "demo.sqlite3"}"\n'
                      f'documents_dir = "{tmp_path / "out"}"\n')
    holder = hold(tmp_path / "demo.sqlite3")  # as if a console chat were open on it
    try:
        status, lines = await run_second(config)
    finally:
        holder.release()
    assert status == 2
    assert len(lines) == 1 and f"pid {os.getpid()}" in lines[0] and "demo.sqlite3" in lines[0]
