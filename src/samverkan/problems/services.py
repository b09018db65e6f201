"""Step 3 domain operations: the joint picture, confirmations, ranking, traceability checks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import translation
from django.utils.translation import gettext as _

from samverkan.partnerships.models import Partnership, Party
from samverkan.problems.choices import GoalKind, ProblemStatus
from samverkan.problems.models import (
    Cause,
    Confirmation,
    GlossaryTerm,
    Goal,
    HarmWeights,
    Measure,
    PrioritisationWeights,
    Problem,
    ProblemPicture,
)

# Starting glossary, written for this project; partnerships edit and extend it.
DEFAULT_GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Anmält brott",
        "Ett brott som har polisanmälts. Visar inte alla brott som begås: många "
        "anmäls aldrig, och viljan att anmäla kan ändras över tid.",
    ),
    (
        "Brottsförebyggande arbete",
        "Åtgärder som minskar risken att brott begås, genom att "
        "påverka situationer, möjligheter eller människors benägenhet att begå brott.",
    ),
    (
        "Trygghetsskapande arbete",
        "Åtgärder som minskar oron för att utsättas för brott, "
        "oavsett om brottsligheten förändras.",
    ),
    ("Effektmål", "Vad som ska ha förändrats i problemet när arbetet är klart, med ett mått."),
    ("Processmål", "Hur arbetet ska bedrivas, t.ex. att en metod används varje gång."),
    ("Produktionsmål", "Hur mycket som ska göras, t.ex. antal tillsynsbesök."),
    (
        "Närliggande orsak",
        "En orsak nära själva brottstillfället, ofta knuten till platsen eller situationen.",
    ),
    (
        "Bakomliggande orsak",
        "En orsak längre bort från brottet, ofta social och knuten till "
        "individ, familj, skola eller närsamhälle.",
    ),
    (
        "Situationell åtgärd",
        "En åtgärd som gör brott svårare, mer riskabelt eller mindre lönsamt "
        "på en viss plats eller i en viss situation.",
    ),
    (
        "Social åtgärd",
        "En åtgärd som påverkar människors benägenhet att begå brott, oftast på lång sikt.",
    ),
    (
        "Förflyttning",
        "När brott flyttar till en annan plats, tid eller typ till följd av en "
        "åtgärd. Motsatsen, att närliggande områden också gynnas, kallas spridningseffekt.",
    ),
)


def picture_for(partnership: Partnership) -> ProblemPicture:
    picture, _created = ProblemPicture.objects.get_or_create(partnership=partnership)
    return picture


@transaction.atomic
def withdraw_confirmations(picture: ProblemPicture) -> int:
    """Any change to the confirmed text withdraws every confirmation (they confirmed a text)."""
    count, _detail = picture.confirmations.all().delete()
    return count


@transaction.atomic
def confirm(picture: ProblemPicture, party: Party, user: Any) -> Confirmation:
    confirmation, _created = Confirmation.objects.get_or_create(
        picture=picture, party=party, defaults={"confirmed_by": user}
    )
    return confirmation


class NothingToConfirm(Exception):
    """The problem picture cannot be confirmed (yet); the message says why, in Swedish."""


@transaction.atomic
def confirm_for(picture: ProblemPicture, user: Any) -> list[Party]:
    """Confirm the joint problem picture for every signing party the user speaks for.

    Refuses (NothingToConfirm) when the picture is empty or the user belongs to no signing
    party. The picture row is locked, so a confirmation never lands on a text that an edit
    is replacing at the same moment."""
    picture = ProblemPicture.objects.select_for_update().get(pk=picture.pk)
    parties = list(picture.partnership.signatories().filter(memberships__user=user).distinct())
    if not parties:
        raise NothingToConfirm(_("Bara signerande parter bekräftar problembilden."))
    if not picture.text.strip():
        raise NothingToConfirm(_("Problembilden är tom: skriv den innan den bekräftas."))
    for party in parties:
        confirm(picture, party, user)
    return parties


def import_shared_reports(picture: ProblemPicture) -> int:
    """Append the parties' shared lägesbilder to the joint text; returns how many were added."""
    from samverkan.mapping.services import shared_situation_reports

    added = 0
    text = picture.text
    for report in shared_situation_reports(picture.partnership):
        with translation.override("sv"):  # stored in the joint text: Swedish
            heading = _("Från %(party)s lägesbild (%(date)s)") % {
                "party": report.party_name,
                "date": report.shared_at.strftime("%Y-%m-%d"),
            }
        if heading in text:
            continue
        text = f"{text.rstrip()}\n\n{heading}\n{report.text.strip()}".strip()
        added += 1
    picture.text = text
    return added


@transaction.atomic
def decide_prioritisation(
    partnership: Partnership,
    chosen: Any,
    *,
    body: str,
    decided_on: Any,
    text: str,
) -> Any:
    """Record the steering group's prioritisation: the chosen problems become prioritised,
    every other problem is set aside, and the decision is registered as a prioritisation."""
    from samverkan.partnerships.choices import DecisionKind
    from samverkan.partnerships.models import Decision

    chosen_ids = {p.pk for p in chosen}
    for problem in partnership.problems.select_for_update():
        status = ProblemStatus.PRIORITISED if problem.pk in chosen_ids else ProblemStatus.SET_ASIDE
        if problem.status != status:
            problem.status = status
            problem.save(update_fields=["status"])
    with translation.override("sv"):  # stored: Swedish whatever the user's language
        title = _("Prioritering: %(problems)s") % {"problems": ", ".join(p.title for p in chosen)}
    return Decision.objects.create(
        partnership=partnership,
        kind=DecisionKind.PRIORITISATION,
        title=title,
        body=body,
        decided_on=decided_on,
        text=text,
    )


def seed_glossary(partnership: Partnership) -> int:
    existing = set(partnership.glossary.values_list("term", flat=True))
    new = [
        GlossaryTerm(partnership=partnership, term=term, definition=definition)
        for term, definition in DEFAULT_GLOSSARY
        if term not in existing
    ]
    for term in new:
        term.save()
    return len(new)


def weights_for(partnership: Partnership) -> PrioritisationWeights:
    weights, _created = PrioritisationWeights.objects.get_or_create(partnership=partnership)
    return weights


def harm_weights_for(partnership: Partnership) -> HarmWeights:
    """The partnership's harm weights (created at the defaults the first time)."""
    weights, _created = HarmWeights.objects.get_or_create(partnership=partnership)
    return weights


def ranking(partnership: Partnership) -> list[tuple[Problem, Decimal]]:
    """Problems ranked by weighted score, highest first; ties by title."""
    weights = weights_for(partnership).as_dict()
    scored = [(p, p.score(weights)) for p in partnership.problems.all()]
    return sorted(scored, key=lambda item: (-item[1], item[0].title))


def order_by_harm(
    ranking: list[tuple[Problem, Decimal]], evidence: dict[int, ProblemEvidence]
) -> list[tuple[Problem, Decimal]]:
    """The ranking ordered by harm-weighted count, highest first; problems without a count
    (no crime type, nothing shared) after those with one; ties keep the score order."""

    def harm(item: tuple[Problem, Decimal]) -> int | None:
        e = evidence.get(item[0].pk)
        return e.harm_weighted if e is not None and e.year is not None else None

    order = {id(item): i for i, item in enumerate(ranking)}
    return sorted(
        ranking,
        key=lambda item: (harm(item) is None, -(harm(item) or 0), order[id(item)]),
    )


_STATUS_ORDER: dict[str, int] = {ProblemStatus.PRIORITISED: 0, ProblemStatus.CANDIDATE: 1}


def ranking_by_status(partnership: Partnership) -> list[tuple[Problem, Decimal]]:
    """The ranking with the prioritised problems first, then the candidates, and those set
    aside last (each group by score): the overview lists what the partnership works on."""
    return sorted(ranking(partnership), key=lambda item: _STATUS_ORDER.get(item[0].status, 2))


def by_status(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """Prioritised problems first, then candidates; those set aside last; by title within."""
    rank = Case(
        When(status=ProblemStatus.PRIORITISED, then=Value(0)),
        When(status=ProblemStatus.CANDIDATE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return problems.order_by(rank, "title")


@dataclass
class TraceIssue:
    code: str
    message: str
    objects: list[Any] = field(default_factory=list)


@dataclass
class Traceability:
    problems: list[dict[str, Any]]
    issues: list[TraceIssue]


def traceability(partnership: Partnership, user: Any) -> Traceability:
    """The chain problem → causes → goals → measures → indicators, and what is missing.

    Checks (handbook p. 59–63): every cause answered by a measure; every measure answering a
    cause; every goal with an indicator, and effect and sub-goals with a baseline; every goal
    with a follow-up plan; no measure chosen before the joint problem picture was confirmed.
    """
    causes = list(
        Cause.objects.visible_to(user)
        .filter(partnership=partnership)
        .prefetch_related("measures", "goals")
    )
    measures = list(
        Measure.objects.visible_to(user)
        .filter(partnership=partnership)
        .select_related("responsible_party__organisation")
        .prefetch_related("causes", "goals")
    )
    goals = list(partnership.goals.prefetch_related("causes", "measures"))
    problems = []
    for problem in by_status(partnership.problems.all()):
        problems.append(
            {
                "problem": problem,
                "causes": [c for c in causes if c.problem_id == problem.pk],
                "goals": [g for g in goals if g.problem_id == problem.pk],
                "measures": [m for m in measures if m.problem_id == problem.pk],
            }
        )
    issues: list[TraceIssue] = []
    unanswered = [c for c in causes if not c.measures.all()]
    if unanswered:
        issues.append(
            TraceIssue(
                "cause_without_measure", _("Orsaker som ingen åtgärd svarar mot"), unanswered
            )
        )
    aimless = [m for m in measures if not m.causes.all()]
    if aimless:
        issues.append(
            TraceIssue(
                "measure_without_cause", _("Åtgärder som inte svarar mot någon orsak"), aimless
            )
        )
    no_indicator = [g for g in goals if not g.has_indicator()]
    if no_indicator:
        issues.append(TraceIssue("goal_without_indicator", _("Mål utan indikator"), no_indicator))
    no_baseline = [
        g for g in goals if g.kind in (GoalKind.EFFECT, GoalKind.SUB) and g.baseline is None
    ]
    if no_baseline:
        issues.append(
            TraceIssue(
                "goal_without_baseline", _("Effekt- och delmål utan utgångsvärde"), no_baseline
            )
        )
    no_plan = [g for g in goals if not g.has_followup_plan()]
    if no_plan:
        issues.append(TraceIssue("goal_without_followup", _("Mål utan uppföljningsplan"), no_plan))
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    confirmed_at = picture.confirmed_at() if picture else None
    early = [m for m in measures if confirmed_at is None or m.created_at < confirmed_at]
    if early:
        issues.append(
            TraceIssue(
                "measure_before_picture",
                _("Åtgärder som valdes innan den gemensamma problembilden var bekräftad"),
                early,
            )
        )
    return Traceability(problems, issues)


def goals_without_causes(partnership: Partnership) -> list[Goal]:
    return [
        g
        for g in partnership.goals.filter(kind=GoalKind.SUB).prefetch_related("causes")
        if not g.causes.all()
    ]


@dataclass(frozen=True)
class BaselineSuggestion:
    party: str
    year: int
    count: int
    offences: str


def baseline_suggestions(partnership: Partnership, crime_type: str) -> list[BaselineSuggestion]:
    """Counts from shared crime statistics that match the problem's crime type, per year.

    Only parties that have shared their lägesbild contribute: a party's statistics stay its
    own until then (step 2). Matching is on the offence name or category, case-insensitively.
    """
    from django.db.models import Q, Sum

    from samverkan.mapping.models import CrimeStatistic, SituationReport

    words = crime_type.strip()
    if not words:
        return []
    shared = SituationReport.objects.filter(party__partnership=partnership, status="shared").values(
        "party_id"
    )
    rows = (
        CrimeStatistic.objects.filter(party_id__in=shared)
        .filter(Q(offence__icontains=words) | Q(category__icontains=words))
        .values("party__organisation__name", "year")
        .annotate(total=Sum("count"))
        .order_by("-year", "party__organisation__name")
    )
    suggestions = []
    for row in rows[:6]:
        suggestions.append(
            BaselineSuggestion(row["party__organisation__name"], row["year"], row["total"], words)
        )
    return suggestions


def mapping_differences(partnership: Partnership) -> dict[str, list[str]]:
    """Per sharing party: the offence categories its shared data hold and no other party's do.

    Helps the parties see what each mapping saw that the other did not (handbook p. 54).
    """
    from samverkan.mapping.models import CrimeStatistic, Incident, SituationReport

    shared = list(
        SituationReport.objects.filter(party__partnership=partnership, status="shared")
        .select_related("party__organisation")
        .values_list("party_id", "party__organisation__name")
    )
    seen: dict[str, set[str]] = {}
    for party_id, name in shared:
        categories = set(
            CrimeStatistic.objects.filter(party_id=party_id)
            .exclude(category="")
            .values_list("category", flat=True)
            .distinct()
        ) | set(
            Incident.objects.filter(party_id=party_id)
            .exclude(category="")
            .values_list("category", flat=True)
            .distinct()
        )
        seen[name] = categories
    return {
        name: sorted(cats - set().union(*(c for n, c in seen.items() if n != name)))
        for name, cats in seen.items()
        if len(seen) > 1
    }


@dataclass
class ProblemEvidence:
    """What the shared mapping says about one problem's crime type, beside the hand scores:
    the latest whole year's reported count, the same count weighted by harm
    (``analysis.harm``), and the costs the parties recorded for it that year."""

    year: int | None
    count: int
    harm_weighted: int
    cost: float | None
    cost_year: int | None
    parties: list[str]


def problem_evidence(
    partnership: Partnership, harm_weights: Mapping[str, int] | None = None
) -> dict[int, ProblemEvidence]:
    """Evidence per problem with a crime type, from the statistics and costs of the parties
    that have shared their lägesbild (a party's mapping stays its own until then). The
    harm-weighted count uses ``harm_weights`` (category → weight), by default the
    partnership's own.

    Statistics: whole years only, and a row several parties imported (same area, offence
    and year) counts once. Costs: the cost items whose name contains the crime type.
    """
    from django.db.models import Q

    from samverkan.analysis.harm import harm_weighted_count
    from samverkan.mapping.models import CrimeCost, CrimeStatistic, SituationReport

    shared = list(
        SituationReport.objects.filter(party__partnership=partnership, status="shared")
        .values_list("party_id", flat=True)
        .distinct()
    )
    result: dict[int, ProblemEvidence] = {}
    if not shared:
        return result
    if harm_weights is None:
        harm_weights = harm_weights_for(partnership).as_dict()
    for problem in partnership.problems.exclude(crime_type=""):
        words = problem.crime_type.strip()
        rows = (
            CrimeStatistic.objects.filter(
                party_id__in=shared, quarter__isnull=True, month__isnull=True
            )
            .filter(Q(offence__icontains=words) | Q(category__icontains=words))
            .values_list(
                "party__organisation__name", "area", "offence", "year", "category", "count"
            )
            .order_by("party_id")
        )
        seen: dict[tuple[str, str, int], tuple[str, int]] = {}
        holders: dict[int, set[str]] = defaultdict(set)
        for party, area, offence, year, category, count in rows:
            seen.setdefault((area, offence, year), (category, count))
            holders[year].add(party)
        years = sorted({year for _area, _offence, year in seen})
        latest = years[-1] if years else None
        pairs = [v for (_a, _o, y), v in seen.items() if y == latest]
        costs = list(
            CrimeCost.objects.filter(party_id__in=shared, item__icontains=words).values_list(
                "year", "amount"
            )
        )
        cost_year = max((y for y, _amount in costs), default=None)
        cost = float(sum(amount for y, amount in costs if y == cost_year)) if cost_year else None
        if latest is None and cost is None:
            continue
        result[problem.pk] = ProblemEvidence(
            latest,
            sum(c for _cat, c in pairs),
            harm_weighted_count(pairs, harm_weights),
            cost,
            cost_year,
            sorted(holders.get(latest, set())) if latest else [],
        )
    return result
