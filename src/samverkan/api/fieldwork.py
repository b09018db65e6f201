"""Field work through the API: the categories and places, field reports (read, and file one
under the form's rules for personal data), and the weekly picture per audience."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.errors import HttpError

from samverkan.accounts import access
from samverkan.api.api import ERRORS, Page, Since, _check, _list, _partnership, paged, since
from samverkan.api.schemas import (
    Error,
    FieldCategoryOut,
    FieldPlaceOut,
    FieldReportIn,
    FieldReportOut,
    WeeklyPictureOut,
)

router = Router(tags=["field work"])


@router.get("/partnerships/{pk}/field-categories", response={200: list[FieldCategoryOut], **ERRORS})
def categories(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    # A read writes nothing (not even for a read-only key): a partnership's default
    # categories are made when a report is first filed or the form is first opened.
    p = _partnership(request, pk)
    return _list(request, response, p.field_categories.order_by("position", "name"), p, page,
                 when)  # fmt: skip


@router.get("/partnerships/{pk}/field-places", response={200: list[FieldPlaceOut], **ERRORS})
def places(
    request: HttpRequest, response: HttpResponse, pk: int, page: Query[Page], when: Query[Since]
) -> list[Any]:
    p = _partnership(request, pk)
    return _list(request, response, p.field_places.order_by("name"), p, page, when)


def _readable(request: HttpRequest, reports: list[Any], partnership: Any) -> list[Any]:
    from samverkan.fieldwork import services

    leads = services.leader_party_ids(request.user, partnership)
    for report in reports:
        # A held-back report's text, typed place and point reach only its reporter and the
        # coordinators of the reporter's party (fieldwork.services.may_read_text).
        report.readable = services.may_read_text(request.user, report, leads)
    return reports


@router.get(
    "/partnerships/{pk}/field-reports",
    response={200: list[FieldReportOut], **ERRORS},
    summary="Field reports, newest first (a held-back report's text only to those who may read it)",
    description="As the list of field reports on the site: administrators and coordinators page "
    "through every report (`week` narrows to an ISO week such as 2026-W48); everyone else gets "
    "the newest 50 reports, the list the site shows them, and `week` and `changed_since` only "
    "narrow within those. A single report outside that list is not found for them either.",
)
def reports(
    request: HttpRequest,
    response: HttpResponse,
    pk: int,
    page: Query[Page],
    when: Query[Since],
    week: str | None = None,
) -> list[Any]:
    from samverkan.fieldwork import services

    p = _partnership(request, pk)
    # The reports the site lists for this reader (services.listed_reports), no more.
    rows = services.listed_reports(request.user, p).select_related("place", "category")
    if week:
        try:
            rows = rows.in_week(*services.parse_week(week))
        except ValueError as exc:
            raise HttpError(422, "week: an ISO week such as 2026-W48.") from exc
    ordered = since(rows.order_by("-observed_at", "-pk"), p, when.changed_since)
    return _readable(request, paged(request, response, ordered, page), p)


@router.get(
    "/partnerships/{pk}/field-reports/{report_id}", response={200: FieldReportOut, **ERRORS}
)
def report(request: HttpRequest, pk: int, report_id: int) -> Any:
    from samverkan.fieldwork import services

    p = _partnership(request, pk)
    listed = services.listed_reports(request.user, p).select_related("place", "category")
    found = access.scoped(listed, p, report_id)
    return _readable(request, [found], p)[0]


@router.post(
    "/partnerships/{pk}/field-reports",
    response={201: FieldReportOut, 200: FieldReportOut, **ERRORS},
    summary="File a field report under the form's rules: identity numbers are refused, a text "
    "that seems to name people needs confirm_names and is then held back (201 new, 200 the "
    "same submission sent again with its client_token)",
)
def report_create(request: HttpRequest, pk: int, payload: FieldReportIn) -> Status:
    from samverkan.accounts.choices import Role
    from samverkan.fieldwork import forms, services

    p = _partnership(request, pk, "report")
    services.ensure_categories(p)
    data = payload.dict()
    fields = {
        "observed_at": data["observed_at"].isoformat(),
        "category": data["category_id"],
        "place": data["place_id"] or "",
        "place_text": data["place_text"],
        "latitude": "" if data["latitude"] is None else data["latitude"],
        "longitude": "" if data["longitude"] is None else data["longitude"],
        "people": "" if data["people"] is None else data["people"],
        "text": data["text"],
        "client_token": data["client_token"],
    }
    if data["confirm_names"]:
        fields["confirm_names"] = "on"
    form = forms.FieldReportForm(fields, partnership=p)
    _check(form)
    # The party reported for, as on the form: the reporter membership's, else any of theirs.
    memberships = request.user.memberships.filter(party__partnership=p)  # type: ignore[union-attr]
    chosen = memberships.filter(role=Role.REPORTER).first() or memberships.first()
    saved, created = form.save(request.user, chosen.party if chosen else None)
    saved.readable = True  # type: ignore[attr-defined]  # the reporter's own
    return Status(201 if created else 200, saved)


def _row(row: Any) -> dict:
    # The figures as numbers (fieldwork.services.Row), never read back from the page's text.
    return {
        "label": row.label,
        "this_week": row.count,
        "previous_mean": row.mean,
        "last_year": row.last_year_count,
        "change": row.difference,
    }


@router.get(
    "/partnerships/{pk}/weekly/{week}",
    response={200: WeeklyPictureOut, 404: Error, **ERRORS},
    summary="The weekly picture of field reports for an ISO week (2026-W48, or 'latest': the "
    "last complete week, Monday to Sunday, not the week under way), as "
    "the week page shows it to you: coordinators see every count, others get small counts as "
    "null and no single reports",
)
def weekly(request: HttpRequest, pk: int, week: str) -> dict:
    from samverkan.fieldwork import services

    p = _partnership(request, pk, "weekly")
    if week == "latest":
        # The last week that has ended (Monday–Sunday), never the week under way.
        year, number = services.shift_week(*services.current_week(), -1)
    else:
        try:
            year, number = services.parse_week(week)
        except ValueError as exc:
            raise Http404 from exc
    full = services.may_see_full_counts(request.user, p)
    picture = services.weekly_picture(p, year, number, full=full, viewer=request.user)
    counts = {row.label: row.count for row in picture.categories}
    return {
        "week": picture.label,
        "year": picture.year,
        "number": picture.week,
        "starts_on": datetime.date.fromisocalendar(year, number, 1),
        "full": picture.full,
        "threshold": picture.threshold,
        "total": picture.total_count,
        "reports": not picture.empty,
        "categories": [_row(r) for r in picture.categories],
        "places": [_row(r) for r in picture.places],
        "notable": [vars(n) for n in picture.notable],
        "notable_counts": [
            {"category": name, "count": counts.get(name)} for name, _shown in picture.notable_counts
        ],
        "focus": [vars(f) for f in picture.focus],
        "points": [
            {
                "latitude": point["lat"],
                "longitude": point["lon"],
                "label": point["label"],
                "count": point.get("number"),
            }
            for point in picture.points
        ],
        "previous_weeks": picture.previous_weeks,
        "last_year_week": picture.last_year_label,
    }
