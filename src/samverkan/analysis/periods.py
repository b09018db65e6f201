"""Periods of statistics rows: which calendar months a row covers, and how to name them."""

from __future__ import annotations

__all__ = ["ALL_MONTHS", "MONTHS_SV", "months_of", "months_label"]

ALL_MONTHS = frozenset(range(1, 13))
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december")  # fmt: skip


def months_of(quarter: int | None, month: int | None) -> frozenset[int]:
    """The calendar months a statistics row covers: one month, a quarter or the whole year."""
    if month:
        if not 1 <= month <= 12:
            raise ValueError(f"month must be 1-12, got {month!r}")
        return frozenset((month,))
    if quarter:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter must be 1-4, got {quarter!r}")
        return frozenset(range(3 * quarter - 2, 3 * quarter + 1))
    return ALL_MONTHS


def months_label(months: frozenset[int] | set[int]) -> str:
    """ "" for the whole year, else "januari–juni" or "januari, mars" in Swedish."""
    if not months or set(months) == ALL_MONTHS:
        return ""
    ordered = sorted(months)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 1:
        return f"{MONTHS_SV[ordered[0] - 1]}–{MONTHS_SV[ordered[-1] - 1]}"
    return ", ".join(MONTHS_SV[m - 1] for m in ordered)
