"""Amounts and rates as printed on documents, locale aware. Money is always ``Decimal``.

Two tools:

- :func:`parse_amount` reads ONE amount written on its own (a form field, an invoice cell, a
  key file): ``1 234,56 €``, ``1.234,56``, ``1,234.56``, ``-12,50``, ``(0.02)``, ``RM 9.00``.
  When both ``.`` and ``,`` appear the last one is the decimal mark; a lone separator followed
  by exactly three digits (``1,234``) is a thousands separator unless the locale writes
  decimals with it (``fr``: ``1,234`` is 1.234).
- :func:`find_amounts` finds every amount inside a line of text. It only takes numbers with
  exactly two decimals, since receipts and invoices print money that way: three-decimal numbers are
  weights or unit prices (``2.570`` litres), integers are quantities, codes or phone numbers, and
  lookarounds keep dates (``25.12.18``), percentages (``6.00%``) and longer numbers out. Signs:
  a minus before or after (``1,20-``, ``-RM0.02``) or brackets (``(0.02)``) make it negative.
  Thousands may be grouped with ``,`` or ``.`` (``1,007.50``, ``1.007,50``), a no-break space
  always, and a plain space (``1 234,56``) when the locale groups digits that way (fr, de...):
  without a locale, "2 12,50" on a till is a quantity then a price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Languages that write decimals with a comma and may group thousands with a space or a dot.
DECIMAL_COMMA_LANGUAGES = frozenset(
    {"fr", "de", "es", "it", "nl", "pt", "da", "fi", "sv", "nb", "no", "pl", "cs", "ru", "tr"}
)
_NBSP = "\u00a0\u202f"  # no-break space, narrow no-break space (French typography)


def decimal_comma(locale: str | None) -> bool | None:
    """Whether ``locale`` ("fr", "fr_FR", "en-GB") writes decimals with a comma; None if unknown."""
    if not locale:
        return None
    language = re.split(r"[-_]", locale.strip().lower(), maxsplit=1)[0]
    return language in DECIMAL_COMMA_LANGUAGES


def _amount_re(space_groups: bool) -> re.Pattern[str]:
    spaces = f"[ {_NBSP}]" if space_groups else f"[{_NBSP}]"
    return re.compile(
        r"(?<![\d.,/])"
        r"(?:(?<![\w-])(?P<lead>-|\()\s?(?:RM|\$|€|£)?\s?)?"
        rf"(?P<int>\d{{1,3}}(?:,\d{{3}})+(?=\.)|\d{{1,3}}(?:\.\d{{3}})+(?=,)"
        rf"|\d{{1,3}}(?:{spaces}\d{{3}})+(?=[.,]\d\d(?!\d))|\d+)"
        r"\s?(?P<sep>[.,])(?P<dec>\d{2})"
        r"(?![\d%]|[.,]\d|\s%|\s?/\d)"
        r"(?P<trail>-(?!\d)|\))?"
    )


AMOUNT_RE = _amount_re(space_groups=False)
SPACED_AMOUNT_RE = _amount_re(space_groups=True)
RATE_RE = re.compile(r"(?<![\d.,])(?P<rate>\d{1,2}(?:[.,]\d{1,2})?)\s?%")


@dataclass(slots=True, frozen=True)
class Amount:
    """An amount found in a text, with its character span."""

    value: Decimal
    start: int
    end: int


def find_amounts(text: str, *, locale: str | None = None) -> list[Amount]:
    """Every two-decimal amount in ``text``, left to right."""
    pattern = SPACED_AMOUNT_RE if decimal_comma(locale) else AMOUNT_RE
    found = []
    for match in pattern.finditer(text):
        digits = re.sub(rf"[.,\s{_NBSP}]", "", match["int"])
        value = Decimal(f"{digits}.{match['dec']}")
        lead, trail = match["lead"], match["trail"]
        bracketed = lead == "(" and trail == ")"
        if bracketed or lead == "-" or trail == "-":  # a lone bracket is text, not a sign
            value = -value
        found.append(Amount(value=value, start=match.start(), end=match.end()))
    return found


def last_amount(text: str, *, locale: str | None = None) -> Decimal | None:
    """The last amount of ``text`` (amounts sit at the right end of receipt and invoice rows)."""
    amounts = find_amounts(text, locale=locale)
    return amounts[-1].value if amounts else None


_NUMBER_RE = re.compile(rf"\d(?:[\d.,' {_NBSP}]*\d)?")
_CURRENCY_MARKS_RE = re.compile(rf"[A-Za-z€£$¥\s{_NBSP}]")


def parse_amount(text: str | None, *, locale: str | None = None) -> Decimal | None:
    """One amount written on its own, currency marks ignored; None when it is not one number.

    Negative when a minus is printed before or after it, or when it is in brackets.
    """
    if not text:
        return None
    numbers = _NUMBER_RE.findall(text)
    if len(numbers) != 1:
        return None
    number = numbers[0].strip(" '" + _NBSP)
    rest = _CURRENCY_MARKS_RE.sub("", text.replace(number, "#", 1)).replace("\u2212", "-")
    if rest not in ("#", "-#", "#-", "(#)"):
        return None  # "12%", "12.50/kg", "1-2": not an amount
    value = _parse_number(number, comma_decimals=decimal_comma(locale))
    if value is None:
        return None
    return -value if rest != "#" else value


def _parse_number(number: str, *, comma_decimals: bool | None) -> Decimal | None:
    marks = [ch for ch in number if ch in ".,"]
    decimal_mark: str | None = None
    if "." in marks and "," in marks:
        decimal_mark = marks[-1]
    elif len(marks) == 1:
        mark = marks[0]
        after = len(number) - number.rindex(mark) - 1
        if after != 3:
            decimal_mark = mark
        elif comma_decimals is not None and (mark == ",") == comma_decimals:
            decimal_mark = mark  # "1,234" in French, "1.234" in English: three decimals
    if decimal_mark is not None:
        whole, _, fraction = number.rpartition(decimal_mark)
    else:
        whole, fraction = number, ""
    if decimal_mark is not None and marks.count(decimal_mark) > 1:
        return None  # "1.234.56": no reading has two decimal marks
    groups = re.split(rf"[.,' {_NBSP}]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None  # separators that do not group thousands: two numbers, not one
    try:
        return Decimal("".join(groups) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return None


def find_rates(text: str) -> list[Decimal]:
    """Percent rates (``6%``, ``5,5 %``, ``20.00%``) in ``text``."""
    return [Decimal(m["rate"].replace(",", ".")) for m in RATE_RE.finditer(text)]
