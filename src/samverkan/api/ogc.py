"""GIS layers as OGC API – Features (Part 1 core with GeoJSON; Part 2 for SWEREF 99 TM).

At /api/gis/: a landing page, /conformance, /collections, /collections/{id} and
/collections/{id}/items (GeoJSON, ``limit``/``offset`` with next links, ``bbox``, ``crs``),
readable by QGIS, ArcGIS and any OGC API client. Coordinates are WGS 84 longitude/latitude
(CRS84) unless ``crs`` asks for SWEREF 99 TM (EPSG:3006).

The layers follow the same gates as the pages (``accounts.access``, ``accounts.audience``):

- public layers (no token): what a public edition may show: for a partnership that has
  published its citizen promises, the publishable, non-confidential measures at listed places;
  for one that publishes open data, the safety-walk observations its parties have released
  (by sharing their lägesbild), counted per grid cell with small counts suppressed;
- a partnership's layers (a token of a member): the listed field-report places with their
  weekly counts (small counts null for those who do not see full counts), the measures
  the member receives in full, at the listed place their "where" names, and the released
  safety-walk observations counted per grid cell (as the internal lägesbild uses them:
  aggregates, never another party's single observations);
- a party's own layers (a token of one of the party's members only; another member gets
  403): incidents counted per grid cell (never single incidents; counts below the
  suppression threshold are null), the hot-spot cells with Getis-Ord Gi* z and p, and the
  party's safety-walk observations.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja.errors import Throttled

from samverkan.accounts import access, audience
from samverkan.analysis.hotspots import sweref99tm_to_wgs84, wgs84_to_sweref99tm
from samverkan.api.api import throttle, throttle_address
from samverkan.api.models import ApiToken

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
SWEREF99TM = "http://www.opengis.net/def/crs/EPSG/0/3006"
CRS_LIST = [CRS84, SWEREF99TM]
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
GEOJSON = "application/geo+json"
DEFAULT_LIMIT = 100
MAX_LIMIT = 10000
WEEKS = 8  # weekly counts per listed place
KNOWN_PARAMS = {"limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "f"}
# A collection id names its partnership, and for a party's own layers the party.
# Ids of at most 18 digits: a longer number is no row's, and would overflow the database's
# integer (a 500 instead of a 404).
_ID = re.compile(r"^(?:(public)-)?p(\d{1,18})-(?:party(\d{1,18})-)?([a-z-]+)$")


class BadRequest(Exception):
    pass


class Unauthorized(Exception):
    pass


@dataclass
class Layer:
    kind: str
    title: str
    description: str
    public: bool = False  # readable without a token
    party: bool = False  # a party's own material


LAYERS = {
    "measures": Layer(
        "measures",
        "Åtgärder vid listade platser",
        "Measures whose 'where' names a listed place, at that place's point.",
    ),
    "field-places": Layer(
        "field-places",
        "Platser för fältrapporter med antal per vecka",
        f"The listed places with the number of field reports in each of the last {WEEKS} ISO "
        "weeks (keys like 2026-W48); a count below the threshold is null unless you see full "
        "counts.",
    ),
    "incident-cells": Layer(
        "incident-cells",
        "Händelser per ruta",
        "The party's located incidents counted per square cell of the hot-spot grid (SWEREF "
        "99 TM); a count below the suppression threshold is null.",
        party=True,
    ),
    "hotspots": Layer(
        "hotspots",
        "Hot spots (Getis-Ord Gi*)",
        "Significant hot cells with their z score, p value and level (99, 95 or 90 %).",
        party=True,
    ),
    "safety-walk-cells": Layer(
        "safety-walk-cells",
        "Trygghetsvandringar per ruta",
        "Safety-walk observations of the parties that have shared their lägesbild (which "
        "releases their mapping to the partnership), counted per square cell of the hot-spot "
        "grid (SWEREF 99 TM), with the count per category and the first and last date; never "
        "single observations. In the public layer a count below the suppression threshold is "
        "null, and a cell's categories are null when any of them is. A party's own "
        "observations as points: its own layer …-safety-walks.",
    ),
    "safety-walks": Layer(
        "safety-walks",
        "Iakttagelser från trygghetsvandringar",
        "The party's safety-walk observations that have a point: place, category and date.",
        party=True,
    ),
}


def _promising() -> Any:
    """Partnerships that have published citizen promises: their measures are public."""
    from samverkan.partnerships.models import Partnership

    return Partnership.objects.filter(citizen_promises__published=True).distinct().order_by("pk")


def _open_data() -> Any:
    """Partnerships that publish what their public editions show as open data."""
    from samverkan.partnerships.models import Partnership

    return Partnership.objects.filter(open_data__published=True).order_by("pk")


# The public layers, each with the partnerships whose choice to publish opens it.
PUBLIC_LAYERS: dict[str, Callable[[], Any]] = {
    "measures": _promising,
    "safety-walk-cells": _open_data,
}


# ---- the caller ---------------------------------------------------------------------------------


def _user(request: HttpRequest, required: bool) -> Any:
    """The token's user (the token charged against its rate limit), or None for a request
    without a token (``_answer`` charged that to the client's address)."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise Unauthorized
        return None
    scheme, _sep, secret = header.partition(" ")
    token = ApiToken.find(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise Unauthorized
    throttle(token)
    return token.user


def _answer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Errors as OGC exceptions (JSON with code and description); no-store on every answer."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if not request.headers.get("Authorization"):
                # A request without a token is counted per client address, as the open data
                # is; one with a token is counted against the token when it is looked up.
                throttle_address(request)
            if request.method not in ("GET", "HEAD"):
                response = _error(405, "MethodNotAllowed", "Only GET is supported.")
            else:
                response = view(request, *args, **kwargs)
        except Unauthorized:
            response = _error(401, "Unauthorized", "This collection needs a valid token.")
            response["WWW-Authenticate"] = "Bearer"
        except Throttled as exc:
            response = _error(429, "TooManyRequests", "Too many requests; try again later.")
            response["Retry-After"] = str(exc.wait or 1)
        except PermissionDenied as exc:
            response = _error(403, "Forbidden", str(exc) or "Forbidden")
        except Http404:
            response = _error(404, "NotFound", "No such collection or feature.")
        except BadRequest as exc:
            response = _error(400, "InvalidParameterValue", str(exc))
        response["Cache-Control"] = "no-store"
        return response

    wrapped.access = "public"  # type: ignore[attr-defined]  # the gate is inside, per collection
    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # GET only, token-authenticated
    return wrapped


def _error(status: int, code: str, description: str) -> HttpResponse:
    return JsonResponse({"code": code, "description": description}, status=status)


def _json(data: Any, content_type: str = "application/json", **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response


def _base(request: HttpRequest) -> str:
    from django.urls import reverse

    return request.build_absolute_uri(reverse("api-gis:landing")).rstrip("/")


# ---- which collections the caller may read -------------------------------------------------------


def _collection_ids(user: Any) -> list[str]:
    public = sorted(
        (pk, list(LAYERS).index(kind), kind)
        for kind, published in PUBLIC_LAYERS.items()
        for pk in published().values_list("pk", flat=True)
    )
    ids = [f"public-p{pk}-{kind}" for pk, _order, kind in public]
    if user is None:
        return ids
    reporter_only = access.reporter_only_partnership_ids(user)
    for partnership in access.partnerships_for(user).order_by("pk"):
        if partnership.pk in reporter_only:
            continue
        ids += [f"p{partnership.pk}-{kind}" for kind, layer in LAYERS.items() if not layer.party]
        for party in access.private_parties_for(user, partnership).order_by("pk"):
            ids += [
                f"p{partnership.pk}-party{party.pk}-{kind}"
                for kind, layer in LAYERS.items()
                if layer.party
            ]
    return ids


@dataclass
class Resolved:
    id: str
    layer: Layer
    partnership: Any
    party: Any
    user: Any
    public: bool


def _resolve(request: HttpRequest, collection_id: str, user: Any = None) -> Resolved:
    """The collection, after the gate: 401 without a token for a partnership's layer, 404 for
    what the caller may not know of, 403 for another party's own layer. ``user``: the caller
    resolved already (the token is then not looked up, nor charged, again)."""
    from samverkan.partnerships.models import Party

    match = _ID.match(collection_id)
    if match is None or match[4] not in LAYERS:
        raise Http404
    public, pk, party_id, kind = match[1], int(match[2]), match[3], match[4]
    layer = LAYERS[kind]
    if public:
        if kind not in PUBLIC_LAYERS or party_id:
            raise Http404
        partnership = PUBLIC_LAYERS[kind]().filter(pk=pk).first()
        if partnership is None:
            raise Http404
        if user is None and request.headers.get("Authorization"):
            # A token sent to a public layer is still checked and charged: else any header
            # at all would escape the per-address limit.
            _user(request, required=False)
        return Resolved(collection_id, layer, partnership, None, None, True)
    if user is None:
        user = _user(request, required=True)
    if layer.party != bool(party_id):
        raise Http404
    partnership = access.get_partnership_for(user, pk)
    if access.is_reporter_only(user, partnership):
        raise PermissionDenied("A field reporter's token opens nothing in the API.")
    party = None
    if party_id:
        party = access.scoped(Party.objects.select_related("organisation"), partnership, party_id)
        if not access.may_see_private(user, party):
            raise PermissionDenied("This is another party's own material.")
    return Resolved(collection_id, layer, partnership, party, user, False)


# ---- the features -------------------------------------------------------------------------------
#
# Every layer builds its features with coordinates in one of two native systems: "lonlat"
# (WGS 84 degrees) or "sweref" (SWEREF 99 TM metres); they are transformed once, on the way out.


@dataclass
class Feature:
    id: str
    geometry: str  # "Point" or "Polygon"
    coords: list[tuple[float, float]]  # one point, or a closed ring
    native: str  # "lonlat" or "sweref"
    properties: dict[str, Any]
    day: datetime.date | None = None  # for the datetime filter


def _threshold() -> int:
    return settings.SMALL_COUNT_THRESHOLD


def _shown(count: int, full: bool) -> int | None:
    return count if full or count == 0 or count >= _threshold() else None


def _listed_places(partnership: Any) -> list[Any]:
    return list(
        partnership.field_places.filter(latitude__isnull=False, longitude__isnull=False).order_by(
            "name"
        )
    )


def listed_place_for(measure: Any, places: list[Any]) -> Any:
    """The listed place (with a point) whose name the measure's "where" holds, the longest
    such name ("Stora torget" before "Torget"); None if it names none. The API's measures
    take their geometry from here too."""
    where = measure.how_where.casefold()
    named = [p for p in places if p.name and p.name.casefold() in where]
    return max(named, key=lambda p: len(p.name)) if named else None


def _measures(r: Resolved) -> list[Feature]:
    from samverkan.implementation.models import Status
    from samverkan.problems.models import Measure

    to = audience.public() if r.public else audience.for_user(r.user, r.partnership)
    places = _listed_places(r.partnership)
    rows = (
        Measure.objects.filter(to.measure_q(), partnership=r.partnership)
        .distinct()
        .select_related("progress", "responsible_party__organisation")
        .order_by("number")
    )
    features = []
    for measure in rows:
        place = listed_place_for(measure, places)
        if place is None:
            continue
        progress = getattr(measure, "progress", None)
        features.append(
            Feature(
                str(measure.pk),
                "Point",
                [(place.longitude, place.latitude)],
                "lonlat",
                {
                    "number": measure.number,
                    "title": measure.title,
                    "status": progress.status if progress else Status.PLANNED,
                    "responsible_party": str(measure.responsible_party.organisation),
                    "starts_on": measure.starts_on.isoformat() if measure.starts_on else None,
                    "ends_on": measure.ends_on.isoformat() if measure.ends_on else None,
                    "place": place.name,
                },
            )
        )
    return features


def _field_places(r: Resolved) -> list[Feature]:
    from samverkan.fieldwork import services
    from samverkan.fieldwork.models import FieldReport, week_bounds

    full = services.may_see_full_counts(r.user, r.partnership)
    now = services.current_week()
    weeks = [services.shift_week(*now, -n) for n in range(WEEKS - 1, -1, -1)]
    start, end = week_bounds(*weeks[0])[0], week_bounds(*weeks[-1])[1]
    counts: Counter[tuple[int, str]] = Counter()
    for place_id, observed in FieldReport.objects.filter(
        partnership=r.partnership,
        place__isnull=False,
        observed_at__gte=start,
        observed_at__lt=end,
    ).values_list("place_id", "observed_at"):
        year, week, _day = timezone.localtime(observed).isocalendar()
        counts[(place_id, services.week_label(year, week))] += 1
    labels = [services.week_label(*w) for w in weeks]
    features = []
    for place in _listed_places(r.partnership):
        weekly = {label: _shown(counts[(place.pk, label)], full) for label in labels}
        features.append(
            Feature(
                str(place.pk),
                "Point",
                [(place.longitude, place.latitude)],
                "lonlat",
                {"name": place.name, "active": place.active, **weekly},
            )
        )
    return features


def _square(x: float, y: float, half: float) -> list[tuple[float, float]]:
    return [(x - half, y - half), (x + half, y - half), (x + half, y + half),
            (x - half, y + half), (x - half, y - half)]  # fmt: skip


def _incident_cells(r: Resolved) -> list[Feature]:
    from django.db.models import Count

    from samverkan.mapping.mapdata import _CellIndex
    from samverkan.mapping.models import Incident
    from samverkan.mapping.subjects.incidents import HOTSPOT_CELL_METRES

    size = HOTSPOT_CELL_METRES
    rows = (
        Incident.objects.filter(party=r.party, x__isnull=False, y__isnull=False)
        .order_by()
        .annotate(col=_CellIndex("x", 0.0, size), row=_CellIndex("y", 0.0, size))
        .values("row", "col")
        .annotate(n=Count("*"))
        .order_by("row", "col")
    )
    features = []
    for row in rows:
        col, line, n = int(row["col"]), int(row["row"]), row["n"]
        x, y = (col + 0.5) * size, (line + 0.5) * size
        count = _shown(n, False)
        features.append(
            Feature(
                f"{col}-{line}",
                "Polygon",
                _square(x, y, size / 2),
                "sweref",
                {"count": count, "suppressed": count is None, "cell_size_m": size},
            )
        )
    return features


def _hotspots(r: Resolved) -> list[Feature]:
    from samverkan.mapping.mapdata import MapFilter, map_data
    from samverkan.mapping.subjects.incidents import HOTSPOT_CELL_METRES

    data = map_data(r.party, MapFilter())
    half = HOTSPOT_CELL_METRES / 2
    features = []
    for cell in data.cells:
        count = _shown(cell.count, False)
        col, line = (
            math.floor(cell.x / HOTSPOT_CELL_METRES),
            math.floor(cell.y / HOTSPOT_CELL_METRES),
        )
        features.append(
            Feature(
                f"{col}-{line}",
                "Polygon",
                _square(cell.x, cell.y, half),
                "sweref",
                {
                    "z": round(cell.z, 4),
                    "p": cell.p_value,
                    "level": cell.level,
                    "count": count,
                    "suppressed": count is None,
                    "cell_size_m": HOTSPOT_CELL_METRES,
                },
            )
        )
    return features


def _safety_walk_cells(r: Resolved) -> list[Feature]:
    """Released observations per grid cell. Public: a cell whose total is below the threshold
    is left out (a polygon marked suppressed would still tell where a few observations are),
    and the categories are null when any category count is small (else the total less the
    shown ones gives it away), as the public lägesbild withholds a table with a small count.
    A member's audience may see the cell with its count withheld."""
    from samverkan.mapping.models import SafetyWalkObservation
    from samverkan.mapping.subjects.incidents import HOTSPOT_CELL_METRES

    size = HOTSPOT_CELL_METRES
    rows = SafetyWalkObservation.objects.filter(
        party__in=access.released_mapping_parties(r.partnership), x__isnull=False, y__isnull=False
    ).values_list("x", "y", "category", "observed_on")
    cells: dict[tuple[int, int], list[tuple[str, datetime.date]]] = {}
    for x, y, category, day in rows:
        key = (math.floor((x or 0.0) / size), math.floor((y or 0.0) / size))  # both set
        cells.setdefault(key, []).append((category or "Övrigt", day))
    to = audience.public() if r.public else audience.for_user(r.user, r.partnership)
    features = []
    for (col, line), seen in sorted(cells.items(), key=lambda item: (item[0][1], item[0][0])):
        by_category = Counter(category for category, _day in seen)
        total = len(seen)
        suppressed = to.withholds_counts(total)
        if suppressed and r.public:
            continue
        categories = (
            None
            if suppressed or to.withholds_counts(*by_category.values())
            else dict(sorted(by_category.items()))
        )
        days = sorted(day for _category, day in seen)
        features.append(
            Feature(
                f"{col}-{line}",
                "Polygon",
                _square((col + 0.5) * size, (line + 0.5) * size, size / 2),
                "sweref",
                {
                    "count": None if suppressed else total,
                    "suppressed": suppressed,
                    "categories": categories,
                    "first_observed": None if suppressed else days[0].isoformat(),
                    "last_observed": None if suppressed else days[-1].isoformat(),
                    "cell_size_m": size,
                },
            )
        )
    return features


def _safety_walks(r: Resolved) -> list[Feature]:
    from samverkan.mapping.models import SafetyWalkObservation

    rows = SafetyWalkObservation.objects.filter(
        party=r.party, x__isnull=False, y__isnull=False
    ).order_by("observed_on", "pk")
    return [
        Feature(
            str(w.pk),
            "Point",
            [(float(w.x or 0.0), float(w.y or 0.0))],  # both set (filtered above)
            "sweref",
            {"place": w.place, "category": w.category, "date": w.observed_on.isoformat()},
            day=w.observed_on,
        )
        for w in rows
    ]


BUILDERS: dict[str, Callable[[Resolved], list[Feature]]] = {
    "measures": _measures,
    "field-places": _field_places,
    "incident-cells": _incident_cells,
    "hotspots": _hotspots,
    "safety-walk-cells": _safety_walk_cells,
    "safety-walks": _safety_walks,
}


def _in_crs(features: list[Feature], crs: str) -> list[list[tuple[float, float]]]:
    """Every feature's coordinates in ``crs`` (transformed in two batches, not per point)."""
    target = "sweref" if crs == SWEREF99TM else "lonlat"
    out: list[list[tuple[float, float]]] = [list(f.coords) for f in features]
    for source in ("lonlat", "sweref"):
        if source == target:
            continue
        chosen = [i for i, f in enumerate(features) if f.native == source]
        if not chosen:
            continue
        xs = np.array([c[0] for i in chosen for c in features[i].coords], dtype=float)
        ys = np.array([c[1] for i in chosen for c in features[i].coords], dtype=float)
        if source == "lonlat":
            ax, ay = wgs84_to_sweref99tm(xs, ys)
        else:
            ax, ay = sweref99tm_to_wgs84(xs, ys)
        at = 0
        for i in chosen:
            n = len(features[i].coords)
            out[i] = list(zip(ax[at : at + n].tolist(), ay[at : at + n].tolist(), strict=True))
            at += n
    return out


def _geometry(kind: str, coords: list[tuple[float, float]], crs: str) -> dict[str, Any]:
    digits = 2 if crs == SWEREF99TM else 7
    points = [[round(x, digits), round(y, digits)] for x, y in coords]
    if kind == "Point":
        return {"type": "Point", "coordinates": points[0]}
    return {"type": "Polygon", "coordinates": [points]}


def _bbox_of(coords: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    return min(xs), min(ys), max(xs), max(ys)


def _crs(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name)
    if value is None:
        return CRS84
    value = value.strip("<>")
    if value not in CRS_LIST:
        raise BadRequest(f"{name}: one of {', '.join(CRS_LIST)}.")
    return value


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name}: a whole number.") from exc
    if not low <= value <= high:
        raise BadRequest(f"{name}: from {low} to {high}.")
    return value


def _bbox(request: HttpRequest) -> tuple[float, float, float, float] | None:
    raw = request.GET.get("bbox")
    if raw is None:
        return None
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError as exc:
        raise BadRequest("bbox: four numbers, minx,miny,maxx,maxy.") from exc
    if len(values) == 6:  # with heights: the heights are ignored
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or values[0] > values[2] or values[1] > values[3]:
        raise BadRequest("bbox: four numbers, minx,miny,maxx,maxy.")
    return values[0], values[1], values[2], values[3]


def _interval(request: HttpRequest) -> tuple[datetime.date | None, datetime.date | None] | None:
    raw = request.GET.get("datetime")
    if raw is None:
        return None

    def day(text: str) -> datetime.date | None:
        if text in ("", ".."):
            return None
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError as exc:
            raise BadRequest("datetime: a date, a date-time or an interval a/b.") from exc

    start, _sep, end = raw.partition("/")
    return (day(start), day(end)) if _sep else (day(start), day(start))


# ---- the views ----------------------------------------------------------------------------------


@_answer
def landing(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    return _json(
        {
            "title": "Samverkan – GIS-lager",
            "description": "Samverkans kartlager som OGC API – Features. Lager för en "
            "samverkan kräver en API-nyckel (Authorization: Bearer …); de offentliga lagren "
            "är öppna.",
            "links": [
                {
                    "href": f"{base}/",
                    "rel": "self",
                    "type": "application/json",
                    "title": "This document",
                },  # fmt: skip
                {
                    "href": f"{base}/api",
                    "rel": "service-desc",
                    "type": "application/vnd.oai.openapi+json;version=3.0",
                    "title": "The API definition",
                },  # fmt: skip
                {
                    "href": f"{base}/conformance",
                    "rel": "conformance",
                    "type": "application/json",
                    "title": "Conformance classes",
                },  # fmt: skip
                {
                    "href": f"{base}/collections",
                    "rel": "data",
                    "type": "application/json",
                    "title": "The collections",
                },  # fmt: skip
            ],
        }
    )


@_answer
def conformance(request: HttpRequest) -> HttpResponse:
    return _json({"conformsTo": CONFORMANCE})


def _collection(request: HttpRequest, r: Resolved, features: list[Feature] | None) -> dict:
    base = _base(request)
    url = f"{base}/collections/{r.id}"
    place = str(r.party.organisation) if r.party is not None else r.partnership.name
    out: dict[str, Any] = {
        "id": r.id,
        "title": f"{r.layer.title} – {place}",
        "description": r.layer.description,
        "itemType": "feature",
        "crs": CRS_LIST,
        "storageCrs": CRS84,
        "links": [
            {"href": url, "rel": "self", "type": "application/json", "title": "This collection"},
            {"href": f"{url}/items", "rel": "items", "type": GEOJSON, "title": "The features"},
        ],
    }
    if features:
        boxes = [_bbox_of(c) for c in _in_crs(features, CRS84)]
        out["extent"] = {
            "spatial": {
                "bbox": [
                    [
                        round(min(b[0] for b in boxes), 7),
                        round(min(b[1] for b in boxes), 7),
                        round(max(b[2] for b in boxes), 7),
                        round(max(b[3] for b in boxes), 7),
                    ]
                ],
                "crs": CRS84,
            }
        }
    return out


@_answer
def collections(request: HttpRequest) -> HttpResponse:
    user = _user(request, required=False)
    base = _base(request)
    listed = []
    for collection_id in _collection_ids(user):
        # One token check (and one charge against its rate limit) for the whole listing; a
        # collection the caller may not open now (a partnership requiring a second factor the
        # token's owner lacks) is left out, not the whole listing refused.
        try:
            r = _resolve(request, collection_id, user)
        except (PermissionDenied, Http404):
            continue
        listed.append(_collection(request, r, None))
    return _json(
        {
            "links": [
                {
                    "href": f"{base}/collections",
                    "rel": "self",
                    "type": "application/json",
                    "title": "The collections",
                },  # fmt: skip
            ],
            "collections": listed,
            "crs": CRS_LIST,
        }
    )


@_answer
def collection(request: HttpRequest, collection_id: str) -> HttpResponse:
    r = _resolve(request, collection_id)
    return _json(_collection(request, r, BUILDERS[r.layer.kind](r)))


@_answer
def items(request: HttpRequest, collection_id: str) -> HttpResponse:
    unknown = set(request.GET) - KNOWN_PARAMS
    if unknown:
        raise BadRequest(f"Unknown parameter: {', '.join(sorted(unknown))}.")
    r = _resolve(request, collection_id)
    crs = _crs(request, "crs")
    bbox_crs = _crs(request, "bbox-crs")
    limit = _int(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(request, "offset", 0, 0, 10**9)
    box, interval = _bbox(request), _interval(request)
    features = BUILDERS[r.layer.kind](r)
    if interval is not None:
        low, high = interval
        features = [
            f
            for f in features
            if f.day is None or ((low is None or f.day >= low) and (high is None or f.day <= high))
        ]
    if box is not None:
        in_box = _in_crs(features, bbox_crs)
        features = [
            f
            for f, coords in zip(features, in_box, strict=True)
            if _overlaps(_bbox_of(coords), box)
        ]
    matched = len(features)
    page = features[offset : offset + limit]
    coords = _in_crs(page, crs)
    base = _base(request)
    url = f"{base}/collections/{r.id}/items"

    def link(rel: str, start: int) -> dict:
        query = request.GET.copy()
        query["offset"] = str(start)
        query["limit"] = str(limit)
        return {"href": f"{url}?{query.urlencode()}", "rel": rel, "type": GEOJSON}

    links = [link("self", offset), {"href": f"{base}/collections/{r.id}", "rel": "collection",
                                    "type": "application/json"}]  # fmt: skip
    if offset + limit < matched:
        links.append(link("next", offset + limit))
    if offset > 0:
        links.append(link("prev", max(0, offset - limit)))
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f.id,
                "geometry": _geometry(f.geometry, c, crs),
                "properties": f.properties,
            }
            for f, c in zip(page, coords, strict=True)
        ],
        "numberMatched": matched,
        "numberReturned": len(page),
        "timeStamp": timezone.now().replace(microsecond=0).isoformat(),
        "links": links,
    }
    return _json(body, GEOJSON, **{"Content-Crs": f"<{crs}>"})


@_answer
def item(request: HttpRequest, collection_id: str, feature_id: str) -> HttpResponse:
    r = _resolve(request, collection_id)
    crs = _crs(request, "crs")
    found = [f for f in BUILDERS[r.layer.kind](r) if f.id == feature_id]
    if not found:
        raise Http404
    coords = _in_crs(found, crs)[0]
    base = _base(request)
    return _json(
        {
            "type": "Feature",
            "id": found[0].id,
            "geometry": _geometry(found[0].geometry, coords, crs),
            "properties": found[0].properties,
            "links": [
                {
                    "href": f"{base}/collections/{r.id}/items/{feature_id}",
                    "rel": "self",
                    "type": GEOJSON,
                },  # fmt: skip
                {
                    "href": f"{base}/collections/{r.id}",
                    "rel": "collection",
                    "type": "application/json",
                },  # fmt: skip
            ],
        },
        GEOJSON,
        **{"Content-Crs": f"<{crs}>"},
    )


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


@_answer
def definition(request: HttpRequest) -> HttpResponse:
    """A compact OpenAPI 3.0 description of these endpoints (the landing page's service-desc)."""
    param = {"$ref": "#/components/parameters/collectionId"}
    query = [
        {
            "name": "limit",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
        },  # fmt: skip
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {
            "name": "bbox",
            "in": "query",
            "style": "form",
            "explode": False,
            "schema": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 6},
        },  # fmt: skip
        {"name": "bbox-crs", "in": "query", "schema": {"type": "string", "enum": CRS_LIST}},
        {"name": "crs", "in": "query", "schema": {"type": "string", "enum": CRS_LIST}},
        {"name": "datetime", "in": "query", "schema": {"type": "string"}},
    ]
    ok = {"200": {"description": "OK"}}
    return _json(
        {
            "openapi": "3.0.3",
            "info": {"title": "Samverkan – GIS-lager (OGC API – Features)", "version": "1"},
            "servers": [{"url": _base(request)}],
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "parameters": {
                    "collectionId": {
                        "name": "collectionId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },  # fmt: skip
                },
            },
            "security": [{}, {"bearer": []}],
            "paths": {
                "/": {"get": {"summary": "Landing page", "responses": ok}},
                "/conformance": {"get": {"summary": "Conformance classes", "responses": ok}},
                "/collections": {"get": {"summary": "The collections", "responses": ok}},
                "/collections/{collectionId}": {
                    "get": {"summary": "A collection", "parameters": [param], "responses": ok}
                },
                "/collections/{collectionId}/items": {
                    "get": {
                        "summary": "The features",
                        "parameters": [param, *query],
                        "responses": ok,
                    }  # fmt: skip
                },
                "/collections/{collectionId}/items/{featureId}": {
                    "get": {
                        "summary": "One feature",
                        "parameters": [
                            param,
                            {
                                "name": "featureId",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "string"},
                            },  # fmt: skip
                            query[4],
                        ],
                        "responses": ok,
                    }
                },
            },
        },
        "application/vnd.oai.openapi+json;version=3.0",
    )
