"""A decision is tied to the issued version it approved, and only that version's content is
marked "Fastställd" (issue 22, "the kommun's workflow")."""

from __future__ import annotations

import datetime
import importlib

from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from samverkan.documents import data
from samverkan.documents.models import DocumentDecision, IssuedDocument
from samverkan.problems.models import Measure

DECIDED = datetime.date(2026, 6, 14)


def issue_record(partnership, kind: str, edition: str, number: int, at=None) -> IssuedDocument:
    """An issued version holding what the document holds now (its lines, a token file: the
    stamp is decided from the content, which is what issuing stores)."""
    doc = data.build(kind, partnership, edition)
    record = IssuedDocument(
        partnership=partnership,
        kind=kind,
        edition=edition,
        format="pdf",
        number=number,
        sha256="0" * 64,
        source_lines=doc.text_lines(),
    )
    record.file.save(f"{kind}-{edition}-{number}.pdf", ContentFile(b"%PDF-1.4"), save=False)
    record.save()
    if at is not None:
        IssuedDocument.objects.filter(pk=record.pk).update(created_at=at)
        record.refresh_from_db()
    return record


def decide(partnership, approved=None) -> DocumentDecision:
    return DocumentDecision.objects.create(
        partnership=partnership,
        kind="atgardsplan",
        body="Kommunfullmäktige",
        decided_on=DECIDED,
        reference="KS 2026/117",
        approved=approved,
    )


def test_the_approved_version_is_fastställd_in_both_editions(kept_world):
    p = kept_world.ours.partnership
    decide(p, issue_record(p, "atgardsplan", data.PUBLIC, 1))
    for edition in (data.PUBLIC, data.INTERNAL):
        doc = data.build("atgardsplan", p, edition)
        assert doc.decided == "Fastställd av Kommunfullmäktige den 14 juni 2026 (version 1)"
        assert not doc.draft and doc.reference == "KS 2026/117"
        assert doc.date == "14 juni 2026"
        text = "\n".join(doc.text_lines())
        assert "Åtgärdsplan fastställdes av Kommunfullmäktige den 14 juni 2026" in text


def test_a_later_change_is_a_draft_that_names_the_adopted_version(kept_world):
    p = kept_world.ours.partnership
    decide(p, issue_record(p, "atgardsplan", data.PUBLIC, 1))
    measure = Measure.objects.filter(partnership=p).first()
    measure.title = "Ny lydelse efter beslutet"
    measure.save(update_fields=["title"])
    for edition in (data.PUBLIC, data.INTERNAL):
        doc = data.build("atgardsplan", p, edition)
        assert doc.draft and not doc.decided and not doc.reference
        text = "\n".join(doc.text_lines())
        assert "Fastställd av" not in text
        assert "Senast fastställda version: version 1, fastställd av Kommunfullmäktige" in text
        assert "den här versionen är inte fastställd" in text


def test_a_decision_without_a_version_marks_no_document(kept_world):
    p = kept_world.ours.partnership
    decide(p)
    doc = data.build("atgardsplan", p, data.PUBLIC)
    assert doc.draft and not doc.decided
    assert "Vilken version beslutet gällde är inte registrerat" in "\n".join(doc.text_lines())


def test_content_lines_leave_out_cover_gaps_and_decision():
    lines = ["Titel", "Utkast", "# Saknas i underlaget", "- x", "# Del 1", "text", "## Under",
             "# Beslut och uppdatering", "beslut", "# Del 2", "mer"]  # fmt: skip
    assert data.content_lines(lines) == ["# Del 1", "text", "## Under", "# Del 2", "mer"]


def _post(client, kept_world, **fields):
    url = reverse(
        "documents:decision", kwargs={"pk": kept_world.ours.partnership.pk, "kind": "atgardsplan"}
    )
    form = {"body": "Kommunfullmäktige", "decided_on": "2026-06-14", "reference": "KS 1"}
    return client.post(url, {**form, **fields})


def test_decision_form_asks_for_the_version_and_refuses_one_issued_after_it(client, kept_world):
    p = kept_world.ours.partnership
    # At noon: late in the evening (UTC) a date in June is already the next day in Stockholm.
    noon = timezone.now().replace(hour=12, minute=0)
    before = issue_record(p, "atgardsplan", data.PUBLIC, 1, at=noon.replace(2026, 6, 1))
    after = issue_record(p, "atgardsplan", data.PUBLIC, 2, at=noon.replace(2026, 7, 1))
    client.force_login(kept_world.alice)
    page = _post(client, kept_world).content.decode()
    assert (
        "Beslutad version" in page and "Version 1, offentlig version, utfärdad 2026-06-01" in page
    )
    assert not DocumentDecision.objects.filter(partnership=p, kind="atgardsplan").exists()
    page = _post(client, kept_world, approved=after.pk).content.decode()
    assert "Version 2 utfärdades efter beslutsdatumet." in page
    assert _post(client, kept_world, approved=before.pk).status_code == 302
    assert DocumentDecision.objects.get(partnership=p, kind="atgardsplan").approved == before
    listing = client.get(reverse("documents:list", kwargs={"pk": p.pk})).content.decode()
    assert "Beslutet gällde version 1 (offentlig version)" in listing


def test_a_version_of_another_partnership_cannot_be_named(client, kept_world):
    foreign = issue_record(kept_world.foreign.partnership, "atgardsplan", data.PUBLIC, 1)
    issue_record(kept_world.ours.partnership, "atgardsplan", data.PUBLIC, 1)
    client.force_login(kept_world.alice)
    response = _post(client, kept_world, approved=foreign.pk)
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not DocumentDecision.objects.filter(
        partnership=kept_world.ours.partnership, kind="atgardsplan"
    ).exists()


def test_migration_ties_an_existing_decision_to_the_latest_version_issued_by_then(kept_world):
    migration = importlib.import_module(
        "samverkan.documents.migrations.0007_decision_approved_version"
    )
    p = kept_world.ours.partnership
    at = timezone.now().replace
    first = issue_record(p, "atgardsplan", data.PUBLIC, 1, at=at(2026, 5, 1))
    second = issue_record(p, "atgardsplan", data.INTERNAL, 1, at=at(2026, 6, 10))
    issue_record(p, "atgardsplan", data.PUBLIC, 2, at=at(2026, 7, 1))  # after the decision
    record = decide(p)
    lagesbild = DocumentDecision.objects.get(partnership=p, kind="lagesbild")  # the world's
    migration.tie_to_latest_issued(apps, None)
    record.refresh_from_db()
    lagesbild.refresh_from_db()
    assert record.approved == second and first != second
    assert lagesbild.approved is None  # no lägesbild was issued: nothing is marked
