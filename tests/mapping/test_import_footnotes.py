"""Brå files end in footnote lines ("Källa: Brå, …", "Uppgifterna är preliminära"): they are
kept as the file's source note instead of refusing the file; hostile or misplaced text is
still refused whole (issue 22)."""

from __future__ import annotations

import openpyxl
import pytest
from django.urls import reverse

from samverkan.mapping import services
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.importers.base import footnote_of
from samverkan.mapping.models import CrimeStatistic
from tests.mapping.helpers import run, write

WIDE = "Region;Brott;2022;2023;2024\nTeststad;Bostadsinbrott;40;..;52\nTeststad;Rån;4;5;6\n"
LONG = "Kommun;Brott;År;Antal\nTeststad;Olaga hot;2023;1 204\nTeststad;Olaga hot;2024;1 310\n"
SOURCE = "Källa: Brå, anmälda brott 2022–2024 (statistikdatabasen)"


def test_wide_table_with_a_source_line_imports_and_keeps_it(kept_world, tmp_path):
    text = WIDE + ";;;;\n" + SOURCE + ";;;;\n"
    result = run("crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", text))
    assert result.ok, result.errors
    assert result.source_note == [SOURCE]
    assert result.rows_total == 2
    assert sorted(
        CrimeStatistic.objects.filter(offence="Bostadsinbrott").values_list("year", "count")
    ) == [(2022, 40), (2024, 52)]


def test_several_notes_after_a_long_table_are_all_kept(kept_world, tmp_path):
    notes = [SOURCE, "Uppgifterna för 2024 är preliminära.", "* Ändrad brottskod från 2023"]
    text = LONG + "\n".join(notes) + "\n"
    result = run("crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", text))
    assert result.ok, result.errors
    assert result.source_note == notes
    assert CrimeStatistic.objects.filter(offence="Olaga hot", area="Teststad").count() == 2


def test_xlsx_with_a_footnote_row_imports(kept_world, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kommun", "Brott", "År", "Antal"])
    sheet.append(["Teststad", "Rån", 2024, 31])
    sheet.append([])
    sheet.append(["Uppgifterna är preliminära"])
    path = tmp_path / "b.xlsx"
    book.save(path)
    result = run("crime-stats", kept_world.ours.kommun, path)
    assert result.ok, result.errors
    assert result.source_note == ["Uppgifterna är preliminära"]


def test_the_note_is_stored_with_the_import_and_shown_on_its_page(client, kept_world, tmp_path):
    path = write(tmp_path, "bra.csv", WIDE + SOURCE + "\n")
    record, result = services.import_file(
        kept_world.ours.kommun, "crime-stats", path, area_choice="all"
    )
    assert result.ok and record.status == ImportStatus.DONE
    record.refresh_from_db()
    assert record.source_note == SOURCE
    client.force_login(kept_world.alice)
    page = client.get(
        reverse(
            "mapping:import_detail",
            kwargs={
                "pk": kept_world.ours.partnership.pk,
                "party_id": kept_world.ours.kommun.pk,
                "import_id": record.pk,
            },
        )
    ).content.decode()
    assert "Källanmärkning ur filen" in page and SOURCE in page


def test_a_note_in_the_middle_of_the_table_is_a_bad_row(kept_world, tmp_path):
    lines = LONG.splitlines()
    text = "\n".join([*lines[:2], SOURCE, lines[2]]) + "\n"
    before = CrimeStatistic.objects.count()
    result = run("crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", text))
    assert not result.ok and [e.line for e in result.errors] == [3]
    assert "brott saknas" in result.errors[0].sv
    assert CrimeStatistic.objects.count() == before


def test_a_last_row_with_only_a_name_is_not_a_note(kept_world, tmp_path):
    result = run(
        "crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", LONG + "Teststad;;;\n")
    )
    assert not result.ok and result.errors[0].line == 4
    assert footnote_of(["Teststad", "", "", ""]) is None
    assert footnote_of(["Källa: Brå", 12]) is None  # a number beside it: a row
    assert footnote_of(["", "Obs: preliminärt", ""]) == "Obs: preliminärt"


@pytest.mark.parametrize(
    "note,reason",
    [
        ('=HYPERLINK("http://x.invalid","Källa: Brå klicka här")', "kalkylbladsformel"),
        ("Källa: Brå" + " mycket lång text" * 80, "en fotnot får vara högst 1000 tecken"),
        ("Källa: Brå\x07, anmälda brott", "styrtecken"),
    ],
)
def test_hostile_footnotes_refuse_the_whole_file(kept_world, tmp_path, note, reason):
    before = CrimeStatistic.objects.count()
    result = run(
        "crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", LONG + note + "\n")
    )
    assert not result.ok
    assert result.errors[0].line == 4 and reason in result.errors[0].sv
    assert "fotnoten under tabellen" in result.errors[0].sv
    assert CrimeStatistic.objects.count() == before


def test_a_table_followed_by_pages_of_text_is_refused(kept_world, tmp_path):
    text = LONG + "".join(f"Anm. {n}: en rad text till\n" for n in range(25))
    result = run("crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", text))
    assert not result.ok and "fler än 20 rader text" in result.errors[0].sv
    assert not CrimeStatistic.objects.filter(area="Teststad", offence="Olaga hot").exists()


def test_a_file_of_notes_only_has_no_rows(kept_world, tmp_path):
    text = "Kommun;Brott;År;Antal\n" + SOURCE + "\n"
    result = run("crime-stats", kept_world.ours.kommun, write(tmp_path, "b.csv", text))
    assert not result.ok and "inga rader under rubrikraden" in result.errors[0].sv
