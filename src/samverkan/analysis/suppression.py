"""Suppression of small counts before figures are shown or exported.

Only primary suppression is done. A table that also shows row or column
totals can give a suppressed cell away: if exactly one cell in a row is
hidden, total minus the visible cells recovers it. Either hide the totals,
round them, or make sure at least two cells per row/column are suppressed
(secondary suppression); this module does not do that for you.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from . import _validate as v

__all__ = [
    "DEFAULT_THRESHOLD",
    "MARKER",
    "is_suppressed",
    "suppress",
    "suppress_table",
    "suppress_rows",
]

DEFAULT_THRESHOLD = 5
# Swedish official statistics print ".." for figures withheld or too uncertain.
MARKER = ".."

M = TypeVar("M")
K = TypeVar("K", bound=Hashable)


def is_suppressed(
    value: float, threshold: int = DEFAULT_THRESHOLD, suppress_zero: bool = False
) -> bool:
    """True when ``value`` is a small count that must not be shown.

    A count is small when ``0 < value < threshold``; zero is shown unless
    ``suppress_zero`` is set, because "no reported offences" rarely points to
    a person while "one offence" can.
    """
    count = v.count("value", value)
    if isinstance(threshold, bool) or threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold!r}")
    if count == 0:
        return suppress_zero
    return count < threshold


def suppress(
    value: float,
    threshold: int = DEFAULT_THRESHOLD,
    marker: M = MARKER,  # type: ignore[assignment]
    suppress_zero: bool = False,
) -> float | M:
    """Return ``value``, or ``marker`` when it is below ``threshold``.

    Method: primary suppression by a threshold rule for frequency tables
    (Hundepool, A. et al. (2012). *Statistical Disclosure Control*. Wiley,
    chapter on frequency tables). Default threshold 5: counts 1-4 are
    hidden. See the module docstring for why totals can undo suppression.
    """
    return marker if is_suppressed(value, threshold, suppress_zero) else value


def suppress_table(
    table: Mapping[K, float],
    threshold: int = DEFAULT_THRESHOLD,
    marker: M = MARKER,  # type: ignore[assignment]
    suppress_zero: bool = False,
) -> dict[K, float | M]:
    """Apply :func:`suppress` to every value of a mapping (e.g. area -> count).

    A total of the original values shown next to the result lets a reader
    recompute a single suppressed cell; see the module docstring.
    """
    return {key: suppress(val, threshold, marker, suppress_zero) for key, val in table.items()}


def suppress_rows(
    rows: Sequence[Sequence[float]],
    threshold: int = DEFAULT_THRESHOLD,
    marker: M = MARKER,  # type: ignore[assignment]
    suppress_zero: bool = False,
) -> list[list[float | M]]:
    """Apply :func:`suppress` cell by cell to a two-dimensional table.

    Row or column totals computed from the unsuppressed values will reveal a
    lone suppressed cell in that row or column (module docstring).
    """
    return [[suppress(cell, threshold, marker, suppress_zero) for cell in row] for row in rows]
