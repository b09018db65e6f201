"""Steps 4 and 5 of the worked example: activity logs and the effect follow-up.

The outcomes come from the handbook's example (pages 26–27, torget.yaml ``follow_up``). The
handbook gives only percentages for the effect (−18 % in the whole municipality, −26 % in
district A); the counts below are illustrative numbers chosen to match those percentages,
and the evaluation says so in its source field.
"""

from __future__ import annotations

import datetime
from typing import Any

from samverkan.followup.models import EffectEvaluation, Interpretation
from samverkan.implementation.models import ActivityEntry, Progress, Status
from samverkan.partnerships.models import Partnership
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Measure

# Status after the implementation period, read from each measure's outcome in the example.
_STATUS = {
    1: Status.DONE,
    2: Status.STARTED,
    3: Status.STARTED,
    4: Status.DONE,
    5: Status.STARTED,
    6: Status.DONE,
    7: Status.DONE,
    8: Status.DONE,
    9: Status.DONE,
}
_DEVIATION = {
    2: "Tre av planens åtta punkter är genomförda; resten återstår.",
    3: "Handlingsplanen är överenskommen men genomförs först före årets slut.",
    5: "Problemet kvarstår delvis; fler säljare finns troligen kvar.",
}


def load(partnership: Partnership, data: dict[str, Any], year: int) -> None:
    measures = {m.number: m for m in Measure.objects.filter(partnership=partnership)}
    outcomes = {item["measure"]: item["outcome"] for item in data["follow_up"]["process"]}
    production = {g.unit: g for g in partnership.goals.filter(kind=GoalKind.PRODUCTION)}
    start, end = datetime.date(year, 5, 1), datetime.date(year, 6, 30)
    for number, measure in measures.items():
        status = _STATUS[number]
        Progress.objects.create(
            measure=measure,
            status=status,
            started_on=start,
            finished_on=end if status == Status.DONE else None,
            reason=_DEVIATION.get(number, ""),
        )
        ActivityEntry.objects.create(
            measure=measure,
            date=datetime.date(year, 5, 7),
            what="Arbetet startade enligt planen.",
            by_whom=str(measure.responsible_party),
        )
        ActivityEntry.objects.create(
            measure=measure,
            date=datetime.date(year, 6, 28),
            what=outcomes[number],
            by_whom=str(measure.responsible_party),
            deviation=_DEVIATION.get(number, ""),
        )
    inspections = production.get("tillsynstillfällen")
    if inspections is not None:
        for day, count in ((14, 4), (28, 4), (45, 3)):
            ActivityEntry.objects.create(
                measure=measures[1],
                date=start + datetime.timedelta(days=day),
                what="Protokollförd krogtillsyn vid krogarna F, G och H.",
                by_whom="Kommunens tillståndsenhet och polisen",
                production_goal=inspections,
                count=count,
            )
    plan = production.get("plan")
    if plan is not None:
        ActivityEntry.objects.create(
            measure=measures[2],
            date=datetime.date(year, 5, 25),
            what="Åtgärdsplanen för busstorget är klar.",
            by_whom="Kommunen och Länstrafiken",
            production_goal=plan,
            count=1,
        )

    overall = partnership.goals.get(kind=GoalKind.EFFECT)
    EffectEvaluation.objects.create(
        partnership=partnership,
        goal=overall,
        indicator="Anmälda misshandelsbrott utomhus",
        interpretation=Interpretation.WITH_INTERACTION,
        period_before=f"maj–jun {year - 1}",
        period_after=f"maj–jun {year}",
        treated_area="Kommundel A",
        treated_before=76,
        treated_after=56,
        control_area="Övriga kommunen",
        control_before=74,
        control_after=67,
        selected_for_high_level=True,
        source=(
            "Polisens anmälningsstatistik. Antalen är illustrativa: handboken anger bara "
            "förändringen, −18 % i hela kommunen och −26 % i kommundel A."
        ),
    )
