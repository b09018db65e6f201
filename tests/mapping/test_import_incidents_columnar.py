"""The columnar incident reader gives exactly what the row reader gives: records and errors.

Each file is imported twice, once for each party: the municipality's import takes the
columnar path, the police's import is forced to read row by row. Then both results and all
stored fields are compared.
"""

import datetime
import random
import re

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from samverkan.mapping.importers import importer_for, run_import
from samverkan.mapping.importers.columns import _clock, _cut, _dates, _plain_numbers, _trim
from samverkan.mapping.importers.kinds import IncidentImporter
from samverkan.mapping.importers.parse import FIRST_YEAR, last_year
from samverkan.mapping.models import Incident
from tests.mapping.helpers import write

HEAD = "Ärendenummer;Datum;Tid;Till datum;Till tid;Brott;Plats;Område;X;Y\n"
FIELDS = ("key", "occurred_from", "occurred_to", "offence", "category", "place", "area", "x", "y")


def both(world, path, **kwargs):
    """Import ``path`` columnar for the municipality and row by row for the police."""
    Incident.objects.filter(party__in=[world.ours.kommun, world.ours.polis]).delete()
    columnar = run_import(importer_for("incidents", world.ours.kommun), path, **kwargs)
    rows = importer_for("incidents", world.ours.polis)
    rows.columnar = False
    by_rows = run_import(rows, path, **kwargs)
    return columnar, by_rows


def stored(party):
    return sorted(Incident.objects.filter(party=party).values_list(*FIELDS))


def assert_same(world, columnar, by_rows):
    assert [e.as_dict() for e in columnar.errors] == [e.as_dict() for e in by_rows.errors]
    assert (columnar.rows_total, columnar.rows_imported, columnar.rows_skipped) == (
        by_rows.rows_total,
        by_rows.rows_imported,
        by_rows.rows_skipped,
    )
    assert stored(world.ours.kommun) == stored(world.ours.polis)


def varied_rows(rng: random.Random, n: int) -> list[str]:
    """Rows in every shape a real export has, good ones only."""
    dates = ["2025-03-12", "2025-03-30", "2025-10-26", "2024-02-29", "2025-12-31", "2025-06-01"]
    places = ["Torget", "Stora  torget", "\u00a0Stationen", "  Parken ", "Å" * 230, ""]
    offences = ["Misshandel", "Snatteri", "Skadegörelse", "Okänt brott", "Rån  mot butik"]
    out = []
    for i in range(n):
        date = rng.choice(dates)
        time = rng.choice(["21:30", "02:30", "", "2130", "21.30", "07:05:00", "00:00"])
        shape = rng.randrange(9)
        if shape == 1:
            date = rng.choice(["12 mars 2025", "30 mars 2025", "1/6/2025", "20250601"])
        elif shape == 2:
            date, time = date + " " + rng.choice(["21:30", "02:15"]), ""
        date_to = time_to = ""
        span = rng.randrange(5)
        if span == 1:
            date_to, time_to = "2026-01-02", rng.choice(["03:00", ""])
        elif span == 2:
            time_to = rng.choice(["02:00", "23:59", "04.00"])  # may run over midnight
        elif span == 3:
            date_to = "2026-01-02 06:00"
        x, y = rng.choice(
            [("674032", "6580821"), ("6580821", "674032"), ("674032,5", "6580821,25"),
             ("674 032", "6580821"), ("", ""), ("674032.75", "6580821")]
        )  # fmt: skip
        key = rng.choice([f"K{i}", f"K{i}", f" K{i} ", "", f"K{i // 3}"])  # some shared
        out.append(
            f"{key};{date};{time};{date_to};{time_to};{rng.choice(offences)};"
            f"{rng.choice(places)};{rng.choice(['Centrum', '', 'Norr'])};{x};{y}"
        )
        if rng.random() < 0.05:
            out.append(rng.choice([";;;;;;;;;", ""]))  # blank rows are skipped either way
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_varied_file_gives_the_same_records_both_ways(world, tmp_path, seed):
    rng = random.Random(seed)
    path = write(tmp_path, "i.csv", HEAD + "\n".join(varied_rows(rng, 400)) + "\n")
    columnar, by_rows = both(world, path)
    assert columnar.ok, columnar.errors[:3]
    assert columnar.rows_imported > 100
    assert_same(world, columnar, by_rows)


def test_bad_rows_give_the_same_errors_and_nothing_is_saved(world, tmp_path):
    bad = [
        "A1;2025-02-30;21:30;;;Rån;Torget;;;",  # no such date
        "A2;2025-03-12;25:00;;;Rån;Torget;;;",  # no such time
        "A3;2025-03-12;21:30;2025-03-11;;Rån;Torget;;;",  # ends before it starts
        "A4;2025-03-12;21:30;;;Rån;Torget;;10;20",  # not in Sweden
        "A5;2025-03-12;21:30;;;;Torget;;;",  # no offence
        "A6;;21:30;;;Rån;Torget;;;",  # no date
        "A7;2025-03-12;21:30;;;Rån;Torget;;674032;",  # half a coordinate
        "A8;2025-03-12 24:10;;;;Rån;Torget;;;",  # bad time inside the date
        "A9;2025-03-12;21:30;;;Rån;Torget;;abc;6580821",
    ]
    good = [f"G{i};2025-03-12;21:30;;;Rån;Torget;;;" for i in range(50)]
    path = write(tmp_path, "i.csv", HEAD + "\n".join(good[:20] + bad + good[20:]) + "\n")
    columnar, by_rows = both(world, path)
    assert [e.line for e in columnar.errors] == list(range(22, 31))
    assert_same(world, columnar, by_rows)
    assert not Incident.objects.filter(offence="Rån").exists()


def test_wgs84_and_title_rows_and_windows_1252(world, tmp_path):
    text = (
        "Anmälda brott i Ödeshög 2025\n\n"
        "Ärendenummer;Datum;Tid;Brott;Plats;Lat;Lon\n"
        "B1;2025-01-02;12:00;Rån;Östra torget;59,3293;18,0686\n"
        "B2;2025-01-02;13:00;Rån;Östra torget;59.33;18.07\n"
        "B3;2025-01-02;14:00;Rån;Östra torget;;\n"
        "B4;2025-01-02;14:00;Rån;Östra torget;40;18\n"
    )
    path = write(tmp_path, "i.csv", text, encoding="cp1252")
    columnar, by_rows = both(world, path)
    assert [e.line for e in columnar.errors] == [7]  # B4 lies outside Sweden
    assert_same(world, columnar, by_rows)
    fixed = write(tmp_path, "ok.csv", text.replace(";40;18\n", ";59,1;18,1\n"), "cp1252")
    columnar, by_rows = both(world, fixed)
    assert columnar.ok and columnar.rows_imported == 4
    assert_same(world, columnar, by_rows)
    assert Incident.objects.get(party=world.ours.kommun, key="B1|Rån").place == "Östra torget"


def test_common_shapes_never_reach_the_row_parser(world, tmp_path, monkeypatch):
    Incident.objects.all().delete()
    calls = []
    original = IncidentImporter.parse
    monkeypatch.setattr(
        IncidentImporter,
        "parse",
        lambda self, cells, line: calls.append(line) or original(self, cells, line),
    )
    rows = [f"K{i};2025-05-{1 + i % 28:02d};{i % 24:02d}:15;;;Snatteri;Torget;;674032;6580821"
            for i in range(300)]  # fmt: skip
    result = run_import(
        importer_for("incidents", world.ours.kommun),
        write(tmp_path, "i.csv", HEAD + "\n".join(rows) + "\n"),
    )
    assert result.ok and result.rows_imported == 300
    assert calls == []


def test_line_break_inside_a_value_falls_back_to_rows_with_right_line_numbers(world, tmp_path):
    text = HEAD + (
        'A1;2025-03-12;21:30;;;Rån;"Torget,\nvid fontänen";;;\n'
        "A2;2025-03-12;21:30;;;Rån;Torget;;;\n"
        "A3;2025-13-12;21:30;;;Rån;Torget;;;\n"
    )
    columnar, by_rows = both(world, write(tmp_path, "i.csv", text))
    assert [e.line for e in columnar.errors] == [5]
    assert_same(world, columnar, by_rows)


def test_second_import_of_the_same_file_skips_every_row(world, tmp_path):
    Incident.objects.all().delete()
    rows = [f"K{i % 250};2025-05-02;10:15;;;Snatteri;Torget;;;" for i in range(300)]
    path = write(tmp_path, "i.csv", HEAD + "\n".join(rows) + "\n")
    first = run_import(importer_for("incidents", world.ours.kommun), path)
    assert (first.rows_imported, first.rows_skipped) == (250, 50)  # repeated case numbers
    again = run_import(importer_for("incidents", world.ours.kommun), path)
    assert (again.rows_imported, again.rows_skipped) == (0, 300)
    assert Incident.objects.filter(party=world.ours.kommun).count() == 250


def test_byte_level_number_check_agrees_with_the_regular_expression():
    rng = random.Random(5)
    cells = ["674129", "-12", "674129,5", "1.5", "-", ",5", "5,", "1,2,3", "--1", "1-2", "",
             "١٢", "12a", "-0,0", "6580821.25", " 1", "1e5", "½"]  # fmt: skip
    cells += ["".join(rng.choice("0123456789,.-a ") for _ in range(rng.randrange(1, 6)))
              for _ in range(3000)]  # fmt: skip
    ok, numbers = _plain_numbers(pa.array(cells))
    expected = [bool(re.fullmatch(r"-?[0-9]+([.,][0-9]+)?", c)) for c in cells]
    assert ok.tolist() == expected
    assert [float(c.replace(",", ".")) for c, e in zip(cells, expected, strict=True) if e] == (
        numbers[ok].tolist()
    )


def test_byte_level_dates_know_the_calendar():
    cells = ["2024-02-29", "2025-02-29", "2025-04-31", "2025-12-31", "2025-13-01", "2025-00-10",
             "2025-01-00", "2025-3-01", "2025-03-12 21:30", "2025-03-12T23:59", "2025-03-12 24:00",
             "2025-03-12 21:60", "1970-01-01", "2000-02-29", "1900-02-29"]  # fmt: skip
    days, exists, with_time, seconds = _dates(pa.array(cells))
    assert exists.tolist() == [True, False, False, True, False, False, False, False, True, True,
                               False, False, True, True, False]  # fmt: skip
    assert days[0] == 19_782 and days[12] == 0 and days[13] == 11_016
    assert with_time.tolist()[8:10] == [True, True] and seconds[8] == 21 * 3600 + 30 * 60


def _date_reference(cell: str) -> tuple[bool, int, bool, int]:
    """What _dates says of one cell, read plainly: exists, day number, with time, seconds."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2}))?", cell)
    if not match:
        return False, 0, False, 0
    year, month, day = (int(g) for g in match.groups()[:3])
    with_time = match[4] is not None
    seconds = int(match[4]) * 3600 + int(match[5]) * 60 if with_time else 0
    if not FIRST_YEAR <= year <= last_year():
        return False, 0, with_time, seconds
    try:
        days = (datetime.date(year, month, day) - datetime.date(1970, 1, 1)).days
    except ValueError:
        return False, 0, with_time, seconds
    if with_time and (int(match[4]) > 23 or int(match[5]) > 59):
        return False, 0, with_time, seconds
    return True, days, with_time, seconds


_DATE_CHARS = "0123456789-: T1x2ä"
date_cells = st.one_of(
    st.dates(datetime.date(1890, 1, 1), datetime.date(2030, 12, 31)).map(str),
    st.builds(
        lambda d, h, m, sep: f"{d} {h:02d}:{m:02d}".replace(" ", sep, 1),
        st.dates(datetime.date(1890, 1, 1), datetime.date(2030, 12, 31)),
        st.integers(0, 30),
        st.integers(0, 70),
        st.sampled_from([" ", "T", "_"]),
    ),
    st.text(_DATE_CHARS, max_size=18),
)


@given(st.lists(date_cells, min_size=1, max_size=40), st.booleans())
def test_byte_level_dates_agree_with_a_plain_reading(cells, one_length):
    """Tricky cells in columns of one length (read as rows of bytes) and of mixed lengths."""
    if one_length:  # e.g. a whole column of plain dates: the bytes are reshaped, not gathered
        cells = [c for c in cells if len(c.encode()) == len(cells[0].encode())]
    days, exists, with_time, seconds = _dates(pa.array(cells))
    for i, cell in enumerate(cells):
        ok, day, timed, secs = _date_reference(cell)
        assert bool(exists[i]) == ok, cell
        if ok:
            assert (int(days[i]), bool(with_time[i])) == (day, timed), cell
            if timed:
                assert int(seconds[i]) == secs, cell


@given(st.lists(st.one_of(
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 30), st.integers(0, 70)),
    st.builds(lambda h, m, s: f"{h:02d}:{m:02d}:{s:02d}", st.integers(0, 25), st.integers(0, 61),
              st.integers(0, 61)),
    st.text("0123456789: .ä", max_size=9),
), min_size=1, max_size=40))  # fmt: skip
def test_byte_level_clock_agrees_with_a_plain_reading(cells):
    seconds, ok = _clock(pa.array(cells))
    for i, cell in enumerate(cells):
        match = re.fullmatch(r"([0-9]{2}):([0-9]{2})(?::[0-9]{2})?", cell)
        fine = bool(match) and int(match[1]) <= 23 and int(match[2]) <= 59
        assert bool(ok[i]) == fine, cell
        if fine:
            assert int(seconds[i]) == int(match[1]) * 3600 + int(match[2]) * 60, cell


@given(st.lists(st.text(" a\tä€x", max_size=8), max_size=30), st.integers(0, 6))
def test_trimming_and_cutting_skip_arrow_only_when_it_would_change_nothing(cells, limit):
    values = pa.array(cells, pa.string())
    assert _trim(values).to_pylist() == [c.strip(" ") for c in cells]
    assert _cut(values, limit).to_pylist() == [c[:limit] for c in cells]
