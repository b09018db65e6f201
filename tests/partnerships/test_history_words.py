"""The history speaks the reader's language: labels, names, Swedish dates, no internals."""

import datetime
import re

from django.urls import reverse

from samverkan.accounts import audit
from samverkan.accounts.models import AuditEntry
from samverkan.followup.models import EffectEvaluation
from samverkan.implementation.models import Progress
from samverkan.problems.models import Measure


def _history(client, world, user):
    client.force_login(user)
    return client.get(
        reverse("partnerships:history", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()


def test_choices_booleans_names_and_dates_are_in_words(client, world):
    partnership = world.ours.partnership
    evaluation = EffectEvaluation.objects.get(partnership=partnership)
    with audit.acting_as(world.alice):
        evaluation.interpretation = "police_initiated"
        evaluation.selected_for_high_level = True
        evaluation.save()
        decision = world.ours.decision
        decision.decided_on = datetime.date(2026, 11, 20)
        decision.save()
    page = _history(client, world, world.carol)
    assert "victim_interaction" not in page and "police_initiated" not in page
    assert "Anmäls av brottsutsatta (med kontakt)" in page
    assert "Upptäcks främst genom polisens insatser" in page
    assert "True" not in page and "<del>Nej</del> → <ins>Ja</ins>" in page
    assert "20 november 2026" in page
    # The evaluation names its goal, not the goal's id.
    created = AuditEntry.objects.filter(model_label="followup.effectevaluation", action="create")
    assert created.exists()
    assert "Färre våldsbrott" in page


def test_status_change_shows_labels_and_user_names(client, world):
    measure = Measure.objects.get(partnership=world.ours.partnership)
    with audit.acting_as(world.bob):
        progress = Progress.objects.get_or_create(measure=measure)[0]
        progress.status, progress.owner = "started", world.bob
        progress.save()
    page = _history(client, world, world.carol)
    assert "planned" not in page and "started" not in page
    assert "Planerad</del> → <ins>Påbörjad" in page
    assert "Bob" in page


def test_storage_paths_and_iso_times_are_not_shown(client, world):
    from django.core.files.base import ContentFile

    with audit.acting_as(world.alice):
        world.ours.decision.attachment.save("protokoll.pdf", ContentFile(b"%PDF-1.4"))
    stored = world.ours.decision.attachment.name
    assert "/" in stored
    page = _history(client, world, world.carol)
    assert "protokoll.pdf" in page and stored not in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", page)


def test_confidential_item_is_not_named_through_a_foreign_key(client, world):
    measure = Measure.objects.get(partnership=world.ours.partnership)
    measure.confidential = True
    measure.save()
    measure.allowed_parties.set([world.ours.kommun])
    from samverkan.implementation.models import ActionItem
    from samverkan.partnerships.history import HistoryReader

    field = ActionItem._meta.get_field("measure")
    assert HistoryReader(world.bob, world.ours.partnership).value(field, measure.pk) == (
        "Uppgift under sekretess"
    )
    assert HistoryReader(world.alice, world.ours.partnership).value(field, measure.pk) == str(
        measure
    )


def test_opening_a_measure_in_step_4_writes_no_history(client, world):
    measure = Measure.objects.get(partnership=world.ours.partnership)
    Progress.objects.filter(measure=measure).delete()
    before = AuditEntry.objects.count()
    client.force_login(world.bob)
    url = reverse(
        "implementation:log", kwargs={"pk": world.ours.partnership.pk, "measure_id": measure.pk}
    )
    assert client.get(url).status_code == 200
    edit = reverse(
        "implementation:progress",
        kwargs={"pk": world.ours.partnership.pk, "measure_id": measure.pk},
    )
    assert client.get(edit).status_code == 200
    assert AuditEntry.objects.count() == before
    assert not Progress.objects.filter(measure=measure).exists()


def test_setting_started_fills_the_start_date(client, world):
    measure = Measure.objects.get(partnership=world.ours.partnership)
    Progress.objects.filter(measure=measure).delete()
    client.force_login(world.bob)
    edit = reverse(
        "implementation:progress",
        kwargs={"pk": world.ours.partnership.pk, "measure_id": measure.pk},
    )
    response = client.post(edit, {"status": "started"})
    assert response.status_code == 302
    progress = Progress.objects.get(measure=measure)
    assert progress.started_on is not None


def test_lists_years_and_amounts_are_written_plainly(world):
    from samverkan.mapping.models import Import
    from samverkan.partnerships.history import HistoryReader

    reader = HistoryReader(world.alice, world.ours.partnership)
    headers = Import._meta.get_field("headers")
    assert reader.value(headers, "['Kommun', 'Brott', 'År']") == "Kommun, Brott, År"
    assert reader.value(headers, "{}") == "–"
    year = Measure._meta.get_field("number")
    assert reader.value(year, 2024) == "2024"
    assert reader.value(year, 1250000) == "1\u00a0250\u00a0000"  # lib.numbers: no-break spaces


def test_the_partnership_itself_is_not_repeated_in_every_entry(client, world):
    page = _history(client, world, world.carol)
    assert "Samverkan: Samverkan Centrum" not in page
