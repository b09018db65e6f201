"""Hostile files (issue 10): each ends as a rejection in Swedish naming its line or entry,
never an exception, and a rejected file leaves every step-2 table as it was."""

from __future__ import annotations

import json

import pytest

from samverkan.mapping.models import CrimeStatistic, Incident, KeyFigure, Population
from tests.mapping.helpers import run, write
from tests.mapping.hostile import (
    nested_json,
    table_counts,
    with_bad_deflate,
    with_future_zip_version,
    with_unknown_compression,
    write_bytes,
    xlsx_bytes,
)

CRIME_HEAD = "Kommun;Brott;År;Antal\n"
POPULATION_HEAD = "Region;År;Folkmängd\n"
SURVEY_HEAD = "Fråga;Område;År;Andel;Antal svarande\n"
INCIDENT_HEAD = "Ärendenummer;Datum;Tid;Brott;Plats\n"


def refused(kind, party, path, *, line=None, says=""):
    """Import ``path``, check that it was refused without a trace in any table, and return
    the first issue."""
    before = table_counts()
    result = run(kind, party, path)
    assert not result.ok and not result.crashed, result.errors
    assert result.rows_imported == 0
    assert table_counts() == before
    issue = result.errors[0]
    if line is not None:
        assert issue.line == line, issue
    assert says in issue.sv, issue.sv
    return issue


# ---- counts beyond any column --------------------------------------------------------------


@pytest.mark.parametrize("count", ["1e20", "9223372036854775808", "2147483648", "9" * 400, "1e400"])
def test_count_beyond_the_column_is_refused_in_crime_stats(world, tmp_path, count):
    path = write(tmp_path, "b.csv", CRIME_HEAD + f"0180;Rån;2024;5\n0180;Stöld;2024;{count}\n")
    issue = refused("crime-stats", world.ours.kommun, path, line=3)
    assert issue.sv.startswith("rad 3:")
    assert "orimligt stort" in issue.sv or "inte ett ändligt tal" in issue.sv


def test_population_and_survey_counts_beyond_the_column_are_refused(world, tmp_path):
    path = write(tmp_path, "p.csv", POPULATION_HEAD + "0180 Stockholm;2024;1e20\n")
    refused("population", world.ours.kommun, path, line=2, says="orimligt stort")
    path = write(tmp_path, "s.csv", SURVEY_HEAD + "Trygg;Centrum;2024;50;1e20\n")
    refused("survey", world.ours.kommun, path, line=2, says="orimligt stort")


def test_count_beyond_the_column_in_xlsx_is_refused(world, tmp_path):
    data = xlsx_bytes([["Kommun", "Brott", "År", "Antal"], ["0180", "Rån", 2024, 1e20]])
    path = write_bytes(tmp_path, "b.xlsx", data)
    refused("crime-stats", world.ours.kommun, path, line=2, says="orimligt stort")


def test_json_stat_count_beyond_the_column_is_refused_by_entry(world, tmp_path):
    doc = {
        "version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [1, 1],
        "dimension": {"Region": {"category": {"index": ["0180"]}},
                      "Tid": {"category": {"index": ["2024"]}}},
        "value": [1e20],
    }  # fmt: skip
    path = write(tmp_path, "p.json", json.dumps(doc))
    issue = refused("population", world.ours.kommun, path, line=1, says="orimligt stort")
    assert issue.sv.startswith("post 1:")


# ---- digits that are not digits ------------------------------------------------------------


@pytest.mark.parametrize("count", ["²", "①", "12²", "٣"])
def test_unicode_digits_are_not_counts(world, tmp_path, count):
    path = write(tmp_path, "b.csv", CRIME_HEAD + f"0180;Rån;2024;{count}\n")
    refused("crime-stats", world.ours.kommun, path, line=2, says="är inte ett tal")


def test_unicode_digits_are_not_dates_or_times(world, tmp_path):
    path = write(tmp_path, "i.csv", INCIDENT_HEAD + "K1;2025-03-1²;21:30;Rån;Torget\n")
    refused("incidents", world.ours.kommun, path, line=2)
    path = write(tmp_path, "j.csv", INCIDENT_HEAD + "K1;2025-03-12;2①:30;Rån;Torget\n")
    refused("incidents", world.ours.kommun, path, line=2)


# ---- long cells --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["crime-stats", "incidents"])
def test_cell_over_128_kb_in_the_first_data_row_is_refused_with_its_line(world, tmp_path, kind):
    head = CRIME_HEAD if kind == "crime-stats" else INCIDENT_HEAD
    row = "0180;" + "x" * 140_000 + ";2024;5\n"
    if kind == "incidents":
        row = "K1;2025-03-12;21:30;" + "x" * 140_000 + ";Torget\n"
    path = write(tmp_path, "b.csv", head + row)
    refused(kind, world.ours.kommun, path, line=2, says="längre än 131\u00a0072 tecken")


# ---- damaged workbooks -------------------------------------------------------------------


def _crime_xlsx() -> bytes:
    return xlsx_bytes([["Kommun", "Brott", "År", "Antal"], ["0180", "Rån", 2024, 5]])


@pytest.mark.parametrize(
    "damage", [with_bad_deflate, with_unknown_compression, with_future_zip_version]
)
def test_damaged_xlsx_is_refused(world, tmp_path, damage):
    path = write_bytes(tmp_path, "b.xlsx", damage(_crime_xlsx()))
    refused("crime-stats", world.ours.kommun, path, says="kan inte öppnas")


def test_truncated_xlsx_is_refused(world, tmp_path):
    data = _crime_xlsx()
    path = write_bytes(tmp_path, "b.xlsx", data[: len(data) // 2])
    refused("crime-stats", world.ours.kommun, path, says="Excel")


@pytest.mark.parametrize("name", ["b.csv", "b.txt", "b.json"])
def test_xlsx_under_another_name_is_read_as_xlsx(world, tmp_path, name):
    result = run("crime-stats", world.ours.kommun, write_bytes(tmp_path, name, _crime_xlsx()))
    assert result.ok, result.errors
    assert CrimeStatistic.objects.filter(party=world.ours.kommun, offence="Rån").count() == 1


def test_xlsx_named_json_for_kolada_is_read_as_a_table_not_as_json(world, tmp_path):
    before = table_counts()
    result = run("kolada", world.ours.kommun, write_bytes(tmp_path, "k.json", _crime_xlsx()))
    # Kommun and År are found; kpi and value are not: the mapping step is offered.
    assert result.needs_mapping and not result.crashed and "Kommun" in result.headers
    assert table_counts() == before


# ---- JSON --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["kolada", "population"])
def test_deeply_nested_json_is_refused(world, tmp_path, kind):
    path = write(tmp_path, "k.json", nested_json(1_000))
    refused(kind, world.ours.kommun, path, says="nästlad djupare")


def test_brackets_inside_strings_do_not_count_as_depth(world, tmp_path):
    entry = {"kpi": "N07403", "municipality": "0180", "period": 2024,
             "values": [{"gender": "T", "value": 1.5, "status": "[" * 500}]}  # fmt: skip
    path = write(tmp_path, "k.json", json.dumps({"values": [entry]}))
    result = run("kolada", world.ours.kommun, path)
    assert result.ok, result.errors


@pytest.mark.parametrize(
    "entry, says",
    [
        ({"kpi": "N1", "municipality": "0180", "period": 2024, "values": 5}, "ska vara en lista"),
        ({"kpi": "N1", "municipality": "0180", "period": 2024,
          "values": [{"gender": "T", "value": 10**400}]}, "ändligt"),
        ({"kpi": "N1", "municipality": "0180", "period": 10**400,
          "values": [{"gender": "T", "value": 1}]}, "året"),
    ],
)  # fmt: skip
def test_kolada_entries_that_crashed_are_refused_by_entry(world, tmp_path, entry, says):
    good = {"kpi": "N1", "municipality": "0180", "period": 2023,
            "values": [{"gender": "T", "value": 1}]}  # fmt: skip
    path = write(tmp_path, "k.json", json.dumps({"values": [good, entry]}))
    issue = refused("kolada", world.ours.kommun, path, line=2, says=says)
    assert issue.sv.startswith("post 2:") and issue.en.startswith("entry 2:")


@pytest.mark.parametrize("value", ["1e400", "Infinity", "-Infinity", "NaN"])
def test_kolada_infinite_values_are_refused(world, tmp_path, value):
    text = ('{"values": [{"kpi": "N1", "municipality": "0180", "period": 2024, '
            f'"values": [{{"gender": "T", "value": {value}}}]}}]}}')  # fmt: skip
    refused("kolada", world.ours.kommun, write(tmp_path, "k.json", text), line=1)
    assert not KeyFigure.objects.exists()


def test_json_stat_values_that_add_up_to_infinity_are_refused(world, tmp_path):
    doc = {
        "version": "2.0", "class": "dataset", "id": ["Region", "Kon", "Tid"], "size": [1, 2, 1],
        "dimension": {"Region": {"category": {"index": ["0180"]}},
                      "Kon": {"category": {"index": ["1", "2"]}},
                      "Tid": {"category": {"index": ["2024"]}}},
        "value": [1.7e308, 1.7e308],
    }  # fmt: skip
    path = write(tmp_path, "p.json", json.dumps(doc))
    refused("population", world.ours.kommun, path, says="oändligt")
    assert not Population.objects.exists()


# ---- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "1899-12-31", "9999-12-31 23:59"])
def test_incident_dates_outside_1900_to_next_year_are_refused(world, tmp_path, date):
    rows = "".join(f"K{i};2025-03-12;21:30;Rån;Torget\n" for i in range(5))
    path = write(tmp_path, "i.csv", INCIDENT_HEAD + rows + f"K9;{date};;Rån;Torget\n")
    refused("incidents", world.ours.kommun, path, line=7, says="ligger utanför 1900")
    assert not Incident.objects.filter(offence="Rån").exists()


def test_incident_end_date_outside_the_range_is_refused(world, tmp_path):
    text = "Datum;Tid;Till datum;Brott\n2025-03-12;21:30;9999-12-31;Rån\n"
    refused("incidents", world.ours.kommun, write(tmp_path, "i.csv", text), line=2)


def test_incident_dated_9999_in_xlsx_is_refused(world, tmp_path):
    import datetime

    data = xlsx_bytes([["Datum", "Brott"], [datetime.datetime(9999, 12, 31), "Rån"]])
    refused("incidents", world.ours.kommun, write_bytes(tmp_path, "i.xlsx", data), line=2)
