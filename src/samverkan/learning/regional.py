"""The regional view: each kommun of a scope side by side, from public sources only.

For each kommun: its status under Lag (2023:196) (lägesbild and åtgärdsplan decided when and by
whom, whether a samordningsfunktion is named: the public record of a kommun's duty), and its
published measures and effect results (only partnerships that publish open data; the same
suppression applies). Then the pooled evidence of the region's published results.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from samverkan.learning import evidence, opendata
from samverkan.learning.models import OpenDataPublication, RegionalScope
from samverkan.partnerships.models import Partnership


@dataclass
class KommunRow:
    name: str
    code: str
    lagesbild: Any = None  # DocumentDecision or None
    atgardsplan: Any = None
    coordinator_named: bool = False
    publishes: bool = False
    measures: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


def rows_for(scope: RegionalScope) -> list[KommunRow]:
    from samverkan.documents.models import DocumentDecision
    from samverkan.partnerships.models import Coordinator

    found = []
    for org in scope.municipalities.order_by("name"):
        row = KommunRow(str(org), org.code)
        partnerships = list(
            Partnership.objects.filter(municipality=org).select_related(
                "municipality", "police_area"
            )
        )
        decisions = DocumentDecision.objects.filter(partnership__in=partnerships).order_by(
            "decided_on"
        )
        for d in decisions:
            setattr(row, d.kind, d)
        row.coordinator_named = Coordinator.objects.filter(
            party__partnership__in=partnerships, party__organisation=org
        ).exists()
        for p in partnerships:
            if not OpenDataPublication.objects.filter(partnership=p, published=True).exists():
                continue
            row.publishes = True
            data = opendata.dataset(p)
            row.measures.extend(data["atgarder"]["atgarder"])
            row.results.extend(data["resultat"])
        found.append(row)
    return found


def pooled(rows: list[KommunRow]) -> list[evidence.Group]:
    return [g for g in evidence.groups([r for k in rows for r in k.results]) if g.pooled]


CSV_COLUMNS = (
    "kommun",
    "kommunkod",
    "lagesbild_beslutad",
    "lagesbild_organ",
    "atgardsplan_beslutad",
    "atgardsplan_organ",
    "samordningsfunktion",
    "publicerar_oppna_data",
    "atgarder",
    "effektuppfoljningar",
)


def as_csv(rows: list[KommunRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            [
                r.name,
                r.code,
                r.lagesbild.decided_on.isoformat() if r.lagesbild else "",
                r.lagesbild.body if r.lagesbild else "",
                r.atgardsplan.decided_on.isoformat() if r.atgardsplan else "",
                r.atgardsplan.body if r.atgardsplan else "",
                "ja" if r.coordinator_named else "nej",
                "ja" if r.publishes else "nej",
                len(r.measures),
                len(r.results),
            ]
        )
    return out.getvalue()
