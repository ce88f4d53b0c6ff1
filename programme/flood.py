"""Flood control per person: how many messages in a sliding window before replies pause.

Pure bookkeeping with an injected clock; the Telegram side (handlers/common.py) lets every
message through to its handler (so nothing typed is lost) but holds back the replies of a
person who sends faster than a human types, and says so once.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=5)
LIMIT = 10  # messages per window; a fast typist sends two or three


class FloodGuard:
    def __init__(self, limit: int = LIMIT, window: timedelta = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}
        self._warned: set[int] = set()

    def hit(self, user_id: int, now: datetime) -> tuple[bool, bool]:
        """Record a message. Returns (flooding, warn_now): replies are held back while
        flooding; warn_now is true once per flood."""
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        times.append(now)
        flooding = len(times) > self.limit
        if not flooding:
            self._warned.discard(user_id)
            return False, False
        warn = user_id not in self._warned
        self._warned.add(user_id)
        return True, warn


class RateLimit:
    """At most `limit` costly requests (a PDF, an export, a chart) per person per `window`:
    the rest are refused with a polite word instead of done (documents are work, not input)."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}

    def allow(self, key: int, now: datetime) -> bool:
        times = self._seen.setdefault(key, deque())
        while times and (now - times[0] > self.window or times[0] > now):
            times.popleft()   # old, or "from the future" (the clock was set back)
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True
