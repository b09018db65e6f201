"""Numbers and dates on the pages as the documents write them (``lib.numbers``): "1 746",
"12,5 %", "+4", "−3", "412 000 kr", "7 december 2026". A no-break space is the one thousands
separator and joins a number to its unit, whatever the locale's formats say.

    {% load swedish %}
    {{ count|tal }}  {{ rate|tal:1 }}  {{ share|procent }}  {{ change|andring }}
    {{ change_percent|procentandring }}  {{ amount|kronor }}  {{ day|datum }}

Every filter shows "–" for a missing value (None or an empty string), so a table cell needs
no ``{% if %}`` of its own. A page in English gets a decimal point instead of the comma (the
only comma these filters write); the rest (no-break spaces, the minus sign) stays.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import translation

from samverkan.lib import numbers

register = template.Library()


def _local(text: str) -> str:
    """The decimal mark of the page's language ("12,5" on a Swedish page, "12.5" on an
    English one)."""
    language = translation.get_language() or "sv"
    return text if language.startswith("sv") else text.replace(",", ".")


def _value(value: Any) -> float | Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", ".").replace(numbers.MINUS, "-"))
    except InvalidOperation:
        return None


def _decimals(arg: Any) -> int | None:
    if arg is None or arg == "":
        return None
    return int(arg)


@register.filter
def tal(value: Any, decimals: Any = None) -> str:
    """ "1 746"; ``tal:1`` always one decimal ("12,0"); ``tal:"-2"`` up to two, trailing
    zeros dropped ("2,5")."""
    v = _value(value)
    if v is None:
        return numbers.MISSING if value in (None, "") else str(value)
    d = _decimals(decimals)
    if d is not None and d < 0:
        return _local(numbers.number(v, -d, trim=True))
    return _local(numbers.number(v, d))


@register.filter
def andring(value: Any, decimals: Any = None) -> str:
    """A change with its sign: "+12", "−3,5", "0"."""
    v = _value(value)
    return numbers.MISSING if v is None else _local(numbers.signed(v, _decimals(decimals)))


@register.filter
def procent(value: Any, decimals: Any = None) -> str:
    """ "19,5 %" (one decimal, none when it is zero)."""
    v = _value(value)
    return numbers.MISSING if v is None else _local(numbers.percent(v, _decimals(decimals)))


@register.filter
def procentandring(value: Any, decimals: Any = None) -> str:
    """A change in per cent: "+4,2 %", "−3 %"."""
    v = _value(value)
    return (
        numbers.MISSING if v is None else _local(numbers.percent(v, _decimals(decimals), sign=True))
    )


@register.filter
def kronor(value: Any) -> str:
    """ "412 000 kr", whole kronor."""
    v = _value(value)
    return numbers.MISSING if v is None else numbers.money(v)


@register.filter
def enhet(value: Any, unit: str = "") -> str:
    """A number and its unit held together: ``{{ target|enhet:goal.unit }}`` → "40 besök"."""
    v = _value(value)
    if v is None:
        return numbers.MISSING
    text = _local(numbers.number(v, 2, trim=True))
    unit = str(unit).strip()
    return f"{text}{numbers.NBSP}{unit}" if unit else text


@register.filter
def per_100000(value: Any) -> str:
    """ "123,4 per 100 000 invånare"."""
    v = _value(value)
    return numbers.MISSING if v is None else _local(numbers.rate(v))


def _local_date(value: Any) -> datetime.date | None:
    """The day of a date, or of a moment in the site's time zone; None for anything else."""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, datetime.date):
        return value
    return None


@register.filter
def datum(value: Any) -> str:
    """ "7 december 2026" (on a page in another language, that language's month name)."""
    if isinstance(value, datetime.date) and not (translation.get_language() or "sv").startswith(
        "sv"
    ):
        from django.utils.formats import date_format

        return date_format(value, "j F Y")
    day = _local_date(value)
    if day is not None:
        return numbers.date(day)
    return numbers.MISSING if value in (None, "") else str(value)


@register.filter
def isodatum(value: Any) -> str:
    """ "2026-12-07"."""
    day = _local_date(value)
    if day is not None:
        return numbers.iso_date(day)
    return numbers.MISSING if value in (None, "") else str(value)


@register.filter
def koordinat(value: Any) -> str:
    """A SWEREF 99 TM coordinate in whole metres, written as the grid writes it: without
    thousands groups ("6580123"), since it is a position, not an amount."""
    v = _value(value)
    if v is None:
        return numbers.MISSING
    text = str(round(v))
    return text.replace("-", numbers.MINUS)
