"""Bounds of an import (issue 10): declared sizes are not trusted, wide or long files are
refused early, values are range-checked before the database sees them (the same on SQLite
and PostgreSQL), and XLSX imports report progress."""

from __future__ import annotations

import json

import pytest

from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.importers import base, jsonfile, reader
from samverkan.mapping.models import CrimeStatistic, Import, Incident, KeyFigure
from samverkan.mapping.services import import_file
from tests.mapping.helpers import run, write
from tests.mapping.hostile import far_cell_xlsx, rezip, table_counts, write_bytes, xlsx_bytes
from tests.mapping.test_import_hostile import CRIME_HEAD, INCIDENT_HEAD, refused

# ---- declared sizes and empty rows -------------------------------------------------------


def test_xlsx_declaring_the_whole_sheet_with_one_far_cell_reads_only_its_table(world, tmp_path):
    # openpyxl would pad each row to 16 384 cells and walk a million rows: minutes.
    path = write_bytes(tmp_path, "b.xlsx", far_cell_xlsx())
    result = run("crime-stats", world.ours.kommun, path)
    assert result.ok, result.errors
    assert result.rows_total == 1 and CrimeStatistic.objects.filter(offence="Rån").count() == 1


def test_xlsx_row_with_a_cell_in_the_last_column_is_refused_as_too_wide(world, tmp_path):
    data = xlsx_bytes([["Kommun", "Brott", "År", "Antal"], ["0180", "Rån", 2024, 5]])

    def change(name, content):
        if name != "xl/worksheets/sheet1.xml":
            return content
        far = '<c r="XFD2" t="n"><v>1</v></c></row>'
        text = content.decode()
        at = text.index("</row>", text.index('<row r="2"'))
        return (text[:at] + far + text[at + len("</row>") :]).encode()

    path = write_bytes(tmp_path, "b.xlsx", rezip(data, change))
    refused("crime-stats", world.ours.kommun, path, line=2, says="fler än 300 kolumner")


# ---- wide and long files -----------------------------------------------------------------


def test_csv_with_20000_columns_is_refused_and_never_offered_for_mapping(world, tmp_path):
    header = ";".join(f"kolumn{i}" for i in range(20_000))
    path = write(tmp_path, "w.csv", header + "\n" + ";".join("1" for _ in range(20_000)) + "\n")
    record, result = import_file(world.ours.kommun, "incidents", path)
    assert record.status == ImportStatus.REJECTED and not result.needs_mapping
    assert record.headers == [] and "fler än 300 kolumner" in record.errors[0]["sv"]
    assert record.errors[0]["line"] == 1 and record.refused_as_a_whole()


def test_more_rows_than_the_limit_refuses_the_file(world, tmp_path, monkeypatch):
    monkeypatch.setattr(base, "MAX_ROWS", 5)
    rows = "".join(f"0180;Brott {i};2024;{i}\n" for i in range(10))
    refused("crime-stats", world.ours.kommun, write(tmp_path, "b.csv", CRIME_HEAD + rows),
            says="fler än 5 rader")  # fmt: skip


def test_json_larger_than_the_limit_is_refused_before_it_is_read(world, tmp_path, monkeypatch):
    monkeypatch.setattr(jsonfile, "MAX_JSON_BYTES", 100)
    path = write(tmp_path, "k.json", json.dumps({"values": [], "pad": "x" * 200}))
    refused("kolada", world.ours.kommun, path, says="större än")


def test_xlsx_that_unpacks_into_far_more_than_it_holds_is_refused(world, tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_XLSX_UNPACKED", 10_000)
    data = xlsx_bytes([["Kommun", "Brott", "År", "Antal"], ["0180", "Rån", 2024, 5]])
    refused("crime-stats", world.ours.kommun, write_bytes(tmp_path, "b.xlsx", data),
            says="packas upp")  # fmt: skip


# ---- progress ----------------------------------------------------------------------------


def test_xlsx_import_reports_progress(world, tmp_path, monkeypatch):
    monkeypatch.setattr(base, "BATCH", 10)
    rows = [["Kommun", "Brott", "År", "Antal"]]
    rows += [["0180", f"Brott {i}", 2024, i] for i in range(45)]
    path = write_bytes(tmp_path, "b.xlsx", xlsx_bytes(rows))
    seen = []
    result = run("crime-stats", world.ours.kommun, path, progress=lambda p, t: seen.append((p, t)))
    assert result.ok and result.rows_imported == 45
    assert len(seen) >= 4 and all(0 <= p <= 95 for p, _ in seen)
    assert seen[-1][1].startswith("rad ")


# ---- values checked against their columns --------------------------------------------------


@pytest.mark.parametrize(
    "row, says",
    [
        ("0180;Rån;2024;2147483648", "orimligt stort"),
        ("0180;Rån;2024;-1", "0 eller större"),
        ("0180;Rån;2024;inf", "inte ett tal"),
        ("0180;Rån;2024;nan", "inte ett tal"),
        ("0180;Rån;1899;5", "ligger utanför 1900"),
        ("0180;Rån;2999;5", "ligger utanför 1900"),
        ("Centrum\x00;Rån;2024;5", "styrtecken"),
        ("Centrum;R\x07n;2024;5", "styrtecken"),
        ("C" * 201 + ";Rån;2024;5", "högst 200 tecken"),
        ("Centrum;" + "R" * 201 + ";2024;5", "högst 200 tecken"),
    ],
)
def test_crime_stats_values_outside_their_columns_are_refused(world, tmp_path, row, says):
    path = write(tmp_path, "b.csv", CRIME_HEAD + "0180;Stöld;2024;5\n" + row + "\n")
    refused("crime-stats", world.ours.kommun, path, line=3, says=says)


def test_largest_count_that_fits_is_accepted(world, tmp_path):
    path = write(tmp_path, "b.csv", CRIME_HEAD + "0180;Rån;2024;2147483647\n")
    assert run("crime-stats", world.ours.kommun, path).ok
    assert CrimeStatistic.objects.get(offence="Rån").count == 2**31 - 1


@pytest.mark.parametrize("columnar", [True, False])
@pytest.mark.parametrize(
    "row",
    ["K1\x00;2025-03-12;21:30;Rån;Torget", "K1;2025-03-12;21:30;Rån\x01;Torget",
     "K1;2025-03-12;21:30;Rån;Tor\x7fget", "K1;2025-03-12;21:30;Rån;Tor\x85\x90get"],
)  # fmt: skip
def test_incident_text_with_control_characters_is_refused(world, tmp_path, row, columnar):
    from samverkan.mapping.importers.kinds import IncidentImporter

    good = "".join(f"G{i};2025-03-12;21:30;Rån;Torget\n" for i in range(3))
    path = write(tmp_path, "i.csv", INCIDENT_HEAD + good + row + "\n")
    if not columnar:
        IncidentImporter.columnar = False
    try:
        issue = refused("incidents", world.ours.kommun, path, line=5)
    finally:
        IncidentImporter.columnar = True
    assert "styrtecken" in issue.sv or "NUL" in issue.sv


def test_kolada_kpi_longer_than_its_column_is_refused(world, tmp_path):
    entry = {"kpi": "N" * 21, "municipality": "0180", "period": 2024,
             "values": [{"gender": "T", "value": 1}]}  # fmt: skip
    path = write(tmp_path, "k.json", json.dumps({"values": [entry]}))
    refused("kolada", world.ours.kommun, path, line=1, says="högst 20 tecken")
    assert not KeyFigure.objects.exists()


def test_rejected_import_changes_no_table_through_the_service(world, tmp_path):
    before = table_counts()
    path = write(tmp_path, "i.csv", INCIDENT_HEAD + "K1;0001-01-01;;Rån;Torget\n")
    record, _result = import_file(world.ours.kommun, "incidents", path)
    assert record.status == ImportStatus.REJECTED
    after = table_counts()
    assert after.pop("Import") == before.pop("Import") + 1 and after == before
    assert not Incident.objects.filter(offence="Rån").exists()
    assert Import.objects.get(pk=record.pk).errors[0]["line"] == 2


def test_messages_quoting_nul_or_lone_surrogates_can_be_stored(world, tmp_path):
    # PostgreSQL's JSON takes no NUL, and no database takes a lone surrogate as text.
    entries = [
        {"kpi": "N1", "municipality": "0180", "period": 2024,
         "values": [{"gender": "\x00", "value": 1}]},
        {"kpi": "N\udcff", "municipality": "0180", "period": 2024,
         "values": [{"gender": "T", "value": 1}]},
    ]  # fmt: skip
    path = write(tmp_path, "k.json", json.dumps({"values": entries}))
    record, result = import_file(world.ours.kommun, "kolada", path)
    assert record.status == ImportStatus.REJECTED and not result.crashed
    record.refresh_from_db()
    assert [e["line"] for e in record.errors] == [1, 2]
    assert "\x00" not in record.errors[0]["sv"] and "styrtecken" in record.errors[1]["sv"]


def test_header_cells_with_control_characters_are_offered_for_mapping_safely(world, tmp_path):
    path = write(tmp_path, "x.csv", "När\x00;Vad\n2025-03-12 21:30;Rån\n")
    record, result = import_file(world.ours.kommun, "incidents", path)
    assert record.status == ImportStatus.NEEDS_MAPPING
    record.refresh_from_db()
    assert record.headers == ["När\ufffd", "Vad"]


def test_an_error_of_ours_inside_the_import_ends_as_a_failed_import(world, tmp_path, monkeypatch):
    from samverkan.mapping.importers.crime_stats import CrimeStatsImporter

    def broken(self, cells, line):
        raise RuntimeError("a bug")

    monkeypatch.setattr(CrimeStatsImporter, "parse", broken)
    before = table_counts()
    path = write(tmp_path, "b.csv", CRIME_HEAD + "0180;Rån;2024;5\n")
    record, result = import_file(world.ours.kommun, "crime-stats", path)
    assert result.crashed and record.status == ImportStatus.FAILED
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and not record.file
    assert "a bug" not in record.errors[0]["sv"]
    after = table_counts()
    assert after.pop("Import") == before.pop("Import") + 1 and after == before
