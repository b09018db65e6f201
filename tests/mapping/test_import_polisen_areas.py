"""A file of Polisen's events for other municipalities gets the same question as a statistics
file: only the partnership's areas, or all (issue 22)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samverkan.mapping import services
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import PoliceEvent
from tests import factories
from tests.mapping.test_import_polisen import event, write_events

# Lund (1281) in Skåne län is the partnership's municipality below.
EVENTS = [
    event(id=1, name="14 januari 19.12, Rån, Lund", place="Lund", gps="55.70466,13.191007"),
    event(id=2, name="14 januari 20.00, Brand, Skåne län", type="Brand", place="Skåne län",
          gps="55.990368,13.595648"),
    event(id=3),  # Norrköping, another municipality
    event(id=4, name="14 januari 21.00, Trafikolycka, Östergötlands län", type="Trafikolycka",
          place="Östergötlands län", gps="58.410807,15.621373"),
]  # fmt: skip


def _world():
    world = factories.make_world()
    org = world.ours.partnership.municipality
    org.code = "1281"
    org.save()
    return world


@pytest.fixture(scope="module")
def shared(kept):
    return kept(_world)


@pytest.fixture
def w(shared, db):
    return shared


def _import(w, tmp_path, entries=EVENTS, **kwargs):
    path = write_events(tmp_path, entries)
    return services.import_file(w.ours.kommun, "polisen-events", path, **kwargs)


def test_events_for_another_municipality_wait_for_the_choice(client, w, tmp_path):
    record, result = _import(w, tmp_path)
    assert record.status == ImportStatus.NEEDS_AREAS and result.needs_areas
    assert not PoliceEvent.objects.filter(party=w.ours.kommun).exists()
    roles = {a["name"]: (a["code"], a["role"], a["rows"]) for a in record.areas}
    assert roles == {
        "Lund": ("1281", "own", 1),
        "Skåne län": ("12", "county", 1),
        "Norrköping": ("0581", "other", 1),
        "Östergötlands län": ("05", "other", 1),
    }
    client.force_login(w.alice)
    page = client.get(
        reverse(
            "mapping:import_detail",
            kwargs={
                "pk": w.ours.partnership.pk,
                "party_id": w.ours.kommun.pk,
                "import_id": record.pk,
            },
        )
    ).content.decode()
    assert "Filen innehåller andra kommuner än samverkans kommun (Lund (1281))" in page
    assert "länet som samverkans kommun ligger i" in page and "annat län" in page
    assert "Alla områden i filen, också de andra kommunerna" in page


def test_choosing_own_keeps_the_partnerships_municipality_and_county(w, tmp_path):
    record, _ = _import(w, tmp_path)
    services.choose_areas(record, "own")
    record.save()
    result = services.perform_import(record)
    record.refresh_from_db()
    assert result.ok and record.status == ImportStatus.DONE
    assert record.rows_imported == 2 and record.rows_left_out == 2
    kept = PoliceEvent.objects.filter(party=w.ours.kommun)
    assert sorted(kept.values_list("event_id", flat=True)) == [1, 2]


def test_choosing_all_imports_every_event(w, tmp_path):
    record, _ = _import(w, tmp_path)
    services.choose_areas(record, "all")
    record.save()
    services.perform_import(record)
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE and record.rows_imported == 4


def test_events_of_the_own_municipality_and_county_need_no_question(w, tmp_path):
    record, _ = _import(w, tmp_path, EVENTS[:2])
    assert record.status == ImportStatus.DONE and record.rows_imported == 2


def test_the_command_answers_the_question_beforehand(w, tmp_path):
    record, _ = _import(w, tmp_path, area_choice="own")
    assert record.status == ImportStatus.DONE and record.rows_left_out == 2
