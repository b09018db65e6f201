"""A small synthetic county (clearly named as examples) with published rounds, so that the
evidence bank, the pooled effects and the regional view show something on a fresh machine.

Idempotent: running it again leaves the rows as they are. The counts are invented.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from samverkan.accounts.choices import OrganisationKind
from samverkan.accounts.models import Organisation
from samverkan.documents.models import DocumentDecision
from samverkan.followup.models import EffectEvaluation
from samverkan.learning.models import (
    EvaluationLabel,
    OpenDataPublication,
    RegionalScope,
    RegionKind,
)
from samverkan.mapping.models import SituationReport
from samverkan.partnerships.choices import PartyKind
from samverkan.partnerships.models import Coordinator, Cycle, Partnership, Party
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Problem

REGION = "Länsstyrelsen i Exempellän (exempel)"
# kommun code -> (inhabitants, reported assaults and criminal damage in the first of five years,
# the yearly change of each): invented, of the size of a small Swedish kommun.
STATISTICS = {
    "9901": (24_300, (210, 480), (-6, 9)),
    "9902": (11_800, (95, 260), (4, -3)),
    "9903": (68_500, (690, 1_520), (-12, -20)),
}
STATISTICS_YEARS = 5
# kommun, code, problem, crime type, [(indicator, treated, control, method, place)]
KOMMUNER = [
    (
        "Exempelby kommun",
        "9901",
        "Rån och misshandel vid resecentrum",
        "Rån",
        [
            ("Anmälda rån vid resecentrum", (64, 43), (52, 49), "narvaro", "trafik"),
            ("Anmäld skadegörelse vid resecentrum", (90, 70), (80, 78), "kamera", "trafik"),
        ],
    ),
    (
        "Exempelås kommun",
        "9902",
        "Våld i nöjeslivet",
        "Misshandel",
        [("Anmäld misshandel utomhus nattetid", (120, 86), (95, 92), "narvaro", "noje")],
    ),
    (
        "Exempelstad kommun",
        "9903",
        "Otrygghet och våld i centrum",
        "Misshandel",
        [
            ("Anmäld misshandel i centrum", (48, 44), (41, 43), "narvaro", "centrum"),
            ("Anmäld skadegörelse i centrum", (70, 61), (66, 64), "kamera", "centrum"),
        ],
    ),
]


@transaction.atomic
def load_region() -> RegionalScope:
    police, _ = Organisation.objects.get_or_create(
        name="Lokalpolisområde Exempellän (exempel)",
        defaults={"kind": OrganisationKind.POLICE_AREA},
    )
    scope, _ = RegionalScope.objects.get_or_create(
        name=REGION, defaults={"kind": RegionKind.COUNTY}
    )
    year = timezone.localdate().year
    for name, code, problem_title, crime_type, evaluations in KOMMUNER:
        kommun, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": OrganisationKind.MUNICIPALITY, "code": code}
        )
        scope.municipalities.add(kommun)
        if Partnership.objects.filter(municipality=kommun).exists():
            continue
        p = Partnership.objects.create(
            name=f"Trygghetssamverkan i {name.removesuffix(' kommun')} (exempel)",
            municipality=kommun,
            police_area=police,
            covers_whole_municipality=True,
            started_on=datetime.date(year - 2, 1, 1),
        )
        Cycle.objects.create(partnership=p, starts_on=datetime.date(year - 2, 1, 1))
        party = Party.objects.create(partnership=p, organisation=kommun, kind=PartyKind.SIGNATORY)
        Party.objects.create(partnership=p, organisation=police, kind=PartyKind.SIGNATORY)
        Coordinator.objects.create(party=party, name="Trygghetssamordnaren")
        problem = Problem.objects.create(partnership=p, title=problem_title, crime_type=crime_type)
        goal = Goal.objects.create(
            partnership=p,
            problem=problem,
            kind=GoalKind.EFFECT,
            text=f"Färre brott: {problem_title.lower()}",
            indicator="Anmälda brott",
        )
        for indicator, treated, control, method, place in evaluations:
            ev = EffectEvaluation.objects.create(
                partnership=p,
                goal=goal,
                indicator=indicator,
                period_before=str(year - 2),
                period_after=str(year - 1),
                treated_area="Insatsområdet",
                treated_before=treated[0],
                treated_after=treated[1],
                control_area="Övriga kommunen",
                control_before=control[0],
                control_after=control[1],
                source="Exempel: påhittade antal för demonstration.",
            )
            EvaluationLabel.objects.create(evaluation=ev, method=method, place_type=place)
        _statistics(party, code, year)
        DocumentDecision.objects.create(
            partnership=p,
            kind="lagesbild",
            body="Kommunstyrelsen",
            decided_on=datetime.date(year - 1, 3, 15),
        )
        OpenDataPublication.objects.create(
            partnership=p,
            published=True,
            published_at=timezone.now(),
            contact_name="Trygghetssamordnaren (exempel)",
            contact_email="trygghet@example.invalid",
        )
    return scope


def _statistics(party: Party, code: str, year: int) -> None:
    """The kommun's (invented) yearly statistics and those of the two others, which it
    compares itself with; the kommun shares its mapping, so its public lägesbild shows rates."""
    from samverkan.mapping.models import ComparisonMunicipalities, CrimeStatistic, Population

    names = {k[1]: f"{k[0].removesuffix(' kommun')} (exempel)" for k in KOMMUNER}
    rows, populations = [], []
    for other, (inhabitants, base, change) in STATISTICS.items():
        for i, y in enumerate(range(year - STATISTICS_YEARS, year)):
            for (offence, category), first, step in zip(
                (("Misshandel", "Brott mot liv och hälsa"), ("Skadegörelse", "Skadegörelse")),
                base,
                change,
                strict=True,
            ):
                rows.append(
                    CrimeStatistic(
                        party=party,
                        municipality_code=other,
                        area=names[other],
                        offence=offence,
                        category=category,
                        year=y,
                        count=first + step * i,
                    )
                )
            populations.append(
                Population(
                    party=party,
                    municipality_code=other,
                    area=names[other],
                    year=y,
                    count=inhabitants + 150 * i,
                )
            )
    CrimeStatistic.objects.bulk_create(rows)
    Population.objects.bulk_create(populations)
    ComparisonMunicipalities.objects.create(
        party=party, codes=[c for c in STATISTICS if c != code], basis="Grannkommunerna i länet"
    )
    report, _created = SituationReport.objects.get_or_create(
        party=party, defaults={"title": "Kommunens lägesbild (exempel)"}
    )
    report.share()
