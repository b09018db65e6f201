"""Step 3 of the worked example: the problem, its ten causes, goals and nine measures.

Numbering and cause links follow the handbook (pages 22–27) as restated in torget.yaml.
Cause 10 and measure 9 concern identifiable people and are confidential to the police.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from samverkan.partnerships.choices import DecisionKind
from samverkan.partnerships.models import Decision, Partnership
from samverkan.problems.choices import (
    CauseNature,
    Evidence,
    GoalKind,
    MeasureKind,
    Perspective,
    ProblemStatus,
    Proximity,
)
from samverkan.problems.models import Cause, CitizenPromise, Confirmation, Goal, Measure, Problem
from samverkan.problems.services import picture_for, seed_glossary

_PERSPECTIVE = {
    "situational": Perspective.SITUATION,
    "offender": Perspective.OFFENDER,
    "victim": Perspective.VICTIM,
}
_EVIDENCE = {"evaluated method": Evidence.EVALUATED}


def load(partnership: Partnership, data: dict[str, Any], year: int) -> None:
    """Create step 3 for the demo partnership (called once, when the demo is first built)."""
    kommun = partnership.municipality_party()
    polis = partnership.police_party()
    assert kommun is not None and polis is not None  # the demo starts with both parties
    p = data["problem"]
    trend = "; ".join(
        f"{t['change_percent']:+d} % {t['period']}"
        + (f" mot {t['compared_with']}" if t["compared_with"] else "")
        for t in p["trend"]
    )
    picture = picture_for(partnership)
    picture.text = (
        f"{p['title']}. Anmälda brott av typen {p['crime_type'].lower()} har ökat: {trend}. "
        f"Mest utsatta områden: {', '.join(p['most_exposed_areas'])}. Platser i kommundel A: "
        + "; ".join(
            pl["name"] + (f" ({pl['note']})" if pl.get("note") else "") for pl in p["places"]
        )
        + ". Tider: fredag, lördag och onsdag kväll och natt i centrum; torsdagar vid "
        "fritidsgården J."
    )
    picture.conditions = (
        "Kommunen ansvarar för tillsyn av serveringstillstånd, fritidsgårdar och planering av "
        "kollektivtrafiken tillsammans med Länstrafiken; polisen för övervakning, spaning och "
        "ingripanden."
    )
    picture.save()
    confirmed = timezone.make_aware(datetime.datetime(year, 4, 20, 10))
    for party in (kommun, polis):
        Confirmation.objects.create(picture=picture, party=party, confirmed_at=confirmed)
    seed_glossary(partnership)

    problem = Problem.objects.create(
        partnership=partnership,
        title=p["title"],
        crime_type=p["crime_type"],
        status=ProblemStatus.PRIORITISED,
        description="Våldet utomhus i centrum ökar och koncentreras till krogområdet och "
        "busstorget vid stängningstid, och till fritidsgården vid ungdomsdiscot.",
        frequency=4,
        trend=5,
        deviation=3,
        concentration=5,
        cost=3,
        harm=5,
        concern=4,
        evidence_note=trend,
        chain_before="Krogbesök med hög berusning; kö och trängsel vid stängning.",
        chain_during=(
            "Bråk i kö, vid snabbmatsstället och på busstorget när alla ska hem samtidigt."
        ),
        chain_after="Få nattbussar och svarttaxi gör att folk blir kvar på gatan.",
        pat_offender="Berusade unga män och berusade ungdomar vid discot.",
        pat_handler="Föräldrar, socialtjänst, fritidsledare.",
        pat_target="Krogbesökare och personal, ungdomar.",
        pat_guardian="Ordningsvakter, polis, fritidsledare.",
        pat_place="Gatorna D och E, busstorget, snabbmatsstället I, fritidsgården J.",
        pat_manager="Krögarna, Länstrafiken, fritidsgårdens ledning.",
    )
    Decision.objects.create(
        partnership=partnership,
        kind=DecisionKind.PRIORITISATION,
        title=f"Prioritering: {problem.title}",
        body="Styrgruppen",
        decided_on=datetime.date(year, 4, 22),
        text="Styrgruppen prioriterar misshandel utomhus i centrum för årets samverkan.",
    )
    causes: dict[int, Cause] = {}
    for number, c in data["causes"].items():
        cause = Cause.objects.create(
            partnership=partnership,
            problem=problem,
            number=number,
            text=c["text"],
            perspective=_PERSPECTIVE[c["perspective"]],
            proximity=Proximity.PROXIMATE if c["proximity"] == "proximate" else Proximity.DISTAL,
            nature=CauseNature.SOCIAL
            if c["perspective"] == "offender"
            else CauseNature.SITUATIONAL,
            confidential=bool(c.get("confidential")),
        )
        if cause.confidential:
            cause.allowed_parties.set([polis])
        causes[number] = cause

    goals = data["goals"]
    overall = Goal.objects.create(
        partnership=partnership,
        problem=problem,
        kind=GoalKind.EFFECT,
        text=goals["effect"]["overall"],
        indicator="Anmälda misshandelsbrott utomhus",
        unit="anmälda brott",
        baseline_period="jan–apr året innan",
        data_source="Polisens anmälningsstatistik",
        followup_method=(
            "Jämför antalet anmälningar under genomförandet med samma period året innan."
        ),
        followup_frequency="Efter genomförandeperioden",
        followup_responsible="Samordnaren hos polisen",
    )
    for sub in goals["effect"]["sub_goals"]:
        goal = Goal.objects.create(
            partnership=partnership,
            problem=problem,
            kind=GoalKind.SUB,
            parent=overall,
            text=sub["text"],
        )
        goal.causes.set([causes[n] for n in sub["causes"]])
    production: list[Goal] = []
    for item in goals["process_and_production"]:
        kind = GoalKind.PRODUCTION if item["kind"] == "production" else GoalKind.PROCESS
        goal = Goal.objects.create(
            partnership=partnership,
            problem=problem,
            kind=kind,
            text=item["text"],
            indicator=item.get("unit", "") and f"Antal {item['unit']}",
            unit=item.get("unit", ""),
            baseline=0 if item.get("target") is not None else None,
            target=item.get("target"),
        )
        production.append(goal)

    measure_time = timezone.make_aware(datetime.datetime(year, 4, 27, 10))
    for number, m in data["measures"].items():
        responsible = polis if m["responsible"] == "polis" else kommun
        measure = Measure.objects.create(
            partnership=partnership,
            problem=problem,
            number=number,
            title=m["text"],
            aimed_at=_PERSPECTIVE["offender" if m["kind"] == "social" else "situational"],
            kind=MeasureKind.SOCIAL if m["kind"] == "social" else MeasureKind.SITUATIONAL,
            responsible_party=responsible,
            how_what=m["text"],
            **_PLAN.get(number, {}),
            evidence=_EVIDENCE.get(m.get("evidence", ""), Evidence.UNTESTED),
            confidential=bool(m.get("confidential")),
            # What may be named in public: not the confidential measure, and of the police's
            # measures only the visible presence, never an operation such as surveillance.
            publishable=not m.get("confidential") and number in _PUBLISHABLE,
            starts_on=datetime.date(year, 5, 1),
            ends_on=datetime.date(year, 6, 30),
            created_at=measure_time,
        )
        measure.causes.set([causes[n] for n in m["causes"]])
        if m["responsible"] == "kommun och polis":
            measure.co_parties.set([polis])
        if measure.confidential:
            measure.allowed_parties.set([polis])
        measure.goals.set(
            [
                g
                for g in overall.sub_goals.all()
                if set(g.causes.values_list("number", flat=True)) & set(m["causes"])
            ]
        )

    measures = {m.number: m for m in Measure.objects.filter(partnership=partnership)}
    _promises(partnership, measures, kommun, polis, year)


# How each measure is carried out. The example names what and who; where, when, how often,
# the responsible role and the resources are demo data, made to agree with the example.
_PLAN: dict[int, dict[str, Any]] = {
    1: dict(how_where="Krogarna F, G och H på gatorna D och E",
            how_when="Utbildning i maj; gemensamma krogkontroller fredag och lördag kl. 23–02",
            how_often="Kontroll varannan helg", responsible_person="Alkoholhandläggare",
            hours=160, money=45000),
    2: dict(how_where="Busstorget", how_when="Maj; planen klar senast 25 maj",
            how_often="En gång", responsible_person="Trafikplanerare", hours=80),
    3: dict(how_where="Centrum vid krogarnas stängning", how_when="Maj och juni",
            how_often="Arbetsgruppen möts varannan vecka",
            responsible_person="Brottsförebyggande samordnare", hours=40),
    4: dict(how_where="Busstorget och snabbmatstället I", how_when="Fredagsnätter kl. 02.00–03.30",
            how_often="Varje fredag", responsible_person="Närpolischef", hours=54),
    5: dict(how_where="Parkeringsplats N", how_when="Kvällar och nätter",
            how_often="Efter underrättelser", responsible_person="Närpolischef", hours=40),
    6: dict(how_where="Fritidsgården J", how_when="Torsdagar kl. 20.00–01.00 i maj",
            how_often="Varje torsdag i maj", responsible_person="Gruppchef, ungdomsgruppen",
            hours=40),
    7: dict(how_where="Hela kommunen", how_when="Maj och juni",
            how_often="Varje gång en ungdom påträffas med alkohol",
            responsible_person="Närpolischef", hours=30),
    8: dict(how_where="Fritidsgården J", how_when="Torsdagskvällar vid discot",
            how_often="Varje disco", responsible_person="Föreståndare för fritidsgården J",
            hours=160, money=48000),
    9: dict(how_where="Gatorna L och M", how_when="Maj och juni", how_often="Löpande",
            responsible_person="Närpolischef", hours=60),
}  # fmt: skip

# Measures of the worked example that may be named in public (see ``load``).
_PUBLISHABLE = {1, 2, 3, 4, 6, 8}


def _promises(
    partnership: Partnership, measures: dict[int, Measure], kommun: Any, polis: Any, year: int
) -> None:
    """The demo's promises to residents, worded for them (the handbook's example has none)."""
    contact = "Kommunens kontaktcenter eller polisen på 114 14. Skriv gärna vad löftet gäller."
    follow = (
        "Vi berättar hur det går på kommunens webbplats och vid medborgardialogen i centrum "
        "efter sommaren."
    )
    promises = [
        (
            "Fredags- och lördagsnätter under maj och juni finns poliser synligt på plats i "
            "centrum vid busstorget och snabbmatsstället när krogarna stänger.",
            [polis],
            [4],
        ),
        (
            "Vid discot på fritidsgården finns fler vuxna: minst sex fritidsledare och tio "
            "vuxna från en frivilligorganisation varje discokväll.",
            [kommun],
            [8],
        ),
        (
            "Kommunen och kollektivtrafiken tar fram en plan så att det går att ta sig hem "
            "från centrum när krogarna stänger.",
            [kommun],
            [2],
        ),
    ]
    for wording, parties, numbers in promises:
        promise = CitizenPromise.objects.create(
            partnership=partnership,
            wording=wording,
            starts_on=datetime.date(year, 5, 1),
            ends_on=datetime.date(year, 6, 30),
            follow_up=follow,
            feedback=contact,
            published=True,
        )
        promise.parties.set(parties)
        promise.measures.set([measures[n] for n in numbers])
