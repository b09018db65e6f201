"""Step 2 pages: upload as a background job, column mapping, registers, statistics."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samverkan.jobs import registry
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import DataSource, Import, Incident, Resource


def url(name, world, **kw):
    return reverse(
        f"mapping:{name}",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk, **kw},
    )


def upload(client, world, name, text, kind="incidents"):
    return client.post(
        url("import_upload", world),
        {"kind": kind, "file": SimpleUploadedFile(name, text.encode())},
    )


@pytest.mark.django_db(transaction=True)
def test_upload_runs_import_as_job_and_shows_result(client, world):
    client.force_login(world.alice)
    response = upload(
        client, world, "i.csv", "Datum;Tid;Brott;Plats\n2025-03-12;21:30;Rån;Torget\n"
    )
    record = Import.objects.get(file_name="i.csv")
    assert response.status_code == 302 and response.url.endswith(f"/import/{record.pk}/")
    registry.wait_for_inprocess_jobs()
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE and record.rows_imported == 1
    assert Incident.objects.filter(place="Torget", offence="Rån").exists()
    assert "Importerad" in client.get(response.url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_rejected_upload_lists_errors_by_line(client, world):
    client.force_login(world.alice)
    upload(client, world, "i.csv", "Datum;Tid;Brott\n2025-03-12;21:30;Rån\nigår;21:30;Rån\n")
    registry.wait_for_inprocess_jobs()
    record = Import.objects.get(file_name="i.csv")
    assert record.status == ImportStatus.REJECTED
    page = client.get(url("import_detail", world, import_id=record.pk)).content.decode()
    assert "Ingenting har sparats" in page and "rad 3" in page
    assert not Incident.objects.filter(offence="Rån").exists()


@pytest.mark.django_db(transaction=True)
def test_unrecognised_headers_lead_to_mapping_screen(client, world):
    client.force_login(world.alice)
    upload(client, world, "x.csv", "När;Vad\n2025-03-12 21:30;Rån\n")
    registry.wait_for_inprocess_jobs()
    record = Import.objects.get(file_name="x.csv")
    assert record.status == ImportStatus.NEEDS_MAPPING
    page = client.get(url("import_mapping", world, import_id=record.pk))
    assert page.status_code == 200 and "När" in page.content.decode()
    response = client.post(
        url("import_mapping", world, import_id=record.pk), {"date": "När", "offence": "Vad"}
    )
    assert response.status_code == 302
    registry.wait_for_inprocess_jobs()
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert Incident.objects.filter(offence="Rån").count() == 1


def test_upload_refuses_wrong_file_type(client, world):
    client.force_login(world.alice)
    response = upload(client, world, "i.pdf", "x")
    assert response.status_code == 400 and "kan inte importeras" in response.content.decode()


def test_source_can_be_recorded_as_considered_and_left_out(client, world):
    client.force_login(world.alice)
    data = {"name": "NTU", "left_out": "on", "left_out_reason": ""}
    response = client.post(url("sources_create", world), data)
    assert response.status_code == 400 and "valdes bort" in response.content.decode()
    data["left_out_reason"] = "För få svar i kommundelen."
    assert client.post(url("sources_create", world), data).status_code == 302
    assert DataSource.objects.get(name="NTU").left_out


def test_resource_is_created_edited_and_deleted(client, world):
    client.force_login(world.alice)
    client.post(
        url("resources_create", world),
        {"who": "Socialtjänsten", "what": "Fältgrupp", "budget": "1200000", "staff": "3,5"},
    )
    resource = Resource.objects.get(what="Fältgrupp")
    assert resource.staff == pytest.approx(3.5)
    edit = url("resources_edit", world, resource_id=resource.pk)
    assert (
        client.post(
            edit, {"who": "Socialtjänsten", "what": "Fältgruppen", "version": resource.version}
        ).status_code
        == 302
    )
    resource.refresh_from_db()
    assert resource.what == "Fältgruppen"
    assert client.post(url("resources_delete", world, resource_id=resource.pk)).status_code == 302
    assert not Resource.objects.filter(pk=resource.pk).exists()


def test_statistics_page_shows_charts_and_tables(client, world):
    client.force_login(world.carol)
    page = client.get(url("statistics", world)).content.decode()
    assert "<svg" in page and "Brott mot liv och hälsa" in page and "Torget" in page


def test_member_cannot_reach_other_partys_item_by_id(client, world):
    """An id from the police party's material, put into the municipality's URL, is not found."""
    foreign = Resource.objects.create(party=world.ours.polis, who="Polisen", what="Områdespolis")
    client.force_login(world.alice)
    assert client.get(url("resources_edit", world, resource_id=foreign.pk)).status_code == 404


def test_home_link_sends_user_to_own_party(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("mapping:home", kwargs={"pk": world.ours.partnership.pk}))
    assert response.url.endswith(f"/parter/{world.ours.polis.pk}/")


def test_statistics_page_finds_a_hot_spot_where_incidents_cluster(client, world):
    import datetime

    from django.utils import timezone

    when = timezone.make_aware(datetime.datetime(2024, 5, 3, 22, 0))
    party = world.ours.kommun
    points = [(f"H{i}", 674_050 + i % 3, 6_580_050) for i in range(40)]  # one dense cell
    points += [(f"S{i}", 672_000 + (i % 6) * 800, 6_578_000 + (i // 6) * 800) for i in range(30)]
    for key, x, y in points:
        Incident.objects.create(party=party, key=key, offence="Rån", occurred_from=when, x=x, y=y)
    client.force_login(world.alice)
    page = client.get(url("statistics", world)).content.decode()
    assert "674100" in page and "Inga signifikanta" not in page
