"""Dates and times as people type them, with month names in Dutch and English too."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from programme.moments import parse_day, parse_due, parse_moment

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


# -- hours as people (and the bot) write them: "13u", "13 uur", "13h", "1 pm" ------------------------
@pytest.mark.parametrize("typed, at", [
    ("30 april 13u", (4, 30, 13, 0)), ("30/4 13 u", (4, 30, 13, 0)),
    ("30/4 om 13 uur", (4, 30, 13, 0)), ("30/4 13.30 uur", (4, 30, 13, 30)),
    ("30/4 13.30", (4, 30, 13, 30)), ("30/4 13h", (4, 30, 13, 0)),
    ("30/4 13h30", (4, 30, 13, 30)), ("30/04 8u", (4, 30, 8, 0)),
    ("30 april 2024 om 13u30", (4, 30, 13, 30)), ("30 April at 1:30 pm", (4, 30, 13, 30)),
    ("April 30 1 pm", (4, 30, 13, 0)), ("April 30, 2024 at 1:30 p.m.", (4, 30, 13, 30)),
    ("30/4 12 am", (4, 30, 0, 0)), ("30/4 12pm", (4, 30, 12, 0)),
])
def test_a_moment_with_an_hour_as_people_write_it(typed, at):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.ok and parsed.value == datetime(2024, *at, tzinfo=BXL), parsed


@pytest.mark.parametrize("typed, at", [("12/02 8u", (2, 12, 8, 0)), ("11 februari 9u", (2, 11, 9, 0))])
def test_a_moment_in_the_past_is_refused_with_that_reason_whatever_its_form(typed, at):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.problem == "past" and parsed.value == datetime(2024, *at, tzinfo=BXL)


@pytest.mark.parametrize("typed", ["30 april van 9u30 tot 12u30", "30/4 9u30-12u30",
                                   "30/4 9u30 - 12u30", "30 April from 9:30 to 12:30"])
def test_a_moment_with_an_end_time(typed):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.ok and parsed.value == datetime(2024, 4, 30, 9, 30, tzinfo=BXL)
    assert parsed.end == datetime(2024, 4, 30, 12, 30, tzinfo=BXL)


@pytest.mark.parametrize("typed", ["30/4 13", "30/4 25u", "30/4 13u pm", "30/4 13:30u30",
                                   "13u", "morgen 9u", "31 februari om 10u", "30/4 9u-8u",
                                   "30/4 0 am", "30/4", ""])
def test_what_is_no_moment_is_refused_as_such(typed):
    assert parse_moment(typed, NOW, BXL).problem == "format"


# -- a weekday, as the bot writes it ("dinsdag 30 april om 13u30"), or instead of a date ----------
# NOW is Monday 12 February 2024 at 9:00; 30 April 2024 is a Tuesday.
@pytest.mark.parametrize("typed", [
    "dinsdag 30 april om 13u30", "dinsdag 30 april 2024 om 13u30", "di 30/4 13u30",
    "di. 30/4 13u30", "op dinsdag 30 april om 13u30", "Tuesday 30 April 2024 at 13:30",
    "Tue 30 April at 1:30 pm", "on Tuesday, April 30, 2024 at 1:30 p.m.", "tues 30/4 13h30",
])
def test_a_moment_with_its_weekday(typed):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.ok and parsed.value == datetime(2024, 4, 30, 13, 30, tzinfo=BXL), parsed


@pytest.mark.parametrize("typed, at", [
    ("vrijdag 9u", (2, 16, 9, 0)), ("vr 9u", (2, 16, 9, 0)), ("vr. om 9u30", (2, 16, 9, 30)),
    ("Friday at 9 am", (2, 16, 9, 0)), ("fri 9:00", (2, 16, 9, 0)),
    ("maandag 10u", (2, 12, 10, 0)),      # today, later on
    ("zondag 9u", (2, 18, 9, 0)),
])
def test_a_weekday_without_a_date_is_the_next_such_day(typed, at):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.ok and parsed.value == datetime(2024, *at, tzinfo=BXL), parsed


def test_a_weekday_without_a_date_whose_hour_is_over_today_is_past_not_next_week():
    parsed = parse_moment("maandag 8u", NOW, BXL)
    assert parsed.problem == "past" and parsed.value == datetime(2024, 2, 12, 8, 0, tzinfo=BXL)


def test_a_weekday_with_an_end_time():
    parsed = parse_moment("dinsdag 30 april van 9u30 tot 12u30", NOW, BXL)
    assert parsed.ok and parsed.value == datetime(2024, 4, 30, 9, 30, tzinfo=BXL)
    assert parsed.end == datetime(2024, 4, 30, 12, 30, tzinfo=BXL)


@pytest.mark.parametrize("typed", ["vrijdag", "vrijdag 30/4", "vrijdagavond 9u", "30/4 vr 9u"])
def test_a_weekday_without_an_hour_is_no_moment(typed):
    assert parse_moment(typed, NOW, BXL).problem == "format"


@pytest.mark.parametrize("typed", ["woensdag 30 april 13u30", "wo 30/4 om 13u",
                                   "Wed 30 April 1 pm", "woensdag 30 april 2024 om 13u30"])
def test_a_weekday_that_is_not_the_dates_is_said_so(typed):
    parsed = parse_moment(typed, NOW, BXL)
    assert parsed.problem == "weekday" and parsed.weekday == 2            # Wednesday typed,
    assert parsed.value.date() == date(2024, 4, 30)                     # a Tuesday


@pytest.mark.parametrize("typed, day", [
    ("dinsdag 30 april 2024", date(2024, 4, 30)), ("di 30/4", date(2024, 4, 30)),
    ("tot en met dinsdag 30 april", date(2024, 4, 30)), ("vrijdag", date(2024, 2, 16)),
    ("tot en met vr", date(2024, 2, 16)), ("until Friday", date(2024, 2, 16)),
    ("maandag", date(2024, 2, 12)),
])
def test_a_day_with_a_weekday(typed, day):
    parsed = parse_day(typed, NOW, BXL)
    assert parsed.ok and parsed.value == day, parsed


def test_a_day_whose_weekday_is_not_the_dates_is_said_so():
    parsed = parse_day("woensdag 30 april", NOW, BXL)
    assert parsed.problem == "weekday" and parsed.weekday == 2
    assert parsed.value == date(2024, 4, 30)


def at_five(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=17), tzinfo=BXL)


@pytest.mark.parametrize("typed, value, problem", [
    ("26/4 12u", datetime(2024, 4, 26, 12, 0, tzinfo=BXL), None),   # a moment: as typed
    ("26/4", at_five(date(2024, 4, 26)), None),                     # a day: at the deadline
    ("11/2", date(2024, 2, 11), "past"),                            # the day's problem
    ("woensdag 30/4", date(2024, 4, 30), "weekday"),
    ("11/2 9u", datetime(2024, 2, 11, 9, 0, tzinfo=BXL), "past"),   # the moment's
    ("volgende week", None, "format"),
])
def test_a_deadline_is_a_moment_or_a_day_at_the_deadline_time(typed, value, problem):
    parsed = parse_due(typed, NOW, BXL, at_five)
    assert parsed.problem == problem
    assert parsed.value == value
