"""Dates by locale (day-first unless the locale writes the month first) and times."""

from __future__ import annotations

from datetime import date, time

import pytest

from server.documents.dates import find_dates, find_loose_dates, find_times, month_first, parse_date


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("12/03/24", "fr", date(2024, 3, 12)),
        ("12/03/24", None, date(2024, 3, 12)),
        ("12/03/24", "en_US", date(2024, 12, 3)),
        ("12/03/2024", "fr_FR", date(2024, 3, 12)),
        ("12/03/2024", "en-us", date(2024, 12, 3)),
        ("03/25/2018", "fr", date(2018, 3, 25)),  # day-first impossible: month first
        ("25/03/2018", "en_US", date(2018, 3, 25)),  # month-first impossible: day first
        ("2018-03-30", "en_US", date(2018, 3, 30)),  # ISO is never ambiguous
        ("18.03.25", "de", date(2025, 3, 18)),
        ("18 mars 2025", "fr", date(2025, 3, 18)),
        ("Mar 18, 2018", None, date(2018, 3, 18)),
        ("05-Mar-18", "en_US", date(2018, 3, 5)),
        ("29/12/201711:41", None, date(2017, 12, 29)),  # a time glued to the year
        ("12/03/2018 10:22", "fr", date(2018, 3, 12)),
        ("12/03/1810:22", None, date(2018, 3, 12)),  # a time glued to a 2-digit year
        ("10:2212/03/2018", None, date(2018, 3, 12)),  # a time glued before the day
        ("14.11.2026", None, date(2026, 11, 14)),
        ("15/10/26 07:48", None, date(2026, 10, 15)),
        ("Vendredi 11 decembre 2026", None, date(2026, 12, 11)),
        ("le 11 décembre 2026", "fr", date(2026, 12, 11)),  # accents folded
        ("1er février 2026", "fr", date(2026, 2, 1)),
        ("02 AOÛT 2026", None, date(2026, 8, 2)),
        ("14. Nov 2026", "de", date(2026, 11, 14)),
        ("3. März 2026", "de", date(2026, 3, 3)),
        ("5 de agosto de 2026", "es", date(2026, 8, 5)),
        ("12 dicembre 2026", "it", date(2026, 12, 12)),
    ],
)
def test_parse_date(text: str, locale: str | None, expected: date) -> None:
    assert parse_date(text, locale=locale) == expected


@pytest.mark.parametrize("text", ["", "31/02/2024", "12/03/1850", "INV 18299/102/T0230", "6.00%"])
def test_no_date(text: str) -> None:
    assert parse_date(text) is None


def test_dates_found_left_to_right_with_spans() -> None:
    text = "DATE: 02/12/2017  EXP 05-Mar-18"
    found = find_dates(text)
    assert [(f.value, text[f.start : f.end], f.textual) for f in found] == [
        (date(2017, 12, 2), "02/12/2017", False),
        (date(2018, 3, 5), "05-Mar-18", True),
    ]


def test_loose_dates_follow_the_locale() -> None:
    assert [f.value for f in find_loose_dates("05 02-18")] == [date(2018, 2, 5)]
    assert [f.value for f in find_loose_dates("05 02-18", locale="en_US")] == [date(2018, 5, 2)]


def test_times() -> None:
    found = find_times("8:13:39 PM  14h32  01:34PM 25:00")
    assert [t for t, _, _ in found] == [time(20, 13, 39), time(14, 32), time(13, 34)]


def test_month_first_locales() -> None:
    assert [month_first(x) for x in ("en_US", "en-PH", "en_GB", "fr", "us", None)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_numeric_dates_say_which_order_they_allow() -> None:
    """Receipts decide their date order from a date that only one order can read."""
    [ambiguous] = find_dates("03/12/2026")
    [day_first] = find_dates("25/03/2026")
    [month_first_only] = find_dates("03/25/2026")
    [textual] = find_dates("3 mars 2026")
    assert (ambiguous.ambiguous, ambiguous.day_first) == (True, None)
    assert (day_first.ambiguous, day_first.day_first) == (False, True)
    assert (month_first_only.ambiguous, month_first_only.day_first) == (False, False)
    assert (textual.ambiguous, textual.day_first) == (False, None)
