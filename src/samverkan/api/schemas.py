"""What the API answers, built in one place per object.

Every output schema reads its object (a model instance) itself through ``resolve_*`` methods,
so an endpoint returns the object and never builds a dictionary of its own: a field added here
shows up in every answer that carries the object. Allowed values are enums (from the models'
choices), so the OpenAPI description lists them and a wrong value gets a 422 that says which
values are allowed. Numbers are numbers: wording in Swedish belongs to pages and documents.
"""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from ninja import Field, Schema

from samverkan.accounts.choices import Role
from samverkan.followup.models import Interpretation, WriteUpPart
from samverkan.implementation.models import Status
from samverkan.jobs.models import JobStatus
from samverkan.partnerships.choices import DecisionKind, GroupKind, MilestoneKind, PartyKind
from samverkan.problems.choices import GoalKind, Perspective, ProblemStatus, Proximity


def str_enum(name: str, values: Any) -> type[enum.Enum]:
    """A string enum for the schema, built from allowed values known only at run time."""
    # mypy reads a call of Enum as a lookup of one member, not as the functional API.
    return cast(
        "type[enum.Enum]",
        enum.Enum(name, {str(v).replace("-", "_").upper(): str(v) for v in values}, type=str),
    )


def _document_values() -> tuple[list[str], list[str], list[str]]:
    from samverkan.documents import models

    return (
        [k for k, _label in models.KIND_CHOICES],
        [k for k, _label in models.EDITION_CHOICES],
        [k for k, _label in models.FORMAT_CHOICES],
    )


def _import_kinds() -> list[str]:
    from samverkan.mapping.choices import ImportKind

    return list(ImportKind.values)


def _job_kinds() -> list[str]:
    """Every kind of background job, as the apps register them (their ``jobs`` modules)."""
    from django.utils.module_loading import autodiscover_modules

    from samverkan.jobs import registry

    autodiscover_modules("jobs")
    # Only the project's own kinds: the schema does not depend on what else (a test module)
    # happened to register a job before the API was first loaded.
    return sorted(
        name
        for name, func in registry._REGISTRY.items()
        if getattr(func, "__module__", "").startswith("samverkan.")
    )


def _finding_keys() -> list[str]:
    from samverkan.followup.services import FINDING_KEYS

    return list(FINDING_KEYS)


# The sources of a goal's results over time (api.work.goal_results).
RESULT_SOURCES = ("baseline", "cycle", "evaluation_before", "evaluation_after", "activities")

if TYPE_CHECKING:
    ImportKindIn = enum.Enum
    ImportStatus = enum.Enum
    DocumentKind = enum.Enum
    DocumentEdition = enum.Enum
    DocumentFormat = enum.Enum
    JobKind = enum.Enum
    FindingKey = enum.Enum
    Criterion = enum.Enum
    ResultSource = enum.Enum
    RequirementKey = enum.Enum
else:
    from samverkan.mapping.choices import ImportStatus
    from samverkan.problems.models import CRITERIA
    from samverkan.process.compliance import REQUIREMENT_KEYS

    ImportKindIn = str_enum("ImportKindIn", _import_kinds())
    _kinds, _editions, _formats = _document_values()
    DocumentKind = str_enum("DocumentKind", _kinds)
    DocumentEdition = str_enum("DocumentEdition", _editions)
    DocumentFormat = str_enum("DocumentFormat", _formats)
    JobKind = str_enum("JobKind", _job_kinds())
    FindingKey = str_enum("FindingKey", _finding_keys())
    Criterion = str_enum("Criterion", CRITERIA)
    ResultSource = str_enum("ResultSource", RESULT_SOURCES)
    RequirementKey = str_enum("RequirementKey", REQUIREMENT_KEYS)


class Error(Schema):
    detail: str


class Invalid(Schema):
    """422: the request did not validate. A list of problems (each with ``loc``, ``msg`` and,
    for a value outside an enum, ``ctx.expected``: the allowed values), or the form's message."""

    detail: str | list[Any]


# ---- partnerships and step 1 --------------------------------------------------------------------


class PartnershipOut(Schema):
    id: int
    name: str
    municipality: str
    police_area: str
    area: str
    purpose: str
    started_on: datetime.date
    valid_until: datetime.date | None
    version: int

    @staticmethod
    def resolve_municipality(obj: Any) -> str:
        return str(obj.municipality)

    @staticmethod
    def resolve_police_area(obj: Any) -> str:
        return str(obj.police_area)


class PartyOut(Schema):
    id: int
    organisation: str
    kind: PartyKind
    signatory_title: str
    signatory_name: str
    contribution: str
    version: int

    @staticmethod
    def resolve_organisation(obj: Any) -> str:
        return str(obj.organisation)


class MemberOut(Schema):
    id: int
    name: str
    party_id: int
    role: Role

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.user)


class GroupOut(Schema):
    id: int
    kind: GroupKind
    name: str
    mandate: str
    meeting_frequency: str
    version: int


class GroupMemberOut(Schema):
    """A person in a group, representing one party."""

    id: int
    group_id: int
    party_id: int
    name: str
    title: str
    is_chair: bool
    version: int


class CoordinatorOut(Schema):
    """The one person who coordinates a party's work in the partnership."""

    id: int
    party_id: int
    name: str
    title: str
    email: str
    phone: str | None = Field(
        description="Only to the party's own administrators and coordinators, who see it on "
        "its form (the parties page shows the rest to every member); null for others."
    )
    version: int

    @staticmethod
    def resolve_phone(obj: Any, context: Any) -> str | None:
        from samverkan.accounts import membership

        request = (context or {}).get("request")
        user = getattr(request, "user", None)
        return (
            obj.phone if user is not None and membership.may_edit_party(user, obj.party) else None
        )


class MilestoneOut(Schema):
    """A date in the planning calendar."""

    id: int
    date: datetime.date
    title: str
    kind: MilestoneKind
    step: int | None = Field(description="The step (1–5) the date belongs to, if any.")
    note: str
    done: bool
    version: int


class DecisionOut(Schema):
    id: int
    kind: DecisionKind
    title: str
    body: str
    decided_on: datetime.date
    reference: str = Field(description="The diarienummer (case number) in the diarium, if any.")
    text: str
    meeting_id: int | None
    version: int


class MeetingOut(Schema):
    id: int
    group_id: int
    title: str
    starts_at: datetime.datetime
    location: str
    agenda: str
    minutes: str
    version: int


# ---- step 3 -------------------------------------------------------------------------------------


class ProblemOut(Schema):
    id: int
    title: str
    status: ProblemStatus
    crime_type: str
    description: str
    version: int


class CauseOut(Schema):
    id: int
    number: int
    problem_id: int
    text: str
    perspective: Perspective
    proximity: Proximity | None
    confidential: bool
    version: int

    @staticmethod
    def resolve_proximity(obj: Any) -> str | None:
        return obj.proximity or None


class GoalOut(Schema):
    id: int
    problem_id: int
    parent_id: int | None
    kind: GoalKind
    text: str
    indicator: str
    unit: str
    baseline: float | None
    baseline_period: str
    target: float | None
    deadline: datetime.date | None
    data_source: str
    version: int


class PointOut(Schema):
    """A GeoJSON point in WGS 84 (longitude, latitude), as the OGC layers give it."""

    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[longitude, latitude]")


class MeasureOut(Schema):
    id: int
    number: int
    problem_id: int
    title: str
    responsible_party_id: int
    how_where: str
    geometry: PointOut | None = Field(
        description="Where the measure is done: the point of the listed place its 'where' "
        "names (as the OGC measures layer places it), or null."
    )
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    cause_numbers: list[int]
    status: Status
    confidential: bool
    version: int = Field(description="The measure's own version (its plan in step 3).")
    status_version: int = Field(
        description="The version of the measure's status: send it back as `version` when you "
        "set the status (PUT …/progress)."
    )

    @staticmethod
    def resolve_geometry(obj: Any) -> dict | None:
        # Set by prepare_measures (one query for the listed places of the whole page).
        point = getattr(obj, "place_point", None)
        return None if point is None else {"type": "Point", "coordinates": point}

    @staticmethod
    def resolve_cause_numbers(obj: Any) -> list[int]:
        # Only the causes the reader may read (api.api.readable_causes): a confidential
        # cause's number is not for everyone who may read the measure. Without them, none.
        return sorted(c.number for c in getattr(obj, "readable_causes", None) or [])

    @staticmethod
    def resolve_status(obj: Any) -> str:
        progress = _progress(obj)
        return Status.PLANNED if progress is None else progress.status

    @staticmethod
    def resolve_status_version(obj: Any) -> int:
        # A measure with no status row yet is planned; its row will start at version 1.
        progress = _progress(obj)
        return 1 if progress is None else progress.version


def prepare_measures(partnership: Any, measures: list[Any]) -> list[Any]:
    """Give each measure its point (``place_point``) for MeasureOut.geometry."""
    from samverkan.api.ogc import _listed_places, listed_place_for

    places = _listed_places(partnership)
    for measure in measures:
        place = listed_place_for(measure, places)
        measure.place_point = None if place is None else (place.longitude, place.latitude)
    return measures


def _progress(measure: Any) -> Any:
    from samverkan.implementation.models import Progress

    try:
        return measure.progress
    except Progress.DoesNotExist:
        return None


class ActivityOut(Schema):
    id: int
    measure_id: int
    date: datetime.date
    what: str
    by_whom: str
    count: int | None
    deviation: str


class ActivityIn(Schema):
    date: datetime.date
    what: str
    by_whom: str = ""
    count: int | None = None
    production_goal_id: int | None = None
    deviation: str = ""


class ProgressIn(Schema):
    status: Status
    reason: str = ""
    started_on: datetime.date | None = None
    finished_on: datetime.date | None = None
    version: int = Field(
        description="The `status_version` you read (GET …/measures or this endpoint's answer); "
        "409 only if someone else changed the status since."
    )


# ---- step 5 -------------------------------------------------------------------------------------


class FindingOut(Schema):
    method: str = Field(description="The statistical method, in words (Swedish).")
    key: FindingKey = Field(description="The kind of test, for code.")
    values: dict[str, float | None] = Field(
        description="The figures as numbers, by name (e.g. before, after, change_percent, "
        "p_value, z, ci_low, ci_high); a figure that cannot be computed is null."
    )
    figures: list[list[str]] = Field(
        description="The same figures as the page prints them (Swedish labels and numbers); "
        "for display only, read `values` in code."
    )
    reading: list[str]


class EvaluationOut(Schema):
    """An effect evaluation with its tests run (``followup.services.evaluate``, once per
    object: the endpoint sets ``result`` on it)."""

    id: int
    goal_id: int
    indicator: str
    interpretation: Interpretation = Field(
        description="How the reported-crime counts are to be read (the handbook's three ways)."
    )
    treated_area: str
    period_before: str
    period_after: str
    treated_before: int
    treated_after: int
    control_area: str
    control_before: int | None
    control_after: int | None
    buffer_area: str
    buffer_before: int | None
    buffer_after: int | None
    selected_for_high_level: bool
    survey_question: str
    survey_before: float | None
    survey_before_n: int | None
    survey_after: float | None
    survey_after_n: int | None
    source: str
    note: str
    version: int
    change_percent: float | None
    findings: list[FindingOut]

    @staticmethod
    def resolve_change_percent(obj: Any) -> float | None:
        return obj.result.change_percent

    @staticmethod
    def resolve_findings(obj: Any) -> list[dict]:
        return [
            {
                "method": f.method,
                "key": f.key,
                "values": f.values,
                "figures": [list(pair) for pair in f.figures],
                "reading": list(f.reading),
            }
            for f in obj.result.findings
        ]


class SteeringResponseOut(Schema):
    """The steering group's response to the follow-up, recorded in a cycle."""

    id: int
    cycle_id: int
    cycle_number: int
    date: datetime.date
    response: str
    decisions: str
    continue_next_cycle: bool
    version: int

    @staticmethod
    def resolve_cycle_number(obj: Any) -> int:
        return int(obj.cycle.number)


class WriteUpPartOut(Schema):
    """One part of the partnership's 5I write-up as the reader may read it: the stored text
    or, until a part is stored, the draft from the data (version 0)."""

    part: WriteUpPart
    number: int
    label: str = Field(description="The part's name, in Swedish.")
    visible: bool = Field(
        description="False: the text quotes something you may not read, and is left out."
    )
    text: str
    reviewed: bool = Field(description="Stored (reviewed or edited); false: the fresh draft.")
    edited: bool = Field(description="Changed by hand since it was drafted from the data.")
    version: int = Field(description="The version to send with a change (0: not stored yet).")
    updated_at: datetime.datetime | None

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return obj.text if obj.visible else ""

    @staticmethod
    def resolve_edited(obj: Any) -> bool:
        return bool(obj.stored and obj.stored.edited)

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.stored.version if obj.stored else 0

    @staticmethod
    def resolve_updated_at(obj: Any) -> datetime.datetime | None:
        return obj.stored.updated_at if obj.stored else None


# ---- documents and jobs -------------------------------------------------------------------------


class IssuedOut(Schema):
    id: int
    kind: DocumentKind
    edition: DocumentEdition
    format: DocumentFormat
    number: int
    sha256: str
    created_at: datetime.datetime


class JobOut(Schema):
    id: int
    kind: JobKind
    status: JobStatus
    progress: int
    message: str
    error: str
    result: dict


class ImportOut(Schema):
    id: int
    party_id: int
    kind: ImportKindIn
    file_name: str
    status: ImportStatus
    rows_total: int
    rows_imported: int
    rows_skipped: int
    error_count: int
    errors: list[Any]
    job_id: int | None

    @staticmethod
    def resolve_errors(obj: Any) -> list[Any]:
        return list(obj.errors or [])[:500]


class PlaceOut(Schema):
    place: str
    count: int


class IncidentSummaryOut(Schema):
    total_with_place: int
    top_places: list[PlaceOut]
    weekday_hour: list[list[float]]


class TrendOut(Schema):
    source: Literal["statistics", "incidents"] = Field(
        description="Where the counts come from: the police statistics, or the party's own "
        "incident register."
    )
    years: list[int]
    rows: list[tuple[str, list[int]]]


NonNegative = Annotated[int, Field(ge=0)]


# ---- field work ---------------------------------------------------------------------------------


class FieldCategoryOut(Schema):
    id: int
    name: str
    active: bool


class FieldPlaceOut(Schema):
    id: int
    name: str
    latitude: float | None
    longitude: float | None
    active: bool


class FieldReportOut(Schema):
    """A field report as the reader may see it: a held-back report's free text, typed place
    and point reach only its reporter and the coordinators of the reporter's party (null for
    everyone else, with ``readable`` false)."""

    id: int
    observed_at: datetime.datetime
    category_id: int
    category: str
    place_id: int | None
    place: str = Field(description="The listed place, or 'Annan plats' / 'Punkt på kartan'.")
    place_text: str | None
    latitude: float | None
    longitude: float | None
    people: int | None
    text: str | None
    party_id: int | None
    held_back: bool
    masked: bool
    text_erased: bool
    readable: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return obj.category.name

    @staticmethod
    def resolve_place(obj: Any) -> str:
        return obj.shared_place()

    @staticmethod
    def resolve_readable(obj: Any) -> bool:
        return bool(getattr(obj, "readable", False))

    @staticmethod
    def resolve_text_erased(obj: Any) -> bool:
        return obj.erased_at is not None

    @staticmethod
    def resolve_text(obj: Any) -> str | None:
        return obj.text if getattr(obj, "readable", False) else None

    @staticmethod
    def resolve_place_text(obj: Any) -> str | None:
        return obj.place_text if getattr(obj, "readable", False) else None

    @staticmethod
    def resolve_latitude(obj: Any) -> float | None:
        return obj.latitude if getattr(obj, "readable", False) else None

    @staticmethod
    def resolve_longitude(obj: Any) -> float | None:
        return obj.longitude if getattr(obj, "readable", False) else None


class FieldReportIn(Schema):
    observed_at: datetime.datetime
    category_id: int
    place_id: int | None = None
    place_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    people: int | None = None
    text: str = ""
    confirm_names: bool = Field(
        False,
        description="The text seems to name people and you send it anyway: the report is "
        "then held back until a coordinator of your party has reviewed it. Identity numbers "
        "are always refused.",
    )
    client_token: str = Field(
        "",
        description="Your own key for this submission (8–64 of A–Z, a–z, 0–9, -): sending the "
        "same report again with it is not saved twice.",
    )


class WeekRowOut(Schema):
    """One line of the weekly tables; a null count is suppressed (below the threshold)."""

    label: str
    this_week: int | None
    previous_mean: float | None = Field(description="Mean of the four weeks before.")
    last_year: int | None
    change: float | None


class NotableOut(Schema):
    observed_at: datetime.datetime
    place: str
    category: str
    people: int | None
    report_id: int


class NotableCountOut(Schema):
    category: str
    count: int | None


class FocusOut(Schema):
    place: str
    reason: str


class WeekPointOut(Schema):
    latitude: float
    longitude: float
    label: str
    count: int | None


class WeeklyPictureOut(Schema):
    week: str = Field(description="ISO week, e.g. 2026-W48.")
    year: int
    number: int
    starts_on: datetime.date
    full: bool = Field(description="Counts in full (coordinators); else small counts are null.")
    threshold: int
    total: int | None
    reports: bool = Field(description="Whether the week has any report.")
    categories: list[WeekRowOut]
    places: list[WeekRowOut]
    notable: list[NotableOut]
    notable_counts: list[NotableCountOut]
    focus: list[FocusOut]
    points: list[WeekPointOut]
    previous_weeks: list[str]
    last_year_week: str


# ---- steps 2–5: the rest of the work ------------------------------------------------------------


class GlossaryTermOut(Schema):
    """A term the parties have agreed on (the glossary of step 3)."""

    id: int
    term: str
    definition: str
    version: int


class HarmWeightsOut(Schema):
    """How much one offence of each crime category counts in the harm-weighted count beside
    the prioritisation, with where the weights come from (version 0: none saved yet, the
    defaults)."""

    liv_halsa: int
    sexualbrott: int
    frihet_frid: int
    tillgrepp: int
    bedrageri: int
    skadegorelse: int
    alkohol_narkotika: int
    trafik: int
    ovrigt: int
    source: str
    is_default: bool = Field(description="The weights and source are the defaults.")
    version: int

    @staticmethod
    def resolve_is_default(obj: Any) -> bool:
        return bool(obj.is_default())


class ProblemPictureOut(Schema):
    text: str
    conditions: str
    updated_at: datetime.datetime | None
    version: int
    confirmed: bool = Field(description="Every signing party has confirmed the current text.")
    confirmed_at: datetime.datetime | None
    confirmed_party_ids: list[int]

    # An unsaved picture (none written yet) has no confirmations.
    @staticmethod
    def resolve_confirmed(obj: Any) -> bool:
        return bool(obj.pk) and obj.is_confirmed()

    @staticmethod
    def resolve_confirmed_at(obj: Any) -> datetime.datetime | None:
        return obj.confirmed_at() if obj.pk else None

    @staticmethod
    def resolve_confirmed_party_ids(obj: Any) -> list[int]:
        return sorted(obj.confirmed_party_ids()) if obj.pk else []


class CriterionScore(Schema):
    criterion: Criterion
    score: int
    weight: float


class RankedProblemOut(Schema):
    problem_id: int
    title: str
    status: ProblemStatus
    rank: int
    total: float = Field(description="The weighted sum of the criteria's scores.")
    criteria: list[CriterionScore]


class PrioritisationOut(Schema):
    weights: dict[str, float]
    problems: list[RankedProblemOut]


def prioritisation_of(partnership: Any) -> dict:
    """The problems ranked by the weighted criteria (PrioritisationOut), as numbers."""
    from decimal import Decimal

    from samverkan.problems.models import CRITERIA, PrioritisationWeights

    record = PrioritisationWeights.objects.filter(partnership=partnership).first()
    weights = record.as_dict() if record else {name: Decimal(1) for name in CRITERIA}
    ranked = sorted(partnership.problems.all(), key=lambda prob: (-prob.score(weights), prob.pk))
    return {
        "weights": {name: float(value) for name, value in weights.items()},
        "problems": [
            {
                "problem_id": prob.pk,
                "title": prob.title,
                "status": prob.status,
                "rank": rank,
                "total": float(prob.score(weights)),
                "criteria": [
                    {
                        "criterion": name,
                        "score": getattr(prob, name),
                        "weight": float(weights.get(name, Decimal(1))),
                    }
                    for name in CRITERIA
                ],
            }
            for rank, prob in enumerate(ranked, start=1)
        ],
    }


class CitizenPromiseOut(Schema):
    id: int
    wording: str
    starts_on: datetime.date
    ends_on: datetime.date
    party_ids: list[int]
    measure_ids: list[int] = Field(description="The measures behind it that you may read.")
    follow_up: str
    feedback: str
    published: bool
    version: int

    @staticmethod
    def resolve_party_ids(obj: Any) -> list[int]:
        return sorted(party.pk for party in obj.parties.all())

    @staticmethod
    def resolve_measure_ids(obj: Any) -> list[int]:
        # A measure the reader may not see is not even named by its id (prepare_promises).
        readable: frozenset[int] = getattr(obj, "readable_measure_ids", frozenset())
        return sorted(m.pk for m in obj.measures.all() if m.pk in readable)


def prepare_promises(user: Any, partnership: Any, promises: list[Any]) -> list[Any]:
    """Tell each promise which of its measures ``user`` may read (CitizenPromiseOut)."""
    from samverkan.accounts import audience

    readable = frozenset(audience.measures_for(user, partnership).values_list("pk", flat=True))
    for promise in promises:
        promise.readable_measure_ids = readable
    return promises


class DocumentDecisionOut(Schema):
    """A decision on the lägesbild or the åtgärdsplan (``documents.DocumentDecision``); the
    same in the lists, the Lagkrav status, the document feed and the webhooks' bodies."""

    id: int
    kind: DocumentKind
    body: str
    decided_on: datetime.date
    reference: str = Field(description="The diarienummer.")
    next_update_due: datetime.date | None
    version: int
    approved_version: int | None = Field(
        description="The number of the issued version the decision approved; only that "
        "version's content is marked adopted (null: no version named)."
    )
    approved_edition: DocumentEdition | None = Field(
        description="The edition of that version (null as above)."
    )

    @staticmethod
    def resolve_approved_version(obj: Any) -> int | None:
        return obj.approved.number if obj.approved_id else None

    @staticmethod
    def resolve_approved_edition(obj: Any) -> str | None:
        return obj.approved.edition if obj.approved_id else None


class RequirementOut(Schema):
    key: RequirementKey
    law: str = Field(description="The section of Lag (2023:196), e.g. '4 §'.")
    label: str
    done: bool
    warning: bool = Field(description="Done, but something needs attention (e.g. a review).")
    detail: str


class LagkravOut(Schema):
    all_done: bool
    done_count: int
    items: list[RequirementOut]
    decisions: list[DocumentDecisionOut]


class ResultPointOut(Schema):
    source: ResultSource = Field(
        description="baseline, cycle (a closed cycle's result), evaluation_before, "
        "evaluation_after, or activities (a production goal's count per month)."
    )
    period: str
    value: float | None
    cycle: int | None = None
    evaluation_id: int | None = None


class GoalResultsOut(Schema):
    goal_id: int
    kind: GoalKind
    indicator: str
    unit: str
    baseline: float | None
    baseline_period: str
    target: float | None
    deadline: datetime.date | None
    points: list[ResultPointOut]


class DocumentEventOut(Schema):
    cursor: int = Field(description="Send the last one you read as `after` to go on.")
    at: datetime.datetime
    event: Literal["issued", "decided"] = Field(
        description="issued (a new document version) or decided (a decision on the "
        "lägesbild or åtgärdsplan was recorded or changed)."
    )
    document: IssuedOut | None = None
    decision: DocumentDecisionOut | None = None


class DocumentFeedOut(Schema):
    events: list[DocumentEventOut]
    next_after: int = Field(description="The cursor to send as `after` next time.")
    more: bool = Field(description="Whether more events wait (ask again at once).")
