"""Polisen's events as their own source on the step-2 pages ("Polisens händelser").

Kept apart from the reported-crime figures (``stats``): a selection of published notices is
not crime statistics, so these numbers are never added to any count, trend or hot spot.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min

from samverkan.mapping.importers.polisen import CAVEAT, SOURCE_NAME
from samverkan.mapping.models import PoliceEvent
from samverkan.mapping.municipalities import NAMES
from samverkan.partnerships.models import Party

LATEST = 10


@dataclass(frozen=True)
class PoliceEventSummary:
    """What the party's imported notices contain, by handbook group and by type."""

    source: str
    caveat: str
    total: int
    crimes: int
    first: datetime.datetime
    last: datetime.datetime
    by_category: list[tuple[str, int]]
    other_types: list[tuple[str, int]]
    without_point: int
    places: list[str]
    latest: list[PoliceEvent] = field(default_factory=list)

    @property
    def not_crimes(self) -> int:
        return self.total - self.crimes


def summary(party: Party) -> PoliceEventSummary | None:
    """The party's events from Polisen's feed, or None when it has imported none."""
    rows = PoliceEvent.objects.filter(party=party)
    span = rows.aggregate(n=Count("pk"), first=Min("occurred_from"), last=Max("occurred_from"))
    if not span["n"]:
        return None
    by_category = Counter(
        dict(
            rows.filter(is_crime=True)
            .values_list("category")
            .annotate(n=Count("pk"))
            .values_list("category", "n")
        )
    )
    other = Counter(
        dict(
            rows.filter(is_crime=False)
            .values_list("event_type")
            .annotate(n=Count("pk"))
            .values_list("event_type", "n")
        )
    )
    codes = sorted(
        set(rows.exclude(municipality_code="").values_list("municipality_code", flat=True))
    )
    return PoliceEventSummary(
        source=SOURCE_NAME,
        caveat=CAVEAT,
        total=span["n"],
        crimes=sum(by_category.values()),
        first=span["first"],
        last=span["last"],
        by_category=sorted(by_category.items(), key=lambda item: (-item[1], item[0])),
        other_types=sorted(other.items(), key=lambda item: (-item[1], item[0])),
        without_point=rows.filter(x=None).count(),
        places=[NAMES.get(code, code) for code in codes],
        latest=list(rows.order_by("-occurred_from", "-event_id")[:LATEST]),
    )
