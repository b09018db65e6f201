"""The open API at /api/v1/ (django-ninja), described by OpenAPI at /api/v1/openapi.json.

Every endpoint goes through the same gate as the pages (``accounts.access``): a token of
someone outside a partnership gets 404, a reader gets 403 on writes, party-private material
stays with the party, and confidential items are left out for those who may not see them.
Writes use the same forms and services as the pages, with the same optimistic locking.
"""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from samverkan.accounts import access, audience
from samverkan.api.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sv_…``: a personal token created on the API page or with
    ``manage.py create_api_token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.user_for(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Samverkan API",
    version="1",
    description=(
        "The partnership's data for other systems (case management, GIS, BI, follow-up). "
        "Authenticate with a personal token: `Authorization: Bearer <token>`. Every answer "
        "holds what the token's user may see on the pages, never more."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url=None,
)


class Error(Schema):
    detail: str


class Invalid(Schema):
    """422: the request did not validate (a list of problems, or a message from the form)."""

    detail: str | list[Any]


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


def _partnership(request: HttpRequest, pk: int, action: str = "view") -> Any:
    return access.get_partnership_for(request.user, pk, action=action)


def _party(request: HttpRequest, partnership: Any, party_id: int) -> Any:
    """A party whose private material the user may see, else 404 (as on the pages)."""
    from samverkan.partnerships.models import Party

    party = access.scoped(Party.objects.select_related("organisation"), partnership, party_id)
    if not access.may_see_private(request.user, party):
        raise Http404
    return party


def _import_kinds() -> type[enum.Enum]:
    from samverkan.mapping.choices import ImportKind

    # mypy reads a call of Enum as a lookup of one member, not as the functional API.
    return cast(
        "type[enum.Enum]",
        enum.Enum("ImportKindIn", {v.replace("-", "_"): v for v in ImportKind.values}, type=str),
    )


if TYPE_CHECKING:
    ImportKindIn = enum.Enum  # built at run time, from the kinds the importers know
else:
    ImportKindIn = _import_kinds()

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Invalid}

# ---- schemas ------------------------------------------------------------------------------------


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


class PartyOut(Schema):
    id: int
    organisation: str
    kind: str
    signatory_title: str
    signatory_name: str


class MemberOut(Schema):
    id: int
    name: str
    party_id: int
    role: str


class GroupOut(Schema):
    id: int
    kind: str
    name: str
    mandate: str


class DecisionOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    decided_on: datetime.date
    reference: str
    text: str


class MeetingOut(Schema):
    id: int
    group_id: int
    title: str
    starts_at: datetime.datetime
    location: str
    agenda: str
    minutes: str


class ProblemOut(Schema):
    id: int
    title: str
    status: str
    crime_type: str
    description: str


class CauseOut(Schema):
    id: int
    number: int
    problem_id: int
    text: str
    perspective: str
    proximity: str
    confidential: bool


class GoalOut(Schema):
    id: int
    problem_id: int
    kind: str
    text: str
    indicator: str
    unit: str
    baseline: float | None
    target: float | None
    deadline: datetime.date | None


class MeasureOut(Schema):
    id: int
    number: int
    problem_id: int
    title: str
    responsible_party_id: int
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    cause_numbers: list[int]
    status: str
    confidential: bool
    version: int = Field(description="The measure's own version (its plan in step 3).")
    status_version: int = Field(
        description="The version of the measure's status: send it back as `version` when you "
        "set the status (PUT …/progress)."
    )


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
    status: str
    reason: str = ""
    started_on: datetime.date | None = None
    finished_on: datetime.date | None = None
    version: int = Field(
        description="The `status_version` you read (GET …/measures or this endpoint's answer); "
        "409 only if someone else changed the status since."
    )


class FindingOut(Schema):
    method: str
    figures: list[list[str]]
    reading: list[str]


class EvaluationOut(Schema):
    id: int
    goal_id: int
    indicator: str
    treated_area: str
    period_before: str
    period_after: str
    treated_before: int
    treated_after: int
    change_percent: float | None
    findings: list[FindingOut]


class IssuedOut(Schema):
    id: int
    kind: str
    edition: str
    format: str
    number: int
    sha256: str
    created_at: datetime.datetime


class JobOut(Schema):
    id: int
    kind: str
    status: str
    progress: int
    message: str
    error: str
    result: dict


class ImportOut(Schema):
    id: int
    party_id: int
    kind: str
    file_name: str
    status: str
    rows_total: int
    rows_imported: int
    rows_skipped: int
    error_count: int
    errors: list[Any]
    job_id: int | None


class PlaceOut(Schema):
    place: str
    count: int


class IncidentSummaryOut(Schema):
    total_with_place: int
    top_places: list[PlaceOut]
    weekday_hour: list[list[float]]


class TrendOut(Schema):
    source: str
    years: list[int]
    rows: list[tuple[str, list[int]]]


# ---- partnerships and step 1 --------------------------------------------------------------------

router = Router(tags=["partnerships"])


def _partnership_out(p: Any) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "municipality": str(p.municipality),
        "police_area": str(p.police_area),
        "area": p.area,
        "purpose": p.purpose,
        "started_on": p.started_on,
        "valid_until": p.valid_until,
        "version": p.version,
    }


@router.get(
    "/partnerships", response={200: list[PartnershipOut], 401: Error}, summary="Your partnerships"
)
def partnerships(request: HttpRequest) -> list[dict]:
    chosen = access.partnerships_for(request.user).select_related("municipality", "police_area")
    # A field reporter's partnership is not theirs to read through the API (access.py).
    chosen = chosen.exclude(pk__in=access.reporter_only_partnership_ids(request.user))
    return [_partnership_out(p) for p in chosen.order_by("pk")]


@router.get("/partnerships/{pk}", response={200: PartnershipOut, **ERRORS})
def partnership(request: HttpRequest, pk: int) -> dict:
    return _partnership_out(_partnership(request, pk))


@router.get("/partnerships/{pk}/parties", response={200: list[PartyOut], **ERRORS})
def parties(request: HttpRequest, pk: int) -> list[dict]:
    p = _partnership(request, pk)
    return [
        {
            "id": party.pk,
            "organisation": str(party.organisation),
            "kind": party.kind,
            "signatory_title": party.signatory_title,
            "signatory_name": party.signatory_name,
        }
        for party in p.parties.select_related("organisation").order_by("pk")
    ]


@router.get("/partnerships/{pk}/members", response={200: list[MemberOut], **ERRORS})
def members(request: HttpRequest, pk: int) -> list[dict]:
    from samverkan.accounts.models import Membership

    p = _partnership(request, pk)
    rows = Membership.objects.filter(party__partnership=p).select_related("user").order_by("pk")
    return [{"id": m.pk, "name": str(m.user), "party_id": m.party_id, "role": m.role} for m in rows]


@router.get("/partnerships/{pk}/groups", response={200: list[GroupOut], **ERRORS})
def groups(request: HttpRequest, pk: int) -> list[Any]:
    return list(_partnership(request, pk).groups.order_by("pk"))


@router.get("/partnerships/{pk}/decisions", response={200: list[DecisionOut], **ERRORS})
def decisions(request: HttpRequest, pk: int) -> list[Any]:
    return list(_partnership(request, pk).decisions.order_by("decided_on", "pk"))


@router.get("/partnerships/{pk}/meetings", response={200: list[MeetingOut], **ERRORS})
def meetings(request: HttpRequest, pk: int) -> list[Any]:
    return list(_partnership(request, pk).meetings.order_by("starts_at", "pk"))


# ---- step 3: problems, causes, goals, measures --------------------------------------------------


@router.get("/partnerships/{pk}/problems", response={200: list[ProblemOut], **ERRORS})
def problems(request: HttpRequest, pk: int) -> list[Any]:
    return list(_partnership(request, pk).problems.order_by("pk"))


@router.get("/partnerships/{pk}/causes", response={200: list[CauseOut], **ERRORS})
def causes(request: HttpRequest, pk: int) -> list[Any]:
    from samverkan.problems.models import Cause

    p = _partnership(request, pk)
    to = audience.for_user(request.user, p)
    return list(Cause.objects.filter(to.cause_q(), partnership=p).distinct().order_by("number"))


@router.get("/partnerships/{pk}/goals", response={200: list[GoalOut], **ERRORS})
def goals(request: HttpRequest, pk: int) -> list[Any]:
    return list(_partnership(request, pk).goals.order_by("pk"))


def _measure_out(m: Any, status: str, status_version: int) -> dict:
    return {
        "id": m.pk,
        "number": m.number,
        "problem_id": m.problem_id,
        "title": m.title,
        "responsible_party_id": m.responsible_party_id,
        "starts_on": m.starts_on,
        "ends_on": m.ends_on,
        "cause_numbers": sorted(c.number for c in m.causes.all()),
        "status": status,
        "confidential": m.confidential,
        "version": m.version,
        "status_version": status_version,
    }


@router.get("/partnerships/{pk}/measures", response={200: list[MeasureOut], **ERRORS})
def measures(request: HttpRequest, pk: int) -> list[dict]:
    from samverkan.implementation.models import Progress, Status
    from samverkan.problems.models import Measure

    p = _partnership(request, pk)
    # A member receives the measures their audience receives in full (accounts/audience.py);
    # a withheld one is left out of the list, with nothing of it (no status, no period).
    to = audience.for_user(request.user, p)
    visible = (
        Measure.objects.filter(to.measure_q(), partnership=p)
        .distinct()
        .prefetch_related("causes")
        .order_by("number")
    )
    rows = Progress.objects.filter(measure__in=visible).values_list("measure", "status", "version")
    status = {measure: (state, version) for measure, state, version in rows}
    # A measure with no status row yet is planned; its row will start at version 1.
    return [_measure_out(m, *status.get(m.pk, (Status.PLANNED, 1))) for m in visible]


def _measure(request: HttpRequest, partnership: Any, measure_id: int) -> Any:
    from samverkan.problems.models import Measure

    to = audience.for_user(request.user, partnership)
    return access.scoped(Measure.objects.filter(to.measure_q()).distinct(), partnership, measure_id)


@router.get(
    "/partnerships/{pk}/measures/{measure_id}/activities",
    response={200: list[ActivityOut], **ERRORS},
)
def activities(request: HttpRequest, pk: int, measure_id: int) -> list[Any]:
    measure = _measure(request, _partnership(request, pk), measure_id)
    return list(measure.activities.order_by("date", "pk"))


def _form_errors(form: Any) -> HttpError:
    messages = "; ".join(
        f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
        for field, errors in form.errors.items()
    )
    return HttpError(422, messages)


@router.post(
    "/partnerships/{pk}/measures/{measure_id}/activities",
    response={201: ActivityOut, **ERRORS},
    summary="Log work on a measure (as the activity log page does)",
)
def activity_create(request: HttpRequest, pk: int, measure_id: int, payload: ActivityIn) -> Status:
    from samverkan.implementation import forms, services

    p = _partnership(request, pk, "edit")
    measure = _measure(request, p, measure_id)
    data = payload.dict()
    data["production_goal"] = data.pop("production_goal_id") or ""
    form = forms.ActivityForm({k: "" if v is None else v for k, v in data.items()}, measure=measure)
    if not form.is_valid():
        raise _form_errors(form)
    entry = form.save(commit=False)
    entry.measure = measure
    return Status(201, services.log_activity(entry, request.user))


@router.put(
    "/partnerships/{pk}/measures/{measure_id}/progress",
    response={200: MeasureOut, 409: Error, **ERRORS},
    summary="Set a measure's status; send the version you read (409 if it changed since)",
)
def progress_update(request: HttpRequest, pk: int, measure_id: int, payload: ProgressIn) -> dict:
    from samverkan.implementation import forms
    from samverkan.implementation.models import progress_for

    p = _partnership(request, pk, "edit")
    measure = _measure(request, p, measure_id)
    progress = progress_for(measure)
    data = {k: "" if v is None else v for k, v in payload.dict().items()}
    form = forms.ProgressForm(data, instance=progress)
    if not form.is_valid():
        raise _form_errors(form)
    saved = form.save_checked()
    if saved is None:
        raise HttpError(
            409, "The status was changed by someone else; read status_version again."
        )
    measure.refresh_from_db()
    return _measure_out(measure, saved.status, saved.version)


# ---- step 5 -------------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/evaluations", response={200: list[EvaluationOut], **ERRORS})
def evaluations(request: HttpRequest, pk: int) -> list[dict]:
    from samverkan.followup import services

    p = _partnership(request, pk)
    out = []
    for ev in p.evaluations.order_by("pk"):
        result = services.evaluate(ev)
        out.append(
            {
                "id": ev.pk,
                "goal_id": ev.goal_id,
                "indicator": ev.indicator,
                "treated_area": ev.treated_area,
                "period_before": ev.period_before,
                "period_after": ev.period_after,
                "treated_before": ev.treated_before,
                "treated_after": ev.treated_after,
                "change_percent": result.change_percent,
                "findings": [
                    {
                        "method": f.method,
                        "figures": [list(pair) for pair in f.figures],
                        "reading": list(f.reading),
                    }
                    for f in result.findings
                ],
            }
        )
    return out


# ---- documents ----------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/documents", response={200: list[IssuedOut], **ERRORS})
def documents(request: HttpRequest, pk: int) -> list[Any]:
    p = _partnership(request, pk)
    return [
        v
        for v in p.issued_documents.order_by("kind", "edition", "number", "format")
        if access.may_download_issued(request.user, v)
    ]


@router.post(
    "/partnerships/{pk}/documents/{kind}/{edition}/issue",
    response={202: JobOut, **ERRORS},
    summary="Issue the next version of a document (a background job; follow it under /jobs)",
)
def document_issue(request: HttpRequest, pk: int, kind: str, edition: str) -> Status:
    from samverkan.documents import data
    from samverkan.jobs.registry import enqueue

    p = _partnership(request, pk, "edit")
    if kind not in data.KINDS or edition not in data.EDITIONS:
        raise Http404
    job = enqueue("documents.issue", partnership=p, user=request.user, kind=kind, edition=edition)
    return Status(202, job)


@router.get(
    "/partnerships/{pk}/documents/{issued_id}/file",
    response={200: None, **ERRORS},
    summary="Download an issued version (PDF or Word)",
)
def document_file(request: HttpRequest, pk: int, issued_id: int) -> FileResponse:
    from samverkan.documents.models import IssuedDocument
    from samverkan.documents.services import CONTENT_TYPES, file_name

    p = _partnership(request, pk)
    version = access.scoped(IssuedDocument.objects.all(), p, issued_id)
    if not access.may_download_issued(request.user, version):
        raise Http404
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=file_name(p, version.kind, version.edition, version.format, version.number),
        content_type=CONTENT_TYPES[version.format],
    )


# ---- jobs ---------------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/jobs/{job_id}", response={200: JobOut, **ERRORS})
def job(request: HttpRequest, pk: int, job_id: int) -> Any:
    from samverkan.jobs.models import Job

    p = _partnership(request, pk)
    record = access.scoped(Job.objects.all(), p, job_id)
    if not access.may_see_job(request.user, record):
        raise Http404
    return record


# ---- step 2: a party's own imports and statistics -----------------------------------------------


@router.post(
    "/partnerships/{pk}/parties/{party_id}/imports",
    response={202: ImportOut, **ERRORS},
    summary="Upload a file to import (kind: crime-stats, incidents, kolada, population, "
    "survey, …); the import runs as a job",
)
def import_upload(
    request: HttpRequest,
    pk: int,
    party_id: int,
    kind: Form[ImportKindIn],
    file: File[UploadedFile],
) -> Status:
    from django.db import transaction

    from samverkan.jobs.registry import enqueue
    from samverkan.mapping import forms, services

    p = _partnership(request, pk, "edit")
    party = _party(request, p, party_id)
    form = forms.ImportForm({"kind": kind.value}, {"file": file}, party=party)
    if not form.is_valid():
        raise _form_errors(form)
    with transaction.atomic():
        record = services.create_import(
            party, form.cleaned_data["kind"], form.cleaned_data["file"], request.user
        )
        record.job = enqueue("mapping.import", partnership=p, user=request.user,
                             import_id=record.pk)  # fmt: skip
        record.save(update_fields=["job"])
    return Status(202, _import_out(record))


def _import_out(record: Any) -> dict:
    return {
        "id": record.pk,
        "party_id": record.party_id,
        "kind": record.kind,
        "file_name": record.file_name,
        "status": record.status,
        "rows_total": record.rows_total,
        "rows_imported": record.rows_imported,
        "rows_skipped": record.rows_skipped,
        "error_count": record.error_count,
        "errors": list(record.errors or [])[:500],
        "job_id": record.job_id,
    }


@router.get(
    "/partnerships/{pk}/parties/{party_id}/imports/{import_id}",
    response={200: ImportOut, **ERRORS},
)
def import_detail(request: HttpRequest, pk: int, party_id: int, import_id: int) -> dict:
    from samverkan.mapping.models import Import

    p = _partnership(request, pk)
    party = _party(request, p, party_id)
    record = Import.objects.filter(party=party, pk=import_id).first()
    if record is None:
        raise Http404
    return _import_out(record)


@router.get(
    "/partnerships/{pk}/parties/{party_id}/statistics",
    response={200: TrendOut, **ERRORS},
    summary="Reported offences per category and year, as the party's statistics page shows",
)
def statistics(request: HttpRequest, pk: int, party_id: int) -> dict:
    from samverkan.mapping import stats

    party = _party(request, _partnership(request, pk), party_id)
    trend = stats.category_trend(party)
    return {"source": trend.source, "years": list(trend.years), "rows": trend.rows()}


@router.get(
    "/partnerships/{pk}/parties/{party_id}/incidents/summary",
    response={200: IncidentSummaryOut, **ERRORS},
    summary="Incidents aggregated: the top places and the weekday × hour profile (Monday first, "
    "Swedish time), as the party's statistics page shows; never single incidents",
)
def incident_summary(request: HttpRequest, pk: int, party_id: int) -> dict:
    from samverkan.mapping import stats

    party = _party(request, _partnership(request, pk), party_id)
    places = stats.top_places(party, 10)
    matrix = stats.weekday_hour(party)
    return {
        "total_with_place": places.total,
        "top_places": [{"place": p.place, "count": p.count} for p in places.places],
        "weekday_hour": [[round(float(v), 3) for v in row] for row in matrix],
    }


api.add_router("", router)
