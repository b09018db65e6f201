"""Field reports and the weekly picture.

A field reporter reaches only the report form and the weekly pages (actions "report" and
"weekly" in accounts.access); the partnership's navigation is not shown to them, since every
link in it would answer 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samverkan.accounts import access
from samverkan.accounts.choices import Role
from samverkan.accounts.decorators import AuthenticatedRequest, partnership_view
from samverkan.fieldwork import forms, services
from samverkan.fieldwork.models import FieldCategory, FieldPlace, FieldReport, WeeklySubscription
from samverkan.lib import htmx
from samverkan.partnerships.models import Partnership

RECENT = 50


def _ctx(request: HttpRequest, partnership: Partnership, **extra: Any) -> dict[str, Any]:
    reporter_only = access.is_reporter_only(request.user, partnership)
    return {
        # base.html draws the partnership's navigation for ``partnership``: not for reporters.
        "partnership": None if reporter_only else partnership,
        "p": partnership,
        "section": "fieldwork",
        "reporter_only": reporter_only,
        "can_edit": access.can_edit(request.user, partnership),
        "can_report": access.can_report(request.user, partnership),
        **extra,
    }


def _reporting_party(request: AuthenticatedRequest, partnership: Partnership) -> Any:
    """The party the user reports for: their reporter membership's party, else any of theirs."""
    memberships = request.user.memberships.filter(party__partnership=partnership)
    chosen = memberships.filter(role=Role.REPORTER).first() or memberships.first()
    return chosen.party if chosen else None


@partnership_view("report", methods=("GET", "POST"))
def report_new(request: AuthenticatedRequest, partnership: Partnership) -> HttpResponse:
    services.ensure_categories(partnership)
    form = forms.FieldReportForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        # The confirmation is shown from the URL, not as a message: the form's script sends
        # the report with fetch, which would use up a message on the redirect it follows.
        report, _created = form.save(request.user, _reporting_party(request, partnership))
        url = reverse("fieldwork:new", kwargs={"pk": partnership.pk}) + f"?sparad={report.pk}"
        return htmx.redirect(request, url)
    mine = FieldReport.objects.filter(
        partnership=partnership, reported_by=request.user
    ).select_related("place", "category")[:5]
    year, week = services.current_week()
    return render(
        request,
        "fieldwork/report_form.html",
        _ctx(
            request,
            partnership,
            form=form,
            mine=mine,
            saved=request.GET.get("sparad", ""),
            week=services.week_label(year, week),
            places_json=[
                {"id": place.pk, "name": place.name, "lat": place.latitude, "lon": place.longitude}
                for place in form.fields["place"].queryset
                if place.latitude is not None
            ],
            map_config=_map_config(),
        ),
        status=400 if request.method == "POST" else 200,
    )


def _map_config() -> dict[str, Any]:
    return {
        "tiles": settings.MAP_TILE_URL or "",
        "attribution": settings.MAP_TILE_ATTRIBUTION or "",
        "text": {
            "picked": _("Vald punkt: %(lat)s, %(lon)s"),
            "point": _("%(label)s: %(count)s rapporter"),
        },
    }


@partnership_view()
def report_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    reports = FieldReport.objects.filter(partnership=partnership).select_related(
        "place", "category", "reported_by", "party__organisation"
    )[:RECENT]
    return render(
        request, "fieldwork/report_list.html", _ctx(request, partnership, reports=reports)
    )


@partnership_view("edit", methods=("POST",))
def report_delete(request: HttpRequest, partnership: Partnership, report_id: int) -> HttpResponse:
    report = access.scoped(FieldReport.objects.all(), partnership, report_id)
    report.delete()
    messages.success(request, _("Rapporten är borttagen."))
    return htmx.redirect(request, reverse("fieldwork:list", kwargs={"pk": partnership.pk}))


@partnership_view("edit", methods=("GET", "POST"))
def report_settings(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    services.ensure_categories(partnership)
    which = request.POST.get("form") if request.method == "POST" else None
    category_form = forms.CategoryForm(
        request.POST if which == "category" else None, partnership=partnership, prefix="category"
    )
    place_form = forms.PlaceForm(
        request.POST if which == "place" else None, partnership=partnership, prefix="place"
    )
    here = reverse("fieldwork:settings", kwargs={"pk": partnership.pk})
    if which == "category" and category_form.is_valid():
        category_form.save()
        messages.success(request, _("Kategorin är tillagd."))
        return htmx.redirect(request, here)
    if which == "place" and place_form.is_valid():
        place_form.save()
        messages.success(request, _("Platsen är tillagd."))
        return htmx.redirect(request, here)
    if which in ("toggle_category", "toggle_place"):
        obj: FieldCategory | FieldPlace
        if which == "toggle_category":
            obj = access.scoped(FieldCategory.objects.all(), partnership, request.POST.get("id"))
        else:
            obj = access.scoped(FieldPlace.objects.all(), partnership, request.POST.get("id"))
        obj.active = not obj.active
        obj.save(update_fields=["active"])
        messages.success(request, _("Ändringen är sparad."))
        return htmx.redirect(request, here)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "fieldwork/settings.html",
        _ctx(
            request,
            partnership,
            category_form=category_form,
            place_form=place_form,
            categories=FieldCategory.objects.filter(partnership=partnership),
            places=FieldPlace.objects.filter(partnership=partnership),
        ),
        status=status,
    )


@partnership_view("weekly")
def week_latest(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    latest = services.latest_week_with_reports(partnership) or services.current_week()
    return redirect("fieldwork:week", pk=partnership.pk, week=services.week_label(*latest))


@partnership_view("weekly")
def week_detail(request: AuthenticatedRequest, partnership: Partnership, week: str) -> HttpResponse:
    try:
        year, number = services.parse_week(week)
    except ValueError as exc:
        raise Http404("Ingen sådan vecka") from exc
    full = services.may_see_full_counts(request.user, partnership)
    picture = services.weekly_picture(partnership, year, number, full=full)
    return render(
        request,
        "fieldwork/week.html",
        _ctx(
            request,
            partnership,
            picture=picture,
            previous=services.week_label(*services.shift_week(year, number, -1)),
            next=services.week_label(*services.shift_week(year, number, 1)),
            weeks=services.week_links(partnership)[:12],
            subscribed=WeeklySubscription.objects.filter(
                partnership=partnership, user=request.user
            ).exists(),
            map_points=picture.points,
            map_config=_map_config(),
        ),
    )


@partnership_view("weekly", methods=("POST",))
def week_subscribe(
    request: AuthenticatedRequest, partnership: Partnership, week: str
) -> HttpResponse:
    try:
        services.parse_week(week)
    except ValueError as exc:
        raise Http404("Ingen sådan vecka") from exc
    existing = WeeklySubscription.objects.filter(partnership=partnership, user=request.user)
    if request.POST.get("subscribe") == "1":
        if not request.user.email:
            messages.error(
                request, _("Ditt konto saknar e-postadress. Be en administratör lägga till den.")
            )
        else:
            WeeklySubscription.objects.get_or_create(partnership=partnership, user=request.user)
            messages.success(request, _("Du får veckolägesbilden med e-post varje måndag."))
    else:
        existing.delete()
        messages.success(request, _("Du får inte längre veckolägesbilden med e-post."))
    return htmx.redirect(
        request, reverse("fieldwork:week", kwargs={"pk": partnership.pk, "week": week})
    )
