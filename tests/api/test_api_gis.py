"""The GIS layers as OGC API – Features (issue 21), read with OWSLib's OGC API client as a
kommun's GIS would, over Django's test client instead of the network: conformance, the
collections each caller may read, GeoJSON items with paging, bbox and SWEREF 99 TM."""

import math

import pytest
import requests
from django.conf import settings
from owslib import ogcapi
from owslib.ogcapi.features import Features
from requests.structures import CaseInsensitiveDict

from samverkan.accounts.models import User
from samverkan.api.models import ApiToken

GIS = "http://testserver/api/gis/"
SWEREF = "http://www.opengis.net/def/crs/EPSG/0/3006"


def bearer(username: str) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "gis")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def via_client(client, monkeypatch):
    """OWSLib's HTTP GET served by Django's test client."""

    def http_get(url, headers=None, auth=None, params=None, **_ignored):
        answer = client.get(url.replace("http://testserver", ""), params or {},
                            headers=dict(headers or {}))  # fmt: skip
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = url
        return response

    monkeypatch.setattr(ogcapi, "http_get", http_get)
    # OWSLib updates its module's default headers in place with a client's own, so a token
    # would ride along with every later client, an anonymous one too (and into later tests,
    # where it no longer exists): each client gets a fresh copy of the defaults.
    defaults, real_init = dict(ogcapi.REQUEST_HEADERS), ogcapi.API.__init__

    def init(self, *args, **kwargs):
        monkeypatch.setattr(ogcapi, "REQUEST_HEADERS", dict(defaults))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(ogcapi.API, "__init__", init)
    return client


def test_an_ogc_client_reads_the_public_and_a_partys_layers(via_client, demo):
    public = Features(GIS)
    assert set(public.conformance()["conformsTo"]) >= {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    }
    assert public.feature_collections() == [f"public-p{demo.pk}-measures"]
    measures = public.collection_items(f"public-p{demo.pk}-measures")
    assert measures["type"] == "FeatureCollection" and measures["numberMatched"] >= 1
    lon, lat = measures["features"][0]["geometry"]["coordinates"]
    assert 10 < lon < 25 and 55 < lat < 70  # CRS84: longitude first
    police = Features(GIS, headers=bearer("demo.polis"))
    party = demo.police_party().pk
    ids = police.feature_collections()
    assert f"p{demo.pk}-field-places" in ids and f"p{demo.pk}-party{party}-hotspots" in ids
    # Only the caller's own party's layers: never the municipality's incidents.
    kommun = demo.municipality_party().pk
    assert not [i for i in ids if f"party{kommun}-" in i]
    info = police.collection(f"p{demo.pk}-party{party}-incident-cells")
    assert SWEREF in info["crs"] and info["extent"]["spatial"]["bbox"]


@pytest.mark.slow(reason="the first Gi* in a process imports esda and libpysal (seconds)")
def test_hot_spot_cells_carry_z_and_p(via_client, demo):
    police = Features(GIS, headers=bearer("demo.polis"))
    party = demo.police_party().pk
    hot = police.collection_items(f"p{demo.pk}-party{party}-hotspots", limit=1000)
    assert hot["features"] and all(
        f["properties"]["z"] > 0 and 0 <= f["properties"]["p"] < 0.1 for f in hot["features"]
    )
    threshold = settings.SMALL_COUNT_THRESHOLD
    # A hot cell may hold no incident itself (Gi* counts its neighbours): 0 is shown.
    counts = [f["properties"]["count"] for f in hot["features"]]
    assert all(c is None or c == 0 or c >= threshold for c in counts)


def test_incident_cells_suppress_small_counts_and_page(client, demo):
    headers = bearer("demo.polis")
    party = demo.police_party().pk
    url = f"/api/gis/collections/p{demo.pk}-party{party}-incident-cells/items"
    everything = client.get(url, {"limit": 10000}, headers=headers).json()
    cells = everything["features"]
    threshold = settings.SMALL_COUNT_THRESHOLD
    assert cells and all(f["geometry"]["type"] == "Polygon" for f in cells)
    counts = [f["properties"]["count"] for f in cells]
    assert None in counts and all(c is None or c >= threshold for c in counts)
    # Paging with next links to the end, the same features in the same order.
    seen, next_url = [], f"{url}?limit=7"
    while next_url:
        page = client.get(next_url.replace("http://testserver", ""), headers=headers)
        assert page.status_code == 200 and page["Content-Type"] == "application/geo+json"
        body = page.json()
        assert body["numberMatched"] == len(cells) and body["numberReturned"] <= 7
        seen += [f["id"] for f in body["features"]]
        next_url = next((link["href"] for link in body["links"] if link["rel"] == "next"), "")
    assert seen == [f["id"] for f in cells]


def test_crs_bbox_and_bad_parameters(client, demo):
    headers = bearer("demo.polis")
    url = f"/api/gis/collections/p{demo.pk}-field-places/items"
    lonlat = client.get(url, headers=headers)
    assert lonlat["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    metres = client.get(url, {"crs": SWEREF}, headers=headers)
    assert metres["Content-Crs"] == f"<{SWEREF}>"
    first = metres.json()["features"][0]
    east, north = first["geometry"]["coordinates"]
    assert 200_000 < east < 1_000_000 and 6_000_000 < north < 7_800_000
    # A small box around that place (in SWEREF 99 TM) holds it and not the others.
    box = f"{east - 5},{north - 5},{east + 5},{north + 5}"
    inside = client.get(url, {"bbox": box, "bbox-crs": SWEREF}, headers=headers).json()
    assert [f["id"] for f in inside["features"]] == [first["id"]]
    lon, lat = lonlat.json()["features"][0]["geometry"]["coordinates"]
    same = client.get(url, {"bbox": f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"},
                      headers=headers).json()  # fmt: skip
    assert first["id"] in [f["id"] for f in same["features"]]
    for bad in ({"crs": "EPSG:4326"}, {"bbox": "1,2,3"}, {"limit": "0"}, {"colour": "red"}):
        answer = client.get(url, bad, headers=headers)
        assert answer.status_code == 400 and answer["Cache-Control"] == "no-store", bad
    one = client.get(f"{url.removesuffix('/items')}/items/{first['id']}", headers=headers)
    assert one.status_code == 200 and one.json()["id"] == first["id"]


def test_the_gates_401_403_404(client, demo, world):
    party = demo.police_party().pk
    own = f"/api/gis/collections/p{demo.pk}-party{party}-incident-cells/items"
    assert client.get(own).status_code == 401
    assert client.get(own, headers={"Authorization": "Bearer sv_nope"}).status_code == 401
    # A member of another party knows the party exists: 403, and nothing of its layer.
    refused = client.get(own, headers=bearer("demo.kommun"))
    assert refused.status_code == 403 and "features" not in refused.json()
    # An outsider learns nothing: 404, as for a partnership that does not exist.
    assert client.get(own, headers=bearer("mallory")).status_code == 404
    assert client.get(f"/api/gis/collections/p{demo.pk}-measures",
                      headers=bearer("mallory")).status_code == 404  # fmt: skip
    # A field reporter's token opens nothing.
    places = f"/api/gis/collections/p{demo.pk}-field-places/items"
    assert client.get(places, headers=bearer("demo.falt")).status_code == 403
    assert client.get("/api/gis/collections/public-p999999-measures").status_code == 404
    assert client.get("/api/gis/collections/nonsense").status_code == 404


def test_weekly_counts_and_public_measures_follow_the_audience(client, demo):
    from samverkan.problems.models import Measure

    threshold = settings.SMALL_COUNT_THRESHOLD
    url = f"/api/gis/collections/p{demo.pk}-field-places/items"

    def counts(username):
        features = client.get(url, headers=bearer(username)).json()["features"]
        return [v for f in features for k, v in f["properties"].items() if "-W" in k]

    member, coordinator = counts("demo.kyrkan"), counts("demo.polis")
    assert any(c is not None and 0 < c < threshold for c in coordinator)
    assert all(c is None or c == 0 or c >= threshold for c in member)
    # The public layer holds only publishable, non-confidential measures.
    public = client.get(f"/api/gis/collections/public-p{demo.pk}-measures/items").json()
    shown = Measure.objects.filter(pk__in=[int(f["id"]) for f in public["features"]])
    assert shown and all(m.publishable and not m.confidential for m in shown)
    Measure.objects.filter(partnership=demo).update(publishable=False)
    again = client.get(f"/api/gis/collections/public-p{demo.pk}-measures/items").json()
    assert again["features"] == []
    member_view = client.get(f"/api/gis/collections/p{demo.pk}-measures/items",
                             headers=bearer("demo.kyrkan")).json()  # fmt: skip
    assert member_view["features"]  # the partnership's own layer is not the public edition


def test_the_listing_charges_the_token_once_and_skips_what_it_may_not_open(client, demo,
                                                                          monkeypatch):  # fmt: skip
    from samverkan.api import ogc
    from samverkan.partnerships.models import Partnership

    charged = []
    real = ogc.throttle
    monkeypatch.setattr(ogc, "throttle", lambda token: (charged.append(token), real(token)))
    headers = bearer("demo.polis")
    listed = client.get("/api/gis/collections", headers=headers)
    assert listed.status_code == 200 and len(listed.json()["collections"]) > 2
    assert len(charged) == 1
    # A partnership requiring a second factor (which a token lacks): its layers are left out,
    # the public ones are still listed, and one of its layers answers 403.
    Partnership.objects.filter(pk=demo.pk).update(require_two_factor=True)
    listed = client.get("/api/gis/collections", headers=headers)
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["collections"]] == [f"public-p{demo.pk}-measures"]
    one = client.get(f"/api/gis/collections/p{demo.pk}-field-places", headers=headers)
    assert one.status_code == 403


def test_anonymous_requests_are_rate_limited_per_client_address(client, demo, settings):
    from django.core.cache import cache

    settings.API_RATE_LIMIT = 2
    settings.API_RATE_WINDOW_SECONDS = 60
    cache.clear()
    here = {"REMOTE_ADDR": "192.0.2.20"}
    codes = [client.get("/api/gis/collections", **here).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get(f"/api/gis/collections/public-p{demo.pk}-measures/items", **here)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "TooManyRequests"
    assert client.get("/api/gis/collections", REMOTE_ADDR="192.0.2.21").status_code == 200
    # A made-up token does not escape the limit: it is refused, not ignored.
    made_up = client.get(f"/api/gis/collections/public-p{demo.pk}-measures/items",
                         headers={"Authorization": "Bearer nonsense"}, **here)  # fmt: skip
    assert made_up.status_code == 401
    cache.clear()


@pytest.mark.parametrize("collection", ["p99999999999999999999999-measures",
                                        "p1-party99999999999999999999999-hotspots"])  # fmt: skip
def test_an_id_too_long_for_any_row_is_not_found(client, demo, collection):
    answer = client.get(f"/api/gis/collections/{collection}/items", headers=bearer("demo.polis"))
    assert answer.status_code == 404


def _walks(party, x, y, *categories):
    import datetime

    from samverkan.mapping.models import SafetyWalkObservation

    for n, category in enumerate(categories):
        SafetyWalkObservation.objects.create(
            party=party, observed_on=datetime.date(2026, 4, 1 + n), place="Parken", x=x + n,
            y=y + n, category=category,
        )  # fmt: skip


def test_released_safety_walks_are_counted_per_cell_for_members_and_the_public(via_client, demo):
    from samverkan.learning.models import OpenDataPublication
    from samverkan.mapping.models import SafetyWalkObservation

    threshold = settings.SMALL_COUNT_THRESHOLD
    kommun = demo.municipality_party()
    church = demo.parties.exclude(pk__in=[kommun.pk, demo.police_party().pk]).first()
    base = SafetyWalkObservation.objects.filter(party=kommun, x__isnull=False).first()
    # One cell with enough of one kind; one with a small category beside a large one; and
    # observations of a party that has not shared its lägesbild (not released: never shown).
    _walks(kommun, base.x + 5000, base.y, *["Belysning"] * threshold)
    _walks(kommun, base.x + 9000, base.y, *(["Belysning"] * threshold + ["Klotter"]))
    _walks(church, base.x + 13000, base.y, *["Klotter"] * threshold)
    released = SafetyWalkObservation.objects.filter(party=kommun, x__isnull=False).count()
    layer = f"p{demo.pk}-safety-walk-cells"

    member = Features(GIS, headers=bearer("demo.kyrkan"))
    assert layer in member.feature_collections()
    cells = member.collection_items(layer, limit=1000)["features"]
    assert sum(c["properties"]["count"] for c in cells) == released
    assert all(sum(c["properties"]["categories"].values()) == c["properties"]["count"]
               for c in cells)  # fmt: skip
    assert all(c["geometry"]["type"] == "Polygon" for c in cells)
    from samverkan.mapping.stats import HOTSPOT_CELL_METRES as size

    church_cell = f"{math.floor((base.x + 13000) / size)}-{math.floor(base.y / size)}"
    assert church_cell not in [c["id"] for c in cells]
    mixed = [c for c in cells if c["properties"]["count"] == threshold + 1]
    assert mixed[0]["properties"]["categories"] == {"Belysning": threshold, "Klotter": 1}

    # Public only once the partnership publishes open data; then small counts are withheld.
    public_id = f"public-p{demo.pk}-safety-walk-cells"
    anyone = Features(GIS)
    assert public_id not in anyone.feature_collections()
    assert via_client.get(f"/api/gis/collections/{public_id}/items").status_code == 404
    OpenDataPublication.objects.create(partnership=demo, published=True, contact_name="Kommunen",
                                       contact_email="trygghet@example.se")  # fmt: skip
    assert public_id in anyone.feature_collections()
    shown = anyone.collection_items(public_id, limit=1000)["features"]
    # A cell with a few observations is left out, not drawn as "suppressed": its polygon
    # alone would tell the public where they are.
    large = {c["id"] for c in cells if c["properties"]["count"] >= threshold}
    assert {c["id"] for c in shown} == large and len(large) < len(cells)
    props = [c["properties"] for c in shown]
    assert all(p["count"] >= threshold and not p["suppressed"] for p in props)
    assert {"Belysning": threshold} in [p["categories"] for p in props]
    big_mixed = [p for p in props if p["count"] == threshold + 1]
    assert big_mixed and big_mixed[0]["categories"] is None  # "Klotter: 1" would show
    assert all(p["first_observed"] for p in props)
    # The layer needs a token (401) for a partnership's own id; a field reporter gets 403.
    assert via_client.get(f"/api/gis/collections/{layer}/items").status_code == 401
    reporter = via_client.get(f"/api/gis/collections/{layer}/items", headers=bearer("demo.falt"))
    assert reporter.status_code == 403
