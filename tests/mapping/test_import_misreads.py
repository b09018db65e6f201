"""Files that imported "successfully" and wrong (issue 10), and messages that did not help."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from samverkan.mapping.importers.kinds import IncidentImporter
from samverkan.mapping.models import Incident, Population, SurveyResult
from samverkan.mapping.services import import_file
from tests.mapping.helpers import run, write
from tests.mapping.hostile import write_bytes, xlsx_bytes
from tests.mapping.test_import_hostile import CRIME_HEAD, INCIDENT_HEAD, refused

# ---- population counted twice --------------------------------------------------------------


def test_same_area_and_year_twice_is_refused_naming_the_first_line(world, tmp_path):
    text = "Region;År;Folkmängd\n0180 Stockholm;2024;990000\n0180 Stockholm;2024;990000\n"
    issue = refused("population", world.ours.kommun, write(tmp_path, "p.csv", text), line=3)
    assert "finns redan på rad 2" in issue.sv


def test_men_women_and_total_rows_are_refused_rather_than_doubled(world, tmp_path):
    text = (
        "region;kön;2023;2024\n"
        "0180 Stockholm;män;490000;495000\n"
        "0180 Stockholm;kvinnor;500000;505000\n"
        "0180 Stockholm;totalt;990000;1000000\n"
    )
    issue = refused("population", world.ours.kommun, write(tmp_path, "p.csv", text), line=4)
    assert "summan (totalt)" in issue.sv and "rad 2" in issue.sv


def test_total_row_alone_per_area_is_fine(world, tmp_path):
    text = "region;kön;2024\n0180 Stockholm;totalt;1000000\n1280 Malmö;totalt;360000\n"
    result = run("population", world.ours.kommun, write(tmp_path, "p.csv", text))
    assert result.ok, result.errors
    assert Population.objects.get(municipality_code="0180").count == 1_000_000


def test_file_pasted_twice_is_refused_at_the_repeated_header(world, tmp_path):
    block = '"region";"2023";"2024"\n"0180 Stockholm";"990000";"1000000"\n'
    issue = refused("population", world.ours.kommun, write(tmp_path, "p.csv", block + block),
                    line=3)  # fmt: skip
    assert "upprepar rubrikraden" in issue.sv
    assert not Population.objects.filter(area__iexact="region").exists()


def test_scb_export_in_windows_1252_with_crlf_and_quotes_imports(world, tmp_path):
    text = (
        '"Folkmängd efter region och år"\r\n\r\n'
        '"region";"2022";"2023"\r\n'
        '"0114 Upplands Väsby";"48286";"48881"\r\n'
        '"0180 Stockholm";"978770";"984748"\r\n'
    )
    path = write(tmp_path, "scb.csv", text, encoding="cp1252")
    result = run("population", world.ours.kommun, path)
    assert result.ok, result.errors
    assert Population.objects.get(municipality_code="0114", year=2023).count == 48881
    assert Population.objects.get(municipality_code="0114", year=2022).area == "Upplands Väsby"


# ---- several offences in one case ------------------------------------------------------------


@pytest.mark.parametrize("columnar", [True, False])
def test_each_offence_of_a_case_is_kept_and_a_second_import_adds_nothing(
    world, tmp_path, columnar, monkeypatch
):
    monkeypatch.setattr(IncidentImporter, "columnar", columnar)
    text = INCIDENT_HEAD + (
        "K1;2025-03-12;21:30;Rån;Torget\n"
        "K1;2025-03-12;21:30;Misshandel;Torget\n"
        "K1;2025-03-12;21:30;Rån;Torget\n"  # the same offence again: one incident
        "K2;2025-03-13;01:00;Skadegörelse;Parken\n"
    )
    path = write(tmp_path, "i.csv", text)
    result = run("incidents", world.ours.kommun, path)
    assert result.ok, result.errors
    assert result.rows_imported == 3 and result.rows_skipped == 1
    k1 = Incident.objects.filter(party=world.ours.kommun, key__startswith="K1|")
    assert sorted(k1.values_list("offence", flat=True)) == ["Misshandel", "Rån"]
    again = run("incidents", world.ours.kommun, path)
    assert again.ok and again.rows_imported == 0 and again.rows_skipped == 4


# ---- percent cells ------------------------------------------------------------------------


def test_excel_percent_cell_is_stored_as_the_percentage_shown(world, tmp_path):
    rows = [["Fråga", "Område", "År", "Andel", "Antal svarande"],
            ["Känner du dig trygg?", "Centrum", 2024, 0.235, 300]]  # fmt: skip
    path = write_bytes(tmp_path, "s.xlsx", xlsx_bytes(rows, percent={(2, 4)}))
    result = run("survey", world.ours.kommun, path)
    assert result.ok, result.errors
    assert SurveyResult.objects.get(question="Känner du dig trygg?").share == pytest.approx(23.5)


def test_percent_written_as_text_is_read_as_a_percentage(world, tmp_path):
    text = "Fråga;Område;År;Andel;Antal svarande\nTrygg?;Centrum;2024;23,5 %;300\n"
    assert run("survey", world.ours.kommun, write(tmp_path, "s.csv", text)).ok
    assert SurveyResult.objects.get(question="Trygg?").share == pytest.approx(23.5)


# ---- encodings ---------------------------------------------------------------------------


def _crime_rows(*areas: str) -> str:
    return CRIME_HEAD + "".join(f"{a};Rån;2024;5\n" for a in areas)


def test_half_utf8_half_windows_1252_is_refused_at_the_first_windows_line(world, tmp_path):
    data = _crime_rows("Västerås", "Örebro").encode("utf-8") + "Malmö;Rån;2024;5\n".encode("cp1252")
    path = write_bytes(tmp_path, "b.csv", data)
    issue = refused("crime-stats", world.ours.kommun, path, line=4, says="blandar teckenkodningar")
    assert issue.sv.startswith("rad 4:")


@pytest.mark.parametrize("encoding", ["mac_roman", "cp437"])
def test_mac_roman_and_dos_files_are_refused_rather_than_garbled(world, tmp_path, encoding):
    data = _crime_rows("Centrum", "Gävle", "Västerås").encode(encoding)
    # The header's "År" is the first place the encoding shows.
    issue = refused("crime-stats", world.ours.kommun, write_bytes(tmp_path, "b.csv", data),
                    line=1)  # fmt: skip
    assert issue.sv.startswith("rad 1:")
    assert "Mac Roman eller DOS" in issue.sv or "varken i UTF-8 eller Windows-1252" in issue.sv


def test_a_byte_windows_1252_does_not_define_is_refused_with_its_line(world, tmp_path):
    data = _crime_rows("Centrum", "Norr").encode("cp1252") + b"S\x81der;R\xe5n;2024;5\n"
    issue = refused("crime-stats", world.ours.kommun, write_bytes(tmp_path, "b.csv", data),
                    line=4)  # fmt: skip
    assert "rad 4" in issue.sv and "CSV eller Excel" not in issue.sv


def test_windows_1252_with_typographic_quotes_and_apostrophes_still_imports(world, tmp_path):
    text = CRIME_HEAD + "O’Brien’s torg;”Rån”;2024;5\n€-området;Stöld;2024;3\n"
    path = write_bytes(tmp_path, "b.csv", text.encode("cp1252"))
    result = run("crime-stats", world.ours.kommun, path)
    assert result.ok, result.errors


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_unicode_text_from_excel_is_read(world, tmp_path, encoding):
    text = "Kommun\tBrott\tÅr\tAntal\r\n0180\tRån\t2024\t5\r\nGöteborg\tStöld\t2024\t7\r\n"
    path = write_bytes(tmp_path, "b.txt", text.encode(encoding))
    result = run("crime-stats", world.ours.kommun, path)
    assert result.ok, result.errors
    assert result.rows_imported == 2


def test_utf16_incident_file_is_read_by_both_readers(world, tmp_path):
    text = "Datum\tTid\tBrott\tPlats\r\n2025-03-12\t21:30\tRån\tÖstra torget\r\n"
    path = write_bytes(tmp_path, "i.txt", text.encode("utf-16"))
    result = run("incidents", world.ours.kommun, path)
    assert result.ok, result.errors
    assert Incident.objects.get(offence="Rån").place == "Östra torget"


# ---- messages ----------------------------------------------------------------------------


def test_unbalanced_quote_gets_advice_about_the_quote_and_its_line(world, tmp_path):
    text = CRIME_HEAD + '0180;Rån;2024;5\n0180;"Stöld;2024;5\n0180;Bedrägeri;2024;4\n'
    issue = refused("crime-stats", world.ours.kommun, write(tmp_path, "b.csv", text), line=3)
    assert "citattecken" in issue.sv and "UTF-8" not in issue.sv


def _page(client, world, record) -> str:
    url = reverse(
        "mapping:import_detail",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk,
                "import_id": record.pk},
    )  # fmt: skip
    return client.get(url).content.decode()


def test_file_refused_as_a_whole_is_not_called_one_bad_row(client, world, tmp_path):
    client.force_login(world.alice)
    data = _crime_rows("Centrum").encode("utf-8") + "Malmö;Rån;2024;5\n".encode("cp1252")
    record, _ = import_file(world.ours.kommun, "crime-stats", write_bytes(tmp_path, "b.csv", data))
    page = _page(client, world, record)
    assert "avvisades som helhet" in page and "rad är fel" not in page
    assert "blandar teckenkodningar" in page


def test_kolada_errors_are_counted_by_entry_on_the_page(client, world, tmp_path):
    client.force_login(world.alice)
    entry = {"kpi": "N1", "municipality": "9999", "period": 2024,
             "values": [{"gender": "T", "value": 1}]}  # fmt: skip
    path = write(tmp_path, "k.json", json.dumps({"values": [entry]}))
    record, _ = import_file(world.ours.kommun, "kolada", path)
    page = _page(client, world, record)
    assert "1 post är fel" in page and "post 1:" in page and "rad är fel" not in page


@pytest.mark.parametrize("encoding", ["mac_roman", "cp437"])
def test_letters_in_mac_roman_or_dos_places_are_found_in_the_rows(world, tmp_path, encoding):
    text = "Kommun;Brott;Year;Antal\nCentrum;Rån;2024;5\nGävle;Stöld;2024;3\n"
    issue = refused("crime-stats", world.ours.kommun,
                    write_bytes(tmp_path, "b.csv", text.encode(encoding)), line=2)  # fmt: skip
    assert "Mac Roman eller DOS" in issue.sv
