"""Incident import: dates and times in many forms, spans, coordinates, idempotency."""

import datetime
import zoneinfo

from samverkan.mapping.models import Incident
from tests.mapping.helpers import run, write

STHLM = zoneinfo.ZoneInfo("Europe/Stockholm")
HEAD = "Ärendenummer;Datum;Tid;Till datum;Till tid;Brott;Plats;X;Y\n"


def test_import_reads_swedish_dates_times_and_spans(world, tmp_path):
    text = HEAD + (
        "A1;12 mars 2025;2130;;;Misshandel;Torget;674032;6580821\n"
        "A2;2025-03-14;;;;Cykelstöld;Stationen;;\n"
        "A3;15/3/2025;22:00;;02:00;Skadegörelse;Parken;6580900;674100\n"
        "A4;2025-03-15;18:00;2025-03-17;07:00;Inbrott i bostad;Villagatan;;\n"
    )
    result = run("incidents", world.ours.kommun, write(tmp_path, "i.csv", text))
    assert result.ok, result.errors
    # keyed by case number and offence
    got = {i.key.partition("|")[0]: i for i in Incident.objects.filter(party=world.ours.kommun)}
    assert got["A1"].occurred_from == datetime.datetime(2025, 3, 12, 21, 30, tzinfo=STHLM)
    assert got["A1"].occurred_to is None and got["A1"].x == 674032
    # only the day known: the whole day is the span
    assert got["A2"].occurred_to - got["A2"].occurred_from == datetime.timedelta(days=1)
    # 22:00-02:00 runs over midnight; X/Y given the Swedish way round are swapped back
    assert got["A3"].occurred_to == datetime.datetime(2025, 3, 16, 2, 0, tzinfo=STHLM)
    assert (got["A3"].x, got["A3"].y) == (674100, 6580900)
    assert got["A4"].category == "Stöld, rån och andra tillgreppsbrott"


def test_import_converts_wgs84_to_sweref(world, tmp_path):
    text = "Datum;Tid;Brott;Lat;Lon\n2025-01-02;12:00;Rån;59,3293;18,0686\n"
    result = run("incidents", world.ours.kommun, write(tmp_path, "i.csv", text))
    assert result.ok, result.errors
    incident = Incident.objects.get(offence="Rån")
    assert abs(incident.x - 674_500) < 1000 and abs(incident.y - 6_580_800) < 1000


def test_import_rejects_row_with_bad_date_and_saves_nothing(world, tmp_path):
    text = HEAD + "A1;2025-03-12;21:30;;;Rån;Torget;;\nA2;31 februari 2025;10:00;;;Rån;Torget;;\n"
    result = run("incidents", world.ours.kommun, write(tmp_path, "i.csv", text))
    assert [e.line for e in result.errors] == [3]
    assert "finns inte i kalendern" in result.errors[0].sv
    assert not Incident.objects.filter(offence="Rån").exists()


def test_import_rejects_end_before_start(world, tmp_path):
    text = HEAD + "A1;2025-03-12;21:30;2025-03-11;;Rån;Torget;;\n"
    result = run("incidents", world.ours.kommun, write(tmp_path, "i.csv", text))
    assert result.errors[0].line == 2 and "före starttiden" in result.errors[0].sv


def test_import_rejects_coordinates_outside_sweden(world, tmp_path):
    text = HEAD + "A1;2025-03-12;21:30;;;Rån;Torget;10;20\n"
    result = run("incidents", world.ours.kommun, write(tmp_path, "i.csv", text))
    assert "SWEREF 99 TM" in result.errors[0].sv


def test_import_twice_adds_no_duplicates_even_without_case_numbers(world, tmp_path):
    text = "Datum;Tid;Brott;Plats\n2025-03-12;21:30;Rån;Torget\n2025-03-13;01:10;Rån;Torget\n"
    path = write(tmp_path, "i.csv", text)
    run("incidents", world.ours.kommun, path)
    second = run("incidents", world.ours.kommun, path)
    assert second.ok and second.rows_imported == 0 and second.rows_skipped == 2
    assert Incident.objects.filter(offence="Rån").count() == 2


def test_unknown_headers_ask_for_column_mapping(world, tmp_path):
    text = "När;Vad;Var\n2025-03-12 21:30;Rån;Torget\n"
    path = write(tmp_path, "i.csv", text)
    result = run("incidents", world.ours.kommun, path)
    assert result.needs_mapping and result.headers == ["När", "Vad", "Var"]
    mapped = run(
        "incidents",
        world.ours.kommun,
        path,
        column_mapping={"date": "När", "offence": "Vad", "place": "Var"},
    )
    assert mapped.ok, mapped.errors
    assert Incident.objects.get(offence="Rån").place == "Torget"
