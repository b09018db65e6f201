"""Documents a kommun can send as they are (issue 12): sender, logo, decision and diarienummer,
the decision's date or "Utkast", A4 Word files with the partnership as author, the agreement's
signature block, its validity against the decision, and the internal "Saknas" page."""

import base64
import datetime
import io

import docx
import pytest
from django.utils import timezone
from django.utils.formats import date_format

from samverkan.documents import data, render, services
from samverkan.documents.models import DocumentDecision
from samverkan.lib.env import SettingError, env_image
from tests.documents.test_documents_content import docx_text, pdf_text

# The smallest valid PNG: one transparent pixel.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_decided_agreement_names_sender_decision_and_date_in_pdf_and_word(demo):
    doc = data.build("agreement", demo, data.PUBLIC)
    pdf = pdf_text(services.render_as(doc, "pdf"))
    content = services.render_as(doc, "docx")
    word = docx_text(content)
    for text in (pdf, word):
        assert "Exempelkommun och Lokalpolisområde Exempel" in text
        assert "Fastställd av Kommunstyrelsen och polisledningen den 1 februari 2010" in text
        assert "KS 2010/0042" in text
        assert "Utkast" not in text and "UTKAST" not in text
        today = date_format(timezone.localdate(), "j F Y")
        assert f"· {today}" not in text  # the decision's date, not today's
    assert "Sida 1 av" in pdf
    document = docx.Document(io.BytesIO(content))
    section = document.sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    assert section.left_margin.cm == pytest.approx(2.2, abs=0.01)
    assert document.core_properties.author == demo.name
    assert document.core_properties.title == f"Samverkansöverenskommelse – {demo.name}"
    assert document.core_properties.language == "sv-SE"
    footer = section.footer.paragraphs[0]._p.xml
    assert "Sida " in footer and "NUMPAGES" in footer


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_undecided_lagesbild_is_a_draft_dated_today(demo):
    doc = data.build("lagesbild", demo, data.PUBLIC)
    assert doc.draft and not doc.decided
    assert doc.date == date_format(timezone.localdate(), "j F Y")
    pdf = pdf_text(services.render_as(doc, "pdf"))
    assert "UTKAST – inte beslutat" in pdf  # in the page margin of every page
    document = docx.Document(io.BytesIO(services.render_as(doc, "docx")))
    assert "UTKAST" in document.sections[0].header.paragraphs[0].text
    assert "Dokumentet är inte beslutat" in docx_text(services.render_as(doc, "docx"))


def test_recorded_decision_gives_the_document_its_date_and_diarienummer(demo):
    from tests.documents.test_decision_version import issue_record

    DocumentDecision.objects.create(
        partnership=demo,
        kind="atgardsplan",
        body="Kommunfullmäktige",
        decided_on=datetime.date(2010, 6, 14),
        reference="KS 2010/0117",
        # The version it approved: only a document with that content is "Fastställd".
        approved=issue_record(demo, "atgardsplan", data.PUBLIC, 1),
    )
    doc = data.build("atgardsplan", demo, data.PUBLIC)
    assert doc.date == "14 juni 2010" and not doc.draft
    word = docx_text(services.render_as(doc, "docx"))
    assert "Fastställd av Kommunfullmäktige den 14 juni 2010 (version 1)" in word
    assert "Diarienummer: KS 2010/0117" in word


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_agreement_signature_block_has_names_titles_and_place_and_date_first(demo):
    doc = data.build("agreement", demo, data.INTERNAL)
    pdf = pdf_text(services.render_as(doc, "pdf"))
    block = pdf[pdf.index("Överenskommelsen gäller från 1 februari 2010 till 31 december 2011") :]
    assert block.index("Ort och datum") < block.index("Lars Ek")
    assert "Ort och datum Lars Ek Kommunstyrelsens ordförande, Exempelkommun" in block
    assert "Ort och datum Eva Nord Länspolismästare, Lokalpolisområde" in block
    document = docx.Document(io.BytesIO(services.render_as(doc, "docx")))
    signatures = next(t for t in document.tables if "Ort och datum" in t.rows[1].cells[0].text)
    column = [row.cells[0].text.strip() for row in signatures.rows]
    assert column[1:] == [
        "Ort och datum",
        "______________________________",
        "Lars Ek",
        "Kommunstyrelsens ordförande, Exempelkommun",
    ]
    assert signatures.rows[3].cells[1].text == "Eva Nord"


def test_validity_before_the_decision_is_flagged_internally_and_moved_to_the_decision(demo):
    demo.started_on = datetime.date(2010, 1, 11)
    demo.save()
    internal = "\n".join(data.build("agreement", demo, data.INTERNAL).text_lines())
    public = "\n".join(data.build("agreement", demo, data.PUBLIC).text_lines())
    assert "ligger före beslutet om samverkan" in internal
    assert "ligger före beslutet" not in public
    for text in (internal, public):
        assert "gäller från 1 februari 2010" in text
    assert "11 januari 2010" not in public


def test_empty_required_fields_are_listed_on_the_internal_saknas_page(demo):
    kommun = demo.parties.get(organisation__name="Exempelkommun")
    kommun.signatory_name = ""
    kommun.save()
    demo.valid_until = None
    demo.save()
    internal = data.build("agreement", demo, data.INTERNAL)
    assert internal.sections[0].heading == "Saknas i underlaget"
    lines = "\n".join(internal.text_lines())
    assert "- Namn på den som undertecknar för Exempelkommun (Steg 1, Parter)" in lines
    assert "- Slutdatum för överenskommelsens giltighet (Steg 1, Samverkan)" in lines
    assert "till uppgift saknas" in lines
    word = docx_text(services.render_as(internal, "docx"))
    assert "Saknas i underlaget" in word and "Namn saknas" in word
    public = data.build("agreement", demo, data.PUBLIC)
    assert all(s.heading != "Saknas i underlaget" for s in public.sections)


def test_logo_setting_puts_the_logo_on_the_cover(demo, settings, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    settings.DOCUMENT_LOGO = str(logo)
    doc = data.build("medborgarlofte", demo, data.PUBLIC)
    assert 'src="data:image/png;base64,' in render.to_html(doc)
    document = docx.Document(io.BytesIO(services.render_as(doc, "docx")))
    assert document.inline_shapes[0]._inline.docPr.get("descr") == doc.sender


def test_logo_setting_refuses_what_is_not_an_image(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCUMENT_LOGO", str(tmp_path / "missing.png"))
    with pytest.raises(SettingError, match="cannot be read"):
        env_image("DOCUMENT_LOGO")
    text = tmp_path / "logo.png"
    text.write_text("not an image")
    monkeypatch.setenv("DOCUMENT_LOGO", str(text))
    with pytest.raises(SettingError, match="not a PNG or JPEG"):
        env_image("DOCUMENT_LOGO")
    monkeypatch.delenv("DOCUMENT_LOGO")
    assert env_image("DOCUMENT_LOGO") == ""


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_every_document_builds_for_a_partnership_with_no_data_and_lists_the_gaps(db):
    from tests import factories

    world = factories.make_partnership(complete=False)
    for kind in data.KINDS:
        for edition in (data.INTERNAL, data.PUBLIC):
            doc = data.build(kind, world.partnership, edition)
            assert services.render_as(doc, "docx")  # Word files build: no render errors
            text = "\n".join(doc.text_lines())
            assert "None" not in text, (kind, edition)
    lagesbild = data.build("lagesbild", world.partnership, data.INTERNAL)
    assert "Delade lägesbilder från parterna (Steg 2, Lägesbild: Dela)" in lagesbild.gaps
    assert "Ingen part har delat brottsstatistik för hela år." in "\n".join(lagesbild.text_lines())
