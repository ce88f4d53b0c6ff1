"""The scheduling and homework settings in force, as plain values, built once from the config.

They travel on `Services.settings`; nothing reads them from a module global, so the bot, the
admin command line and the tests plan with exactly the configuration they were given.
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

    @classmethod
    def from_config(cls, config: Config) -> Settings:
        return cls.from_values(config["bot"], config["reminders"], config["homework"])

    @classmethod
    def defaults(cls) -> Settings:
        """The settings of an empty configuration (tests of single functions)."""
        values = {section: {k: v[1] for k, v in keys.items()} for section, keys in SCHEMA.items()}
        return cls.from_values(values["bot"], values["reminders"], values["homework"])
