"""Open data through the API, without a token (issue 24): the results that partnerships have
chosen to publish, exactly as the open-data catalogue's JSON distribution gives them.

Every answer is built by ``learning.opendata`` (the builder of ``/oppna-data/…``), so the API
and the catalogue cannot say different things: the public audience's rules, small counts left
out with every figure computed from them. The field names are the distribution's own
(``samverkan-oppna-data/1``), so one reader serves both. Without a token the rate limit counts
per client address (``api.throttle_address``).
"""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from samverkan.api.api import Moment, Page, paged, throttle_address
from samverkan.api.schemas import Error, Invalid, str_enum
from samverkan.followup.models import WriteUpPart
from samverkan.implementation.models import Status
from samverkan.learning.models import MeasureMethod, PlaceType
from samverkan.problems.choices import MeasureKind, ProblemStatus

if TYPE_CHECKING:
    DecidedDocument = enum.Enum
    TextBlock = enum.Enum
else:
    TextBlock = str_enum("TextBlock", ["stycke", "lista"])
    # The documents whose adoption Lag (2023:196) asks for (documents.DocumentDecision.kind).
    DecidedDocument = str_enum("DecidedDocument", ["lagesbild", "atgardsplan"])

router = Router(tags=["open data"], auth=None)

OPEN_ERRORS = {422: Invalid, 429: Error}


# ---- what the answers hold: the JSON distribution's shape -------------------------------------


class OpenPartnership(Schema):
    id: int
    namn: str = Field(description="The partnership's name.")
    kommun: str
    kommunkod: str = Field(description="The kommun's four-digit code (SCB).")
    lokalpolisomrade: str = Field(description="The local police area.")
    omrade: str = Field(description="The area the partnership covers.")
    start: datetime.date | None
    slut: datetime.date | None = Field(description="Valid until.")


class ContactPoint(Schema):
    namn: str
    epost: str


class CrimeCategory(Schema):
    kategori: str
    antal: dict[str, int | None] = Field(
        description="Reported offences per year; null where under the small-count threshold."
    )


class CrimeFigures(Schema):
    """The public lägesbild's table of reported offences per category and year."""

    omrade: str
    ar: list[int] = Field(description="The years of the table.")
    kategorier: list[CrimeCategory]
    totalt: dict[str, int | None] = Field(
        description="All categories per year; null where a suppressed cell could be worked out "
        "from it."
    )
    kalla: str = Field(description="Source.")


class OpenProblem(Schema):
    titel: str
    brottskategori: str = Field(description="The handbook's group of offences, or empty.")
    status: ProblemStatus


class OpenMeasure(Schema):
    nummer: int
    titel: str
    problem: str
    typ: MeasureKind
    typ_namn: str
    kunskapslage: str = Field(description="State of knowledge, in words.")
    status: Status
    status_namn: str
    start: datetime.date | None
    slut: datetime.date | None


class OpenMeasures(Schema):
    atgarder: list[OpenMeasure] = Field(description="The publishable measures with status.")
    under_sekretess: int = Field(description="How many measures are confidential.")
    ej_offentliga: int = Field(description="How many measures are not publishable.")


class OpenResult(Schema):
    """One effect result; with ``undertryckt`` true every count and figure is null."""

    id: str = Field(description="`<partnership id>-<evaluation id>`.")
    kommun: str
    kommunkod: str
    samverkan: str
    problem: str
    brottskategori: str
    mal: str = Field(description="The goal.")
    indikator: str
    typ_av_atgard: MeasureMethod
    typ_av_atgard_namn: str
    typ_av_plats: PlaceType
    typ_av_plats_namn: str
    period_fore: str
    period_efter: str
    undertryckt: bool = Field(description="A count is under the small-count threshold.")
    insats_fore: int | None
    insats_efter: int | None
    kontroll_fore: int | None
    kontroll_efter: int | None
    log_kvot: float | None = Field(description="Log of the rate ratio (after/before, treated "
                                   "against control).")  # fmt: skip
    varians: float | None = Field(description="Variance of the log rate ratio.")
    kvot: float | None
    kvot_lag: float | None = Field(description="Lower limit of the 95 % interval.")
    kvot_hog: float | None = Field(description="Upper limit of the 95 % interval.")
    forandring_procent: float | None = Field(description="Change in the treated area, per cent.")


class IssuedFile(Schema):
    format: str = Field(description="pdf, docx or html.")
    sha256: str = Field(description="SHA-256 of the issued file, hex.")


class OpenDocument(Schema):
    dokument: DecidedDocument
    dokument_namn: str
    beslutande_organ: str
    beslutsdatum: datetime.date | None
    diarienummer: str
    nasta_uppdatering: datetime.date | None
    offentlig_version: int | None = Field(
        description="Version number of the newest public edition issued (none issued: null)."
    )
    utfardad: datetime.datetime | None = Field(description="When that version was issued.")
    filer: list[IssuedFile] = Field(description="That version's files with their SHA-256.")


class WriteUpBlock(Schema):
    """A paragraph (``text``; a single newline is the writer's line break) or a list."""

    typ: TextBlock
    text: str | None
    numrerad: bool | None = Field(description="A list numbered by the writer.")
    punkter: list[str] | None = Field(description="The list's items.")


class OpenWriteUpPart(Schema):
    nummer: int
    avsnitt: WriteUpPart
    rubrik: str
    publicerad: bool = Field(
        description="The leaders have approved the part's text for publication as it reads "
        "now; otherwise `text` is null and `stycken` empty."
    )
    text: str | None = Field(description="The text as plain text, as the public edition "
                             "prints it.")  # fmt: skip
    stycken: list[WriteUpBlock]


class OpenWriteUp(Schema):
    """The 5I write-up's parts, as the public 5I document prints them."""

    delar: list[OpenWriteUpPart]
    kalla: str


class OpenDataset(Schema):
    """One partnership's open data: the catalogue's JSON distribution."""

    schema_: str = Field(alias="schema", description="`samverkan-oppna-data/1`.")
    samverkan: OpenPartnership
    licens: str | None = Field(description="The licence's URI.")
    kontaktpunkt: ContactPoint | None
    publicerad: datetime.datetime | None
    hamtad: datetime.datetime = Field(description="When this answer was built.")
    lagesbild: CrimeFigures
    problem: list[OpenProblem]
    atgarder: OpenMeasures
    resultat: list[OpenResult]
    dokument: list[OpenDocument] = Field(description="Adopted documents' metadata.")
    beskrivning_5i: OpenWriteUp


# ---- queries ----------------------------------------------------------------------------------


class DatasetPage(Page):
    # A dataset is built from several tables; a page of them stays small.
    limit: int = Field(20, ge=1, le=100, description="At most this many datasets.")


class ResultFilter(Schema):
    typ_av_atgard: MeasureMethod | None = Field(None, description="Only this kind of measure.")
    typ_av_plats: PlaceType | None = Field(None, description="Only this kind of place.")
    kommunkod: str | None = Field(
        None, pattern=r"^[0-9]{4}$", description="Only this kommun (four-digit code)."
    )
    changed_since: Moment | None = Field(
        None,
        description="Only results whose evaluation, its labels, goal or problem were created "
        "or changed at or after this moment (ISO 8601, with a time zone), as the history "
        "records them, and the results of partnerships that began publishing since.",
    )


def _open(request: HttpRequest, response: HttpResponse) -> None:
    throttle_address(request)
    # Open data: any site may read it from a browser (no cookies are sent or needed).
    response["Access-Control-Allow-Origin"] = "*"


# ---- endpoints ----------------------------------------------------------------------------------


@router.get(
    "/open-data/datasets",
    response={200: list[OpenDataset], **OPEN_ERRORS},
    summary="Every partnership's published open data (no token)",
    by_alias=True,
)
def datasets(request: HttpRequest, response: HttpResponse, page: Query[DatasetPage]) -> list[Any]:
    from samverkan.learning import opendata

    _open(request, response)
    return [opendata.dataset(p) for p in paged(request, response, opendata.publishing(), page)]


@router.get(
    "/open-data/datasets/{pk}",
    response={200: OpenDataset, 404: Error, **OPEN_ERRORS},
    summary="One partnership's published open data (no token; 404 unless it publishes)",
    by_alias=True,
)
def dataset(request: HttpRequest, response: HttpResponse, pk: int) -> Any:
    from samverkan.learning import opendata

    _open(request, response)
    partnership = opendata.publishing().filter(pk=pk).first()
    if partnership is None:
        raise Http404
    return opendata.dataset(partnership)


@router.get(
    "/open-data/results",
    response={200: list[OpenResult], **OPEN_ERRORS},
    summary="The effect results of every publishing partnership, as the CSV distributions "
    "give them (no token)",
)
def results(
    request: HttpRequest, response: HttpResponse, page: Query[Page], chosen: Query[ResultFilter]
) -> list[Any]:
    from django.db.models import Q

    from samverkan.learning import opendata

    _open(request, response)
    filters = Q()
    if chosen.typ_av_atgard is not None:
        method = Q(label__method=chosen.typ_av_atgard.value)
        if chosen.typ_av_atgard == MeasureMethod.OTHER:
            method |= Q(label__isnull=True)  # an unlabelled result counts as "other"
        filters &= method
    if chosen.typ_av_plats is not None:
        place = Q(label__place_type=chosen.typ_av_plats.value)
        if chosen.typ_av_plats == PlaceType.OTHER:
            place |= Q(label__isnull=True)
        filters &= place
    if chosen.kommunkod:
        filters &= Q(partnership__municipality__code=chosen.kommunkod)
    evaluations = opendata.published_evaluations().filter(filters)
    if chosen.changed_since is not None:
        evaluations = evaluations.filter(_changed_since(chosen.changed_since))
    rows = paged(request, response, evaluations, page)
    return [opendata.result_row(ev, ev.partnership) for ev in rows]


def _changed_since(when: datetime.datetime) -> Any:
    """The results changed since ``when``: the history of what a result row is built from."""
    from django.db.models import Q

    from samverkan.accounts.models import AuditEntry
    from samverkan.learning.models import EvaluationLabel

    def ids(label: str) -> set[int]:
        found = AuditEntry.objects.filter(
            at__gte=when, model_label=label, partnership__open_data__published=True
        ).values_list("object_id", flat=True)
        return {int(i) for i in found if str(i).isdigit()}

    labelled = EvaluationLabel.objects.filter(pk__in=ids("learning.evaluationlabel"))
    return (
        Q(pk__in=ids("followup.effectevaluation"))
        | Q(pk__in=labelled.values("evaluation_id"))
        | Q(goal_id__in=ids("problems.goal"))
        | Q(goal__problem_id__in=ids("problems.problem"))
        | Q(partnership__open_data__updated_at__gte=when)
    )
