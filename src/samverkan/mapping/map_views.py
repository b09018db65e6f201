"""The incident map of a party's mapping: hot spots, top places and the area boundary.

The page is readable without JavaScript (the tables under the map carry the same numbers);
the map itself is Leaflet, fed by the GeoJSON view. Private to the party like all of step 2.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import gettext as _

from samverkan.accounts import access
from samverkan.accounts.decorators import party_view
from samverkan.lib import htmx
from samverkan.mapping import mapdata, services
from samverkan.mapping.boundary import delete_boundary, save_boundary
from samverkan.mapping.map_forms import BoundaryUploadForm, MapFilterForm
from samverkan.mapping.models import AreaBoundary, PoliceEvent, SafetyWalkObservation
from samverkan.partnerships.models import Partnership, Party


def _url(name: str, party: Party) -> str:
    return reverse(f"mapping:{name}", kwargs={"pk": party.partnership_id, "party_id": party.pk})


def _boundary(party: Party) -> AreaBoundary | None:
    return AreaBoundary.objects.filter(party=party).select_related("uploaded_by").first()


def _filter_form(request: HttpRequest, party: Party) -> MapFilterForm:
    """Bound only when the address carries a filter, so the plain page is not an error."""
    asked = any(request.GET.get(k) for k in ("year", "category"))
    return MapFilterForm(request.GET if asked else None, party=party)


def _js_config(data_url: str) -> dict:
    return {
        "dataUrl": data_url,
        "tileUrl": settings.MAP_TILE_URL,
        # Leaflet puts attributions in as HTML; the setting is plain text.
        "attribution": escape(settings.MAP_TILE_ATTRIBUTION),
        "text": {
            "zoomIn": _("Zooma in"),
            "zoomOut": _("Zooma ut"),
            "hotspot": _("Hot spot %(level)s %%: %(count)s händelser i rutan, z = %(z)s"),
            "place": _("%(name)s: %(count)s händelser"),
            "walk": _("Trygghetsvandring %(date)s, %(place)s: %(category)s"),
            "police": _("Polisens händelser, %(date)s: %(type)s, %(place)s"),
            "ready": _(
                "Kartan visar %(cells)s hot spot-rutor, %(places)s platser och "
                "%(walks)s iakttagelser från trygghetsvandringar."
            ),
            "failed": _("Kartans data kunde inte hämtas. Tabellerna nedan visar samma uppgifter."),
        },
    }


@party_view()
def map_page(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    form = _filter_form(request, party)
    invalid = form.is_bound and not form.is_valid()
    chosen = form.chosen() if form.is_bound and not invalid else mapdata.MapFilter()
    data = None if invalid else mapdata.map_data(party, chosen)
    query = {k: v for k, v in (("year", chosen.year), ("category", chosen.category)) if v}
    data_url = _url("map_data", party) + ("?" + urlencode(query) if query else "")
    return render(
        request,
        "mapping/map.html",
        {
            "partnership": partnership,
            "party": party,
            "section": "mapping",
            "tab": "map",
            "can_edit": access.can_edit(request.user, partnership),
            "report_shared": services.report_shared(party),
            "form": form,
            "data": data,
            "boundary": _boundary(party),
            "walks": SafetyWalkObservation.objects.filter(party=party, x__isnull=False).count(),
            "police_points": PoliceEvent.objects.filter(party=party, x__isnull=False).count(),
            "tiles": bool(settings.MAP_TILE_URL),
            "map_config": _js_config(data_url),
        },
        status=400 if invalid else 200,
    )


@party_view()
def map_data(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    """The map's layers as one GeoJSON FeatureCollection in WGS 84 (see mapdata.as_geojson)."""
    form = _filter_form(request, party)
    if form.is_bound and not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        response = JsonResponse({"errors": errors}, status=400)
    else:
        chosen = form.chosen() if form.is_bound else mapdata.MapFilter()
        collection = mapdata.as_geojson(
            mapdata.map_data(party, chosen),
            _boundary(party),
            mapdata.walk_features(party),
            mapdata.police_event_features(party),
        )
        response = JsonResponse(
            collection,
            content_type="application/geo+json",
            json_dumps_params={"ensure_ascii": False},
        )
    patch_cache_control(response, private=True, no_store=True)
    return response


@party_view("edit", methods=("GET", "POST"))
def boundary_upload(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        assert form.boundary is not None
        save_boundary(
            party, form.boundary, form.area_name(), form.cleaned_data["file"].name, request.user
        )
        messages.success(request, _("Områdesgränsen är sparad och visas på kartan."))
        return htmx.redirect(request, _url("map", party))
    return render(
        request,
        "mapping/boundary_upload.html",
        {
            "partnership": partnership,
            "party": party,
            "section": "mapping",
            "tab": "map",
            "can_edit": True,
            "report_shared": services.report_shared(party),
            "form": form,
            "boundary": _boundary(party),
        },
        status=400 if request.method == "POST" else 200,
    )


@party_view("edit", methods=("POST",))
def boundary_delete(request: HttpRequest, partnership: Partnership, party: Party) -> HttpResponse:
    boundary = _boundary(party)
    if boundary is not None:
        delete_boundary(boundary)
        messages.success(
            request, _("Områdesgränsen är borttagen. Kartan visar nu händelsernas utbredning.")
        )
    return htmx.redirect(request, _url("map", party))
