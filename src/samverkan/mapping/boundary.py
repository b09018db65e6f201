"""Reading an area boundary from GeoJSON (RFC 7946) in WGS 84 or SWEREF 99 TM.

Files from Lantmäteriet, SCB or a municipality's GIS are usually either lon/lat degrees
(what RFC 7946 prescribes) or SWEREF 99 TM metres (what Swedish authorities use). The two
never overlap inside Sweden, so the system is told by the numbers; a ``crs`` member, which
older files carry, is checked against them. Everything is turned into WGS 84 polygons for
the map. Every problem is reported in Swedish, naming the object, polygon, ring and point.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.analysis.hotspots import sweref99tm_to_wgs84
from samverkan.lib import numbers
from samverkan.lib.lazy import lazy
from samverkan.mapping.choices import BoundaryCrs
from samverkan.mapping.models import AreaBoundary

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

MAX_BYTES = 5 * 1024 * 1024
MAX_POSITIONS = 200_000

# Boxes around Sweden with its territorial waters: longitude 10.0–24.5° E, latitude
# 55.0–69.5° N; in SWEREF 99 TM easting 200–1 000 km and northing 6 100–7 700 km (Swedish
# land lies at about 267–918 km east, 6 134–7 673 km north). SWEREF 99's local zones put
# their false easting at 150 km, so their eastings fall below the TM box, and RT 90's
# (1 500 km) above it: both are recognised and named in the message.
_LON = (10.0, 24.5)
_LAT = (55.0, 69.5)
_EAST = (200_000.0, 1_000_000.0)
_NORTH = (6_100_000.0, 7_700_000.0)
_LOCAL_ZONE_EAST = (0.0, 200_000.0)
_RT90_EAST = (1_100_000.0, 1_950_000.0)

_CRS_NAMES = {
    BoundaryCrs.WGS84: re.compile(r"(EPSG:{1,2}(4326|4258)|CRS:?84|OGC:{1,2}1\.3:{1,2}CRS84)$"),
    BoundaryCrs.SWEREF99TM: re.compile(r"EPSG:{1,2}3006$"),
}


class BoundaryError(ValueError):
    """The file is not an area boundary we can use; the message says why, in Swedish."""


@dataclass(frozen=True)
class Boundary:
    """Polygons in WGS 84 (GeoJSON MultiPolygon coordinates) and what the file held."""

    polygons: list  # [polygon][ring][point] -> [lon, lat]
    source_crs: str
    positions: int
    name: str  # from the first feature's "name"/"namn" property, if any

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        points = np.array([p for poly in self.polygons for p in poly[0]], dtype=float)
        return (
            float(points[:, 0].min()),
            float(points[:, 1].min()),
            float(points[:, 0].max()),
            float(points[:, 1].max()),
        )

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "properties": {"name": self.name},
            "geometry": {"type": "MultiPolygon", "coordinates": self.polygons},
        }


def parse_boundary(raw: bytes) -> Boundary:
    """Read GeoJSON bytes: Polygon, MultiPolygon, a Feature or FeatureCollection of them."""
    if not raw.strip():
        raise BoundaryError(_("Filen är tom."))
    if len(raw) > MAX_BYTES:
        raise BoundaryError(
            _(
                "Filen är för stor (%(size)s MB). En områdesgräns får vara högst %(max)s MB; "
                "förenkla gränsen i ett GIS-program."
            )
            % {"size": _mb(len(raw)), "max": _mb(MAX_BYTES)}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BoundaryError(
            _("Filen är inte text i UTF-8. Spara den som GeoJSON med teckenkodningen UTF-8.")
        ) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            _("Filen är inte giltig JSON (fel på rad %(line)s, kolumn %(col)s).")
            % {"line": exc.lineno, "col": exc.colno}
        ) from exc
    if not isinstance(data, dict) or "type" not in data:
        raise BoundaryError(_('Filen är inte GeoJSON: den ska vara ett objekt med fältet "type".'))
    polygons, name = _polygons(data)
    positions = sum(len(ring) for poly in polygons for ring in poly)
    if positions > MAX_POSITIONS:
        raise BoundaryError(
            _(
                "Gränsen har %(n)s punkter; högst %(max)s tas emot. Förenkla gränsen i ett "
                "GIS-program."
            )
            % {"n": positions, "max": MAX_POSITIONS}
        )
    _check_valid(polygons)
    crs = _detect_crs(polygons)
    declared = _declared_crs(data)
    if declared is not None and declared != crs:
        raise BoundaryError(
            _(
                "Filen säger att koordinaterna är i %(declared)s, men talen ser ut som "
                "%(detected)s. Kontrollera exporten."
            )
            % {"declared": BoundaryCrs(declared).label, "detected": BoundaryCrs(crs).label}
        )
    if crs == BoundaryCrs.SWEREF99TM:
        polygons = [[_to_wgs84(ring) for ring in poly] for poly in polygons]
    else:
        polygons = [[[[round(x, 7), round(y, 7)] for x, y in r] for r in p] for p in polygons]
    return Boundary(polygons, crs, positions, name)


# What GEOS says is wrong with a polygon, in Swedish.
_INVALID_REASONS = (
    ("Ring Self-intersection", _("en ring korsar sig själv")),
    ("Self-intersection", _("kanten korsar sig själv")),
    ("Hole lies outside shell", _("ett hål ligger utanför ytterkanten")),
    ("Interior is disconnected", _("ett hål delar ytan i flera delar")),
    ("Nested holes", _("ett hål ligger inuti ett annat hål")),
    ("Nested shells", _("en yta ligger inuti en annan")),
    ("Duplicate Rings", _("samma ring förekommer två gånger")),
    ("Too few points", _("en ring har för få olika punkter")),
    ("Invalid Coordinate", _("en punkt har ogiltiga koordinater")),
)


def _check_valid(polygons: list) -> None:
    """Refuse a polygon whose edges cross or whose holes lie wrong (checked with GEOS via
    shapely): such a boundary would draw oddly and count incidents wrongly."""
    import shapely

    for number, rings in enumerate(polygons, start=1):
        shape = shapely.Polygon(rings[0], rings[1:])
        if shape.is_valid:
            continue
        reason = shapely.is_valid_reason(shape)
        words = next((sv for en, sv in _INVALID_REASONS if reason.startswith(en)), None)
        where = reason[reason.find("[") :] if "[" in reason else ""
        raise BoundaryError(
            _(
                "Polygon %(n)s är inte en giltig yta: %(what)s%(where)s. Rätta gränsen i ett "
                "GIS-program (t.ex. med funktionen för att laga geometrier) och ladda upp igen."
            )
            % {
                "n": number,
                "what": words or _("geometrin är ogiltig"),
                "where": _(" (vid %(point)s)") % {"point": where.strip("[]")} if where else "",
            }
        )


def _mb(n: int) -> str:
    return numbers.number(n / 1024 / 1024, 1)


def _polygons(data: dict[str, Any]) -> tuple[list, str]:
    """All polygons of the object, as lists of rings of [x, y], checked for shape."""
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise BoundaryError(_("FeatureCollection i filen innehåller inga objekt."))
        polygons: list = []
        name = ""
        for i, feature in enumerate(features, start=1):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise BoundaryError(
                    _("Objekt %(n)s i FeatureCollection är inte en Feature.") % {"n": i}
                )
            polygons += _geometry(feature.get("geometry"), where=i)
            name = name or _feature_name(feature)
        return polygons, name
    if kind == "Feature":
        return _geometry(data.get("geometry"), where=1), _feature_name(data)
    return _geometry(data, where=None), ""


def _feature_name(feature: dict[str, Any]) -> str:
    props = feature.get("properties")
    if not isinstance(props, dict):
        return ""
    for key in ("name", "namn", "NAMN", "Name", "KOMMUNNAMN", "kommunnamn"):
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return ""


def _where(*parts: str) -> str:
    """ "Objekt 2, polygon 1, ring 3": where in the file a problem is, for the message."""
    text = ", ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def _geometry(geometry: Any, where: int | None) -> list:
    feature = _("objekt %(n)s") % {"n": where} if where is not None else ""
    if not isinstance(geometry, dict):
        raise BoundaryError(_("%(where)s saknar geometri.") % {"where": _where(feature)})
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Polygon":
        raw_polygons = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list) and coords:
        raw_polygons = coords
    elif kind == "MultiPolygon":
        raise BoundaryError(_("MultiPolygon utan polygoner i filen. Exportera gränsen igen."))
    else:
        raise BoundaryError(
            _(
                "Geometritypen %(type)s kan inte vara en områdesgräns. Använd Polygon eller "
                "MultiPolygon."
            )
            % {"type": kind if isinstance(kind, str) else "?"}
        )
    return [_polygon(p, feature, i) for i, p in enumerate(raw_polygons, start=1)]


def _polygon(rings: Any, feature: str, number: int) -> list:
    polygon = _("polygon %(p)s") % {"p": number}
    if not isinstance(rings, list) or not rings:
        raise BoundaryError(
            _("%(where)s har inga ringar av koordinater.") % {"where": _where(feature, polygon)}
        )
    checked = []
    for r, ring in enumerate(rings, start=1):
        where = _where(feature, polygon, _("ring %(r)s") % {"r": r})
        if not isinstance(ring, list):
            raise BoundaryError(_("%(where)s är inte en lista av punkter.") % {"where": where})
        points = [_position(p, where, i) for i, p in enumerate(ring, start=1)]
        if len(points) < 4:
            raise BoundaryError(
                _(
                    "%(where)s har %(k)s punkter; en ring behöver minst fyra, där den sista "
                    "upprepar den första."
                )
                % {"where": where, "k": len(points)}
            )
        if points[0] != points[-1]:
            raise BoundaryError(
                _("%(where)s är inte sluten: den sista punkten ska vara samma som den första.")
                % {"where": where}
            )
        checked.append(points)
    return checked


def _position(value: Any, where: str, i: int) -> tuple[float, float]:
    # A third number (height) is allowed by GeoJSON and ignored here.
    if (
        isinstance(value, list)
        and len(value) in (2, 3)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and all(math.isfinite(v) for v in value)
    ):
        return (float(value[0]), float(value[1]))
    raise BoundaryError(
        _("%(where)s, punkt %(i)s är inte ett koordinatpar av två tal.") % {"where": where, "i": i}
    )


def _detect_crs(polygons: list) -> str:
    points = np.array([p for poly in polygons for ring in poly for p in ring], dtype=float)
    x, y = points[:, 0], points[:, 1]

    def inside(a: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
        return (a >= bounds[0]) & (a <= bounds[1])

    wgs = inside(x, _LON) & inside(y, _LAT)
    sweref = inside(x, _EAST) & inside(y, _NORTH)
    if wgs.all():
        return BoundaryCrs.WGS84
    if sweref.all():
        return BoundaryCrs.SWEREF99TM
    if (inside(x, _LAT) & inside(y, _LON)).all():
        raise BoundaryError(
            _(
                "Koordinaterna verkar stå i ordningen latitud, longitud. I GeoJSON kommer "
                "longituden först, t.ex. [18.07, 59.33] för Stockholm."
            )
        )
    if (inside(y, _NORTH) & inside(x, _LOCAL_ZONE_EAST)).all():
        raise BoundaryError(
            _(
                "Koordinaterna ser ut att vara i en av SWEREF 99:s lokala zoner (t.ex. SWEREF 99 "
                "18 00). Räkna om dem till SWEREF 99 TM (EPSG:3006) eller WGS 84 (EPSG:4326)."
            )
        )
    if (inside(y, _NORTH) & inside(x, _RT90_EAST)).all():
        raise BoundaryError(
            _(
                "Koordinaterna ser ut att vara i RT 90. Räkna om dem till SWEREF 99 TM "
                "(EPSG:3006) eller WGS 84 (EPSG:4326)."
            )
        )
    if wgs.any() and sweref.any():
        raise BoundaryError(
            _(
                "Filen blandar koordinater i grader (WGS 84) och meter (SWEREF 99 TM). Alla "
                "punkter ska vara i samma koordinatsystem."
            )
        )
    bad = int(np.argmax(~(wgs | sweref)))
    raise BoundaryError(
        _(
            "Punkten (%(x)s, %(y)s) ligger inte i Sverige, varken i WGS 84 (longitud, latitud i "
            "grader) eller i SWEREF 99 TM (meter). Andra koordinatsystem behöver räknas om till "
            "något av dem först."
        )
        % {"x": f"{x[bad]:.10g}", "y": f"{y[bad]:.10g}"}
    )


def _declared_crs(data: dict[str, Any]) -> str | None:
    """The system named by a (pre-RFC 7946) ``crs`` member; an unknown one is refused."""
    crs = data.get("crs")
    if crs is None:
        return None
    name = ""
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        name = str(crs["properties"].get("name", ""))
    for kind, pattern in _CRS_NAMES.items():
        if pattern.search(name.upper().replace("URN:OGC:DEF:CRS:", "")):
            return kind
    raise BoundaryError(
        _(
            "Filen anger koordinatsystemet %(crs)s, som inte stöds. Använd WGS 84 (EPSG:4326) "
            "eller SWEREF 99 TM (EPSG:3006)."
        )
        % {"crs": name or "?"}
    )


def _to_wgs84(ring: list[tuple[float, float]]) -> list[list[float]]:
    xy = np.array(ring, dtype=float)
    lon, lat = sweref99tm_to_wgs84(xy[:, 0], xy[:, 1])
    return [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon, lat, strict=True)]


def save_boundary(
    party: Any, parsed: Boundary, name: str, file_name: str, user: Any
) -> AreaBoundary:
    """Keep ``parsed`` as the party's area boundary, replacing any earlier one."""
    west, south, east, north = parsed.bbox()
    content = ContentFile(json.dumps(parsed.feature(), separators=(",", ":")).encode("utf-8"))
    with transaction.atomic():
        record = AreaBoundary.objects.select_for_update().filter(party=party).first()
        record = record or AreaBoundary(party=party)
        old_file = record.file.name if record.pk else ""
        record.name = name[:200]
        record.file_name = file_name[:255]
        record.source_crs = parsed.source_crs
        record.polygons = len(parsed.polygons)
        record.positions = parsed.positions
        record.west, record.south, record.east, record.north = west, south, east, north
        record.uploaded_by = user if getattr(user, "is_authenticated", False) else None
        record.file.save(f"party-{party.pk}.geojson", content, save=False)
        record.save()
        if old_file:
            storage = record.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return record


def delete_boundary(boundary: AreaBoundary) -> None:
    """Forget the boundary and, once that is committed, its file."""
    storage, name = boundary.file.storage, boundary.file.name
    with transaction.atomic():
        boundary.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))
