"""Uploading the area boundary: WGS 84 and SWEREF 99 TM files kept, broken files refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samverkan.accounts.models import AuditEntry
from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.mapping import boundary as boundary_module
from samverkan.mapping.choices import BoundaryCrs
from samverkan.mapping.models import AreaBoundary
from tests.mapping.map_data import SWEREF_RING, WGS84_RING, polygon_geojson


def url(name, world):
    return reverse(
        f"mapping:{name}",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )


def upload(client, world, content: bytes, name="grans.geojson", area=""):
    return client.post(
        url("boundary_upload", world),
        {"name": area, "file": SimpleUploadedFile(name, content, "application/geo+json")},
    )


def stored_ring(record):
    with record.file.open("rb") as handle:
        feature = json.load(handle)
    assert feature["geometry"]["type"] == "MultiPolygon"
    return np.array(feature["geometry"]["coordinates"][0][0])


def test_wgs84_polygon_is_kept_and_shown_on_the_map(client, world):
    client.force_login(world.alice)
    response = upload(client, world, polygon_geojson(WGS84_RING), area="Södermalm")
    assert response.status_code == 302 and response.url == url("map", world)
    record = AreaBoundary.objects.get(party=world.ours.kommun)
    assert record.name == "Södermalm" and record.source_crs == BoundaryCrs.WGS84
    assert (record.polygons, record.positions) == (1, 5) and record.uploaded_by == world.alice
    assert (record.west, record.south, record.east, record.north) == (18.03, 59.31, 18.12, 59.35)
    assert stored_ring(record).tolist() == WGS84_RING
    # The history entry is the party's own, like the rest of its mapping (accounts.audit).
    entry = AuditEntry.objects.get(model_label="mapping.areaboundary", action="create")
    assert entry.party_id == world.ours.kommun.pk and entry.user == world.alice
    assert "coordinates" not in json.dumps(entry.changes)  # the geometry stays in its file

    collection = client.get(url("map_data", world)).json()
    (drawn,) = [f for f in collection["features"] if f["properties"]["layer"] == "boundary"]
    assert drawn["properties"] == {"layer": "boundary", "kind": "uploaded", "name": "Södermalm"}
    assert collection["bbox"] == [18.03, 59.31, 18.12, 59.35]  # the map fits itself to it
    page = client.get(url("map", world)).content.decode()
    assert "Områdesgräns: Södermalm" in page and "grans.geojson" in page


def test_sweref_feature_collection_is_converted_to_wgs84(client, world):
    second = [[p[0] + 10_000, p[1]] for p in SWEREF_RING]
    content = json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
            "features": [
                {"type": "Feature", "properties": {"namn": "Centrum"},
                 "geometry": {"type": "Polygon", "coordinates": [SWEREF_RING]}},
                {"type": "Feature", "properties": {},
                 "geometry": {"type": "MultiPolygon", "coordinates": [[second]]}},
            ],
        }
    ).encode()  # fmt: skip
    client.force_login(world.alice)
    assert upload(client, world, content, name="centrum.json").status_code == 302
    record = AreaBoundary.objects.get(party=world.ours.kommun)
    assert record.name == "Centrum"  # from the file when the form leaves it empty
    assert record.source_crs == BoundaryCrs.SWEREF99TM and record.polygons == 2
    ring = stored_ring(record)
    assert 18 < ring[:, 0].min() < ring[:, 0].max() < 18.2 and 59.3 < ring[:, 1].min() < 59.4
    e, n = wgs84_to_sweref99tm(ring[:, 0], ring[:, 1])
    assert np.allclose(np.column_stack([e, n]), SWEREF_RING, atol=0.05)


def test_new_upload_replaces_the_old_boundary_and_its_file(client, world):
    client.force_login(world.alice)
    upload(client, world, polygon_geojson(WGS84_RING), area="Först")
    first = AreaBoundary.objects.get(party=world.ours.kommun)
    old_name = first.file.name
    assert upload(client, world, polygon_geojson(SWEREF_RING), area="Sedan").status_code == 302
    record = AreaBoundary.objects.get(party=world.ours.kommun)
    assert record.pk == first.pk and record.name == "Sedan"
    assert record.source_crs == BoundaryCrs.SWEREF99TM
    assert record.file.name != old_name


@pytest.mark.django_db(transaction=True)
def test_replaced_and_deleted_files_leave_the_disk(client, world):
    client.force_login(world.alice)
    upload(client, world, polygon_geojson(WGS84_RING), area="Först")
    first = AreaBoundary.objects.get(party=world.ours.kommun)
    storage, old_name = first.file.storage, first.file.name
    assert storage.exists(old_name)
    upload(client, world, polygon_geojson(SWEREF_RING), area="Sedan")
    assert not storage.exists(old_name)
    new_name = AreaBoundary.objects.get(party=world.ours.kommun).file.name
    response = client.post(url("boundary_delete", world))
    assert response.status_code == 302
    assert not AreaBoundary.objects.filter(party=world.ours.kommun).exists()
    assert not storage.exists(new_name)
    page = client.get(url("map", world)).content.decode()
    assert "Ingen områdesgräns är uppladdad" in page


def feature_collection(*geometries) -> bytes:
    features = [{"type": "Feature", "properties": {}, "geometry": g} for g in geometries]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def named_crs(name: str) -> dict:
    return {"type": "name", "properties": {"name": name}}


def square(x0: float, y0: float, side: float) -> list[list[float]]:
    return [[x0, y0], [x0 + side, y0], [x0 + side, y0 + side], [x0, y0]]


BROKEN = [
    ("trasig.geojson", b'{"type": "Polygon", "coordinates": [[[18.0, 59.3]',
     "inte giltig JSON (fel på rad 1"),
    ("tom.geojson", b"  ", "Filen är tom"),
    ("punkt.geojson", b'{"type": "Point", "coordinates": [18.0, 59.3]}',
     "Geometritypen Point kan inte vara en områdesgräns"),
    ("lista.geojson", b"[1, 2]", "Filen är inte GeoJSON"),
    ("tomsamling.geojson", b'{"type": "FeatureCollection", "features": []}',
     "innehåller inga objekt"),
    ("linje.geojson",
     feature_collection({"type": "Polygon", "coordinates": [WGS84_RING]},
                        {"type": "LineString", "coordinates": WGS84_RING}),
     "Geometritypen LineString"),
    ("oppen.geojson", polygon_geojson(WGS84_RING[:-1] + [[18.0, 59.0]]),
     "Polygon 1, ring 1 är inte sluten"),
    ("kort.geojson", polygon_geojson([[18.03, 59.31], [18.1, 59.31], [18.03, 59.31]]),
     "har 3 punkter; en ring behöver minst fyra"),
    ("text.geojson",
     polygon_geojson([[18.03, 59.31], ["18.1", 59.31], [18.1, 59.35], [18.03, 59.31]]),
     "Polygon 1, ring 1, punkt 2 är inte ett koordinatpar"),
    ("omvand.geojson", polygon_geojson([[lat, lon] for lon, lat in WGS84_RING]),
     "ordningen latitud, longitud"),
    ("rt90.geojson", polygon_geojson(square(1_628_000, 6_580_000, 4000)),
     "ser ut att vara i RT 90"),
    ("zon.geojson", polygon_geojson(square(153_000, 6_580_000, 4000)),
     "en av SWEREF 99:s lokala zoner"),
    ("berlin.geojson", polygon_geojson(square(13.4, 52.5, 0.1)),
     "Punkten (13.4, 52.5) ligger inte i Sverige"),
    ("blandat.geojson",
     polygon_geojson([[18.03, 59.31], [677000, 6579000], [18.1, 59.35], [18.03, 59.31]]),
     "blandar koordinater i grader"),
    ("fel-crs.geojson", polygon_geojson(WGS84_RING, crs=named_crs("EPSG:3006")),
     "men talen ser ut som WGS 84"),
    ("rt90-crs.geojson", polygon_geojson(WGS84_RING, crs=named_crs("EPSG:3021")),
     "koordinatsystemet EPSG:3021, som inte stöds"),
    ("latin1.geojson", '{"type": "Polygon", "name": "Örby"}'.encode("latin-1"),
     "inte text i UTF-8"),
    ("grans.shp", polygon_geojson(WGS84_RING), "Filtypen .shp tas inte emot"),
]  # fmt: skip


@pytest.mark.parametrize("name,content,message", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_are_refused_with_a_swedish_reason(client, world, name, content, message):
    client.force_login(world.alice)
    response = upload(client, world, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AreaBoundary.objects.exists()


def test_too_many_points_are_refused(client, world, monkeypatch):
    monkeypatch.setattr(boundary_module, "MAX_POSITIONS", 4)
    client.force_login(world.alice)
    response = upload(client, world, polygon_geojson(WGS84_RING))
    assert response.status_code == 400
    assert "Gränsen har 5 punkter; högst 4 tas emot" in response.content.decode()


def test_too_large_file_is_refused_before_it_is_read(client, world, monkeypatch):
    from samverkan.mapping import map_forms

    monkeypatch.setattr(map_forms, "MAX_BYTES", 100)
    client.force_login(world.alice)
    response = upload(client, world, polygon_geojson(WGS84_RING) + b" " * 200)
    assert response.status_code == 400 and "Filen är för stor" in response.content.decode()


def test_reader_may_not_upload_and_nothing_is_kept(client, world):
    client.force_login(world.carol)
    assert client.get(url("boundary_upload", world)).status_code == 403
    assert upload(client, world, polygon_geojson(WGS84_RING)).status_code == 403
    assert client.post(url("boundary_delete", world)).status_code == 403
    assert not AreaBoundary.objects.exists()
    assert "Ladda upp områdesgräns" not in client.get(url("map", world)).content.decode()


@pytest.mark.parametrize("user", ["bob", "mallory"])
def test_other_party_and_outsider_get_404_for_the_boundary(client, world, user):
    client.force_login(getattr(world, user))
    assert client.get(url("boundary_upload", world)).status_code == 404
    assert upload(client, world, polygon_geojson(WGS84_RING)).status_code == 404
    assert client.post(url("boundary_delete", world)).status_code == 404
    assert not AreaBoundary.objects.exists()


def test_a_self_intersecting_boundary_is_refused_in_swedish_with_the_place():
    import json

    from samverkan.mapping.boundary import BoundaryError, parse_boundary

    bowtie = {
        "type": "Polygon",
        "coordinates": [[[15.0, 60.0], [15.1, 60.1], [15.1, 60.0], [15.0, 60.1], [15.0, 60.0]]],
    }
    try:
        parse_boundary(json.dumps(bowtie).encode())
    except BoundaryError as exc:
        message = str(exc)
    else:
        raise AssertionError("a bow-tie polygon was accepted")
    assert "Polygon 1 är inte en giltig yta" in message and "korsar sig själv" in message
    assert "vid 15.05 60.05" in message
