"""The files people really have (issue 10): English headers, the year in a column's name,
codes that lost their leading zero, county rows, re-shaped Brå tables, Kolada as CSV."""

from __future__ import annotations

import pytest

from samverkan.mapping.models import CrimeStatistic, KeyFigure, Population
from samverkan.mapping.stats import is_total_offence
from tests.mapping.helpers import run, write
from tests.mapping.hostile import write_bytes, xlsx_bytes
from tests.mapping.test_import_hostile import refused


def test_english_headers_with_code_and_name_columns(world, tmp_path):
    text = (
        "year,municipality_code,municipality_name,crime_type,count\n"
        "2023,0180,Stockholm,Robbery,120\n"
        "2023,1280,Malmö,Robbery,80\n"
    )
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "c.csv", text))
    assert result.ok, result.errors
    row = CrimeStatistic.objects.get(municipality_code="1280", offence="Robbery")
    assert (row.area, row.year, row.count) == ("Malmö", 2023, 80)


@pytest.mark.parametrize("header", ["pop{y}", "folkmangd_{y}", "Folkmängd {y}", "{y}"])
def test_population_with_the_year_only_in_the_column_name(world, tmp_path, header):
    columns = ",".join(header.format(y=y) for y in (2018, 2019))
    text = f"municipality,{columns}\n0114 Upplands Väsby,44000,45000\n"
    result = run("population", world.ours.kommun, write(tmp_path, "p.csv", text))
    assert result.ok, result.errors
    assert sorted(Population.objects.filter(municipality_code="0114").values_list(
        "year", "count")) == [(2018, 44000), (2019, 45000)]  # fmt: skip


def test_code_that_lost_its_leading_zero_is_the_municipality(world, tmp_path):
    text = "Kommun;Brott;År;Antal\n114;Rån;2023;5\n114 Upplands Väsby;Stöld;2023;7\n"
    assert run("crime-stats", world.ours.kommun, write(tmp_path, "c.csv", text)).ok
    assert set(CrimeStatistic.objects.filter(offence__in=["Rån", "Stöld"]).values_list(
        "municipality_code", "area")) == {("0114", "Upplands Väsby")}  # fmt: skip


def test_excel_number_cell_that_lost_its_leading_zero(world, tmp_path):
    data = xlsx_bytes([["Region", "År", "Folkmängd"], [114, 2023, 48881], [180.0, 2023, 984748]])
    assert run("population", world.ours.kommun, write_bytes(tmp_path, "p.xlsx", data)).ok
    assert set(Population.objects.values_list("municipality_code", flat=True)) >= {"0114", "0180"}


@pytest.mark.parametrize("area", ["999", "9999 Någonstans", "99"])
def test_unknown_code_never_becomes_an_area_of_that_name(world, tmp_path, area):
    text = f"Kommun;Brott;År;Antal\n{area};Rån;2023;5\n"
    refused("crime-stats", world.ours.kommun, write(tmp_path, "c.csv", text), line=2,
            says="finns inte")  # fmt: skip


@pytest.mark.parametrize(
    "area",
    ["01 Stockholms län", "01 Stockholm county", "Skåne län", "Stockholms län", "Riket", "12"],
)
def test_county_rows_are_named_as_counties(world, tmp_path, area):
    text = f"Region;År;Folkmängd\n0180 Stockholm;2023;984748\n{area};2023;2400000\n"
    issue = refused("population", world.ours.kommun, write(tmp_path, "p.csv", text), line=3)
    assert "län" in issue.sv or "riket" in issue.sv


def test_offence_names_with_underscores_and_sub_areas_beside_the_municipality(world, tmp_path):
    text = (
        "område;brott;år;antal\n"
        "0180 Stockholm;alla_brott;2023;1000\n"
        "0180 Stockholm;misshandel;2023;100\n"
        "Södermalm;alla_brott;2023;150\n"
    )
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "c.csv", text))
    assert result.ok, result.errors
    total = CrimeStatistic.objects.get(municipality_code="0180", offence="alla brott")
    assert total.count == 1000 and is_total_offence(total.offence)
    assert CrimeStatistic.objects.get(area="Södermalm").municipality_code == ""


@pytest.mark.parametrize("period", ["year", "period"])
def test_kolada_values_as_csv_in_the_client_libraries_shape(world, tmp_path, period):
    text = (
        f"kpi,municipality_id,{period},gender,value\n"
        "N07403,0180,2023,T,12.5\n"
        "N07403,0180,2023,K,\n"
        "N07403,114,2023,T,3\n"
    )
    result = run("kolada", world.ours.kommun, write(tmp_path, "k.csv", text))
    assert result.ok, result.errors
    assert sorted(KeyFigure.objects.values_list("municipality_code", "gender", "value")) == [
        ("0114", "T", 3.0), ("0180", "K", None), ("0180", "T", 12.5)]  # fmt: skip


def test_kolada_csv_errors_are_counted_by_line(world, tmp_path):
    text = "kpi,municipality_id,year,value\nN1,0180,2023,abc\n"
    issue = refused("kolada", world.ours.kommun, write(tmp_path, "k.csv", text), line=2)
    assert issue.sv.startswith("rad 2:")


@pytest.mark.parametrize("kind", ["crime-stats", "population", "survey", "kolada"])
def test_every_tabular_kind_offers_the_column_mapping(world, tmp_path, kind):
    result = run(kind, world.ours.kommun, write(tmp_path, "x.csv", "Vad;Hur\n1;2\n"))
    assert result.needs_mapping and result.headers == ["Vad", "Hur"]
