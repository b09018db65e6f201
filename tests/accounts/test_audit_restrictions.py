"""History entries inherit the restriction of the confidential item they derive from."""

import importlib

import pytest
from django.apps import apps

from samverkan.accounts import access
from samverkan.accounts.audit import acting_as, refresh_restrictions
from samverkan.accounts.models import AuditEntry
from samverkan.documents import services as documents
from samverkan.implementation.models import ActivityEntry, progress_for
from samverkan.problems.models import Measure


def _entries(obj):
    return AuditEntry.objects.filter(model_label=obj._meta.label_lower, object_id=str(obj.pk))


def test_activity_and_status_of_a_confidential_measure_are_restricted(world):
    ours = world.ours
    measure = Measure.objects.get(pk=ours.extra_ids["measure_id"])
    measure.confidential = True
    measure.save()
    measure.allowed_parties.set([ours.polis])
    with acting_as(world.bob):
        entry = ActivityEntry.objects.create(measure=measure, what="Hembesök hos X")
        progress = progress_for(measure)
        progress.status = "started"
        progress.save()
    for obj in (entry, progress, measure):
        for audit in _entries(obj):
            assert audit.restricted_to == [ours.polis.pk], (obj, audit.changes)
    shown = access.mask_history(
        world.alice, ours.partnership, access.history_for(world.alice, ours.partnership)
    )
    assert not [e for e in shown if "Hembesök" in str(e.changes) or "Hembesök" in e.object_repr]
    shown = access.mask_history(
        world.bob, ours.partnership, access.history_for(world.bob, ours.partnership)
    )
    assert [e for e in shown if "Hembesök" in str(e.changes)]


def test_a_measure_made_confidential_later_takes_its_past_history_with_it(world):
    ours = world.ours
    measure = Measure.objects.get(pk=ours.extra_ids["measure_id"])
    with acting_as(world.alice):
        entry = ActivityEntry.objects.create(measure=measure, what="Samtal med Y")
    assert all(a.restricted_to == [] for a in _entries(entry))
    measure.confidential = True
    measure.save()
    measure.allowed_parties.set([ours.kommun])
    assert all(a.restricted_to == [ours.kommun.pk] for a in _entries(entry))
    assert all(a.restricted_to == [ours.kommun.pk] for a in _entries(measure))
    measure.confidential = False
    measure.save()
    assert all(a.restricted_to == [] for a in _entries(entry))


def test_deleted_activity_keeps_its_restriction_through_the_measure_it_named(world):
    ours = world.ours
    measure = Measure.objects.get(pk=ours.extra_ids["measure_id"])
    with acting_as(world.alice):
        entry = ActivityEntry.objects.create(measure=measure, what="Samtal med Z")
        entry_id = entry.pk
        entry.delete()
    entry.pk = entry_id
    measure.confidential = True
    measure.save()
    measure.allowed_parties.set([ours.polis])
    created = _entries(entry).get(action="create")
    assert created.restricted_to == [ours.polis.pk]


@pytest.mark.slow(reason="issues documents: real PDFs are printed")
def test_issued_documents_are_in_the_history_without_their_text(world):
    with acting_as(world.alice):
        issued = documents.issue(world.ours.partnership, "lagesbild", "internal", world.alice)
    for record in issued:
        for audit in _entries(record):
            assert not {"source_lines", "changes", "confidential_access"} & set(audit.changes)


@pytest.mark.slow(reason="runs the history backfill migration forwards on a filled database")
def test_backfill_migration_restricts_old_open_entries_and_drops_document_text(world):
    ours = world.ours
    measure = Measure.objects.get(pk=ours.extra_ids["measure_id"])
    measure.confidential = True
    measure.save()
    measure.allowed_parties.set([ours.polis])
    with acting_as(world.bob):
        entry = ActivityEntry.objects.create(measure=measure, what="Hembesök")
        issued = documents.issue(ours.partnership, "agreement", "internal", world.bob)[0]
    # As recorded before the gate: open to all, with the document's whole text.
    _entries(entry).update(restricted_to=[])
    _entries(issued).update(restricted_to=[], changes={"source_lines": {"new": ["hemligt"]}})
    migration = importlib.import_module(
        "samverkan.accounts.migrations.0006_audit_inherited_restrictions"
    )
    migration.backfill(apps, None)
    assert all(a.restricted_to == [ours.polis.pk] for a in _entries(entry))
    audit = _entries(issued).get()
    assert audit.restricted_to == [ours.polis.pk] and "source_lines" not in audit.changes
    assert refresh_restrictions(ours.partnership.pk) == 0  # the same rule as the live code
