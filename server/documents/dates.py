"""Dates and times as printed on documents (Malaysia, France, UK, US...), locale aware.

Formats seen: ``25/12/2018``, ``29-12-2017``, ``02/01/18``, ``18.03.25``, ``2018-03-30``,
``18 MAR 2018``, ``05-Mar-18``, ``18 mars 2025``, ``Mar 18, 2018``; times ``14:32``,
``8:13:39 PM``, ``01:34PM``, ``14h32``; month names in English, French, German, Spanish and
Italian, accents or not (``11 décembre 2026``, ``14. Nov 2026``, ``3. März 2026``). Numeric dates are read day-first (Malaysia, France, the
UK and most of the world write ``12/03/24`` for 12 March 2024) unless the locale writes the month
first (``en_US``, ``en-PH``...); the other order is only used when the first is impossible
(``03/25/2018`` day-first is 25 March). Two-digit years are 20YY.
Tills often glue the time to the date (``29/12/201711:41``), so a 4-digit year may be followed
directly by a time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time

MONTHS = {
    "JAN": 1, "JANUARY": 1, "JANV": 1, "JANVIER": 1,
    "FEB": 2, "FEBRUARY": 2, "FEV": 2, "FEVR": 2, "FEVRIER": 2,
    "MAR": 3, "MARCH": 3, "MARS": 3,
    "APR": 4, "APRIL": 4, "AVR": 4, "AVRIL": 4,
    "MAY": 5, "MAI": 5,
    "JUN": 6, "JUNE": 6, "JUIN": 6,
    "JUL": 7, "JULY": 7, "JUIL": 7, "JUILLET": 7,
    "AUG": 8, "AUGUST": 8, "AOU": 8, "AOUT": 8,
    "SEP": 9, "SEPT": 9, "SEPTEMBER": 9, "SEPTEMBRE": 9,
    "OCT": 10, "OCTOBER": 10, "OCTOBRE": 10,
    "NOV": 11, "NOVEMBER": 11, "NOVEMBRE": 11,
    "DEC": 12, "DECEMBER": 12, "DECEMBRE": 12,
    # German, Spanish, Italian (folded: no accents, "MÄRZ" -> "MARZ")
    "JANUAR": 1, "FEBRUAR": 2, "MARZ": 3, "MAERZ": 3, "JUNI": 6, "JULI": 7, "OKT": 10,
    "OKTOBER": 10, "DEZ": 12, "DEZEMBER": 12,
    "ENE": 1, "ENERO": 1, "FEBRERO": 2, "MARZO": 3, "ABR": 4, "ABRIL": 4, "MAYO": 5,
    "JUNIO": 6, "JULIO": 7, "AGO": 8, "AGOSTO": 8, "SEPTIEMBRE": 9, "OCTUBRE": 10,
    "NOVIEMBRE": 11, "DIC": 12, "DICIEMBRE": 12,
    "GENNAIO": 1, "FEBBRAIO": 2, "APRILE": 4, "MAGGIO": 5, "GIUGNO": 6, "LUGLIO": 7,
    "SETTEMBRE": 9, "OTTOBRE": 10, "DICEMBRE": 12,
}  # fmt: skip

# A 4-digit year may run straight into a glued time ("201711:41"); otherwise no digit follows.
_YEAR4 = r"(?P<year>(?:19|20)\d{2})(?=\D|$|\d{1,2}[:hH]\d{2})"
_YEAR = rf"(?:{_YEAR4}|(?P<year2>\d{{2}})(?!\d))"
# Numeric dates may also have a time glued after a 2-digit year ("12/03/1810:22") or before
# the day ("10:2212/03/2018").
_YEAR_GLUED = rf"(?:{_YEAR4}|(?P<year2>\d{{2}})(?:(?!\d)|(?=\d{{1,2}}[:hH][0-5]\d)))"
NUMERIC_RE = re.compile(
    rf"(?:(?<!\d)|(?<=\d[:hH][0-5]\d))(?P<a>\d{{1,2}})\s?(?P<sep>[/.\-])\s?(?P<b>\d{{1,2}})"
    rf"\s?(?P=sep)\s?{_YEAR_GLUED}"
)
ISO_RE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<a>\d{1,2})(?!\d)"
)
TEXT_RE = re.compile(
    rf"(?<![\dA-Z])(?P<a>\d{{1,2}})(?:ST|ND|RD|TH|ER)?[\s\-./]*(?:DE\s+)?(?P<month>[A-Z]{{3,10}})"
    rf"\.?[\s\-./,]*(?:DEL?\s+)?{_YEAR}"
)
TEXT_US_RE = re.compile(
    r"(?<![A-Z])(?P<month>[A-Z]{3,9})\.?\s+(?P<a>\d{1,2}),?\s+(?P<year>(?:19|20)\d{2})(?!\d)"
)
# OCR sometimes reads one separator as a space ("05 02-18"): only tried when nothing else matched.
LOOSE_NUMERIC_RE = re.compile(
    r"(?<![\d.,])(?P<a>\d{2})(?P<s1>[/.\- ])(?P<b>\d{2})(?P<s2>[/.\- ])"
    r"(?P<year>(?:19|20)\d{2}|\d{2})(?![\d.,])"
)
TIME_RE = re.compile(
    r"(?<![\d:.,/])(?P<h>[01]?\d|2[0-3])\s?(?P<sep>[:hH])\s?(?P<m>[0-5]\d)"
    r"(?:\s?:\s?(?P<s>[0-5]\d))?(?!\d)(?:\s?(?P<ampm>[AP])\.?M\b\.?)?"
)

MIN_YEAR, MAX_YEAR = 1990, 2099
# Locales (language_REGION) that write numeric dates month first.
MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"})


def month_first(locale: str | None) -> bool:
    """Whether ``locale`` ("en_US", "en-us", "fr", None) writes numeric dates month first."""
    if not locale:
        return False
    parts = re.split(r"[-_]", locale.strip(), maxsplit=1)
    return len(parts) == 2 and parts[1][:2].upper() in MONTH_FIRST_REGIONS


@dataclass(slots=True, frozen=True)
class FoundDate:
    value: date
    start: int
    end: int
    textual: bool  # month written as a word: unambiguous
    # Numeric dates only: True when only the day-first reading is a date ("25/03/2018"), False
    # when only the month-first one is ("03/25/2018"), None when both or neither order matter.
    day_first: bool | None = None
    ambiguous: bool = False  # both readings are dates, and different ones ("03/12/2026")


def _fold_upper(text: str) -> str:
    """Upper case without accents, one character for one ("DÉC" -> "DEC"): spans stay valid."""
    return "".join(
        (unicodedata.normalize("NFD", ch)[0] if ch.isalpha() else ch) for ch in text.upper()
    )


def _year(match: re.Match[str]) -> int:
    if match["year"]:
        return int(match["year"])
    return 2000 + int(match["year2"])


def _make_date(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str, *, locale: str | None = None) -> list[FoundDate]:
    """Every date in ``text`` (matched case-insensitively), left to right."""
    upper = _fold_upper(text)
    us = month_first(locale)
    found: list[FoundDate] = []

    def add(
        value: date | None,
        match: re.Match[str],
        textual: bool,
        day_first: bool | None = None,
        ambiguous: bool = False,
    ) -> None:
        if value is None:
            return
        if any(f.start < match.end() and match.start() < f.end for f in found):
            return
        found.append(FoundDate(value, match.start(), match.end(), textual, day_first, ambiguous))

    for match in ISO_RE.finditer(upper):
        add(_make_date(int(match["year"]), int(match["b"]), int(match["a"])), match, False)
    for match in NUMERIC_RE.finditer(upper):
        a, b, year = int(match["a"]), int(match["b"]), _year(match)
        dmy, mdy = _make_date(year, b, a), _make_date(year, a, b)
        value = (mdy or dmy) if us else (dmy or mdy)
        forced = None if (dmy is None) == (mdy is None) else dmy is not None
        add(value, match, False, forced, dmy is not None and mdy is not None and dmy != mdy)
    for pattern in (TEXT_RE, TEXT_US_RE):
        for match in pattern.finditer(upper):
            month = MONTHS.get(match["month"])
            if month is None:
                continue
            year = int(match["year"]) if match["year"] else 2000 + int(match["year2"])
            add(_make_date(year, month, int(match["a"])), match, True)
    return sorted(found, key=lambda f: f.start)


def find_loose_dates(text: str, *, locale: str | None = None) -> list[FoundDate]:
    """Dates whose separators were misread ("05 02-18"); at least one real separator remains."""
    found = []
    for match in LOOSE_NUMERIC_RE.finditer(text):
        if " " not in (match["s1"], match["s2"]) or match["s1"] == match["s2"] == " ":
            continue
        year = int(match["year"]) if len(match["year"]) == 4 else 2000 + int(match["year"])
        a, b = int(match["a"]), int(match["b"])
        value = _make_date(year, a, b) if month_first(locale) else _make_date(year, b, a)
        if value is not None:
            found.append(FoundDate(value, match.start(), match.end(), False))
    return found


def parse_date(text: str, *, locale: str | None = None) -> date | None:
    """The first date in ``text``, or None."""
    found = find_dates(text, locale=locale)
    return found[0].value if found else None


def find_times(text: str) -> list[tuple[time, int, int]]:
    """Every time of day in ``text`` with its span; 12-hour times are converted."""
    found = []
    for match in TIME_RE.finditer(text.upper()):
        hour, minute = int(match["h"]), int(match["m"])
        second = int(match["s"]) if match["s"] else 0
        if match["sep"] in "hH" and match["s"]:
            continue  # "14h32:10" is not a format anyone prints
        if match["ampm"]:
            if hour > 12:
                continue
            hour = hour % 12 + (12 if match["ampm"] == "P" else 0)
        found.append((time(hour, minute, second), match.start(), match.end()))
    return found
