"""Concentration of offences at places (the "few places, most crime" pattern)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from . import _validate as v

__all__ = [
    "PlaceCount",
    "TopShare",
    "counts_by_place",
    "top_share",
    "places_for_share",
]


@dataclass(frozen=True)
class PlaceCount:
    place: Hashable
    count: int


@dataclass(frozen=True)
class TopShare:
    """Share of all offences found at the ``n`` places with most offences."""

    n: int
    top_count: int
    total: int
    share: float | None
    places: tuple[PlaceCount, ...]


def counts_by_place(places: Iterable[Hashable]) -> tuple[PlaceCount, ...]:
    """Count offences per place, largest first.

    Method: frequency table sorted in descending order, the basis of crime
    concentration analysis (Weisburd, D. (2015). "The law of crime
    concentration and the criminology of place". *Criminology*
    53(2):133-157). Ties are ordered by the place's text form so the output
    is stable between runs. ``None`` entries (offences without a place) are
    skipped.
    """
    tally = Counter(p for p in places if p is not None)
    ordered = sorted(tally.items(), key=lambda item: (-item[1], str(item[0])))
    return tuple(PlaceCount(place, count) for place, count in ordered)


def _as_sorted(counts: Mapping[Hashable, int] | Iterable[PlaceCount]) -> tuple[PlaceCount, ...]:
    if isinstance(counts, Mapping):
        items = [PlaceCount(k, int(v.count(f"count for {k!r}", c))) for k, c in counts.items()]
    else:
        items = [
            PlaceCount(p.place, int(v.count(f"count for {p.place!r}", p.count))) for p in counts
        ]
    return tuple(sorted(items, key=lambda p: (-p.count, str(p.place))))


def top_share(counts: Mapping[Hashable, int] | Iterable[PlaceCount], n: int) -> TopShare:
    """Share of all offences that occurred at the ``n`` busiest places.

    Method: cumulative share of the top-ranked places (Weisburd 2015, see
    :func:`counts_by_place`). ``counts`` is a mapping place -> count or the
    output of :func:`counts_by_place`. Places with zero offences should be
    included when the share of *places* matters to the reader. ``share`` is
    None when there are no offences at all.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    ordered = _as_sorted(counts)
    top = ordered[:n]
    total = sum(p.count for p in ordered)
    top_count = sum(p.count for p in top)
    share = None if total == 0 else top_count / total
    return TopShare(n=n, top_count=top_count, total=total, share=share, places=top)


def places_for_share(
    counts: Mapping[Hashable, int] | Iterable[PlaceCount], share: float = 0.5
) -> int:
    """Smallest number of places that together hold at least ``share`` of offences.

    Method: the inverse reading of the concentration curve used by Weisburd
    (2015), e.g. "how many places account for half of all offences".
    Returns 0 when there are no offences.
    """
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    ordered = _as_sorted(counts)
    total = sum(p.count for p in ordered)
    if total == 0:
        return 0
    running = 0
    for index, place in enumerate(ordered, start=1):
        running += place.count
        # A tiny slack keeps e.g. 0.5 * 10 == 5 from failing on rounding.
        if running >= share * total - 1e-9:
            return index
    return len(ordered)
