"""Suppression of small counts before figures are shown or exported.

Only primary suppression is done. A table that also shows row or column
totals can give a suppressed cell away: if exactly one cell in a row is
hidden, total minus the visible cells recovers it. Either hide the totals,
round them, or make sure at least two cells per row/column are suppressed
(secondary suppression); this module does not do that for you.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from . import _validate as v

__all__ = [
    "DEFAULT_THRESHOLD",
    "MARKER",
    "disclosive",
    "is_suppressed",
    "shown",
    "suppress",
    "suppress_table",
    "suppress_rows",
]

DEFAULT_THRESHOLD = 5
# Swedish official statistics print ".." for figures withheld or too uncertain.
MARKER = ".."

M = TypeVar("M")  # the marker's type
# mypy cannot check a default value against a type variable: the ``marker: M = MARKER``
# parameters below carry an assignment ignore (M is str when the default is used).
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


def disclosive(*counts: float | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when any of ``counts`` is small, so nothing computed from them may be shown.

    A change in per cent, a ratio, a difference, a model estimate or a rate printed with its
    population can each be turned back into the counts they came from: 600 "+29 900 %" from
    "fewer than 5" gives 2; "before 4, after 1" needs no arithmetic at all. So the rule for a
    public figure is: show it only when every count it is computed from could be shown. Zero
    and missing counts (None) disclose nobody.
    """
    return any(c is not None and is_suppressed(c, threshold) for c in counts)


def shown(
    value: float,
    threshold: int = DEFAULT_THRESHOLD,
    fmt: Callable[[float], str] = str,
    small: str = "färre än {threshold}",
) -> str:
    """``value`` formatted with ``fmt``, or a words-only stand-in when it is a small count."""
    if is_suppressed(value, threshold):
        return small.format(threshold=threshold)
    return fmt(value)
