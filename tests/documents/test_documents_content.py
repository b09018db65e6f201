"""Documents from the worked example: content checked against the data in PDF and Word,
and no confidential text in any public edition (issue 5)."""

import io
from io import StringIO

import docx
import pytest
from django.core.management import call_command
from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.documents import data, services
from samverkan.documents.models import IssuedDocument
from samverkan.problems.models import Cause, Measure
from tests.downloads import body, get_document
from tests.pdf_text import pdf_text

CONFIDENTIAL = ("livsstilskriminella", "gatorna L och M; underrättelser", "LVM")



def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_no_confidential_text_reaches_any_public_document_in_either_format(demo):
    for kind in data.KINDS:
        doc = data.build(kind, demo, data.PUBLIC)
        text = "\n".join(doc.text_lines())
        for secret in CONFIDENTIAL:
            assert secret not in text, (kind, secret)
        word = docx_text(services.render_as(doc, "docx"))
        for secret in CONFIDENTIAL:
            assert secret not in word, (kind, secret)
    agreement_pdf = pdf_text(services.render_as(data.build("agreement", demo, data.PUBLIC), "pdf"))
    for secret in CONFIDENTIAL:
        assert secret not in agreement_pdf
    assert "Orsak under sekretess" in agreement_pdf  # the neutral line of cause 10
    assert "Lokalpolisområde Exempel" in agreement_pdf


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_internal_agreement_pdf_and_docx_hold_the_chain_from_the_data(demo):
    police = User.objects.get(username="demo.polis")
    doc = data.build("agreement", demo, data.INTERNAL, police)
    pdf = pdf_text(services.render_as(doc, "pdf"))
    word = docx_text(services.render_as(doc, "docx"))
    for text in (pdf, word):
        assert "Del 1. Beslut om samverkan och organisation" in text
        assert "Bilaga 2. Parternas åtagandeplaner" in text
        for measure in Measure.objects.filter(partnership=demo):
            assert measure.title[:40] in text, measure.title
        assert Cause.objects.get(partnership=demo, number=10).text[:30] in text
        assert "Kommunstyrelsens ordförande" in text
    document = docx.Document(io.BytesIO(services.render_as(doc, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Bilaga 1. Gemensam problembild och orsaksanalys" in headings
    assert len(document.inline_shapes) == 2  # the two charts, as pictures


def test_internal_edition_hides_what_the_viewer_may_not_see(demo):
    municipal = User.objects.get(username="demo.kommun")
    text = "\n".join(data.build("agreement", demo, data.INTERNAL, municipal).text_lines())
    assert "livsstilskriminella" not in text
    assert "under sekretess (hos Lokalpolisområde Exempel)" in text


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_issuing_stores_immutable_versions_with_hash_and_changes(demo):
    first = services.issue(demo, "atgardsplan", data.PUBLIC)
    # The public edition is also issued as its accessible HTML twin
    assert [d.format for d in first] == ["pdf", "docx", "html"]
    assert first[2].file.read().decode().startswith("<!DOCTYPE html>")
    assert all(len(d.sha256) == 64 and d.number == 1 for d in first)
    measure = Measure.objects.get(partnership=demo, number=2)
    measure.title = "Ny handlingsplan för busstorget"
    measure.save()
    second = services.issue(demo, "atgardsplan", data.PUBLIC)
    assert second[0].number == 2
    assert any("Ny handlingsplan för busstorget" in line for line in second[0].changes)
    with pytest.raises(Exception, match="immutable"):
        second[0].save()
    assert IssuedDocument.objects.filter(partnership=demo).count() == 6


def test_medborgarlofte_and_followup_and_lagesbild_follow_the_structure(demo):
    promise = "\n".join(data.build("medborgarlofte", demo, data.INTERNAL).text_lines())
    assert "Det här lovar vi" in promise
    assert "LVM" not in promise  # the promise is public by nature
    lagesbild = "\n".join(data.build("lagesbild", demo, data.PUBLIC).text_lines())
    for part in ("1. Kartläggning av brottsligheten", "2. Annan information", "3. Analys"):
        assert part in lagesbild
    followup = "\n".join(data.build("followup", demo, data.PUBLIC).text_lines())
    assert "Processuppföljning" in followup and "Effektuppföljning" in followup


def test_build_document_command_writes_a_docx(demo, tmp_path):
    out = tmp_path / "agreement.docx"
    stdout = StringIO()
    call_command(
        "build_document",
        "agreement",
        "--partnership",
        str(demo.pk),
        "--format",
        "docx",
        "--edition",
        "public",
        "--output",
        str(out),
        stdout=stdout,
    )
    assert "Wrote agreement (public, docx)" in stdout.getvalue()
    assert "Samverkansöverenskommelse" in docx_text(out.read_bytes())


def test_build_document_command_rejects_unknown_partnership(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no partnership with id 999"):
        call_command(
            "build_document",
            "agreement",
            "--partnership",
            "999",
            "--format",
            "pdf",
            "--edition",
            "public",
            "--output",
            str(tmp_path / "x.pdf"),
        )


def test_download_pages_give_word_files_to_members(client, demo):
    client.force_login(User.objects.get(username="demo.kyrkan"))
    url = reverse(
        "documents:download",
        kwargs={"pk": demo.pk, "kind": "medborgarlofte", "edition": "public", "fmt": "docx"},
    )
    response = get_document(client, url)
    assert response.status_code == 200
    assert "Det här lovar vi" in docx_text(body(response))
    listing = client.get(reverse("documents:list", kwargs={"pk": demo.pk}))
    assert "/utfarda/" not in listing.content.decode()  # a member reads, does not issue


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_internal_version_with_secrets_is_not_given_to_others(client, demo):
    police = User.objects.get(username="demo.polis")
    version = services.issue(demo, "agreement", data.INTERNAL, police)[1]
    assert version.confidential_access
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse("documents:version_download", kwargs={"pk": demo.pk, "issued_id": version.pk})
    assert client.get(url).status_code == 404
    client.force_login(police)
    assert client.get(url).status_code == 200


def test_decision_record_sets_next_update_a_year_later(client, demo):
    client.force_login(User.objects.get(username="demo.kommun"))
    response = client.post(
        reverse("documents:decision", kwargs={"pk": demo.pk, "kind": "atgardsplan"}),
        {"body": "Kommunfullmäktige", "decided_on": "2026-03-01", "reference": "KS 2026/5"},
    )
    assert response.status_code == 302
    record = demo.document_decisions.get(kind="atgardsplan")
    assert str(record.next_update_due) == "2027-03-01"
    text = "\n".join(data.build("atgardsplan", demo, data.PUBLIC).text_lines())
    assert "Kommunfullmäktige" in text and "KS 2026/5" in text
