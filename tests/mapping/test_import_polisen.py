"""Polisen's events feed: event times from the name, crimes apart from other notices, no
invented map points, one event per id, and every bad entry named by its number."""

import datetime
import json
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samverkan.mapping.choices import ImportStatus, PointNote
from samverkan.mapping.importers.parse import Bad
from samverkan.mapping.importers.polisen import CRIME_TYPES, category_of, event_time
from samverkan.mapping.models import Import, PoliceEvent
from samverkan.mapping.services import import_file
from tests.mapping.helpers import run

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "polisen-handelser.json"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def event(id=1, name="14 januari 19.12, Rån, Norrköping", type="Rån", place="Norrköping",
          gps="58.587745,16.192421", published="2026-01-14 23:33:32 +01:00", **extra):  # fmt: skip
    entry = {
        "id": id,
        "datetime": published,
        "name": name,
        "summary": "Kort text.",
        "url": f"/aktuellt/handelser/2026/januari/14/{id}/",
        "type": type,
        "location": {"name": place, "gps": gps},
    }
    entry.update(extra)
    return entry


def write_events(tmp_path, entries, name="h.json"):
    path = tmp_path / name
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def local(*args):
    return datetime.datetime(*args, tzinfo=STOCKHOLM)


def test_example_file_imports_with_times_categories_and_no_points(world):
    result = run("polisen-events", world.ours.kommun, EXAMPLE)
    assert result.ok, result.errors
    assert result.rows_imported == 6
    events = {e.event_id: e for e in PoliceEvent.objects.filter(party=world.ours.kommun)}
    robbery = events[900101]
    assert robbery.occurred_from == local(2026, 1, 14, 19, 12)
    assert robbery.published_at == local(2026, 1, 14, 23, 33, 32)
    assert (robbery.is_crime, robbery.category) == (True, "Stöld, rån och andra tillgreppsbrott")
    assert robbery.municipality_code == "0581" and robbery.county_code == "05"
    assert events[900105].occurred_from == local(2025, 12, 31, 23, 50)  # published 2 January
    assert not events[900102].is_crime and events[900102].category == ""  # Trafikolycka
    assert not events[900103].is_crime and events[900103].county_code == "05"
    missing = events[900106]  # no clock time in the name: the whole day
    assert not missing.is_crime
    assert (missing.occurred_from, missing.occurred_to) == (
        local(2026, 1, 15),
        local(2026, 1, 16),
    )
    # The feed's gps is the municipality's or county's point: never put on the map.
    assert all(e.x is None and e.y is None for e in events.values())
    assert events[900103].point_note == PointNote.COUNTY
    assert robbery.point_note == PointNote.MUNICIPALITY


def test_second_import_of_the_same_events_adds_nothing(world, tmp_path):
    first = run("polisen-events", world.ours.kommun, EXAMPLE)
    # A later fetch: the same notices again, in another file, plus one new one.
    again = json.loads(EXAMPLE.read_text(encoding="utf-8")) + [event(id=900200)]
    second = run("polisen-events", world.ours.kommun, write_events(tmp_path, again))
    assert (first.rows_imported, second.rows_imported, second.rows_skipped) == (6, 1, 6)
    assert PoliceEvent.objects.filter(party=world.ours.kommun).count() == 7


def test_same_id_twice_in_one_file_is_one_event(world, tmp_path):
    path = write_events(tmp_path, [event(id=5), event(id=5, summary="Uppdaterad.")])
    result = run("polisen-events", world.ours.kommun, path)
    assert (result.rows_imported, result.rows_skipped) == (1, 1)


def test_same_file_twice_is_recorded_as_duplicate(world):
    done, _ = import_file(world.ours.kommun, "polisen-events", EXAMPLE)
    again, result = import_file(world.ours.kommun, "polisen-events", EXAMPLE)
    assert (done.status, again.status) == (ImportStatus.DONE, ImportStatus.DUPLICATE)
    assert result.rows_imported == 0 and PoliceEvent.objects.count() == 6


@pytest.mark.parametrize(
    "published,name,expected",
    [
        ("2026-01-14 23:33:32 +01:00", "14 januari 19.12, Rån, Norrköping", (2026, 1, 14, 19, 12)),
        ("2026-01-02 08:10:00 +01:00", "31 december 23.50, Brand, Lund", (2025, 12, 31, 23, 50)),
        ("2026-01-01 00:20:00 +01:00", "31 December 23:58, Rån, Lund", (2025, 12, 31, 23, 58)),
        ("2025-07-01 10:00:00 +02:00", "30 juni 22.15, Stöld, Lund", (2025, 6, 30, 22, 15)),
        ("2025-07-01 10:00:00 +02:00", "30 juni 22.15 - 23.40, Bråk, Lund", (2025, 6, 30, 22, 15)),
        # Across the change to summer time the clock time is read in Swedish local time.
        ("2026-03-30 09:00:00 +02:00", "29 mars 01.30, Stöld, Lund", (2026, 3, 29, 1, 30)),
    ],
)
def test_event_time_is_read_from_the_name_with_the_notices_year(published, name, expected):
    moment = datetime.datetime.strptime(published, "%Y-%m-%d %H:%M:%S %z")
    start, end = event_time(name, moment)
    assert start == local(*expected) and end is None
    assert start.utcoffset() == datetime.timedelta(hours=1 if expected[1] in (1, 3, 12) else 2)


@pytest.mark.parametrize(
    "name",
    [
        "Rån, Norrköping",
        "31 februari 10.00, Rån, Lund",
        "14 januari 25.10, Rån, Lund",
        "14 januarinatten, Rån, Lund",
    ],
)
def test_unreadable_event_time_is_refused(name):
    with pytest.raises(Bad):
        event_time(name, datetime.datetime(2026, 3, 1, 12, tzinfo=STOCKHOLM))


@pytest.mark.parametrize(
    "type_",
    [
        "Trafikolycka", "Trafikolycka, vilt", "Brand", "Räddningsinsats", "Sammanfattning natt",
        "Sammanfattning kväll", "Försvunnen person", "Övrigt", "Anträffad död", "Fylleri/LOB",
        "Trafikkontroll", "Kontroll person/fordon", "Skottlossning, misstänkt", "Ny typ 2030",
    ],
)  # fmt: skip
def test_types_that_are_not_crimes_never_count_as_crimes(type_):
    assert category_of(type_) == (False, "", "")


def test_every_crime_type_has_a_handbook_group():
    from samverkan.analysis.categories import DEFAULT_TABLE, INTERPRETATION_LABELS_SV

    groups = {c.group for c in DEFAULT_TABLE.offences.values()}
    for type_, (group, interpretation) in CRIME_TYPES.items():
        assert group in groups and interpretation in INTERPRETATION_LABELS_SV, type_
    assert category_of("Misshandel, grov")[:2] == (True, "Brott mot liv och hälsa")
    assert category_of("Narkotikabrott")[1] == "Alkohol- och narkotikabrott"


def test_only_a_finer_place_with_its_own_coordinates_gets_a_point(world, tmp_path):
    entries = [
        event(id=1, place="Skåne län", gps="55.990137,13.595769"),
        event(id=2, place="Lund", gps="55.704660,13.191007"),
        # A finer place whose gps is the municipality's point seen above: not its own place.
        event(id=3, place="Lund, Klostergatan", gps="55.70466,13.191007"),
        # ... or the county's point stored by an earlier import: neither.
        event(id=4, place="Malmö, Möllevången", gps="55.990137,13.595769"),
        event(id=5, place="Lund, Stortorget", gps="55.703500,13.193100"),
    ]
    result = run("polisen-events", world.ours.kommun, write_events(tmp_path, entries))
    assert result.ok, result.errors
    notes = dict(PoliceEvent.objects.values_list("event_id", "point_note"))
    assert notes == {1: "county", 2: "municipality", 3: "reference", 4: "reference", 5: ""}
    located = PoliceEvent.objects.exclude(x=None)
    assert [e.event_id for e in located] == [5]
    assert 380_000 < located[0].x < 400_000 and 6_170_000 < located[0].y < 6_190_000


def test_reference_points_from_an_earlier_import_are_recognised(world, tmp_path):
    run("polisen-events", world.ours.kommun, write_events(tmp_path, [event(id=1)], "a.json"))
    finer = event(id=2, place="Norrköping, Hageby", gps="58.587745,16.192421")
    run("polisen-events", world.ours.kommun, write_events(tmp_path, [finer], "b.json"))
    assert PoliceEvent.objects.get(event_id=2).x is None


@pytest.mark.parametrize(
    "entry,message",
    [
        ("x", "post 2: posten är inget objekt"),
        (event(id="abc"), "post 2: id saknas eller är inget positivt heltal"),
        (event(id=2, published="igår"), "post 2: publiceringstiden (datetime) ”igår”"),
        (event(id=2, name="Rån i Norrköping"), "post 2: namnet ”Rån i Norrköping” börjar inte"),
        (event(id=2, gps="90,200"), "post 2: gps ”90,200” ligger inte i Sverige"),
        (event(id=2, gps="58.5"), "post 2: gps ”58.5” ska vara ”latitud,longitud”"),
        (event(id=2, type=None), "post 2: typen (type) saknas"),
        (event(id=2, url="javascript:alert(1)"), "post 2: url ska vara en sökväg"),
        (event(id=2, url="https://polisen.se.example.org/x"), "post 2: url ska vara"),
        (event(id=2, url="//example.org/x"), "post 2: url ska vara"),
        (event(id=2, summary="a\x00b"), "post 2: sammanfattningen (summary) innehåller kontroll"),
        (event(id=2, location="Lund"), "post 2: platsen (location) ska vara ett objekt"),
        (event(id=2, published="1899-01-01 10:00:00 +01:00"), "post 2: publiceringstiden"),
    ],
)
def test_bad_entry_rejects_the_file_naming_the_entry(world, tmp_path, entry, message):
    path = write_events(tmp_path, [event(id=1), entry, event(id=3)])
    result = run("polisen-events", world.ours.kommun, path)
    assert not result.ok and result.rows_imported == 0
    assert result.errors[0].line == 2 and result.errors[0].sv.startswith(message), result.errors
    assert not PoliceEvent.objects.exists()


@pytest.mark.parametrize(
    "text,message",
    [
        ("[{", "filen är inte giltig JSON (rad 1"),
        ('{"values": []}', "filen ska vara en lista av händelser"),
        ("[]", "filen innehåller inga händelser"),
        ("[" * 5000 + "]" * 5000, "filen är för djupt nästlad"),
        (json.dumps([[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]), "filen är för djupt"),
    ],
)
def test_malformed_file_is_rejected_in_swedish(world, tmp_path, text, message):
    path = tmp_path / "h.json"
    path.write_text(text, encoding="utf-8")
    result = run("polisen-events", world.ours.kommun, path)
    assert not result.ok and result.errors[0].line == 0
    assert result.errors[0].sv.startswith(message), result.errors


def test_command_imports_polisen_events(world, capsys):
    p = world.ours.partnership
    call_command(
        "import", "polisen-events", str(EXAMPLE), partnership=p.pk, party=world.ours.kommun.pk
    )
    assert "6 rows read, 6 imported" in capsys.readouterr().out
    record = Import.objects.get(kind="polisen-events")
    assert record.status == ImportStatus.DONE and record.police_events.count() == 6


def test_command_lists_bad_entries_in_english(world, tmp_path):
    path = write_events(tmp_path, [event(id=1), event(id=2, gps="x")])
    p = world.ours.partnership
    with pytest.raises(CommandError, match="entry 2: gps 'x' must be"):
        call_command("import", "polisen-events", str(path), partnership=p.pk,
                     party=world.ours.kommun.pk)  # fmt: skip


ODD_VALUES = [
    None, True, 0, -1, 2**63, 2**64, 1e400, float("nan"), "", " ", "x" * 6000, "\x00", "²",
    "①", [], {}, [[[[1]]]], {"a": {"b": 1}}, "9999-12-31 23:59:59 +01:00",
    "0001-01-01 00:00:00 +01:00", "2026-02-30 10:00:00 +01:00", "29 februari 10.00, Rån, Lund",
    "31 december 24.00, Rån, Lund", "nan,nan", "1e400,16", "58.5,16.1,3", "Skåne län",
    "Stockholms kommun", "javascript:alert(1)", "/aktuellt/x", "Rån", "Trafikolycka",
]  # fmt: skip


@pytest.mark.slow(reason="imports hundreds of generated hostile event files")
def test_generated_bad_entries_never_crash_and_never_half_save(world, tmp_path):
    """Seeded mutations of the example: each file is imported whole or rejected, no
    exception escapes, and a rejected file leaves the table as it was."""
    import random

    rng = random.Random(20260114)
    base = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    party = world.ours.kommun
    from django.db import connection

    for n in range(300 if connection.vendor == "sqlite" else 100):
        entries = json.loads(json.dumps(base))
        for _ in range(rng.randint(1, 4)):
            entry = rng.choice(entries)
            key = rng.choice(["id", "datetime", "name", "summary", "url", "type", "location"])
            target = entry
            if key == "location" and isinstance(entry["location"], dict) and rng.random() < 0.6:
                target, key = entry["location"], rng.choice(["name", "gps"])
            target[key] = rng.choice(ODD_VALUES)
        for entry in entries:
            if isinstance(entry.get("id"), int) and not isinstance(entry["id"], bool):
                entry["id"] = entry["id"] % 10**9 * 1000 + n if entry["id"] > 0 else entry["id"]
        path = tmp_path / f"f{n}.json"
        path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        before = PoliceEvent.objects.filter(party=party).count()
        result = run("polisen-events", party, path)
        after = PoliceEvent.objects.filter(party=party).count()
        if result.ok:
            assert after - before == result.rows_imported
        else:
            assert after == before and result.errors
            assert all(e.line == 0 or e.sv.startswith(f"post {e.line}:") for e in result.errors)
