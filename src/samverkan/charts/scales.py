"""Value axes: where the ticks go and how they read.

Ticks sit at round values chosen for the data (…, 1 500, 2 000, 2 500 or 200, 500, 1 000,
2 000 on a logarithmic axis), never at the data's own odd values, and are written as the
tables write numbers (lib/numbers.py: "2 000" with a no-break space, "0,5" with a comma).
Every scale covers all the data it was made for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from samverkan.lib import numbers

# A chart's lines share one linear axis unless the largest line's peak is this many times
# the smallest's: then the small ones would lie flat along the bottom (less than a fifth of
# the height), and the chart turns to a logarithmic axis or to one panel per line.
DWARF_RATIO = 5.0
# Beyond three powers of ten a logarithmic axis is hard to read (1, 10, 100, 1 000, …) and the
# smallest line still hugs the bottom: one panel per line instead.
LOG_RATIO = 1000.0

LINEAR, LOG, PANELS = "linear", "log", "panels"


@dataclass(frozen=True)
class Scale:
    """A value axis from ``low`` to ``high`` with its ticks."""

    low: float
    high: float
    ticks: tuple[float, ...]
    log: bool = False
    decimals: int = 0

    def fraction(self, value: float) -> float:
        """Where ``value`` lies on the axis: 0 at ``low``, 1 at ``high``."""
        if self.log:
            return (math.log10(value) - math.log10(self.low)) / (
                math.log10(self.high) - math.log10(self.low)
            )
        return (value - self.low) / (self.high - self.low)

    def label(self, value: float, unit: str = "") -> str:
        """A tick's text, as the tables write the number."""
        return numbers.with_unit(value, unit, self.decimals)

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


def _steps(integer: bool) -> list[float]:
    """Candidate tick steps, smallest first: 1, 2, 2.5 (from 25 up) and 5 times a power of ten."""
    steps = []
    for exponent in range(-6, 16):
        for mantissa in (1.0, 2.0, 2.5, 5.0):
            step = mantissa * 10.0**exponent
            if mantissa == 2.5 and exponent < 1:
                continue  # 0,25 or 2,5 as a step gives axes of odd decimals
            if integer and step < 1:
                continue
            steps.append(step)
    return steps


def _decimals(step: float) -> int:
    for decimals in range(0, 7):
        if abs(round(step, decimals) - step) < step * 1e-9:
            return decimals
    return 6


def linear(
    values: Sequence[float], *, integer: bool = False, zero: bool = True, most: int = 5
) -> Scale:
    """A linear axis over ``values`` (and zero, unless ``zero`` is false) with at most
    ``most`` intervals between round ticks. ``integer`` data (counts) get whole ticks."""
    low = min(values, default=0.0)
    high = max(values, default=0.0)
    if zero:
        low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        # One value: an axis around it (from zero for a count), never of zero height.
        high = low + (abs(low) or 1.0)
    most = max(most, 1)
    for step in _steps(integer):
        # Rounding may leave a value a hair outside: the ticks always take in every value.
        first = math.floor(low / step + 1e-9)
        if _clean(first * step) > low:
            first -= 1
        last = max(math.ceil(high / step - 1e-9), first + 1)
        if _clean(last * step) < high:
            last += 1
        if last - first <= most:
            break
    ticks = tuple(_clean(k * step) for k in range(first, last + 1))
    return Scale(ticks[0], ticks[-1], ticks, decimals=_decimals(step))


def _clean(value: float) -> float:
    """A tick as the round number it is meant to be (0.30000000000000004 is 0.3)."""
    return float(f"{value:.10g}")


def logarithmic(values: Sequence[float], most: int = 7) -> Scale:
    """A logarithmic axis over positive ``values``: ticks at 1, 2 and 5 times a power of ten
    (or only the powers over a wide range, or more steps over a narrow one), the ends a
    little beyond the data so no point sits on the frame."""
    positive = [v for v in values if v > 0]
    if not positive:
        raise ValueError("a logarithmic axis needs positive values")
    low, high = min(positive) / 1.25, max(positive) * 1.25
    for mantissas in ((1.0,), (1.0, 2.0, 5.0), (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)):
        ticks = [
            _clean(m * 10.0**e)
            for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
            for m in mantissas
            if low <= m * 10.0**e <= high
        ]
        if len(ticks) >= 3:
            break
    if len(ticks) > most:
        ticks = ticks[:: math.ceil(len(ticks) / most)]
    if len(ticks) < 2:
        # A very narrow range: the ends themselves, rounded outwards to two figures.
        ticks = [_round_to(low, up=False), _round_to(high, up=True)]
        low, high = min(low, ticks[0]), max(high, ticks[-1])
    decimals = max((_decimals(t) for t in ticks), default=0)
    return Scale(low, high, tuple(ticks), log=True, decimals=min(decimals, 3))


def _round_to(value: float, *, up: bool) -> float:
    """``value`` rounded down (or up) to two significant figures."""
    power = 10.0 ** (math.floor(math.log10(value)) - 1)
    return _clean((math.ceil if up else math.floor)(value / power) * power)


def choose(series: Sequence[Sequence[float | None]]) -> str:
    """How lines are best drawn: on one linear axis; on a logarithmic one when one line
    dwarfs another (the largest peak ``DWARF_RATIO`` times the smallest, but less than
    ``LOG_RATIO`` times) and every value is positive; else (zeros or negatives, where a
    logarithm has no place, or a range too wide for one) one panel per line, each with its
    own axis."""
    known = [[v for v in values if v is not None] for values in series]
    peaks = [max(abs(v) for v in values) for values in known if values]
    if len(peaks) < 2:
        return LINEAR
    top, small = max(peaks), min(peaks)
    if small > 0 and top < DWARF_RATIO * small:
        return LINEAR
    every = [v for values in known for v in values]
    if min(every) > 0 and max(every) < LOG_RATIO * min(every):
        return LOG
    return PANELS
