"""The scheduling and homework settings in force, as plain values, built once from the config.

They travel on `Services.settings`; nothing reads them from a module global, so the bot, the
admin command line and the tests plan with exactly the configuration they were given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from zoneinfo import ZoneInfo

from core.config import SCHEMA, Config
from core.workdays import WorkCalendar, hhmm

RUNGS = ("gentle", "firm", "coach", "coordinator")  # the follow-up ladder, in order


def _section_defaults(section: str) -> dict:
    return {k: v[1] for k, v in SCHEMA[section].items()}


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
    # follow-up (issue 16): working days, the ladder, silence, late joiners, the end
    work: WorkCalendar
    ladder: tuple[tuple[str, int], ...]      # (rung, working days from the deadline)
    ladder_time: time
    silence_working_days: int
    catch_up_working_days: int
    intake_due_working_days: int
    evaluation_due_working_days: int
    unopened_working_days: int
    unanswered_working_days: int
    aftercare_months: int
    contact_email: str
    max_participants_rule: int
    # what coaches see (issue 14): the preparation pack, staff nudges
    prep_working_days: int = 2
    prep_time: time = time(9, 0)
    nudge_repeat: timedelta = timedelta(days=7)

    @classmethod
    def from_values(cls, bot: dict, reminders: dict, homework: dict,
                    followup: dict | None = None, programme: dict | None = None,
                    coaches: dict | None = None) -> Settings:
        f = followup or _section_defaults("followup")
        p = programme or _section_defaults("programme")
        c = coaches or _section_defaults("coaches")
        tz = ZoneInfo(bot["timezone"])
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
            work=WorkCalendar(tz, frozenset(f["working_days"]), f["holidays"],
                              hhmm(f["deadline_time"]), hhmm(f["working_hours_start"]),
                              hhmm(f["working_hours_end"])),
            ladder=tuple(zip(RUNGS, f["ladder_working_days"], strict=True)),
            ladder_time=hhmm(f["ladder_time"]),
            silence_working_days=f["silence_working_days"],
            catch_up_working_days=f["catch_up_working_days"],
            intake_due_working_days=f["intake_due_working_days"],
            evaluation_due_working_days=f["evaluation_due_working_days"],
            unopened_working_days=f["unopened_working_days"],
            unanswered_working_days=f["unanswered_working_days"],
            aftercare_months=f["aftercare_months"],
            contact_email=p["contact_email"],
            max_participants_rule=p["max_participants_rule"],
            prep_working_days=c["prep_working_days"],
            prep_time=hhmm(c["prep_time"]),
            nudge_repeat=timedelta(days=c["nudge_repeat_days"]),
        )

    @classmethod
    def from_config(cls, config: Config) -> Settings:
        return cls.from_values(config["bot"], config["reminders"], config["homework"],
                               config["followup"], config["programme"], config["coaches"])

    @classmethod
    def defaults(cls) -> Settings:
        """The settings of an empty configuration (tests of single functions)."""
        values = {section: {k: v[1] for k, v in keys.items()} for section, keys in SCHEMA.items()}
        return cls.from_values(values["bot"], values["reminders"], values["homework"],
                               values["followup"], values["programme"], values["coaches"])
