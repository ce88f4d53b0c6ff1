"""Start `bot.py` processes fast, for crash tests that kill and restart the bot many times.

This helper imports bot.py and everything it loads once, then forks one child per start; the
child redirects its output to a log file and runs `bot.main(argv)`, exactly what
`python bot.py ARGV` runs, in its own process (its own pid, its own file lock, its own
SQLite connection), which the test kills with SIGKILL. What it saves is the interpreter start
and the imports (about 0.8 s per start), so that forty kills fit in seconds.

Protocol on stdin/stdout, one JSON object per line:
    {"op": "start", "argv": [...], "env": {...}, "log": PATH}  ->  {"pid": N}
    {"op": "wait", "pid": N}                                     ->  {"code": exit status}
"""

from __future__ import annotations

import json
import os
import signal
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)

import httpcore  # noqa: E402,F401  (httpx imports it when the first client is built)

import bot  # noqa: E402
import kernbot.composition  # noqa: E402,F401  (what bot.main imports lazily)
import kernbot.serve  # noqa: E402,F401
import storage.lock  # noqa: E402,F401


def child(command: dict) -> None:
    code = 1
    try:
        fd = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(command["env"])
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = bot.main(command["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code or 0)


def main() -> None:
    out = sys.stdout
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "start":
            pid = os.fork()
            if pid == 0:
                child(command)
            out.write(json.dumps({"pid": pid}) + "\n")
        elif command["op"] == "wait":
            try:
                _, status = os.waitpid(command["pid"], 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # already reaped
                code = None
            out.write(json.dumps({"code": code}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
