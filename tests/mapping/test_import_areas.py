"""Imports say which areas a file holds and ask before other municipalities are imported
(issue 16, item 7); they explain why rows differ, and spot a file of another kind."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from samverkan.jobs import registry
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import (
    ComparisonMunicipalities,
    CrimeStatistic,
    Import,
    Population,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Lund is the partnership's own municipality below; Stockholm is another one.
MIXED = (
    "Kommun;Brott;År;Antal\n"
    "1281 Lund;Misshandel;2024;410\n"
    "Centrum;Misshandel;2024;90\n"
    "0180 Stockholm;Misshandel;2024;5200\n"
    "0180 Stockholm;Rån;2024;700\n"
)


@pytest.fixture
def lund(world):
    org = world.ours.partnership.municipality
    org.code = "1281"
    org.save()
    return world


def url(name, world, **kw):
    return reverse(
        f"mapping:{name}",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk, **kw},
    )


def upload(client, world, text, kind="crime-stats", name="brott.csv"):
    client.post(
        url("import_upload", world), {"kind": kind, "file": SimpleUploadedFile(name, text.encode())}
    )
    registry.wait_for_inprocess_jobs()
    return Import.objects.filter(file_name=name).latest("pk")


def test_other_municipality_waits_for_a_choice_and_nothing_is_saved(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, MIXED)
    assert record.status == ImportStatus.NEEDS_AREAS
    assert not CrimeStatistic.objects.filter(source_import=record).exists()
    roles = {a["name"]: (a["role"], a["rows"]) for a in record.areas}
    assert roles == {
        "Lund": ("own", 1),
        "Centrum": ("part", 1),
        "Stockholm": ("other", 2),
    }
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    assert "Filen innehåller andra kommuner än samverkans kommun (Lund (1281))" in page
    assert "Ingenting är sparat än" in page
    assert "Stockholm" in page and "annan kommun" in page
    assert "Bara samverkans kommun, dess delområden och jämförelsekommunerna" in page
    assert "Alla områden i filen, också de andra kommunerna" in page
    assert url("import_areas", lund, import_id=record.pk) in page
    # The job's page says what is waiting, not "klar: 0 nya rader".
    assert "innehåller andra kommuner: välj vad som ska importeras" in (
        record.job.describe().headline
    )


def test_choosing_only_the_partnerships_areas_leaves_the_others_out(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, MIXED)
    response = client.post(url("import_areas", lund, import_id=record.pk), {"choice": "own"})
    assert response.status_code == 302
    registry.wait_for_inprocess_jobs()
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE
    assert record.rows_imported == 2 and record.rows_left_out == 2
    saved = CrimeStatistic.objects.filter(source_import=record)
    assert set(saved.values_list("area", flat=True)) == {"Lund", "Centrum"}
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    left_out = "2 rader för andra kommuner än samverkans och jämförelsekommunerna"
    assert f"{left_out} importerades inte" in page
    # The same file may be imported again with every area: it is not called a duplicate.
    again = upload(client, lund, MIXED)
    assert again.status == ImportStatus.NEEDS_AREAS


def test_choosing_all_imports_every_area(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, MIXED)
    client.post(url("import_areas", lund, import_id=record.pk), {"choice": "all"})
    registry.wait_for_inprocess_jobs()
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE and record.rows_imported == 4
    assert record.rows_left_out == 0


def test_a_missing_choice_is_refused_in_swedish_and_read_only_members_cannot_choose(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, MIXED)
    response = client.post(url("import_areas", lund, import_id=record.pk), {})
    assert response.status_code == 400
    assert "Välj vilka områden som ska importeras." in response.content.decode()
    record.refresh_from_db()
    assert record.status == ImportStatus.NEEDS_AREAS
    client.force_login(lund.steve)  # steering group: reads, does not edit
    denied = client.post(url("import_areas", lund, import_id=record.pk), {"choice": "all"})
    assert denied.status_code == 403
    client.force_login(lund.mallory)  # another partnership: the import does not exist
    hidden = client.post(url("import_areas", lund, import_id=record.pk), {"choice": "all"})
    assert hidden.status_code == 404
    record.refresh_from_db()
    assert record.status == ImportStatus.NEEDS_AREAS and record.area_choice == ""


def test_comparison_municipalities_are_not_asked_about(client, lund):
    ComparisonMunicipalities.objects.create(party=lund.ours.kommun, codes=["0180"])
    client.force_login(lund.alice)
    record = upload(client, lund, MIXED)
    assert record.status == ImportStatus.DONE and record.rows_imported == 4
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    assert "Områden i filen" in page and "jämförelsekommun" in page


def test_population_of_another_municipality_is_asked_about(client, lund):
    client.force_login(lund.alice)
    record = upload(
        client, lund, "Region;År;Folkmängd\n0180 Stockholm;2024;988943\n", "population", "bef.csv"
    )
    assert record.status == ImportStatus.NEEDS_AREAS
    assert not Population.objects.exists()
    client.post(url("import_areas", lund, import_id=record.pk), {"choice": "own"})
    registry.wait_for_inprocess_jobs()
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE and record.rows_imported == 0
    assert record.rows_left_out == 1 and not Population.objects.exists()


def test_wide_table_explains_more_new_rows_than_rows_in_the_file(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, "Kommun;Brott;2022;2023;2024\nLund;Rån;10;12;9\n")
    assert record.status == ImportStatus.DONE
    assert (record.rows_total, record.rows_imported) == (1, 3)
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    assert "Filen har en kolumn per år (en bred tabell)" in page
    assert "fler nya rader än rader i filen" in page


def test_incident_file_uploaded_as_crime_statistics_says_so(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, "Datum;Tid;Brott;Plats\n2025-03-12;21:30;Rån;Torget\n")
    assert record.status == ImportStatus.NEEDS_MAPPING and record.looks_like == "incidents"
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    assert "Det här ser ut som en händelsefil" in page
    assert "?typ=incidents" in page
    form = client.get(url("import_upload", lund) + "?typ=incidents").content.decode()
    assert 'value="incidents" selected' in form or 'value="incidents" checked' in form


def test_crime_statistics_uploaded_as_incidents_says_so(client, lund):
    client.force_login(lund.alice)
    record = upload(client, lund, "Kommun;Brott;År;Antal\nLund;Rån;2024;9\n", "incidents")
    assert record.looks_like == "crime-stats"
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    assert "Det här ser ut som en fil med brottsstatistik" in page


def test_import_command_asks_for_areas(lund, tmp_path):
    path = tmp_path / "brott.csv"
    path.write_text(MIXED, encoding="utf-8")
    args = ["import", "crime-stats", str(path), "--partnership", str(lund.ours.partnership.pk),
            "--party", str(lund.ours.kommun.pk)]  # fmt: skip
    before = CrimeStatistic.objects.count()
    with pytest.raises(CommandError, match=r"Stockholm \(0180\).*--areas own"):
        call_command(*args)
    assert CrimeStatistic.objects.count() == before
    call_command(*args, "--areas", "own")
    assert CrimeStatistic.objects.count() == before + 2
    assert not CrimeStatistic.objects.filter(area="Stockholm").exists()


def test_statistics_page_says_why_a_rate_cannot_be_computed(client, lund):
    party = lund.ours.kommun
    CrimeStatistic.objects.filter(party=party).delete()
    Population.objects.filter(party=party).delete()
    for year, count in ((2023, 400), (2024, 410)):
        CrimeStatistic.objects.create(
            party=party, municipality_code="1281", area="Lund", offence="Misshandel",
            year=year, count=count,
        )  # fmt: skip
    Population.objects.create(
        party=party, municipality_code="1281", area="Lund", year=2024, count=127_000
    )
    Population.objects.create(
        party=party, municipality_code="0180", area="Stockholm", year=2023, count=988_943
    )
    client.force_login(lund.alice)
    page = client.get(url("statistics", lund)).content.decode()
    assert "För 1 år går det inte att räkna fram anmälda brott per 100 000 invånare" in page
    assert "2023: befolkning saknas för 2023 i Lund." in page
    assert "Befolkningen som är importerad gäller andra kommuner (Stockholm (0180))" in page
    assert "322,8" in page  # 2024's rate is still shown: 410 / 127 000 × 100 000


def test_crime_statistics_uploaded_as_population_is_refused_and_says_so(client, lund):
    client.force_login(lund.alice)
    before = Population.objects.count()
    record = upload(
        client, lund, "Kommun;Brott;År;Antal\nLund;Rån;2024;9\nLund;Stöld;2024;30\n", "population"
    )
    assert record.status == ImportStatus.REJECTED and record.looks_like == "crime-stats"
    assert Population.objects.count() == before
    page = client.get(url("import_detail", lund, import_id=record.pk)).content.decode()
    assert "Det här ser ut som en fil med brottsstatistik" in page
    assert "Filen avvisades som helhet" in page
