"""Dates and times people type ("25/3 14u30", "25/03/2024 14:30", "15/3", "25 maart",
"March 25 14:30", "30 april om 13u", "30/4 13.30 uur", "April 30 1 pm", "30/4 van 9u30 tot
12u30"), read in the programme's time zone, with or without the weekday the bot writes in
front ("dinsdag 30 april om 13u30", "Tue 30 April 1 pm"); a weekday instead of the date is the
first such day from today on ("vrijdag 9u"). A moment in the past is refused with the reason,
never moved to next year: "11/2 9u00" typed on 12 February is yesterday's date, not one in a
year. A weekday that is not the date's is refused too ("woensdag 30 april 2024": a Tuesday).

    parse_moment(text, now, tz) -> Parsed(moment, problem)
    parse_day(text, now, tz)    -> Parsed(day, problem)
    parse_due(text, now, tz, at_day) -> a moment, or a date alone at at_day(date)
    problem: None | "format" | "past" | "weekday" (then Parsed.weekday is the day typed)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names

_DATE = r"(?P<day>\d{1,2})[/-](?P<month>\d{1,2})(?:[/-](?P<year>\d{2,4}))?"


def _clock(n: str) -> str:
    """An hour as people type it: "13u30", "13:30", "13.30", "13u", "13 uur", "13h", "1 pm"."""
    return (rf"(?P<h{n}>\d{{1,2}})(?:[:.](?P<m{n}>\d{{2}}))?"
            rf"(?:\s*(?P<u{n}>uur|u|h)(?P<um{n}>\d{{2}})?)?(?:\s*(?P<ap{n}>[ap])\.?m\.?)?")


def _numbers(names_of, extra: dict[str, int]) -> dict[str, int]:
    """Month or day names and their short forms, in Dutch and English, as people type them."""
    names = dict(extra)
    for locale in ("nl_BE", "en_GB"):
        for width in ("wide", "abbreviated"):
            for number, name in names_of(width, locale=locale).items():
                names[name.casefold().rstrip(".")] = number
    return names


def _alternatives(names: dict[str, int]) -> str:
    return "|".join(sorted(names, key=len, reverse=True))   # longest first: "maart", "maa"


_MONTHS = _numbers(get_month_names, {"sep": 9, "sept": 9, "maa": 3})
_NAME = _alternatives(_MONTHS)
# "dinsdag", "di", "di.", "Tuesday", "Tue": 0 is Monday, as date.weekday()
_WEEKDAYS = _numbers(get_day_names, {"tues": 1, "thur": 3, "thurs": 3})
_WEEKDAY = rf"(?P<weekday>{_alternatives(_WEEKDAYS)})\b\.?,?"
_MOMENT = re.compile(rf"\s*(?:op\s+|on\s+)?(?:{_WEEKDAY}\s+)?(?:{_DATE},?\s+)?"
                     rf"(?:(?:om|at|van|from)\s+)?{_clock('')}"
                     rf"(?:\s*(?:-|–|tot|to|until)\s*{_clock('e')})?\s*", re.I)
_DAY = re.compile(rf"\s*(?:tot\s+(?:en\s+met\s+)?|until\s+)?(?:op\s+|on\s+)?"
                  rf"(?:{_WEEKDAY}\s*)?(?:{_DATE})?\s*", re.I)
_NAMED = re.compile(rf"(?P<d1>\d{{1,2}})(?:st|nd|rd|th|e)?\s+(?P<m1>{_NAME})\b\.?"
                    r"(?:\s+(?P<y1>\d{4})\b)?"
                    rf"|\b(?P<m2>{_NAME})\b\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b,?"
                    r"(?:\s+(?P<y2>\d{4})\b)?", re.I)


def _numeric(text: str) -> str:
    """A date typed with a month name ("25 maart", "25th March 2024", "March 25") as the
    numeric form the patterns below read ("25/3", "25/3/2024"); other text unchanged."""
    def numeric(match: re.Match) -> str:
        month = _MONTHS[(match["m1"] or match["m2"]).casefold()]
        day, year = match["d1"] or match["d2"], match["y1"] or match["y2"]
        return f"{day}/{month}" + (f"/{year}" if year else "")

    return _NAMED.sub(numeric, text or "")


@dataclass(frozen=True)
class Parsed:
    value: object = None          # datetime (aware, UTC) or date
    problem: str | None = None    # "format" (not understood), "past" or "weekday"
    end: datetime | None = None   # "25/6 9u30-12u30": the end time, when given
    weekday: int | None = None    # "weekday": the day typed (0 = Monday), not the date's

    @property
    def ok(self) -> bool:
        return self.problem is None


def _year(text: str | None, now_local: datetime) -> int:
    if not text:
        return now_local.year
    value = int(text)
    return value + 2000 if len(text) == 2 else value


def _day(match: re.Match, now_local: datetime) -> tuple[date, int | None]:
    """The date matched, or the first such weekday from today on when only a weekday was
    typed ("vrijdag 9u"); with the weekday typed when the date falls on another one."""
    typed = _WEEKDAYS[match["weekday"].casefold()] if match["weekday"] else None
    if match["day"] is None:
        if typed is None:
            raise ValueError("no day")
        today = now_local.date()
        return today + timedelta(days=(typed - today.weekday()) % 7), None
    day = date(_year(match["year"], now_local), int(match["month"]), int(match["day"]))
    return day, typed if typed not in (None, day.weekday()) else None


def _time(match: re.Match, n: str = "") -> time:
    """The hour matched by _clock(n); ValueError when it is none: "13" alone (no "u", no
    minutes), "13:30u30", "13 pm", "0 am"."""
    hour, minute, unit, ampm = match[f"h{n}"], match[f"m{n}"], match[f"u{n}"], match[f"ap{n}"]
    if (minute and match[f"um{n}"]) or not (minute or unit or ampm):
        raise ValueError("no hour")
    hour = int(hour)
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError("no hour on a 12-hour clock")
        hour = hour % 12 + (12 if ampm.casefold() == "p" else 0)
    return time(hour, int(minute or match[f"um{n}"] or 0))


def parse_moment(text: str, now: datetime, tz: ZoneInfo) -> Parsed:
    match = _MOMENT.fullmatch(_numeric(text))
    if not match:
        return Parsed(problem="format")
    try:
        day, wrong = _day(match, now.astimezone(tz))
        moment = datetime.combine(day, _time(match), tzinfo=tz)
        end = datetime.combine(day, _time(match, "e"), tzinfo=tz) if match["he"] else None
    except ValueError:
        return Parsed(problem="format")
    if wrong is not None:
        return Parsed(moment, "weekday", weekday=wrong)
    if moment <= now:
        return Parsed(moment, "past")
    if end is not None and end <= moment:
        return Parsed(moment, "format")
    return Parsed(moment, None, end)


def parse_day(text: str, now: datetime, tz: ZoneInfo) -> Parsed:
    match = _DAY.fullmatch(_numeric(text))
    if not match:
        return Parsed(problem="format")
    local_now = now.astimezone(tz)
    try:
        value, wrong = _day(match, local_now)
    except ValueError:
        return Parsed(problem="format")
    if wrong is not None:
        return Parsed(value, "weekday", weekday=wrong)
    if value < local_now.date():
        return Parsed(value, "past")
    return Parsed(value)


def parse_due(text: str, now: datetime, tz: ZoneInfo, at_day: Callable[[date], datetime]
              ) -> Parsed:
    """A deadline as typed: a moment ("26/4 12u"), or a date alone ("26/4") at the time
    `at_day` gives it (the programme's deadline time); the date's problem (past, another
    weekday) when it is one, else the moment's."""
    parsed = parse_moment(text, now, tz)
    if parsed.problem != "format":
        return parsed
    day = parse_day(text, now, tz)
    if day.ok:
        return Parsed(at_day(day.value))
    return day if day.problem != "format" else parsed
