"""One process per database: an exclusive OS file lock beside the database file.

The bot (polling, webhook) and the console chat each hold `<database>.lock` (fcntl.flock) for
as long as they run; a second process on the same database stops at start-up with one line
naming the first one's pid. The kernel releases the lock when a process ends, also after a
SIGKILL or a power cut, so there is never a stale lock to clean up. The admin command line
does not take it: it is meant to run beside the bot (imports, planning, exports).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class DatabaseInUse(Exception):
    """Another process holds the database; the message is one line for the operator."""

    def __init__(self, database: Path, lock_path: Path, pid: int | None) -> None:
        who = f"pid {pid}" if pid else "pid unknown"
        super().__init__(f"another Kernbot process ({who}) is already running on {database}; "
                         f"stop it first (lock file {lock_path})")
        self.pid = pid


class ProcessLock:
    def __init__(self, handle, path: Path) -> None:
        self._handle = handle
        self.path = path

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def lock_path(database: str | Path) -> Path:
    return Path(f"{database}.lock")


def hold(database: str | Path) -> ProcessLock | None:
    """Take the lock of this database for the life of the process (None for `:memory:`).
    Raises DatabaseInUse when another process has it."""
    if str(database) == ":memory:":
        return None
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held open for the life of the process
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        text = handle.read().strip()
        handle.close()
        raise DatabaseInUse(Path(database), path, int(text) if text.isdigit() else None) \
            from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return ProcessLock(handle, path)
