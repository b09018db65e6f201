"""Open data through the API without a token (issue 24): the same content as the catalogue's
JSON distribution, paged like every list, small counts left out, rate-limited per address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import audience
from samverkan.followup.models import EffectEvaluation
from samverkan.learning.models import EvaluationLabel, MeasureMethod, OpenDataPublication, PlaceType
from samverkan.problems.models import Measure

BASE = "/api/v1/open-data"


def _publish(partnership) -> OpenDataPublication:
    return OpenDataPublication.objects.create(
        partnership=partnership,
        published=True,
        published_at=timezone.now(),
        contact_name="Kommunens trygghetssamordnare",
        contact_email="trygghet@example.se",
    )


def _distribution(client, partnership) -> dict:
    return client.get(reverse("learning:dataset_json", kwargs={"pk": partnership.pk})).json()


def _same(api: dict, distribution: dict) -> None:
    """The API's dataset is the distribution's, timestamps aside (both ISO 8601)."""
    for moment in ("hamtad", "publicerad"):
        assert api.pop(moment)[:19] == distribution.pop(moment)[:19] or moment == "hamtad"
    assert api == distribution


def test_nothing_is_open_until_the_partnership_publishes(client, demo):
    answer = client.get(f"{BASE}/datasets")
    assert answer.status_code == 200 and answer.json() == []
    assert answer["X-Total-Count"] == "0"
    assert client.get(f"{BASE}/datasets/{demo.pk}").status_code == 404
    assert client.get(f"{BASE}/results").json() == []
    OpenDataPublication.objects.create(
        partnership=demo, published=False, contact_name="X", contact_email="x@example.se"
    )
    assert client.get(f"{BASE}/datasets/{demo.pk}").status_code == 404
    assert client.get(f"{BASE}/results").json() == []


@pytest.mark.slow(reason="builds the open-data catalogue of the demo twice (API, distribution)")
def test_datasets_need_no_token_and_are_the_json_distribution(client, demo):
    _publish(demo)
    answer = client.get(f"{BASE}/datasets")
    assert answer.status_code == 200, answer.content
    assert answer["X-Total-Count"] == "1" and 'rel="first"' in answer["Link"]
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert answer["Cache-Control"] == "no-store"
    (listed,) = answer.json()
    _same(listed, _distribution(client, demo))
    one = client.get(f"{BASE}/datasets/{demo.pk}")
    assert one.status_code == 200
    _same(one.json(), _distribution(client, demo))


def test_withheld_measures_never_reach_the_open_api(client, demo):
    _publish(demo)
    body = client.get(f"{BASE}/datasets/{demo.pk}").content.decode()
    public = audience.public()
    withheld = [m for m in Measure.objects.filter(partnership=demo) if not public.receives(m)]
    assert withheld, "the demo has confidential or not publishable measures"
    for measure in withheld:
        assert measure.title not in body


def test_results_leave_small_counts_out_as_the_catalogue_does(client, demo):
    _publish(demo)
    ev = EffectEvaluation.objects.get(partnership=demo)
    ev.pk = None
    ev.treated_after = 3
    ev.save()
    rows = client.get(f"{BASE}/results").json()
    assert rows == _distribution(client, demo)["resultat"]
    small = next(r for r in rows if r["id"] == f"{demo.pk}-{ev.pk}")
    assert small["undertryckt"] is True
    assert all(small[k] is None for k in ("insats_fore", "insats_efter", "kvot", "log_kvot"))
    big = next(r for r in rows if r["id"] != small["id"])
    assert big["undertryckt"] is False and big["kvot_lag"] < big["kvot"] < big["kvot_hog"]


def test_results_page_and_filter_by_enums(client, demo):
    _publish(demo)
    first = EffectEvaluation.objects.get(partnership=demo)
    copy = EffectEvaluation.objects.get(pk=first.pk)
    copy.pk = None
    copy.save()
    EvaluationLabel.objects.update_or_create(
        evaluation=copy, defaults={"method": MeasureMethod.CCTV, "place_type": PlaceType.CENTRE}
    )
    page = client.get(f"{BASE}/results", {"limit": 1})
    assert page["X-Total-Count"] == "2" and len(page.json()) == 1
    assert 'rel="next"' in page["Link"] and "offset=1" in page["Link"]
    cctv = client.get(f"{BASE}/results", {"typ_av_atgard": "kamera"}).json()
    assert [r["id"] for r in cctv] == [f"{demo.pk}-{copy.pk}"]
    assert cctv[0]["typ_av_plats"] == "centrum"
    demo.municipality.code = "1999"
    demo.municipality.save(update_fields=["code"])
    in_kommun = client.get(f"{BASE}/results", {"kommunkod": "1999"}).json()
    assert len(in_kommun) == 2
    assert client.get(f"{BASE}/results", {"kommunkod": "0000"}).json() == []
    wrong = client.get(f"{BASE}/results", {"typ_av_atgard": "drones"})
    assert wrong.status_code == 422 and "'kamera'" in wrong.json()["detail"][0]["ctx"]["expected"]
    assert client.get(f"{BASE}/results", {"kommunkod": "12"}).status_code == 422
    assert client.get(f"{BASE}/datasets", {"limit": 101}).status_code == 422


def test_changed_since_gives_only_results_changed_or_newly_published(client, demo):
    publication = _publish(demo)
    mark = timezone.now().isoformat()
    # Published before the mark, nothing changed since.
    OpenDataPublication.objects.filter(pk=publication.pk).update(
        updated_at=timezone.now() - timezone.timedelta(days=1)
    )
    assert client.get(f"{BASE}/results", {"changed_since": mark}).json() == []
    ev = EffectEvaluation.objects.get(partnership=demo)
    ev.indicator = "Anmälda rån"
    ev.save()
    changed = client.get(f"{BASE}/results", {"changed_since": mark}).json()
    assert [r["indikator"] for r in changed] == ["Anmälda rån"]


def test_the_rate_limit_counts_per_client_address(client, demo, settings):
    settings.API_RATE_LIMIT = 2
    settings.API_RATE_WINDOW_SECONDS = 60
    cache.clear()
    here = {"REMOTE_ADDR": "192.0.2.10"}
    codes = [client.get(f"{BASE}/results", **here).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get(f"{BASE}/datasets", **here)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    # A header the client sends itself does not make it someone else (no trusted proxy).
    spoofed = client.get(f"{BASE}/results", HTTP_X_FORWARDED_FOR="198.51.100.7", **here)
    assert spoofed.status_code == 429
    assert client.get(f"{BASE}/results", REMOTE_ADDR="192.0.2.11").status_code == 200
    cache.clear()


@pytest.mark.parametrize("path", ["/open-data/datasets", "/open-data/results"])
def test_schema_lists_open_data_without_a_token_with_enums_and_paging(client, db, path):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1" + path]["get"]
    assert "security" not in operation
    assert {"limit", "offset"} <= {p["name"] for p in operation["parameters"]}
    assert {"Link", "X-Total-Count"} <= set(operation["responses"]["200"]["headers"])
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    components = schema["components"]["schemas"]
    assert set(components["MeasureMethod"]["enum"]) == set(MeasureMethod.values)
    assert set(components["PlaceType"]["enum"]) == set(PlaceType.values)
    assert set(components["DecidedDocument"]["enum"]) == {"lagesbild", "atgardsplan"}
    assert "enum" in components["Status"] and "enum" in components["MeasureKind"]
    # Token-gated operations keep their security.
    assert schema["paths"]["/api/v1/partnerships"]["get"]["security"]


@pytest.mark.parametrize("value", ["0.5", "1700000000", "-3", "1e9", "igår"])
def test_changed_since_is_an_iso_moment_not_a_number(client, db, value):
    answer = client.get(f"{BASE}/results", {"changed_since": value})
    assert answer.status_code == 422, answer.content
    assert client.get(f"{BASE}/results", {"changed_since": "2026-05-01"}).status_code == 200
