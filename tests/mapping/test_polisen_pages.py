"""Polisen's events on the step-2 pages: the upload offers them, and the statistics page
shows them as their own source, with the caveat, never inside the crime figures."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samverkan.jobs import registry
from samverkan.mapping import stats
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import Import, Incident, PoliceEvent
from tests.mapping.helpers import run

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "polisen-handelser.json"


def url(name, world, **kw):
    return reverse(
        f"mapping:{name}",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk, **kw},
    )


def test_upload_form_offers_polisen_events(client, world):
    client.force_login(world.alice)
    page = client.get(url("import_upload", world)).content.decode()
    assert 'value="polisen-events"' in page and "Polisens händelser" in page


@pytest.mark.django_db(transaction=True)
def test_uploaded_events_are_imported_by_the_job(client, world):
    client.force_login(world.alice)
    file = SimpleUploadedFile("polisen.json", EXAMPLE.read_bytes())
    client.post(url("import_upload", world), {"kind": "polisen-events", "file": file})
    registry.wait_for_inprocess_jobs()
    record = Import.objects.get(file_name="polisen.json")
    assert record.status == ImportStatus.DONE and record.rows_imported == 6
    assert PoliceEvent.objects.filter(party=world.ours.kommun).count() == 6


def test_events_must_be_uploaded_as_json(client, world):
    client.force_login(world.alice)
    file = SimpleUploadedFile("polisen.csv", b"id;name\n1;x\n")
    response = client.post(url("import_upload", world), {"kind": "polisen-events", "file": file})
    assert response.status_code == 400
    assert "Polisens händelser importeras som JSON" in response.content.decode()


def test_statistics_page_shows_events_as_their_own_source_apart_from_crimes(client, world):
    party = world.ours.kommun
    before = (stats.category_trend(party), Incident.objects.filter(party=party).count())
    assert run("polisen-events", party, EXAMPLE).ok
    after = (stats.category_trend(party), Incident.objects.filter(party=party).count())
    assert before == after  # the notices never enter the reported-crime figures
    client.force_login(world.alice)
    page = client.get(url("statistics", world)).content.decode()
    assert "Polisens händelser" in page and "inte kriminalstatistik" in page
    assert "3 gäller brott; 3 gäller annat" in page
    assert "Stöld, rån och andra tillgreppsbrott" in page and "Trafikolycka" in page
    assert 'href="https://polisen.se/aktuellt/handelser/2026/januari/14/' in page
    assert "6 händelser visas inte på kartan" in page


def test_statistics_page_without_events_has_no_such_section(client, world):
    client.force_login(world.alice)
    page = client.get(url("statistics", world)).content.decode()
    assert 'id="police-events-heading"' not in page


def test_another_partys_member_does_not_see_the_events(client, world):
    run("polisen-events", world.ours.kommun, EXAMPLE)
    client.force_login(world.bob)  # the police party's coordinator: not the kommun's mapping
    response = client.get(url("statistics", world))
    assert response.status_code in (403, 404)


def test_map_data_shows_only_events_with_a_place_of_their_own_and_no_hot_spots(
    client, world, tmp_path
):
    import json

    entries = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    entries.append(
        {
            "id": 900300,
            "datetime": "2026-01-16 10:00:00 +01:00",
            "name": "16 januari 08.15, Stöld, Norrköping",
            "type": "Stöld",
            "location": {"name": "Norrköping, Drottninggatan", "gps": "58.5900,16.1850"},
        }
    )
    path = tmp_path / "h.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    party = world.ours.kommun
    client.force_login(world.alice)
    before = client.get(url("map_data", world)).json()
    assert run("polisen-events", party, path).ok
    data = client.get(url("map_data", world)).json()
    police = [f for f in data["features"] if f["properties"]["layer"] == "police"]
    assert len(police) == 1 and data["summary"]["police_events"] == 1
    assert police[0]["properties"]["date"] == "2026-01-16 08:15"
    lon, lat = police[0]["geometry"]["coordinates"]
    assert abs(lat - 58.59) < 1e-4 and abs(lon - 16.185) < 1e-4
    # The hot spots and their counts come from incidents alone.
    for key in ("incidents", "located", "significant", "shown"):
        assert data["summary"][key] == before["summary"][key]
    page = client.get(url("map", world)).content.decode()
    assert 'data-layer="police"' in page and "(1 på kartan)" in page


def test_workspace_counts_the_events_as_their_own_source(client, world):
    run("polisen-events", world.ours.kommun, EXAMPLE)
    client.force_login(world.alice)
    page = client.get(url("workspace", world)).content.decode()
    assert "Polisens händelser (urval av notiser)</th><td>6</td>" in page
