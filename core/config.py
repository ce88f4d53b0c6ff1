"""Configuration: defaults < config.toml < environment, validated into one frozen object.

Every key is declared once in SCHEMA (section, key, type, default, check). A wrong value raises
ConfigError with a one-line message naming the key; bot.py turns that into exit status 2.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(Exception):
    """A configuration problem, phrased as one line that names the key."""


def _tz(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _one_of(*choices: str):
    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    return check


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError(f"must be a port number 1-65535 (got {value})")
    return value


def _positive(value: int | float) -> int | float:
    if value <= 0:
        raise ValueError(f"must be positive (got {value})")
    return value


def _non_negative(value: int | float) -> int | float:
    if value < 0:
        raise ValueError(f"must be zero or more (got {value})")
    return value


def _hhmm(value: str) -> str:
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"must be a time as HH:MM (got {value!r})")
    h, m = int(parts[0]), int(parts[1])
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"must be a time as HH:MM (got {value!r})")
    return f"{h:02d}:{m:02d}"


def _weekdays(value: list) -> list:
    if not value or not all(isinstance(x, int) and not isinstance(x, bool) and 1 <= x <= 7
                            for x in value):
        raise ValueError(f"must be a non-empty list of weekdays 1-7, Monday = 1 (got {value!r})")
    return sorted(set(value))


def _ladder(value: list) -> list:
    """Working days relative to the deadline of the four rungs: gentle, firm, coach, coordinator
    (negative: before the deadline), strictly increasing."""
    if len(value) != 4 or not all(isinstance(x, int) and not isinstance(x, bool) for x in value):
        raise ValueError(f"must be four whole numbers of working days (got {value!r})")
    if any(b <= a for a, b in zip(value, value[1:], strict=False)) or 0 in value:
        raise ValueError(f"must be increasing and not 0 (got {value!r})")
    return value


def _country(value: str) -> str:
    if value and value.upper() != "BE":
        raise ValueError(f"must be BE (Belgian public holidays) or \"\" for none (got {value!r})")
    return value.upper()


def _email(value: str) -> str:
    if value and ("@" not in value or " " in value.strip()):
        raise ValueError(f"must be an e-mail address or empty (got {value!r})")
    return value.strip()


def _secret(value: str) -> str:
    # Telegram: 1-256 characters A-Z a-z 0-9 _ -
    if value and not all(c.isalnum() or c in "_-" for c in value) or len(value) > 256:
        raise ValueError("may only contain A-Z, a-z, 0-9, _ and - (at most 256 characters)")
    return value


def _log_level(value: str) -> str:
    value = value.upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError(f"must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got {value!r})")
    return value


# section -> key -> (type, default, check or None)
SCHEMA: dict[str, dict[str, tuple[type, Any, Any]]] = {
    "bot": {
        "token": (str, "", None),
        "mode": (str, "auto", _one_of("auto", "polling", "webhook", "console")),
        "base_url": (str, "https://api.telegram.org/bot", None),
        "base_file_url": (str, "https://api.telegram.org/file/bot", None),
        "default_language": (str, "nl", _one_of("nl", "en")),
        "timezone": (str, "Europe/Brussels", _tz),
        "log_level": (str, "INFO", _log_level),
        "coordinators": (list, [], None),
        "flood_limit": (int, 12, _non_negative),
        "documents_per_minute": (int, 4, _non_negative),
    },
    "storage": {
        "database": (str, "data/kernbot.sqlite3", None),
        "files_dir": (str, "data/files", None),
        "busy_timeout_ms": (int, 5000, _non_negative),
    },
    "webhook": {
        "url": (str, "", None),
        "listen": (str, "127.0.0.1", None),
        "port": (int, 8443, _port),
        "path": (str, "telegram", None),
        "secret_token": (str, "", _secret),
    },
    "console": {
        "database": (str, "data/demo.sqlite3", None),
        "documents_dir": (str, "data/console-out", None),
    },
    "reminders": {
        "session_offsets_hours": (list, [168, 24, 1], None),
        "nudge_offsets_hours": (list, [72, 24], None),
        "grace_hours": (float, 6.0, _non_negative),
        "quiet_start": (str, "21:00", _hhmm),
        "quiet_end": (str, "08:00", _hhmm),
        "dispatch_interval_seconds": (float, 30.0, _positive),
        "max_attempts": (int, 5, _positive),
        "evaluation_delay_minutes": (int, 0, _non_negative),
        "retry_backoff_seconds": (float, 2.0, _positive),
        "stale_sending_minutes": (float, 10.0, _positive),
        "dispatch_batch": (int, 500, _positive),
        "messages_per_second": (float, 29.0, _positive),
    },
    "followup": {
        "working_days": (list, [1, 2, 3, 4, 5], _weekdays),
        "holidays": (str, "BE", _country),
        "deadline_time": (str, "17:00", _hhmm),
        "working_hours_start": (str, "09:00", _hhmm),
        "working_hours_end": (str, "17:00", _hhmm),
        "ladder_working_days": (list, [-2, 1, 3, 6], _ladder),
        "ladder_time": (str, "10:00", _hhmm),
        "silence_working_days": (int, 10, _positive),
        "catch_up_working_days": (int, 10, _positive),
        "intake_due_working_days": (int, 2, _non_negative),
        "evaluation_due_working_days": (int, 3, _positive),
        "unopened_working_days": (int, 3, _positive),
        "unanswered_working_days": (int, 5, _positive),
        "aftercare_months": (int, 3, _positive),
    },
    "programme": {
        "contact_email": (str, "binnenzonderbellen@dekernmeesters.be", _email),
        "max_participants_rule": (int, 10, _positive),
    },
    "privacy": {
        "on_forget": (str, "anonymise", _one_of("anonymise", "erase")),
        "retention_months": (int, 24, _positive),
    },
    "homework": {
        "max_file_mb": (float, 20.0, _positive),
        "max_items_per_submission": (int, 30, _positive),
        "max_mb_per_submission": (float, 100.0, _positive),
        "max_mb_per_person": (float, 300.0, _positive),
        "digest_interval_minutes": (int, 60, _positive),
        "due_days_before_next_session": (int, 2, _non_negative),
        "due_days_after_last_session": (int, 28, _positive),
    },
}

ENV_ALIASES = {"KERNBOT_TOKEN": ("bot", "token")}


@dataclass(frozen=True)
class Config:
    values: dict[str, dict[str, Any]]
    source: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.values[section]

    # Shortcuts used everywhere.
    @property
    def token(self) -> str:
        return self.values["bot"]["token"]

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.values["bot"]["timezone"])

    @property
    def default_language(self) -> str:
        return self.values["bot"]["default_language"]

    @property
    def coordinator_ids(self) -> frozenset[int]:
        return frozenset(int(x) for x in self.values["bot"]["coordinators"])

    def effective_mode(self) -> str:
        """The transport to run: console when no token, webhook when a webhook url is set."""
        mode = self.values["bot"]["mode"]
        if mode != "auto":
            return mode
        if not self.token:
            return "console"
        return "webhook" if self.values["webhook"]["url"] else "polling"

    def with_overrides(self, **sections: dict[str, Any]) -> Config:
        merged = {s: dict(v) for s, v in self.values.items()}
        for section, overrides in sections.items():
            for key, value in overrides.items():
                merged[section][key] = _coerce(section, key, value)
        return Config(merged, self.source)


def _type_name(t: type) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "true or false",
            list: "a list"}[t]


def _coerce(section: str, key: str, value: Any) -> Any:
    name = f"{section}.{key}"
    if section not in SCHEMA:
        raise ConfigError(f"unknown section [{section}]")
    if key not in SCHEMA[section]:
        raise ConfigError(f"unknown key {name}")
    typ, _default, check = SCHEMA[section][key]
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if typ is int and isinstance(value, bool) or not isinstance(value, typ):
        raise ConfigError(f"{name} must be {_type_name(typ)} (got {value!r})")
    if name == "bot.coordinators" and not all(
        isinstance(x, int) and not isinstance(x, bool) for x in value
    ):
        raise ConfigError(f"{name} must be a list of Telegram user ids (integers)")
    if typ is list and name.endswith("_hours") and not all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in value
    ):
        raise ConfigError(f"{name} must be a list of positive numbers of hours")
    if check is not None:
        try:
            value = check(value)
        except ValueError as exc:
            raise ConfigError(f"{name} {exc}") from None
    return value


def _from_env_string(section: str, key: str, raw: str) -> Any:
    typ = SCHEMA[section][key][0]
    name = f"{section}.{key}"
    try:
        if typ is int:
            return int(raw)
        if typ is float:
            return float(raw)
        if typ is bool:
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError
        if typ is list:
            return [int(x) if x.strip().lstrip("-").isdigit() else float(x)
                    for x in raw.split(",") if x.strip()]
    except ValueError:
        raise ConfigError(
            f"{name} (from the environment) must be {_type_name(typ)} (got {raw!r})"
        ) from None
    return raw


def env_name(section: str, key: str) -> str:
    return f"KERNBOT_{section.upper()}_{key.upper()}"


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None,
                *, required: bool = False) -> Config:
    """Read defaults, then the TOML file (if any), then the environment.

    `path=None` reads ./config.toml when it exists. `required=True` (an explicit --config) makes a
    missing file an error.
    """
    env = dict(os.environ if env is None else env)
    values: dict[str, dict[str, Any]] = {
        s: {k: (list(d) if isinstance(d, list) else d) for k, (_t, d, _c) in keys.items()}
        for s, keys in SCHEMA.items()
    }
    source: Path | None = None
    file_path = Path(path) if path is not None else Path("config.toml")
    if path is not None or file_path.exists():
        try:
            raw_bytes = file_path.read_bytes()
        except FileNotFoundError:
            if required or path is not None:
                raise ConfigError(f"config file {file_path} not found") from None
            raw_bytes = b""
        except OSError as exc:
            raise ConfigError(f"config file {file_path} cannot be read: {exc.strerror}") from None
        try:
            data = tomllib.loads(raw_bytes.decode("utf-8"))
        except UnicodeDecodeError:
            raise ConfigError(f"config file {file_path} is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {file_path} is not valid TOML: {exc}") from None
        source = file_path
        for section, table in data.items():
            if section not in SCHEMA:
                raise ConfigError(f"unknown section [{section}] in {file_path}")
            if not isinstance(table, dict):
                raise ConfigError(f"{section} must be a table ([{section}]) in {file_path}")
            for key, value in table.items():
                values[section][key] = _coerce(section, key, value)
    for section, keys in SCHEMA.items():
        for key in keys:
            name = env_name(section, key)
            if name in env and env[name] != "":
                values[section][key] = _coerce(
                    section, key, _from_env_string(section, key, env[name]))
    for alias, (section, key) in ENV_ALIASES.items():
        if env.get(alias):
            values[section][key] = _coerce(section, key, env[alias])
    token_file = _token_file(env)
    if token_file is not None and not values["bot"]["token"]:
        try:
            values["bot"]["token"] = token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"token file {token_file} cannot be read: "
                              f"{exc.strerror or exc}") from None
    config = Config(values, source)
    check_mode(config)
    return config


TOKEN_CREDENTIAL = "kernbot-token"


def _token_file(env: dict[str, str]) -> Path | None:
    """The token from a file: KERNBOT_TOKEN_FILE, or systemd's LoadCredential (a file named
    kernbot-token in $CREDENTIALS_DIRECTORY), so the token is not in the environment."""
    if env.get("KERNBOT_TOKEN_FILE"):
        return Path(env["KERNBOT_TOKEN_FILE"])
    if env.get("CREDENTIALS_DIRECTORY"):
        candidate = Path(env["CREDENTIALS_DIRECTORY"]) / TOKEN_CREDENTIAL
        if candidate.exists():
            return candidate
    return None


def check_mode(config: Config) -> None:
    """What the effective mode needs, whether it came from the file, the environment or the
    command line (--mode)."""
    mode = config.effective_mode()
    if mode == "webhook":
        if not config["webhook"]["url"]:
            raise ConfigError("webhook.url must be set when bot.mode is webhook")
        if not config.token:
            raise ConfigError("bot.token (or KERNBOT_TOKEN) must be set for webhook mode")
        if not config["webhook"]["secret_token"]:
            raise ConfigError("webhook.secret_token must be set when the webhook is used")
    if mode == "polling" and not config.token:
        raise ConfigError("bot.token (or KERNBOT_TOKEN) must be set for polling mode")
