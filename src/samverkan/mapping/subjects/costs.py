"""What crimes cost the parties: recorded costs per item and year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from samverkan.mapping.models import CrimeCost
from samverkan.mapping.subjects import memo, per_party, remember
from samverkan.partnerships.models import Party


@dataclass
class CostTotals:
    """What the party's recorded costs of crime add up to per year, item by item."""

    years: list[int]
    items: list[tuple[str, list[float | None]]]
    totals: list[float]
    sources: list[str]

    def change_percent(self) -> float | None:
        if len(self.totals) < 2 or not self.totals[-2]:
            return None
        return round(100 * (self.totals[-1] - self.totals[-2]) / self.totals[-2], 1)


@per_party
def cost_totals(party: Party) -> CostTotals:
    return _totals(
        CrimeCost.objects.filter(party=party).values_list("item", "year", "amount", "source")
    )


def _totals(rows: Iterable[tuple[str, int, Any, str]]) -> CostTotals:
    by_item: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    sources: set[str] = set()
    for item, year, amount, source in rows:
        by_item[item][year] += float(amount)
        if source:
            sources.add(source)
    years = sorted({y for values in by_item.values() for y in values})
    items = [
        (item, [by_item[item][y] if y in by_item[item] else None for y in years])
        for item in sorted(by_item)
    ]
    totals = [sum(by_item[item].get(y, 0.0) for item in by_item) for y in years]
    return CostTotals(years, items, totals, sorted(sources))


def of_parties(parties: list[Party]) -> list[tuple[Party, CostTotals]]:
    """Each party's cost totals (those with any costs), read in one query for all of them;
    inside a build each party's ``cost_totals`` is then the same figure."""
    found = memo()
    key = ("costs of parties", tuple(p.pk for p in parties))
    if found is not None and key in found:
        return list(found[key])
    rows: dict[int, list[tuple[str, int, Any, str]]] = defaultdict(list)
    for party_id, item, year, amount, source in CrimeCost.objects.filter(
        party__in=parties
    ).values_list("party_id", "item", "year", "amount", "source"):
        rows[party_id].append((item, year, amount, source))
    result = [(p, _totals(rows[p.pk])) for p in parties if p.pk in rows]
    if found is not None:
        found[key] = result
        for party, totals in result:
            remember(cost_totals, totals, party)
    return result
