"""Field reports and the weekly picture.

A field reporter reaches only the report form and the weekly pages (actions "report" and
"weekly" in accounts.access); the partnership's navigation is not shown to them, since every
link in it would answer 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samverkan.accounts import access
from samverkan.accounts.choices import Role
from samverkan.accounts.decorators import AuthenticatedRequest, partnership_view
from samverkan.fieldwork import forms, services
from samverkan.fieldwork import register as register_module
from samverkan.fieldwork.models import (
    FieldCategory,
    FieldPlace,
    FieldReport,
    FieldworkPolicy,
    WeeklySubscription,
)
from samverkan.fieldwork.names import suggested_masking
from samverkan.lib import htmx
from samverkan.partnerships.models import Partnership

# What the report form needs to open with no network (the service worker keeps them).
OFFLINE_ASSETS = (
    "favicon.svg",
    "css/samverkan.css",
    "css/fieldwork.css",
    "vendor/htmx-2.0.11.min.js",
    "js/menu.js",
    "js/fieldwork.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
)


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


@partnership_view("report")
def report_sent(request: AuthenticatedRequest, partnership: Partnership) -> HttpResponse:
    """Whether the server has a report sent with the form's token (``?token=``) by this
    reporter: the form asks when it restores a draft whose answer never came. Another
    reporter's token is simply not found."""
    from django.http import JsonResponse

    token = request.GET.get("token", "")
    saved = (
        forms.TOKEN_RE.match(token) is not None
        and FieldReport.objects.filter(
            partnership=partnership, reported_by=request.user, client_token=token
        ).exists()
    )
    return JsonResponse({"saved": saved})


@partnership_view()
def report_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    # Each report carries its own answers for the template (readable, reviewable), hence Any.
    reports: list[Any] = list(
        FieldReport.objects.filter(partnership=partnership)
        .select_related("place", "category", "reported_by", "party__organisation")
        .order_by("-observed_at", "-pk")[: services.RECENT_REPORTS]
    )
    leads = services.leader_party_ids(request.user, partnership)
    for report in reports:
        # A held-back report's text and typed place reach only its reporter and the
        # coordinators of the reporter's party (services.may_read_text).
        report.readable = services.may_read_text(request.user, report, leads)
        report.reviewable = report.held_back and services.may_review(request.user, report, leads)
    return render(
        request, "fieldwork/report_list.html", _ctx(request, partnership, reports=reports)
    )


@partnership_view("edit", methods=("GET", "POST"))
def report_review(request: HttpRequest, partnership: Partnership, report_id: int) -> HttpResponse:
    """A coordinator of the reporter's party reads a report and clears it, masks parts of it,
    or puts its typed place on the place list."""
    report = access.scoped(
        FieldReport.objects.select_related("place", "category", "party"), partnership, report_id
    )
    if not services.may_review(request.user, report):
        raise PermissionDenied
    which = request.POST.get("form") if request.method == "POST" else None
    known = list(FieldPlace.objects.filter(partnership=partnership).values_list("name", flat=True))
    mask_form = forms.MaskForm(
        request.POST if which == "mask" else None,
        report=report,
        initial={
            "text": suggested_masking(report.text, known),
            "place_text": suggested_masking(report.place_text, known),
        },
    )
    place_form = forms.AddPlaceForm(
        request.POST if which == "place" else None,
        partnership=partnership,
        initial={"name": suggested_masking(report.place_text, known)},
    )
    here = reverse("fieldwork:review", kwargs={"pk": partnership.pk, "report_id": report.pk})
    if which == "clear":
        services.clear_report(report, request.user)
        messages.success(request, _("Rapporten är granskad och syns nu för samverkans medlemmar."))
        return htmx.redirect(request, reverse("fieldwork:list", kwargs={"pk": partnership.pk}))
    if which == "mask" and mask_form.is_valid():
        services.mask_report(
            report,
            request.user,
            mask_form.cleaned_data["text"],
            mask_form.cleaned_data["place_text"],
        )
        messages.success(request, _("Rapporten är maskerad och syns nu för samverkans medlemmar."))
        return htmx.redirect(request, reverse("fieldwork:list", kwargs={"pk": partnership.pk}))
    if which == "place" and report.place_text and report.erased_at is None:
        if place_form.is_valid():
            place = services.add_typed_place(report, place_form.cleaned_data["name"])
            messages.success(
                request, _("Platsen %(name)s finns nu i platslistan.") % {"name": place.name}
            )
            return htmx.redirect(request, here)
    return render(
        request,
        "fieldwork/review.html",
        _ctx(request, partnership, report=report, mask_form=mask_form, place_form=place_form),
        status=400 if request.method == "POST" else 200,
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
    policy, _created = FieldworkPolicy.objects.get_or_create(partnership=partnership)
    policy_form = forms.PolicyForm(
        request.POST if which == "policy" else None, instance=policy, prefix="policy"
    )
    category_form = forms.CategoryForm(
        request.POST if which == "category" else None, partnership=partnership, prefix="category"
    )
    place_form = forms.PlaceForm(
        request.POST if which == "place" else None, partnership=partnership, prefix="place"
    )
    here = reverse("fieldwork:settings", kwargs={"pk": partnership.pk})
    if which == "policy" and policy_form.is_valid():
        policy_form.save()
        messages.success(request, _("Lagringstiden är sparad."))
        return htmx.redirect(request, here)
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
            policy_form=policy_form,
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
    picture = services.weekly_picture(
        partnership, year, number, full=full, viewer=request.user
    )
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


@partnership_view("edit")
def register(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """The register of processing (registerförteckning) for the data protection officer."""
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            "\ufeff" + register_module.as_csv(partnership), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="registerforteckning-samverkan-{partnership.pk}.csv"'
        )
        return response
    return render(
        request,
        "fieldwork/register.html",
        _ctx(
            request,
            partnership,
            rows=register_module.register_for(partnership),
            headers=register_module.HEADERS,
            months=FieldworkPolicy.months_for(partnership),
        ),
    )


@partnership_view("report")
def service_worker(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """The report form's service worker: keeps the form page and its files so that the form
    opens in a dead spot. Served under the form's own path, so its scope is the partnership's
    field-report pages and nothing else."""
    from django.templatetags.static import static

    scope = reverse("fieldwork:list", kwargs={"pk": partnership.pk})
    form_page = reverse("fieldwork:new", kwargs={"pk": partnership.pk})
    assets = [static(path) for path in OFFLINE_ASSETS]
    response = render(
        request,
        "fieldwork/sw.js",
        {
            "form_page": form_page,
            "assets": assets,
            "cache_prefix": f"faltrapport-{partnership.pk}-",
            "version": _asset_version([form_page, *assets]),
        },
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = scope
    response["Cache-Control"] = "no-cache"
    return response


def _asset_version(assets: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
