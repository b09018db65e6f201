"""Crime statistics import: real-world quirks accepted, bad files rejected whole."""

import openpyxl

from samverkan.mapping.models import CrimeStatistic
from tests.mapping.helpers import run, write

GOOD = "Kommun;Brott;År;Antal\nStockholm;Misshandel;2023;1 204\n0180;Misshandel;2024;1 310\n"


def test_import_reads_semicolon_file_with_bom(world, tmp_path):
    path = write(tmp_path, "b.csv", "\ufeff" + GOOD)
    result = run("crime-stats", world.ours.kommun, path)
    assert result.ok, result.errors
    rows = CrimeStatistic.objects.filter(
        party=world.ours.kommun, municipality_code="0180"
    ).order_by("year")
    assert [(r.municipality_code, r.year, r.count) for r in rows] == [
        ("0180", 2023, 1204),
        ("0180", 2024, 1310),
    ]
    assert rows[0].category == "Brott mot liv och hälsa"


def test_import_reads_windows_1252_with_comma_separator(world, tmp_path):
    text = "Område,Brottstyp,År,Antal\nSödertälje,Skadegörelse,2024,88\nVäxjö,Snatteri,2024,41\n"
    path = write(tmp_path, "b.csv", text, encoding="cp1252")
    result = run("crime-stats", world.ours.kommun, path)
    assert result.ok, result.errors
    assert set(CrimeStatistic.objects.exclude(area="Teststad").values_list("area", flat=True)) == {
        "Södertälje",
        "Växjö",
    }


def test_import_reads_wide_bra_table_with_title_rows(world, tmp_path):
    text = (
        "Anmälda brott;;\nKälla: Brå;;\n;;\n"
        "Region;Brott;2022;2023;2024\nTeststad;Bostadsinbrott;40;..;52\n"
    )
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "w.csv", text))
    assert result.ok, result.errors
    assert sorted(
        CrimeStatistic.objects.filter(offence="Bostadsinbrott").values_list("year", "count")
    ) == [(2022, 40), (2024, 52)]


def test_import_reads_xlsx_with_title_rows(world, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Anmälda brott i kommunen"])
    sheet.append([])
    sheet.append(["Kommun", "Brott", "År", "Antal"])
    sheet.append(["Malmö", "Rån", 2024, 310])
    path = tmp_path / "b.xlsx"
    book.save(path)
    result = run("crime-stats", world.ours.kommun, path)
    assert result.ok, result.errors
    assert CrimeStatistic.objects.get(offence="Rån").municipality_code == "1280"


def test_import_rejects_row_with_bad_count_and_saves_nothing(world, tmp_path):
    text = GOOD + "Stockholm;Rån;2024;många\nStockholm;Rån;20x4;3\n"
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "b.csv", text))
    assert not result.ok
    assert [e.line for e in result.errors] == [4, 5]
    assert "antalet" in result.errors[0].sv and "line 4" in result.errors[0].en
    assert not CrimeStatistic.objects.filter(
        offence="Misshandel", municipality_code="0180"
    ).exists()


def test_import_rejects_unknown_municipality_code(world, tmp_path):
    text = "Kommun;Brott;År;Antal\n9999;Rån;2024;3\n"
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "b.csv", text))
    assert result.errors[0].line == 2 and "kommunkoden" in result.errors[0].sv


def test_import_twice_adds_nothing_the_second_time(world, tmp_path):
    path = write(tmp_path, "b.csv", GOOD)
    run("crime-stats", world.ours.kommun, path)
    second = run("crime-stats", world.ours.kommun, path)
    assert second.ok and second.rows_imported == 0 and second.rows_skipped == 2
    assert (
        CrimeStatistic.objects.filter(party=world.ours.kommun, municipality_code="0180").count()
        == 2
    )


def test_import_without_needed_columns_asks_for_the_column_mapping(world, tmp_path):
    # Issue 10: every tabular kind offers the mapping step when headers are not recognised.
    result = run("crime-stats", world.ours.kommun, write(tmp_path, "b.csv", "A;B\n1;2\n"))
    assert not result.ok and result.needs_mapping and result.headers == ["A", "B"]
    mapped = run(
        "crime-stats",
        world.ours.kommun,
        write(tmp_path, "b.csv", "A;B\n1;2\n"),
        column_mapping={"area": "A", "count": "B"},
    )
    assert not mapped.ok and "rubrikraden saknar" in mapped.errors[0].sv
