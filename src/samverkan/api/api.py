"""The open API at /api/v1/ (django-ninja), described by OpenAPI at /api/v1/openapi.json.

Every endpoint goes through the same gate as the pages (``accounts.access``): a token of
someone outside a partnership gets 404, a reader gets 403 on writes, party-private material
stays with the party, and confidential items are left out for those who may not see them.
Writes use the same forms and services as the pages, with the same optimistic locking.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import time
from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils import timezone, translation
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import HttpError, Throttled
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from pydantic import AfterValidator, BeforeValidator

from samverkan.accounts import access, audience, audit
from samverkan.api.models import ApiToken
from samverkan.api.schemas import (
    ActivityIn,
    ActivityOut,
    CauseOut,
    DecisionOut,
    DocumentEdition,
    DocumentKind,
    Error,
    EvaluationOut,
    GoalOut,
    GroupOut,
    ImportKindIn,
    ImportOut,
    IncidentSummaryOut,
    Invalid,
    IssuedOut,
    JobOut,
    MeasureOut,
    MeetingOut,
    MemberOut,
    PartnershipOut,
    PartyOut,
    ProblemOut,
    ProgressIn,
    TrendOut,
    prepare_measures,
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def throttle(token: ApiToken) -> None:
    """Count the token's requests in fixed windows (Django's cache); over the limit, 429.

    ``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW_SECONDS`` per token (0 turns it off).
    The count lives in the default cache: give production a shared cache (Redis, the
    database) so every worker process counts the same requests.
    """
    _count_request(f"api-rate:{token.pk}")


def throttle_address(request: HttpRequest) -> None:
    """The same limit for a request without a token (the open data), counted per client
    address as the login limit finds it (``TRUSTED_PROXY_COUNT``; IPv6 per /64 network)."""
    from samverkan.accounts.throttle import address_key, client_address

    _count_request(f"api-rate:address:{address_key(client_address(request))}")


def _count_request(prefix: str) -> None:
    limit = getattr(settings, "API_RATE_LIMIT", 0)
    window = max(1, getattr(settings, "API_RATE_WINDOW_SECONDS", 60))
    if not limit:
        return
    now = time.time()
    slot = int(now // window)
    key = f"{prefix}:{slot}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise Throttled(wait=max(1, math.ceil((slot + 1) * window - now)))


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sv_…``: a token created on the API page or with
    ``manage.py create_api_token`` (a person's, or a service account's for a system)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.find(token)
        if found is None:
            return None
        throttle(found)
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        # Changes made through the API are the token owner's in the history (the audit
        # middleware saw no user yet, and resets this when the request ends).
        audit.set_current_user(found.user)
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied("This token may only read.")
        return found.user


def no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every answer of the API carries ``Cache-Control: no-store`` (errors and files too)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


PAGING_HEADERS = {
    "Link": {
        "description": 'Links to the other pages (RFC 8288): rel="next" while there are more, '
        'rel="prev" and rel="first".',
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "How many items there are in all (with the filters given).",
        "schema": {"type": "integer"},
    },
}
COMMON_HEADERS = {
    "Cache-Control": {"description": "Always `no-store`.", "schema": {"type": "string"}},
}
TOO_MANY = {
    "description": "Too many requests with this token (or, without one, from this address); "
    "try again after `Retry-After` seconds.",
    "headers": {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
        **COMMON_HEADERS,
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _query_names(operation: Any) -> set[str]:
    """The query parameters ``operation`` declares (Page's ``limit`` and ``offset`` included)."""
    names: set[str] = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        flat = getattr(model, "__ninja_flatten_map__", None)
        if flat:
            names.update(flat)
        else:
            names.update(field.alias or name for name, field in model.model_fields.items())
    return names


def _strict_query(api: NinjaAPI, operation: Any) -> None:
    """Answer 422 to a query parameter the operation does not take, naming the ones it does:
    a misspelt ``changed_sinse`` must not silently give a client every object again."""
    run = operation.run
    allowed: set[str] | None = None

    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        nonlocal allowed
        if allowed is None:
            allowed = _query_names(operation)
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            takes = ", ".join(sorted(allowed)) or "no query parameters"
            detail = [
                {
                    "type": "unknown_parameter",
                    "loc": ["query", name],
                    "msg": f"Unknown query parameter {name!r}; this operation takes: {takes}.",
                    "ctx": {"expected": sorted(allowed)},
                }
                for name in unknown
            ]
            return api.create_response(request, {"detail": detail}, status=422)
        return run(request, *args, **kwargs)

    checked.strict_query = True  # type: ignore[attr-defined]
    operation.run = checked


class SamverkanApi(NinjaAPI):
    def _get_urls(self) -> list[Any]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = no_store(pattern.callback)
        for bound in self._get_bound_routers():
            for path_view in bound.path_operations.values():
                for operation in path_view.operations:
                    if not getattr(operation.run, "strict_query", False):
                        _strict_query(self, operation)
        return patterns

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                names = {p["name"] for p in operation.get("parameters", [])}
                for code, answer in operation.get("responses", {}).items():
                    headers = answer.setdefault("headers", {})
                    headers.update(COMMON_HEADERS)
                    if str(code) == "200" and "limit" in names:
                        headers.update(PAGING_HEADERS)
                # Every operation is counted: per token, or per client address for the
                # open data that needs none.
                operation["responses"][429] = TOO_MANY
        return schema


api = SamverkanApi(
    title="Samverkan API",
    version="1",
    description=(
        "The partnership's data for other systems (case management, GIS, BI, follow-up). "
        "Authenticate with a token: `Authorization: Bearer <token>` (a person's, or a service "
        "account's for a system; a token may be read-only and may expire). Every answer "
        "holds what the token's user may see on the pages, never more.\n\n"
        "**Open data** (`/open-data/…`) needs no token: the results that partnerships have "
        "chosen to publish, exactly as their open-data catalogue gives them "
        "(`/oppna-data/katalog.jsonld`), with counts under the small-count threshold left "
        "out. Without a token the rate limit counts per client address.\n\n"
        "**Lists** page with `limit` (default 100, at most 1000) and `offset`; the answer is "
        'the page\'s items, with `X-Total-Count` and a `Link` header whose `rel="next"` '
        "gives the next page (none on the last). Lists of objects kept in the history take "
        "`changed_since` (ISO 8601): only the objects created or changed since then.\n\n"
        "**Errors**: 401 no or a bad token; 403 the object exists and you know of it but may "
        "not read or change it (or the token is read-only); 404 no such object for you; 409 "
        "someone else changed it since you read its version; 422 the request does not "
        "validate (a value outside an enum lists the allowed values); 429 too many requests "
        "(wait `Retry-After` seconds; counted per token, or per address without one). Every "
        "answer carries `Cache-Control: no-store`."
    ),
    auth=TokenAuth(),
    urls_namespace="api-v1",
    docs_url=None,
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(request, {"detail": "Too many requests."}, status=429)
    response["Retry-After"] = str(exc.wait or 1)
    return response


def _partnership(request: HttpRequest, pk: int, action: str = "view") -> Any:
    partnership = access.get_partnership_for(request.user, pk, action=action)
    if action in access.REPORTER_ACTIONS and access.is_reporter_only(request.user, partnership):
        # A field reporter files reports on the form; their key opens nothing in the API.
        raise PermissionDenied("A field reporter's token opens nothing in the API.")
    return partnership


def _party(request: HttpRequest, partnership: Any, party_id: int) -> Any:
    """A party whose private material the user may see. A party of the partnership that is
    not the user's answers 403 (the parties are listed to every member); no such party, 404."""
    from samverkan.partnerships.models import Party

    party = access.scoped(Party.objects.select_related("organisation"), partnership, party_id)
    if not access.may_see_private(request.user, party):
        raise PermissionDenied("This is another party's own material.")
    return party


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Invalid}

# ---- paging and changed_since -------------------------------------------------------------------

MAX_LIMIT = 1000


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="At most this many items.")
    offset: int = Field(0, ge=0, description="Skip this many items (or follow `Link: next`).")


def _moment(value: Any) -> Any:
    # Pydantic would read a bare number as seconds since 1970; a moment here is ISO 8601.
    if isinstance(value, int | float) or (
        isinstance(value, str)
        and re.fullmatch(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*", value)
    ):
        raise ValueError("a moment in ISO 8601, e.g. 2026-05-01T00:00:00+02:00")
    return value


def _aware(value: datetime.datetime) -> datetime.datetime:
    # A moment without a time zone (or a bare date) is read in the site's time zone.
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


Moment = Annotated[datetime.datetime, BeforeValidator(_moment), AfterValidator(_aware)]


class Since(Schema):
    changed_since: Moment | None = Field(
        None,
        description="Only objects created or changed at or after this moment (ISO 8601, "
        "with a time zone), as the history records them.",
    )


def paged(request: HttpRequest, response: HttpResponse, items: Any, page: Page) -> list[Any]:
    """One page of ``items`` (a queryset or a list), with X-Total-Count and Link headers."""
    start, size = page.offset, page.limit
    if isinstance(items, list):
        total, chunk = len(items), items[start : start + size]
    else:
        total, chunk = items.count(), list(items[start : start + size])

    def url(offset: int) -> str:
        query = request.GET.copy()
        query["offset"] = str(offset)
        query["limit"] = str(size)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    links = [f'<{url(0)}>; rel="first"']
    if start + size < total:
        links.append(f'<{url(start + size)}>; rel="next"')
    if start > 0:
        links.append(f'<{url(max(0, start - size))}>; rel="prev"')
    response["Link"] = ", ".join(links)
    response["X-Total-Count"] = str(total)
    return chunk


def changed_ids(partnership: Any, since: datetime.datetime, *labels: str) -> set[int]:
    """The ids of the partnership's objects of these models (``app.model``) created or
    changed since ``since``, from the history."""
    from samverkan.accounts.models import AuditEntry

    ids = AuditEntry.objects.filter(
        partnership=partnership, at__gte=since, model_label__in=labels
    ).values_list("object_id", flat=True)
    return {int(i) for i in ids if str(i).isdigit()}


def since(
    queryset: models.QuerySet, partnership: Any, when: datetime.datetime | None
) -> models.QuerySet:
    """``queryset`` narrowed to the objects changed since ``when`` (unchanged for None)."""
    if when is None:
        return queryset
    return queryset.filter(pk__in=changed_ids(partnership, when, queryset.model._meta.label_lower))


def _list(
    request: HttpRequest,
    response: HttpResponse,
    queryset: models.QuerySet,
    partnership: Any,
    page: Page,
    when: Since,
) -> list[Any]:
    return paged(request, response, since(queryset, partnership, when.changed_since), page)


# ---- partnerships and step 1 --------------------------------------------------------------------

router = Router(tags=["partnerships"])


@router.get(
    "/partnerships",
    response={200: list[PartnershipOut], 401: Error, 422: Invalid},
    summary="Your partnerships",
)
def partnerships(request: HttpRequest, response: HttpResponse, page: Query[Page]) -> list[Any]:
    chosen = access.partnerships_for(request.user).select_related("municipality", "police_area")
    # A field reporter's partnership is not theirs to read through the API (access.py).
    chosen = chosen.exclude(pk__in=access.reporter_only_partnership_ids(request.user))
    return paged(request, response, chosen.order_by("pk"), page)


@router.get("/partnerships/{pk}", response={200: PartnershipOut, **ERRORS})
def partnership(request: HttpRequest, pk: int) -> Any:
    return _partnership(request, pk)


@router.get("/partnerships/{pk}/parties", response={200: list[PartyOut], **ERRORS})
def parties(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    rows = p.parties.select_related("organisation").order_by("pk")
    return _list(request, response, rows, p, page, when)


@router.get("/partnerships/{pk}/members", response={200: list[MemberOut], **ERRORS})
def members(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    from samverkan.accounts.models import Membership

    p = _partnership(request, pk)
    rows = Membership.objects.filter(party__partnership=p).select_related("user").order_by("pk")
    return _list(request, response, rows, p, page, when)


@router.get("/partnerships/{pk}/groups", response={200: list[GroupOut], **ERRORS})
def groups(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.groups.order_by("pk"), p, page, when)


@router.get(
    "/partnerships/{pk}/decisions",
    response={200: list[DecisionOut], **ERRORS},
    summary="Decisions, with their diarienummer (`reference`)",
)
def decisions(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.decisions.order_by("decided_on", "pk"), p, page, when)


@router.get("/partnerships/{pk}/meetings", response={200: list[MeetingOut], **ERRORS})
def meetings(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.meetings.order_by("starts_at", "pk"), p, page, when)


# ---- step 3: problems, causes, goals, measures --------------------------------------------------


@router.get("/partnerships/{pk}/problems", response={200: list[ProblemOut], **ERRORS})
def problems(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.problems.order_by("pk"), p, page, when)


@router.get("/partnerships/{pk}/causes", response={200: list[CauseOut], **ERRORS})
def causes(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    from samverkan.problems.models import Cause

    p = _partnership(request, pk)
    to = audience.for_user(request.user, p)
    rows = Cause.objects.filter(to.cause_q(), partnership=p).distinct().order_by("number")
    return _list(request, response, rows, p, page, when)


@router.get("/partnerships/{pk}/goals", response={200: list[GoalOut], **ERRORS})
def goals(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.goals.order_by("pk"), p, page, when)


@router.get("/partnerships/{pk}/measures", response={200: list[MeasureOut], **ERRORS})
def measures(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    from samverkan.implementation.models import Progress
    from samverkan.problems.models import Measure

    p = _partnership(request, pk)
    # A member receives the measures their audience receives in full (accounts/audience.py);
    # a withheld one is left out of the list, with nothing of it (no status, no period).
    to = audience.for_user(request.user, p)
    visible = (
        Measure.objects.filter(to.measure_q(), partnership=p)
        .distinct()
        .select_related("progress")
        .prefetch_related(readable_causes(to, p))
        .order_by("number")
    )
    if when.changed_since is not None:
        # A measure changes with its plan (the measure) or its status (the progress row).
        progress = changed_ids(p, when.changed_since, "implementation.progress")
        ids = changed_ids(p, when.changed_since, "problems.measure") | set(
            Progress.objects.filter(pk__in=progress).values_list("measure_id", flat=True)
        )
        visible = visible.filter(pk__in=ids)
    return prepare_measures(p, paged(request, response, visible, page))


def readable_causes(to: Any, partnership: Any) -> Any:
    """A prefetch of each measure's causes that ``to`` may read, as ``readable_causes``."""
    from django.db.models import Prefetch

    from samverkan.problems.models import Cause

    readable = Cause.objects.filter(to.cause_q(), partnership=partnership).values("pk")
    return Prefetch(
        "causes", queryset=Cause.objects.filter(pk__in=readable), to_attr="readable_causes"
    )


def _measure(request: HttpRequest, partnership: Any, measure_id: int) -> Any:
    from samverkan.problems.models import Measure

    to = audience.for_user(request.user, partnership)
    visible = Measure.objects.filter(to.measure_q()).distinct()
    return access.scoped(
        visible.prefetch_related(readable_causes(to, partnership)), partnership, measure_id
    )


@router.get(
    "/partnerships/{pk}/measures/{measure_id}/activities",
    response={200: list[ActivityOut], **ERRORS},
)
def activities(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    measure_id: int,
    page: Query[Page],
    when: Query[Since],
) -> list[Any]:
    p = _partnership(request, pk)
    measure = _measure(request, p, measure_id)
    return _list(request, response, measure.activities.order_by("date", "pk"), p, page, when)


def _check(form: Any) -> None:
    """The page form's own validation, its messages in English (the API's language; the pages
    keep theirs): 422 with the form's reasons if it is not valid."""
    with translation.override("en"):
        if not form.is_valid():
            raise _form_errors(form)


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
    _check(form)
    entry = form.save(commit=False)
    entry.measure = measure
    return Status(201, services.log_activity(entry, request.user))


@router.put(
    "/partnerships/{pk}/measures/{measure_id}/progress",
    response={200: MeasureOut, 409: Error, **ERRORS},
    summary="Set a measure's status; send the version you read (409 if it changed since)",
)
def progress_update(request: HttpRequest, pk: int, measure_id: int, payload: ProgressIn) -> Any:
    from samverkan.implementation import forms
    from samverkan.implementation.models import progress_for

    p = _partnership(request, pk, "edit")
    measure = _measure(request, p, measure_id)
    progress = progress_for(measure)
    data = {k: "" if v is None else v for k, v in payload.dict().items()}
    data["status"] = payload.status.value
    form = forms.ProgressForm(data, instance=progress)
    _check(form)
    saved = form.save_checked()
    if saved is None:
        raise HttpError(409, "The status was changed by someone else; read status_version again.")
    measure.refresh_from_db()
    measure.progress = saved
    return prepare_measures(p, [measure])[0]


# ---- step 5 -------------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/evaluations", response={200: list[EvaluationOut], **ERRORS})
def evaluations(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    from samverkan.followup import services

    p = _partnership(request, pk)
    chosen = _list(request, response, p.evaluations.order_by("pk"), p, page, when)
    for ev in chosen:
        ev.result = services.evaluate(ev)
    return chosen


# ---- documents ----------------------------------------------------------------------------------


@router.get("/partnerships/{pk}/documents", response={200: list[IssuedOut], **ERRORS})
def documents(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    rows = since(p.issued_documents.order_by("kind", "edition", "number", "format"), p,
                 when.changed_since)  # fmt: skip
    readable = [v for v in rows if access.may_download_issued(request.user, v)]
    return paged(request, response, readable, page)


@router.post(
    "/partnerships/{pk}/documents/{kind}/{edition}/issue",
    response={202: JobOut, **ERRORS},
    summary="Issue the next version of a document (a background job; follow it under /jobs)",
)
def document_issue(
    request: HttpRequest, pk: int, kind: DocumentKind, edition: DocumentEdition
) -> Status:
    from samverkan.jobs.registry import enqueue

    p = _partnership(request, pk, "edit")
    job = enqueue("documents.issue", partnership=p, user=request.user, kind=kind.value,
                  edition=edition.value)  # fmt: skip
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
    _check(form)
    with transaction.atomic():
        record = services.create_import(
            party, form.cleaned_data["kind"], form.cleaned_data["file"], request.user
        )
        record.job = enqueue("mapping.import", partnership=p, user=request.user,
                             import_id=record.pk)  # fmt: skip
        record.save(update_fields=["job"])
    return Status(202, record)


@router.get(
    "/partnerships/{pk}/parties/{party_id}/imports/{import_id}",
    response={200: ImportOut, **ERRORS},
)
def import_detail(request: HttpRequest, pk: int, party_id: int, import_id: int) -> Any:
    from samverkan.mapping.models import Import

    p = _partnership(request, pk)
    party = _party(request, p, party_id)
    record = Import.objects.filter(party=party, pk=import_id).first()
    if record is None:
        raise Http404
    return record


@router.get(
    "/partnerships/{pk}/parties/{party_id}/statistics",
    response={200: TrendOut, **ERRORS},
    summary="Reported offences per category and year, as the party's statistics page shows "
    "(403 for another party's)",
)
def statistics(request: HttpRequest, pk: int, party_id: int) -> dict:
    from samverkan.mapping.subjects import crime

    party = _party(request, _partnership(request, pk), party_id)
    trend = crime.category_trend(party)
    return {"source": trend.source, "years": list(trend.years), "rows": trend.rows()}


@router.get(
    "/partnerships/{pk}/parties/{party_id}/incidents/summary",
    response={200: IncidentSummaryOut, **ERRORS},
    summary="Incidents aggregated: the top places and the weekday × hour profile (Monday first, "
    "Swedish time), as the party's statistics page shows; never single incidents",
)
def incident_summary(request: HttpRequest, pk: int, party_id: int) -> dict:
    from samverkan.mapping.subjects import incidents

    party = _party(request, _partnership(request, pk), party_id)
    places = incidents.top_places(party, 10)
    matrix = incidents.weekday_hour(party)
    return {
        "total_with_place": places.total,
        "top_places": [{"place": p.place, "count": p.count} for p in places.places],
        "weekday_hour": [[round(float(v), 3) for v in row] for row in matrix],
    }


api.add_router("", router)
