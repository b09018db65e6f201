"""Shared input checks for the analysis package.

Every public function validates its own arguments through these helpers so
that the error messages read the same everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Pair = tuple[float, float]


def count(name: str, value: float) -> float:
    """Return ``value`` as a float after checking it is a finite count >= 0."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if number < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return number


def positive(name: str, value: float) -> float:
    """Return ``value`` as a float after checking it is finite and > 0."""
    number = count(name, value)
    if number == 0:
        raise ValueError(f"{name} must be greater than zero")
    return number


def pair(name: str, value: Sequence[float]) -> Pair:
    """Check a (before, after) pair of counts and return it as floats."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ValueError(f"{name} must be a (before, after) pair, got {value!r}")
    if len(value) != 2:
        raise ValueError(f"{name} must have exactly two values (before, after), got {len(value)}")
    return (count(f"{name} before", value[0]), count(f"{name} after", value[1]))


def positive_pair(name: str, value: Sequence[float]) -> Pair:
    """Check a pair of strictly positive weights."""
    before, after = pair(name, value)
    if before == 0 or after == 0:
        raise ValueError(f"{name} must both be greater than zero")
    return (before, after)


def alpha(value: float) -> float:
    """Check a significance level strictly between 0 and 1."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a number, got {value!r}") from None
    if not 0 < number < 1:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive), got {value!r}")
    return number
