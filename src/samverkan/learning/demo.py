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
from samverkan.partnerships.choices import PartyKind
from samverkan.partnerships.models import Coordinator, Cycle, Partnership, Party
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Problem

REGION = "Länsstyrelsen i Exempellän (exempel)"
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
