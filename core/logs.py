"""Logging through the standard module, with every secret redacted from every line."""

from __future__ import annotations

import logging
import sys

# Exceptions whose messages say what went wrong without quoting what people typed; the message
# of any other exception (a template error naming a value, a ValueError with an answer in it)
# is withheld from the log: its type and the traceback's lines are enough to find the bug.
_SPEAKING = ("sqlite3.", "telegram.error.", "builtins.OSError", "builtins.TimeoutError",
             "builtins.ConnectionError", "httpx.", "asyncio.")


def _speaks(error: BaseException) -> bool:
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    return name.startswith(_SPEAKING) or isinstance(error, OSError)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces each secret (the bot token) in the whole text,
    tracebacks included: HTTP errors quote URLs that contain the token. Exception messages
    that could quote personal data are withheld (see _SPEAKING)."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def formatException(self, ei) -> str:
        _type, error, _tb = ei
        text = super().formatException(ei)
        if error is None or _speaks(error) or not str(error):
            return text
        message = str(error)
        return text.replace(message, f"<message withheld: {len(message)} characters>")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return text


def setup_logging(level: str, secrets: list[str], stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return handler
