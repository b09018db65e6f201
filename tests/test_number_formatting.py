"""One Swedish formatter (issue 22): numbers, percentages, rates, changes, intervals and dates are
written by ``lib.numbers`` (and the template filters over it, ``{% load swedish %}``), with a
no-break space inside numbers and before units, a decimal comma and a true minus sign; nothing
else in ``src`` formats a number by hand."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from samverkan.lib import numbers

SRC = Path(__file__).resolve().parent.parent / "src" / "samverkan"
NBSP, MINUS = "\u00a0", "\u2212"

values = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=3),
)
places = st.one_of(st.none(), st.integers(min_value=0, max_value=4))


def _exact(value) -> Decimal:
    return (
        value
        if isinstance(value, Decimal)
        else Decimal(repr(value) if isinstance(value, float) else value)
    )


def _read(text: str, unit: str = "") -> Decimal:
    """What a reader takes from the text: the number, with its sign."""
    if unit:
        assert text.endswith(NBSP + unit), text
        text = text[: -len(NBSP + unit)]
    assert re.fullmatch(r"[+\u2212]?\d{1,3}(\u00a0\d{3})*(,\d+)?", text), text
    return Decimal(text.replace(NBSP, "").replace(",", ".").replace(MINUS, "-").lstrip("+"))


def _never_broken(text: str) -> None:
    """No ordinary space after a digit: a line can break neither inside a number nor between a
    number and what follows it (its unit, "per 100 000 invånare", "till")."""
    assert not re.search(r"\d ", text), repr(text)
    assert " " not in text.split("till")[0], repr(text)


@given(values, places)
@example(15000.5, 0)
@example(-0.04, 1)
@example(Decimal("2.50"), None)
def test_a_number_reads_back_as_the_value_rounded_half_up(value, decimals):
    text = numbers.number(value, decimals)
    _never_broken(text)
    exact = _exact(value)
    shown = decimals if decimals is not None else (0 if exact == exact.to_integral_value() else 1)
    expected = exact.quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)
    assert _read(text) == expected
    assert text.startswith(MINUS) == (expected < 0)
    assert "-" not in text and "." not in text
    assert len(text.partition(",")[2]) == shown


@given(values, places)
def test_units_percentages_changes_and_money_stay_with_their_number(value, decimals):
    for text, unit in (
        (numbers.with_unit(value, "kr", decimals), "kr"),
        (numbers.percent(value, decimals), "%"),
        (numbers.percent(value, decimals, sign=True), "%"),
        (numbers.money(value), "kr"),
        (numbers.or_missing(value, decimals, "st"), "st"),
    ):
        _never_broken(text)
        assert abs(_read(text, unit) - _exact(value)) <= Decimal("0.5")
    change = numbers.signed(value, decimals)
    _never_broken(change)
    read = _read(change)
    assert change.startswith("+") == (read > 0) and change.startswith(MINUS) == (read < 0)
    assert (read > 0) <= (_exact(value) > 0) and (read < 0) <= (_exact(value) < 0)
    signed_percent = numbers.percent(value, decimals, sign=True)
    assert signed_percent[0] == ("+" if _exact(value) >= 0 else MINUS)


@given(values, values, st.sampled_from(["", "%", "kr"]))
def test_intervals_and_rates_never_break(low, high, unit):
    text = numbers.interval(low, high, 1, unit)
    _never_broken(text)
    assert ("till" in text) == (MINUS in text)
    rate = numbers.rate(abs(_exact(low)))
    _never_broken(rate)
    assert rate.endswith(f"{NBSP}per{NBSP}100{NBSP}000{NBSP}invånare")


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31)))
def test_dates_read_as_swedish_text_and_iso(day):
    assert datetime.date.fromisoformat(numbers.iso_date(day)) == day
    text = numbers.date(day)
    number, month_year = text.split(NBSP)
    month, year = month_year.split(" ")
    assert (int(number), int(year)) == (day.day, day.year)
    assert numbers._MONTHS.index(month) + 1 == day.month
    assert numbers.date_range(day, day).endswith(text)


def test_dates_and_intervals_as_written():
    assert numbers.date(datetime.date(2026, 12, 7)) == f"7{NBSP}december 2026"
    assert numbers.iso_date(datetime.date(2026, 1, 5)) == "2026-01-05"
    assert numbers.date_range(datetime.date(2026, 11, 30), datetime.date(2026, 12, 6)) == (
        f"30{NBSP}november – 6{NBSP}december 2026"
    )
    assert numbers.interval(1.2, 3.4) == "1,2–3,4"
    assert numbers.interval(-3, 5) == f"{MINUS}3{NBSP}till 5"
    assert numbers.rate(1234.56) == f"1{NBSP}234,6{NBSP}per{NBSP}100{NBSP}000{NBSP}invånare"
    assert numbers.signed(0.04, 1) == "0" + ",0" and numbers.signed(-3) == f"{MINUS}3"
    assert numbers.number(2.5, 2, trim=True) == "2,5" and numbers.number(3, 2, trim=True) == "3"


def _render(source: str, language: str = "sv", **context) -> str:
    with translation.override(language):
        return Template("{% load swedish %}" + source).render(Context(context))


@pytest.mark.parametrize(
    "source,value,sv,en",
    [
        ("{{ v|tal }}", 1746, f"1{NBSP}746", f"1{NBSP}746"),
        ("{{ v|tal:1 }}", 12.25, "12,3", "12.3"),
        ('{{ v|tal:"-2" }}', Decimal("40.50"), "40,5", "40.5"),
        ("{{ v|tal }}", None, "–", "–"),
        ("{{ v|andring:1 }}", -3.44, f"{MINUS}3,4", f"{MINUS}3.4"),
        ("{{ v|andring }}", 12, "+12", "+12"),
        ("{{ v|procent:1 }}", 19.5, f"19,5{NBSP}%", f"19.5{NBSP}%"),
        ("{{ v|procentandring:1 }}", 4.2, f"+4,2{NBSP}%", f"+4.2{NBSP}%"),
        ("{{ v|kronor }}", Decimal("412000.40"), f"412{NBSP}000{NBSP}kr", f"412{NBSP}000{NBSP}kr"),
        ("{{ v|enhet:'besök, per år' }}", 40, f"40{NBSP}besök, per år", f"40{NBSP}besök, per år"),
        ("{{ v|per_100000 }}", 98.76, f"98,8{NBSP}per{NBSP}100{NBSP}000{NBSP}invånare", None),
        ("{{ v|koordinat }}", 6580123.4, "6580123", "6580123"),
        ("{{ v|isodatum }}", datetime.date(2026, 12, 7), "2026-12-07", "2026-12-07"),
        ("{{ v|datum }}", datetime.date(2026, 12, 7), f"7{NBSP}december 2026", "7 December 2026"),
    ],
)
def test_template_filters_write_what_lib_numbers_writes(source, value, sv, en):
    assert _render(source, v=value) == sv
    if en is not None:
        assert _render(source, "en", v=value) == en


# ---- the guard: no hand-made number formatting comes back ------------------------------------

# Patterns that format a number by hand, and where each may still appear (with the reason).
PATTERNS = {
    "thousands by hand": re.compile(r"""\.replace\(\s*",",\s*(" "|"\\u00a0"|NBSP)\s*\)"""),
    "decimal comma by hand": re.compile(r"""\.replace\(\s*"\.",\s*","\s*\)"""),
    "grouping format spec": re.compile(r"""\{[^{}]*:[+\- ]?,(\.\d+)?[dfg]?\}"""),
    "decimal point in text": re.compile(r"""\{[^{}]*:[+\- ]?\.[1-9]f\}"""),
    "Django's number filters": re.compile(r"\|\s*(floatformat|intcomma|intword|localize)\b"),
}
ALLOWED: dict[tuple[str, str], tuple[int, str]] = {
    ("lib/numbers.py", "thousands by hand"): (1, "the formatter itself"),
    ("lib/numbers.py", "decimal comma by hand"): (1, "the formatter itself"),
    ("lib/numbers.py", "grouping format spec"): (1, "the formatter itself"),
    # Coordinates inside SVG and positions in degrees: machine syntax, not numbers for reading.
    ("charts/canvas.py", "decimal point in text"): (2, "SVG coordinates and opacity"),
    ("charts/raster.py", "thousands by hand"): (1, "reads SVG point lists (commas as spaces)"),
    ("learning/evidence.py", "decimal point in text"): (1, "SVG coordinates (_fmt)"),
    ("fieldwork/models.py", "decimal point in text"): (2, "latitude, longitude in degrees"),
}


def _hand_formatting() -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted([*SRC.rglob("*.py"), *SRC.rglob("*.html")]):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(SRC).as_posix()
        for label, pattern in PATTERNS.items():
            if n := len(pattern.findall(text)):
                found[(name, label)] += n
    return found


def test_the_guard_recognises_hand_formatting():
    samples = {
        "thousands by hand": 'f"{n:,}".replace(",", " ")',
        "decimal comma by hand": 'f"{x:.1f}".replace(".", ",")',
        "grouping format spec": 'f"{MAX_ROWS:,} rader"',
        "decimal point in text": 'f"{share:.1f} %"',
        "Django's number filters": "{{ x|floatformat:1 }}",
    }
    for label, sample in samples.items():
        assert PATTERNS[label].search(sample), label
    assert not PATTERNS["decimal point in text"].search('f"{x:.0f}"')  # whole numbers: no mark


def test_no_number_is_formatted_by_hand_outside_lib_numbers():
    over = {key: n for key, n in _hand_formatting().items() if n > ALLOWED.get(key, (0, ""))[0]}
    assert not over, (
        f"Format numbers with samverkan.lib.numbers (or {{% load swedish %}} in templates), not "
        f"by hand: {over}"
    )
