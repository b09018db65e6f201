"""Numbers as Swedish documents write them, in one place.

"1 746", "12,5", "−3", "412 000 kr", "19,5 %": a decimal comma, a true minus sign, and a
no-break space (U+00A0) both between groups of thousands and between a number and its unit,
so that a number never breaks from its unit or from its own digits at the end of a line.
Documents, their tables, charts (axes and labels) and alternative texts all use these.
"""

from __future__ import annotations

import re
from decimal import Decimal

NBSP = "\u00a0"
MINUS = "\u2212"

Number = int | float | Decimal


def number(value: Number, decimals: int | None = None) -> str:
    """ "1 746", "12,5" (at most one decimal unless ``decimals`` says), "−3"."""
    value = float(value)
    if decimals is None:
        decimals = 0 if value.is_integer() else 1
    text = f"{abs(value):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    negative = value < 0 and text.strip("0,\u00a0") != ""
    return f"{MINUS if negative else ''}{text}"


def with_unit(value: Number, unit: str, decimals: int | None = None) -> str:
    """ "412 000 kr", "19,5 %"; the unit is joined with a no-break space."""
    text = number(value, decimals)
    return f"{text}{NBSP}{unit}" if unit else text


def percent(value: Number, decimals: int | None = None, sign: bool = False) -> str:
    """ "19,5 %" (one decimal, none when it is zero: "20 %"); with ``sign`` a change:
    "+4,2 %", "−3 %"."""
    shown = abs(float(value)) if sign else float(value)
    if decimals is None:
        shown = round(shown, 1)
    text = with_unit(shown, "%", decimals)
    if sign:
        text = ("+" if float(value) >= 0 else MINUS) + text
    return text


def money(value: Number) -> str:
    """ "412 000 kr", whole kronor."""
    return with_unit(int(value), "kr", 0)


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
