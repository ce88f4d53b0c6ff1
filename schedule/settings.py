"""The scheduling settings in force, taken from the configuration once at start-up.

Domain events (a session moved by `admin import`, a new member) re-plan without a Config at
hand, so the planner reads its settings here; until `configure()` runs they are the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from core.config import SCHEMA, Config


@dataclass(frozen=True)
class Settings:
    tz: ZoneInfo
    session_offsets_hours: tuple[float, ...]
    nudge_offsets_hours: tuple[float, ...]
    grace: timedelta
    quiet_start: str
    quiet_end: str
    evaluation_delay_minutes: int
    retry_backoff_seconds: float
    stale_sending: timedelta
    max_attempts: int
    dispatch_batch: int
    messages_per_second: float
    due_days_before_next_session: int
    due_days_after_last_session: int
    dispatch_interval_seconds: float

    @classmethod
    def from_values(cls, bot: dict, reminders: dict, homework: dict) -> Settings:
        return cls(
            tz=ZoneInfo(bot["timezone"]),
            session_offsets_hours=tuple(sorted(reminders["session_offsets_hours"], reverse=True)),
            nudge_offsets_hours=tuple(sorted(reminders["nudge_offsets_hours"], reverse=True)),
            grace=timedelta(hours=reminders["grace_hours"]),
            quiet_start=reminders["quiet_start"], quiet_end=reminders["quiet_end"],
            evaluation_delay_minutes=reminders["evaluation_delay_minutes"],
            retry_backoff_seconds=reminders["retry_backoff_seconds"],
            stale_sending=timedelta(minutes=reminders["stale_sending_minutes"]),
            max_attempts=reminders["max_attempts"],
            dispatch_batch=reminders["dispatch_batch"],
            messages_per_second=reminders["messages_per_second"],
            due_days_before_next_session=homework["due_days_before_next_session"],
            due_days_after_last_session=homework["due_days_after_last_session"],
            dispatch_interval_seconds=reminders["dispatch_interval_seconds"],
        )


def _defaults() -> Settings:
    values = {section: {k: v[1] for k, v in keys.items()} for section, keys in SCHEMA.items()}
    return Settings.from_values(values["bot"], values["reminders"], values["homework"])


_current: Settings = _defaults()


def configure(config: Config) -> Settings:
    global _current
    _current = Settings.from_values(config["bot"], config["reminders"], config["homework"])
    return _current


def settings() -> Settings:
    return _current
