"""Dates and times as people type them, with month names in Dutch and English too."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from programme.moments import parse_day, parse_moment

BXL = ZoneInfo("Europe/Brussels")
NOW = datetime(2024, 2, 12, 9, 0, tzinfo=BXL)


@pytest.mark.parametrize("typed, day", [
    ("15/3", date(2024, 3, 15)), ("25 maart", date(2024, 3, 25)),
    ("25 March", date(2024, 3, 25)), ("March 25", date(2024, 3, 25)),
    ("25th March 2025", date(2025, 3, 25)), ("Sept 3", date(2024, 9, 3)),
    ("3 okt.", date(2024, 10, 3)), ("tot en met 2 mei", date(2024, 5, 2)),
    ("until 2 May", date(2024, 5, 2)), ("1 Mei 2024", date(2024, 5, 1)),
])
def test_a_day_with_a_month_name_in_either_language(typed, day):
    parsed = parse_day(typed, NOW, BXL)
    assert parsed.ok and parsed.value == day


@pytest.mark.parametrize("typed", ["25 foo", "maart", "32 maart", "31 februari", "morgen", ""])
def test_what_is_no_day_is_refused_as_such(typed):
    assert parse_day(typed, NOW, BXL).problem == "format"


def test_a_day_with_a_month_name_in_the_past_is_refused_with_that_reason():
    assert parse_day("11 februari", NOW, BXL).problem == "past"


@pytest.mark.parametrize("typed", ["25 maart 14u30", "25 March at 14:30", "March 25 14:30",
                                   "op 25 maart om 14u30", "25/3 14u30"])
def test_a_moment_with_a_month_name(typed):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.ok and parsed.value == datetime(2024, 3, 25, 14, 30, tzinfo=BXL)
