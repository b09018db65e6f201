"""Step 5: process and effect follow-up with honest statistics, and the next cycle."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from samverkan.analysis import evaluation, reading
from samverkan.analysis.categories import POLICE_INITIATED
from samverkan.followup.models import EffectEvaluation, Interpretation
from samverkan.implementation.services import measure_states, production
from samverkan.lib import numbers
from samverkan.partnerships.models import Cycle, Partnership
from samverkan.problems.choices import GoalKind

# Every before/after comparison of reported crime carries this caveat (handbook p. 90–92).
REPORTING_CAVEAT = (
    "Anmälda brott speglar också hur benägna människor är att anmäla. En insats som gör polisen "
    "mer synlig eller uppmanar till anmälan kan öka antalet anmälningar utan att brotten ökar."
)


# The kinds of test a finding can be (``Finding.key``), listed for the API's schema.
FINDING_KEYS = ("e_test", "wdd", "rate_ratio", "wdq", "survey")


@dataclass
class Finding:
    """One statistical result with its plain-Swedish reading."""

    method: str
    source: str
    figures: list[tuple[str, str]]
    reading: list[str]
    # What kind of test this is, for the code (the method's name is for readers).
    key: str = ""
    # The figures as numbers, by name, for other systems (the API); None when not computable.
    values: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.key and self.key not in FINDING_KEYS:
            raise ValueError(f"a finding's key must be one of FINDING_KEYS, not {self.key!r}")


# Tests on counts of reported offences in the treated area itself: their reading needs the
# caveat that reporting, not only crime, may have changed.
_COUNT_TESTS = frozenset({"e_test", "wdd"})


class VerdictKind:
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


@dataclass
class Verdict:
    """The answer to "did we reach the goal?" in one sentence, and how sure it is."""

    kind: str
    sentence: str
    certainty: str


@dataclass
class EvaluationResult:
    evaluation: EffectEvaluation
    change_percent: float | None
    verdict: Verdict
    findings: list[Finding] = field(default_factory=list)

    @property
    def change_text(self) -> str:
        return "" if self.change_percent is None else numbers.percent(self.change_percent, 0)


_n = reading.swedish_number


def _number(value: Any) -> float | None:
    """A figure for the API: a plain float, or None for one that cannot be computed."""
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


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
    result = EvaluationResult(ev, change, verdict(ev, alpha))
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
                    ("Förändring", numbers.or_missing(change, 0, "%")),
                    ("p-värde", _n(p_value, 3)),
                ],
                reading.read_e_test(
                    p_value, after, before, alpha=alpha, interpretation=interpretation
                )
                + _regression_note(ev),
                key="e_test",
                values={
                    "before": before,
                    "after": after,
                    "change_percent": change,
                    "p_value": _number(p_value),
                },
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
                        f"{numbers.percent(round(100 * (1 - alpha)))} konfidensintervall",
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
                values={
                    "estimate": _number(wdd.estimate),
                    "se": _number(wdd.se),
                    "z": _number(wdd.z),
                    "p_value": _number(wdd.p_value),
                    "ci_low": _number(wdd.ci_low),
                    "ci_high": _number(wdd.ci_high),
                    "confidence": 1 - alpha,
                },
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
                        displacement_checked=bool(disp),
                    ),
                    key="rate_ratio",
                    values={
                        "ratio": _number(ratio.ratio),
                        "ci_low": _number(ratio.ci_low),
                        "ci_high": _number(ratio.ci_high),
                        "confidence": 1 - alpha,
                    },
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
                    _wdq_reading(wdq, ev),
                    key="wdq",
                    values={
                        "success_measure": _number(wdq.success_measure),
                        "buffer_measure": _number(wdq.buffer_measure),
                        "wdq": _number(wdq.wdq),
                    },
                )
            )
    if ev.survey_before is not None and ev.survey_after is not None:
        result.findings.append(_survey(ev, alpha))
    for finding in result.findings:
        if REPORTING_CAVEAT not in finding.reading and finding.key in _COUNT_TESTS:
            finding.reading.append(REPORTING_CAVEAT)
    return result


def _certainty(ev: EffectEvaluation, alpha: float) -> str:
    """How sure the change is: from the comparison with a control area when there is one
    (the stronger design), else from the before/after test alone."""
    before, after = ev.treated_before, ev.treated_after
    if before + after == 0:
        return "Det finns inga brott att jämföra, så ingenting kan sägas om förändringen."
    small = min(before, after) <= reading.SMALL_NUMBER_THRESHOLD
    if ev.has_control():
        wdd = evaluation.wdd((ev.control_before, ev.control_after), (before, after), alpha=alpha)
        sure = not (wdd.ci_low <= 0 <= wdd.ci_high)
        text = (
            "Jämfört med kontrollområdet är förändringen tydlig – större än vad slumpen brukar ge."
            if sure
            else "Jämfört med kontrollområdet är förändringen så liten att den kan bero på slumpen."
        )
    else:
        sure = evaluation.poisson_e_test(after, before) < alpha
        text = (
            "Förändringen sedan före-perioden är större än vad slumpen brukar ge, men utan "
            "kontrollområde går det inte att säga att det var insatsen som gjorde det."
            if sure
            else "Förändringen sedan före-perioden är så liten att den kan bero på slumpen."
        )
    if small:
        text += " Talen är små, så slutsatsen är osäker."
    return text


def verdict(ev: EffectEvaluation, alpha: float = 0.05) -> Verdict:
    """Was the goal's target reached? One sentence, then how sure (handbook p. 90–92)."""
    goal = ev.goal
    certainty = _certainty(ev, alpha)
    after = Decimal(ev.treated_after)
    result = f"{_n(ev.treated_after, 0)} ({ev.period_after})"
    if goal.target is None:
        return Verdict(
            VerdictKind.UNKNOWN,
            f"Det går inte att säga om målet är nått: målet har inget målvärde. "
            f"Resultatet är {result}.",
            certainty,
        )
    baseline = goal.baseline if goal.baseline is not None else Decimal(ev.treated_before)
    target = plain_number(goal.target)
    decrease = goal.target <= baseline
    met = after <= goal.target if decrease else after >= goal.target
    if met:
        return Verdict(
            VerdictKind.MET,
            f"Målet är nått: {result} mot målvärdet {target}.",
            certainty,
        )
    if goal.deadline is not None and goal.deadline > timezone.localdate():
        return Verdict(
            VerdictKind.UNKNOWN,
            f"Det går inte att säga än: målet ska vara nått senast "
            f"{goal.deadline:%Y-%m-%d}. Hittills {result} mot målvärdet {target} "
            f"(utgångsvärde {plain_number(baseline)}).",
            certainty,
        )
    return Verdict(
        VerdictKind.NOT_MET,
        f"Målet är inte nått: {result} mot målvärdet {target} "
        f"(utgångsvärde {plain_number(baseline)}).",
        certainty,
    )


def _regression_note(ev: EffectEvaluation) -> list[str]:
    if not ev.selected_for_high_level:
        return []
    return [
        "Området valdes för att brotten var ovanligt många. Sådana toppar sjunker ofta av sig "
        "själva, så en del av minskningen kan ha kommit ändå."
    ]


def _wdq_reading(wdq: evaluation.WdqResult, ev: EffectEvaluation) -> list[str]:
    if wdq.wdq is None:
        return ["Ingen förändring i insatsområdet, så kvoten går inte att beräkna."]
    if wdq.success_measure >= 0:
        return ["Insatsområdet utvecklades inte bättre än kontrollområdet, så kvoten säger lite."]
    # Every reading is relative to the control area: a surrounding area that went from 30 to
    # 31 may still have done better than a control area that rose more.
    counts = (
        f"(omgivande området {_n(ev.buffer_before, 0)} → {_n(ev.buffer_after, 0)}, "
        f"kontrollområdet {_n(ev.control_before, 0)} → {_n(ev.control_after, 0)})"
    )
    if wdq.wdq > 0:
        return [
            f"Det omgivande området utvecklades bättre än kontrollområdet {counts}: nyttan "
            "tycks ha spridit sig dit."
        ]
    if wdq.wdq < -1:
        return [
            f"Brotten i det omgivande området ökade mer, jämfört med kontrollområdet {counts}, "
            "än de minskade i insatsområdet."
        ]
    if wdq.wdq < 0:
        return [
            "En del av brotten kan ha flyttat till det omgivande området, men mindre än "
            f"vad insatsområdet vann {counts}."
        ]
    return [f"Inga tecken på att brotten flyttade till det omgivande området {counts}."]


def _share(value: float) -> str:
    """A survey share with the decimals it was given ("23,5 %", "30 %")."""
    return numbers.percent(value)


def _survey(ev: EffectEvaluation, alpha: float) -> Finding:
    from scipy.stats import norm

    assert ev.survey_before is not None and ev.survey_after is not None  # evaluate checks
    p1, p2 = ev.survey_before / 100, ev.survey_after / 100
    n1, n2 = ev.survey_before_n, ev.survey_after_n
    diff = p2 - p1
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) if n1 and n2 else float("nan")
    z = norm.ppf(1 - alpha / 2)
    low, high = 100 * (diff - z * se), 100 * (diff + z * se)
    sure = low > 0 or high < 0
    text = [
        f"Andelen som svarade ”{ev.survey_question}” gick från {_share(ev.survey_before)} "
        f"(n = {n1}) till {_share(ev.survey_after)} (n = {n2}); skillnaden är "
        f"{_n(100 * diff)} procentenheter ({_n(low)} till {_n(high)}).",
        "Skillnaden är större än vad slumpen i urvalet brukar ge."
        if sure
        else "Skillnaden ryms inom vad slumpen i urvalet kan ge.",
    ]
    return Finding(
        "Trygghetsmätning före och efter (skillnad mellan två andelar)",
        "Normalapproximation för två oberoende andelar",
        [
            ("Före", _share(ev.survey_before)),
            ("Efter", _share(ev.survey_after)),
            ("Skillnad", f"{_n(100 * diff)} procentenheter"),
        ],
        text,
        key="survey",
        values={
            "before_percent": ev.survey_before,
            "after_percent": ev.survey_after,
            "before_n": n1,
            "after_n": n2,
            "difference_points": _number(100 * diff),
            "ci_low_points": _number(low),
            "ci_high_points": _number(high),
            "confidence": 1 - alpha,
        },
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
    from samverkan.accounts.audience import with_holders
    from samverkan.implementation.models import Status
    from samverkan.problems.models import Measure

    # Each measure's allowed parties come along: a reader's withheld measures become neutral
    # lines naming their holder, without a query per measure.
    states = measure_states(
        partnership,
        timezone.localdate(),
        with_holders(Measure.objects.filter(partnership=partnership)),
    )
    done = sum(s.progress.status == Status.DONE for s in states)
    dropped = sum(s.progress.status == Status.CANCELLED for s in states)
    late = sum(s.overdue for s in states)
    return ProcessFollowUp(
        states, production(partnership), done, late, dropped, len(states) - done - dropped
    )


def record_steering_response(form: Any, partnership: Partnership) -> Any:
    """Save the steering group's response from its (valid) form, in the current cycle (the
    first one is started if there is none): the page and the API record it the same way."""
    response = form.save(commit=False)
    response.partnership = partnership
    response.cycle = partnership.current_cycle() or partnership.cycles.create()
    response.save()
    return response


class CycleRefused(Exception):
    """Closing or reopening a cycle is not allowed now; the message says why (Swedish)."""


class TargetChoice:
    """What happens to an effect goal's baseline and target when its cycle closes."""

    KEEP_ALL = "keep_all"  # baseline and target stay as they are
    NEW_BASELINE = "new_baseline"  # the last result becomes the baseline; target kept
    SCALE_TARGET = "scale_target"  # new baseline, target moved to keep the relative change

    ALL = (KEEP_ALL, NEW_BASELINE, SCALE_TARGET)


@dataclass
class GoalChange:
    """One goal's values before and after the cycle closes (for the confirmation page)."""

    goal: Any
    old_baseline: Decimal | None
    new_baseline: Decimal | None
    old_period: str
    new_period: str
    target: Decimal | None
    scaled_target: Decimal | None
    evaluation_indicator: str
    evaluation_period: str = ""

    @property
    def changes(self) -> bool:
        return self.new_baseline is not None

    @property
    def old_text(self) -> str:
        return plain_number(self.old_baseline)

    @property
    def new_text(self) -> str:
        return plain_number(self.new_baseline)

    @property
    def target_text(self) -> str:
        return plain_number(self.target)

    @property
    def scaled_text(self) -> str:
        return plain_number(self.scaled_target)

    @property
    def can_scale(self) -> bool:
        return self.scaled_target is not None


@dataclass
class ClosePreview:
    """Everything that closing the current cycle would change or leave open."""

    cycle: Cycle
    goals: list[GoalChange]
    open_measures: list[Any]
    not_started: int
    checklist: Any
    steering_answered: bool

    @property
    def may_close_without_override(self) -> bool:
        return self.steering_answered


def plain_number(value: Any) -> str:
    """A goal value the Swedish way with no trailing zeros ("73,6", "1 250"), or "–"."""
    if value is None:
        return "–"
    value = Decimal(value)
    for decimals in (0, 1, 2):
        if value == round(value, decimals):
            return _n(float(value), decimals)
    return _n(float(value), 2)


def scaled_target(old_baseline: Any, target: Any, new_baseline: Any) -> Decimal | None:
    """The target that keeps the goal's relative change from the new baseline.

    A goal "110 → 88" asks for −20 %; from a new baseline of 92 the same ambition is 73,6.
    """
    if old_baseline in (None, 0) or target is None or new_baseline is None:
        return None
    ratio = Decimal(target) / Decimal(old_baseline)
    return (Decimal(new_baseline) * ratio).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def close_preview(partnership: Partnership) -> ClosePreview:
    """What closing the current cycle would do: baselines old → new, targets, what is open."""
    from samverkan.implementation.models import Status
    from samverkan.process.checklists import checklist_for

    cycle = partnership.current_cycle() or Cycle.objects.create(partnership=partnership)
    changes = []
    for goal in partnership.goals.filter(kind__in=[GoalKind.EFFECT, GoalKind.SUB]).order_by(
        "kind", "id"
    ):
        last = goal.evaluations.order_by("-id").first()
        new = None if last is None else Decimal(last.treated_after)
        changes.append(
            GoalChange(
                goal=goal,
                old_baseline=goal.baseline,
                new_baseline=new,
                old_period=goal.baseline_period,
                new_period="" if last is None else _result_period(last, cycle),
                target=goal.target,
                scaled_target=scaled_target(goal.baseline, goal.target, new),
                evaluation_indicator="" if last is None else last.indicator,
                evaluation_period="" if last is None else last.period_after,
            )
        )
    states = measure_states(partnership, timezone.localdate())
    open_states = [s for s in states if s.progress.status not in (Status.DONE, Status.CANCELLED)]
    return ClosePreview(
        cycle=cycle,
        goals=changes,
        open_measures=open_states,
        not_started=sum(s.progress.status == Status.PLANNED for s in states),
        checklist=checklist_for(partnership, 5),
        steering_answered=cycle.steering_responses.exists(),
    )


def _result_period(evaluation: EffectEvaluation, cycle: Cycle) -> str:
    return f"{evaluation.period_after} (resultat omgång {cycle.number})"[:100]


@transaction.atomic
def start_next_cycle(
    partnership: Partnership,
    *,
    choices: dict[int, str] | None = None,
    override_reason: str = "",
    user: Any = None,
) -> Cycle:
    """Close the current cycle with a summary and open the next one.

    The organisation and the problems, goals and measures still running carry over (they belong
    to the partnership). For each effect goal with an evaluation, ``choices`` (goal id →
    ``TargetChoice``) says whether the last result becomes the new baseline and whether the
    target moves with it; goals not named get a new baseline and keep their target.

    A cycle is closed only after the steering group has answered for it (handbook p. 98), unless
    an administrator gives a written reason, which is kept in the summary. The values each goal
    had are kept too, so that ``reopen_last_cycle`` can undo the closing.
    """
    choices = choices or {}
    reason = override_reason.strip()
    current = Cycle.objects.select_for_update().filter(partnership=partnership).order_by(
        "-number"
    ).first() or Cycle.objects.create(partnership=partnership)
    if not current.steering_responses.exists() and not reason:
        raise CycleRefused(
            "Styrgruppen har inte svarat på uppföljningen för den här omgången. Registrera "
            "styrgruppens svar först, eller ange varför omgången ändå ska avslutas."
        )
    preview = close_preview(partnership)
    today = timezone.localdate()
    goals, restore = [], []
    for change in preview.goals:
        goal = change.goal
        choice = choices.get(goal.pk, TargetChoice.NEW_BASELINE)
        if choice not in TargetChoice.ALL:
            raise CycleRefused("Välj vad som ska hända med varje måls utgångsvärde.")
        restore.append(
            {
                "goal": goal.pk,
                "baseline": None if goal.baseline is None else str(goal.baseline),
                "baseline_period": goal.baseline_period,
                "target": None if goal.target is None else str(goal.target),
            }
        )
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
                "choice": choice if change.changes else TargetChoice.KEEP_ALL,
            }
        )
        if not change.changes or choice == TargetChoice.KEEP_ALL:
            continue
        fields = ["baseline", "baseline_period", "version"]
        if choice == TargetChoice.SCALE_TARGET and change.can_scale:
            goal.target = change.scaled_target
            fields.append("target")
        goal.baseline, goal.baseline_period = change.new_baseline, change.new_period
        goal.version += 1
        goal.save(update_fields=fields)
    process = process_followup(partnership)
    current.summary = {
        "closed_on": today.isoformat(),
        "closed_by": str(user) if getattr(user, "is_authenticated", False) else "",
        "override_reason": "" if preview.steering_answered else reason,
        "goals": goals,
        # A confidential measure's title (and what derives from it) stays out of the summary,
        # which every member of the partnership can read.
        "measures": [
            {"number": s.measure.number, "confidential": True}
            if s.measure.confidential
            else {
                "number": s.measure.number,
                "title": s.measure.title,
                "confidential": False,
                "status": s.progress.status,
                "entries": s.entries,
            }
            for s in process.states
        ],
        "carried_out": process.carried_out,
        "dropped": process.dropped,
        "restore": restore,
    }
    current.ends_on = today
    current.save(update_fields=["summary", "ends_on"])
    return Cycle.objects.create(partnership=partnership, number=current.number + 1, starts_on=today)


def may_reopen(partnership: Partnership) -> bool:
    """The last closing can be undone while the new cycle has no steering response yet."""
    cycles = list(partnership.cycles.order_by("-number")[:2])
    return (
        len(cycles) == 2
        and "restore" in cycles[1].summary
        and not cycles[0].steering_responses.exists()
    )


@transaction.atomic
def reopen_last_cycle(partnership: Partnership) -> Cycle:
    """Undo the last ``start_next_cycle``: goals get back their baselines, periods and targets,
    the newest cycle is removed and the one before it is open again."""
    cycles = list(
        Cycle.objects.select_for_update().filter(partnership=partnership).order_by("-number")[:2]
    )
    if len(cycles) < 2 or "restore" not in cycles[1].summary:
        raise CycleRefused("Det finns ingen avslutad omgång att öppna igen.")
    newest, closed = cycles
    if newest.steering_responses.exists():
        raise CycleRefused(
            f"Styrgruppen har redan svarat för omgång {newest.number}, så avslutningen av "
            f"omgång {closed.number} kan inte längre ångras."
        )
    goals = {g.pk: g for g in partnership.goals.all()}
    for values in closed.summary["restore"]:
        goal = goals.get(values["goal"])
        if goal is None:  # removed since: nothing to give back
            continue
        goal.baseline = None if values["baseline"] is None else Decimal(values["baseline"])
        goal.baseline_period = values["baseline_period"]
        goal.target = None if values["target"] is None else Decimal(values["target"])
        goal.version += 1
        goal.save(update_fields=["baseline", "baseline_period", "target", "version"])
    newest.delete()
    closed.ends_on = None
    closed.summary = {}
    closed.save(update_fields=["ends_on", "summary"])
    return closed


def effect_goals(partnership: Partnership) -> list[Any]:
    return list(partnership.goals.filter(kind__in=[GoalKind.EFFECT, GoalKind.SUB]))


__all__ = [
    "CycleRefused",
    "EvaluationResult",
    "close_preview",
    "evaluate",
    "process_followup",
    "reopen_last_cycle",
    "start_next_cycle",
]


# ---- counts for the effect follow-up from a party's imported incidents -----------------------


@dataclass
class IncidentCounts:
    """Before/after counts of a party's imported incidents in the treated area and, where
    named, a control and a surrounding area; with the text that says where they come from."""

    treated: tuple[int, int]
    control: tuple[int, int] | None
    buffer: tuple[int, int] | None
    source: str


def count_incidents(
    party: Any, places: list[str], categories: list[str], start: Any, end: Any
) -> int:
    """Incidents of ``party`` at ``places`` in a period (step 2's ``subjects.incidents``)."""
    from samverkan.mapping.subjects import incidents

    return incidents.count_at(party, places, categories, start, end)


def count_field_reports(
    partnership: Any, places: list[str], categories: list[str], start: Any, end: Any
) -> int:
    """The partnership's field reports at ``places`` in a period
    (step 2's ``subjects.field_reports``)."""
    from samverkan.mapping.subjects import field_reports

    return field_reports.count_at(partnership, places, categories, start, end)


def incident_counts(
    party: Any,
    *,
    treated: list[str],
    control: list[str],
    buffer: list[str],
    categories: list[str],
    before: tuple[Any, Any],
    after: tuple[Any, Any],
    field_reports_of: Any = None,
) -> IncidentCounts:
    """Counts before and after in ``party``'s imported incidents, or, with
    ``field_reports_of`` (a partnership), in its field reports."""

    def count(places: list[str], period: tuple[Any, Any]) -> int:
        if field_reports_of is not None:
            return count_field_reports(field_reports_of, places, categories, *period)
        return count_incidents(party, places, categories, *period)

    def both(places: list[str]) -> tuple[int, int]:
        return count(places, before), count(places, after)

    what = ", ".join(categories) if categories else "alla kategorier"
    today = f"{timezone.localdate():%Y-%m-%d}"
    if field_reports_of is not None:
        source = f"Samverkans fältrapporter, räknade {today} ({what}; efter rapportens tid)"
    else:
        source = (
            f"Händelser importerade av {party}, räknade {today} ({what}; efter händelsens starttid)"
        )
    return IncidentCounts(
        both(treated), both(control) if control else None, both(buffer) if buffer else None, source
    )
