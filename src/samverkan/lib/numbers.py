"""Numbers as Swedish documents write them, in one place.

"1 746", "12,5", "−3", "412 000 kr", "19,5 %": a decimal comma, a true minus sign, and a
no-break space (U+00A0) both between groups of thousands and between a number and its unit,
so that a number never breaks from its unit or from its own digits at the end of a line.
Documents, their tables, charts (axes and labels) and alternative texts all use these, and
so do the pages (template filters in ``partnerships/templatetags/swedish.py``), e-mails and
messages. Dates as Swedish text writes them: "7 december 2026" (and ISO "2026-12-07").

Pure Python (no Django), so ``analysis`` may use it too. Nothing else in ``src`` formats a
number by hand; ``tests/test_swedish_numbers.py`` keeps it that way.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"

EN_DASH = "\u2013"
MISSING = EN_DASH  # what a table shows where there is no value

Number = int | float | Decimal


def number(value: Number, decimals: int | None = None, trim: bool = False) -> str:
    """ "1 746", "12,5" (at most one decimal unless ``decimals`` says), "−3". Rounded half up,
    as tables and statistics round (12,25 → "12,3"; 15 000,5 kr → "15 001"). With ``trim``
    trailing zero decimals are dropped ("2,50" → "2,5", "3,00" → "3")."""
    exact = _decimal(value)
    if not exact.is_finite():
        return str(value)
    if decimals is None:
        decimals = 0 if exact == exact.to_integral_value() else 1
    rounded = abs(exact).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if trim and "," in text:
        text = text.rstrip("0").removesuffix(",")
    negative = exact < 0 and text.strip("0,\u00a0") != ""
    return f"{MINUS if negative else ''}{text}"


def _decimal(value: Number) -> Decimal:
    """The value as a Decimal: a float by its shortest representation (0.1 → 0.1, not
    0.1000000000000000055…), so that rounding half up works on the number as written."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def signed(value: Number, decimals: int | None = None) -> str:
    """A change: "+12", "−3,5", "0" (no sign on what rounds to zero)."""
    text = number(value, decimals)
    if float(value) > 0 and text.strip("0,\u00a0") != "":
        return "+" + text
    return text


def with_unit(value: Number, unit: str, decimals: int | None = None) -> str:
    """ "412 000 kr", "19,5 %"; the unit is joined with a no-break space."""
    text = number(value, decimals)
    return f"{text}{NBSP}{unit}" if unit else text


def percent(value: Number, decimals: int | None = None, sign: bool = False) -> str:
    """ "19,5 %" (one decimal, none when it is zero: "20 %"); with ``sign`` a change:
    "+4,2 %", "−3 %"."""
    shown: Number = abs(_decimal(value)) if sign else value
    text = number(shown, 1 if decimals is None else decimals)
    if decimals is None:
        text = text.removesuffix(",0")
    text = f"{text}{NBSP}%"
    if sign:
        text = ("+" if float(value) >= 0 else MINUS) + text
    return text


def money(value: Number) -> str:
    """ "412 000 kr", whole kronor (rounded half up, as the tables round)."""
    return with_unit(value, "kr", 0)


def rate(value: Number, per: int = 100_000, decimals: int = 1, of: str = "invånare") -> str:
    """A rate: "123,4 per 100 000 invånare" (the number kept with "per" and with its base)."""
    return f"{number(value, decimals)}{NBSP}per{NBSP}{number(per)}{NBSP}{of}".rstrip(NBSP)


def interval(low: Number, high: Number, decimals: int | None = None, unit: str = "") -> str:
    """A range: "1,2–3,4" (en dash, no spaces), "12–15 %"; "−3 till 5" when a minus sign
    would stand next to the dash."""
    a, b = number(low, decimals), number(high, decimals)
    text = f"{a}{NBSP}till {b}" if MINUS in a + b else f"{a}{EN_DASH}{b}"
    return f"{text}{NBSP}{unit}" if unit else text


def or_missing(value: Number | None, decimals: int | None = None, unit: str = "") -> str:
    """``with_unit`` for a value, "–" for None (a table's empty cell)."""
    return MISSING if value is None else with_unit(value, unit, decimals)


_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


def date(value: datetime.date) -> str:
    """ "7 december 2026" (the day kept with its month)."""
    return f"{value.day}{NBSP}{_MONTHS[value.month - 1]} {value.year}"


def day_month(value: datetime.date) -> str:
    """ "7 december"."""
    return f"{value.day}{NBSP}{_MONTHS[value.month - 1]}"


def iso_date(value: datetime.date) -> str:
    """ "2026-12-07"."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def date_range(first: datetime.date, last: datetime.date) -> str:
    """ "30 november – 6 december 2026"; "28 december 2026 – 3 januari 2027" across a year."""
    if first.year == last.year:
        return f"{day_month(first)} {EN_DASH} {date(last)}"
    return f"{date(first)} {EN_DASH} {date(last)}"


# Units and counted words that follow a number in the documents' running text.
_UNITS = (
    "%|‰|kr|kronor|tkr|mnkr|st|år|mån|dagar|dag|veckor|vecka|timmar|tim|min|procent|"
    "procentenheter|personer|invånare|brott|händelser|anmälningar|svarande|km|m"
)
_BEFORE_UNIT = re.compile(rf"(?<=\d) (?=(?:{_UNITS})(?![\wåäöÅÄÖ]))")
_THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")


def keep_together(text: str) -> str:
    """Running text with no-break spaces where a line must not break: inside "1 746" and
    between a number and its unit ("412 000 kr", "19,5 %")."""
    text = _THOUSANDS.sub(NBSP, text)
    return _BEFORE_UNIT.sub(NBSP, text)
