"""Working days and working hours: when a deadline may fall and when a nudge may arrive.

A working day is one of the configured weekdays (Monday-Friday by default) that is not a public
holiday of the configured country (Belgium, the default, is the one we know: the ten legal
holidays, computed here; no extra dependency). All arithmetic is on local dates and clock times
in the programme's time zone; results are UTC.

    deadline(moment)          a deadline on a weekend or holiday moves to the previous working
                              day at `deadline_time` (17u00 by default); others stay as they are
    add_working_days(day, n)  the n-th working day after (n < 0: before) `day`
    on_or_after(moment)       the first moment within working hours at or after `moment`
    on_or_before(moment)      the last moment within working hours at or before `moment`
    working_days_between(a, b) working days d with a.date < d <= b.date (local dates)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ISO_WEEKDAYS = range(1, 8)
COUNTRIES = ("BE",)


def easter(year: int) -> date:
    """Easter Sunday (Gregorian calendar; the anonymous algorithm in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def belgian_holidays(year: int) -> dict[date, str]:
    """The ten legal public holidays of Belgium."""
    sunday = easter(year)
    return {
        date(year, 1, 1): "Nieuwjaar",
        sunday + timedelta(days=1): "Paasmaandag",
        date(year, 5, 1): "Dag van de Arbeid",
        sunday + timedelta(days=39): "O.L.H. Hemelvaart",
        sunday + timedelta(days=50): "Pinkstermaandag",
        date(year, 7, 21): "Nationale feestdag",
        date(year, 8, 15): "O.L.V. Hemelvaart",
        date(year, 11, 1): "Allerheiligen",
        date(year, 11, 11): "Wapenstilstand",
        date(year, 12, 25): "Kerstmis",
    }


def hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})   # ISO: Monday = 1
    country: str = "BE"                                      # "" = no public holidays
    deadline_time: time = time(17, 0)
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    # public holidays per year, filled on first use (the instance owns its cache)
    _holidays: dict = field(default_factory=dict, compare=False, repr=False, hash=False)

    # -- days ----------------------------------------------------------------------------------
    def holidays(self, year: int) -> dict[date, str]:
        if not self.country:
            return {}
        if year not in self._holidays:
            self._holidays[year] = belgian_holidays(year)
        return self._holidays[year]

    def holiday_name(self, day: date) -> str | None:
        return self.holidays(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays(day.year)

    def next_working_day(self, day: date, *, include: bool = False) -> date:
        current = day if include else day + timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(current):
                return current
            current += timedelta(days=1)
        raise ValueError("no working day within a year: check followup.working_days")

    def previous_working_day(self, day: date, *, include: bool = False) -> date:
        current = day if include else day - timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(current):
                return current
            current -= timedelta(days=1)
        raise ValueError("no working day within a year: check followup.working_days")

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n > 0), before it (n < 0), or `day` itself when it
        is a working day (n = 0; else the next working day)."""
        if n == 0:
            return self.next_working_day(day, include=True)
        current = day
        for _ in range(abs(n)):
            current = (self.next_working_day(current) if n > 0
                       else self.previous_working_day(current))
        return current

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days d with local date of start < d <= local date of end (0 if end <= start)."""
        first, last = self.local(start).date(), self.local(end).date()
        count, current = 0, first + timedelta(days=1)
        while current <= last:
            count += self.is_working_day(current)
            current += timedelta(days=1)
        return count

    # -- moments -------------------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def at(self, day: date, clock: time) -> datetime:
        """A local date and clock time, as an aware UTC datetime."""
        return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)

    def is_working_moment(self, moment: datetime) -> bool:
        local = self.local(moment)
        clock = local.time().replace(tzinfo=None)
        return self.is_working_day(local.date()) and self.day_start <= clock <= self.day_end

    def deadline(self, moment: datetime) -> datetime:
        """A deadline on a weekend or a holiday moves to the previous working day at
        `deadline_time`; a deadline on a working day stays as it is."""
        local = self.local(moment)
        if self.is_working_day(local.date()):
            return moment.astimezone(UTC)
        return self.at(self.previous_working_day(local.date()), self.deadline_time)

    def on_or_after(self, moment: datetime) -> datetime:
        """The first moment within working hours at or after `moment`."""
        local = self.local(moment)
        clock = local.time().replace(tzinfo=None)
        if self.is_working_day(local.date()):
            if clock < self.day_start:
                return self.at(local.date(), self.day_start)
            if clock <= self.day_end:
                return moment.astimezone(UTC)
        return self.at(self.next_working_day(local.date()), self.day_start)

    def on_or_before(self, moment: datetime) -> datetime:
        """The last moment within working hours at or before `moment`."""
        local = self.local(moment)
        clock = local.time().replace(tzinfo=None)
        if self.is_working_day(local.date()):
            if clock > self.day_end:
                return self.at(local.date(), self.day_end)
            if clock >= self.day_start:
                return moment.astimezone(UTC)
        return self.at(self.previous_working_day(local.date()), self.day_end)
