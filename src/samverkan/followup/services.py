"""Step 5: process and effect follow-up with honest statistics, and the next cycle."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from samverkan.analysis import evaluation, reading
from samverkan.analysis.categories import POLICE_INITIATED
from samverkan.followup.models import EffectEvaluation, Interpretation
from samverkan.implementation.services import measure_states, production
from samverkan.partnerships.models import Cycle, Partnership
from samverkan.problems.choices import GoalKind

# Every before/after comparison of reported crime carries this caveat (handbook p. 90–92).
REPORTING_CAVEAT = (
    "Anmälda brott speglar också hur benägna människor är att anmäla. En insats som gör polisen "
    "mer synlig eller uppmanar till anmälan kan öka antalet anmälningar utan att brotten ökar."
)


@dataclass
class Finding:
    """One statistical result with its plain-Swedish reading."""

    method: str
    source: str
    figures: list[tuple[str, str]]
    reading: list[str]
    # What kind of test this is, for the code (the method's name is for readers).
    key: str = ""


# Tests on counts of reported offences in the treated area itself: their reading needs the
# caveat that reporting, not only crime, may have changed.
_COUNT_TESTS = frozenset({"e_test", "wdd"})


@dataclass
class EvaluationResult:
    evaluation: EffectEvaluation
    change_percent: float | None
    findings: list[Finding] = field(default_factory=list)


_n = reading.swedish_number


def _interpretation(ev: EffectEvaluation) -> str | None:
    return POLICE_INITIATED if ev.interpretation == Interpretation.POLICE_INITIATED else None


def counts_of(ev: EffectEvaluation) -> list[int | None]:
    """Every count an evaluation's figures are computed from (for small-count suppression)."""
    return [
        ev.treated_before,
        ev.treated_after,
        ev.control_before,
        ev.control_after,
        ev.buffer_before,
        ev.buffer_after,
        # A share of four respondents tells what each of them answered.
        ev.survey_before_n,
        ev.survey_after_n,
    ]


def evaluate(ev: EffectEvaluation, alpha: float = 0.05) -> EvaluationResult:
    """Run the tests that the evaluation's data allow, each with its reading and caveats."""
    before, after = ev.treated_before, ev.treated_after
    change = None if before == 0 else 100 * (after - before) / before
    result = EvaluationResult(ev, change)
    interpretation = _interpretation(ev)
    if before + after > 0:
        p_value = evaluation.poisson_e_test(after, before)
        result.findings.append(
            Finding(
                "Samma period före och efter (E-test för två Poissontal)",
                "Krishnamoorthy & Thomson 2004",
                [
                    ("Före", _n(before, 0)),
                    ("Efter", _n(after, 0)),
                    ("Förändring", f"{_n(change, 0)} %" if change is not None else "–"),
                    ("p-värde", _n(p_value, 3)),
                ],
                reading.read_e_test(
                    p_value, after, before, alpha=alpha, interpretation=interpretation
                )
                + _regression_note(ev),
                key="e_test",
            )
        )
    if ev.has_control():
        counts = [before, after, ev.control_before, ev.control_after]
        disp = (ev.buffer_before, ev.buffer_after) if ev.has_buffer() else None
        # Displacement needs a control for the buffer too; the control area serves both.
        wdd = evaluation.wdd(
            (ev.control_before, ev.control_after),
            (before, after),
            (ev.control_before, ev.control_after) if disp else None,
            disp,
            alpha=alpha,
        )
        result.findings.append(
            Finding(
                "Jämförelse med kontrollområde (viktad förflyttningsdifferens, WDD)",
                "Wheeler & Ratcliffe 2018",
                [
                    ("Skattning", _n(wdd.estimate)),
                    ("Standardfel", _n(wdd.se)),
                    ("z", _n(wdd.z, 2)),
                    ("p-värde", _n(wdd.p_value, 3)),
                    (
                        f"{round(100 * (1 - alpha))} % konfidensintervall",
                        f"{_n(wdd.ci_low)} till {_n(wdd.ci_high)}",
                    ),
                ],
                reading.read_wdd(
                    wdd,
                    counts + list(disp or ()),
                    interpretation=interpretation,
                    selected_for_high_level=ev.selected_for_high_level,
                ),
                key="wdd",
            )
        )
        if min(counts) > 0:
            ratio = evaluation.rate_ratio(
                (before, after), (ev.control_before, ev.control_after), alpha=alpha
            )
            result.findings.append(
                Finding(
                    "Incidenskvot mot kontrollområdet",
                    "Log-skala, normalapproximation",
                    [
                        ("Kvot", _n(ratio.ratio, 2)),
                        ("Konfidensintervall", f"{_n(ratio.ci_low, 2)}–{_n(ratio.ci_high, 2)}"),
                    ],
                    reading.read_rate_ratio(
                        ratio,
                        counts,
                        interpretation=interpretation,
                        selected_for_high_level=ev.selected_for_high_level,
                    ),
                )
            )
        if disp and ev.control_after and ev.control_before:
            wdq = evaluation.wdq((before, after), (ev.control_before, ev.control_after), disp)
            result.findings.append(
                Finding(
                    "Förflyttning eller spridning av nytta (viktad förflyttningskvot, WDQ)",
                    "Bowers & Johnson 2003",
                    [
                        ("Framgångsmått", _n(wdq.success_measure, 3)),
                        ("Mått för omgivande område", _n(wdq.buffer_measure, 3)),
                        ("WDQ", _n(wdq.wdq, 2) if wdq.wdq is not None else "–"),
                    ],
                    _wdq_reading(wdq),
                )
            )
    if ev.survey_before is not None and ev.survey_after is not None:
        result.findings.append(_survey(ev, alpha))
    for finding in result.findings:
        if REPORTING_CAVEAT not in finding.reading and finding.key in _COUNT_TESTS:
            finding.reading.append(REPORTING_CAVEAT)
    return result


def _regression_note(ev: EffectEvaluation) -> list[str]:
    if not ev.selected_for_high_level:
        return []
    return [
        "Området valdes för att brotten var ovanligt många. Sådana toppar sjunker ofta av sig "
        "själva, så en del av minskningen kan ha kommit ändå."
    ]


def _wdq_reading(wdq: evaluation.WdqResult) -> list[str]:
    if wdq.wdq is None:
        return ["Ingen förändring i insatsområdet, så kvoten går inte att beräkna."]
    if wdq.success_measure >= 0:
        return ["Insatsområdet utvecklades inte bättre än kontrollområdet, så kvoten säger lite."]
    if wdq.wdq > 0:
        return ["Även det omgivande området fick det bättre: nyttan tycks ha spridit sig."]
    if wdq.wdq < -1:
        return ["Brotten i det omgivande området ökade mer än de minskade i insatsområdet."]
    if wdq.wdq < 0:
        return [
            "En del av brotten kan ha flyttat till det omgivande området, men mindre än "
            "vad insatsområdet vann."
        ]
    return ["Inga tecken på att brotten flyttade till det omgivande området."]


def _survey(ev: EffectEvaluation, alpha: float) -> Finding:
    from scipy.stats import norm

    p1, p2 = ev.survey_before / 100, ev.survey_after / 100
    n1, n2 = ev.survey_before_n, ev.survey_after_n
    diff = p2 - p1
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) if n1 and n2 else float("nan")
    z = norm.ppf(1 - alpha / 2)
    low, high = 100 * (diff - z * se), 100 * (diff + z * se)
    sure = low > 0 or high < 0
    text = [
        f"Andelen som svarade ”{ev.survey_question}” gick från {_n(ev.survey_before, 0)} % "
        f"(n = {n1}) till {_n(ev.survey_after, 0)} % (n = {n2}); skillnaden är "
        f"{_n(100 * diff)} procentenheter ({_n(low)} till {_n(high)}).",
        "Skillnaden är större än vad slumpen i urvalet brukar ge."
        if sure
        else "Skillnaden ryms inom vad slumpen i urvalet kan ge.",
    ]
    return Finding(
        "Trygghetsmätning före och efter (skillnad mellan två andelar)",
        "Normalapproximation för två oberoende andelar",
        [
            ("Före", f"{_n(ev.survey_before, 0)} %"),
            ("Efter", f"{_n(ev.survey_after, 0)} %"),
            ("Skillnad", f"{_n(100 * diff)} procentenheter"),
        ],
        text,
    )


@dataclass
class ProcessFollowUp:
    states: list[Any]
    production: list[Any]
    carried_out: int
    late: int
    dropped: int
    other: int


def process_followup(partnership: Partnership) -> ProcessFollowUp:
    from samverkan.implementation.models import Status

    states = measure_states(partnership, timezone.localdate())
    done = sum(s.progress.status == Status.DONE for s in states)
    dropped = sum(s.progress.status == Status.CANCELLED for s in states)
    late = sum(s.overdue for s in states)
    return ProcessFollowUp(
        states, production(partnership), done, late, dropped, len(states) - done - dropped
    )


@transaction.atomic
def start_next_cycle(partnership: Partnership) -> Cycle:
    """Close the current cycle with a summary and open the next one.

    The organisation and the problems, goals and measures still running carry over (they belong
    to the partnership). Each goal with an effect evaluation gets the last result as its new
    baseline, so the next cycle measures change from where this one ended.
    """
    today = timezone.localdate()
    current = partnership.current_cycle() or Cycle.objects.create(partnership=partnership)
    goals = []
    for goal in partnership.goals.prefetch_related("evaluations"):
        last = goal.evaluations.order_by("-id").first()
        goals.append(
            {
                "text": goal.text,
                "kind": goal.kind,
                "indicator": goal.indicator,
                "baseline": None if goal.baseline is None else float(goal.baseline),
                "target": None if goal.target is None else float(goal.target),
                "result": None if last is None else last.treated_after,
                "result_period": "" if last is None else last.period_after,
            }
        )
        if last is not None and goal.kind in (GoalKind.EFFECT, GoalKind.SUB):
            goal.baseline = last.treated_after
            goal.baseline_period = f"{last.period_after} (resultat omgång {current.number})"
            goal.save(update_fields=["baseline", "baseline_period"])
    process = process_followup(partnership)
    current.summary = {
        "closed_on": today.isoformat(),
        "goals": goals,
        "measures": [
            {
                "number": s.measure.number,
                "title": s.measure.title,
                "confidential": s.measure.confidential,
                "status": s.progress.status,
                "entries": s.entries,
            }
            for s in process.states
        ],
        "carried_out": process.carried_out,
        "dropped": process.dropped,
    }
    current.ends_on = today
    current.save(update_fields=["summary", "ends_on"])
    return Cycle.objects.create(partnership=partnership, number=current.number + 1, starts_on=today)


def effect_goals(partnership: Partnership) -> list[Any]:
    return list(partnership.goals.filter(kind__in=[GoalKind.EFFECT, GoalKind.SUB]))


__all__ = ["EvaluationResult", "evaluate", "process_followup", "start_next_cycle"]
