"""The 5I write-up from the worked example: built by the command in both formats and both
editions, and a public edition that holds nothing confidential and no small count, even when
the stored text was written before an item became confidential or a count became small."""

from __future__ import annotations

import io
from io import StringIO

import docx
import pytest
from django.core.management import call_command

from samverkan.accounts.models import User
from samverkan.documents import data, services
from samverkan.followup import write_up
from samverkan.followup.models import EffectEvaluation, WriteUpPart
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Cause, Measure
from tests.pdf_text import pdf_text


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return " ".join(" ".join(parts).split())


def _store_the_draft(partnership: Partnership) -> None:
    write_up.redraft(partnership, {part: "" for part in write_up.PARTS})


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_command_builds_both_editions_in_both_formats(demo, tmp_path):
    for edition in ("internal", "public"):
        for fmt in ("pdf", "docx"):
            out = tmp_path / f"fem-i-{edition}.{fmt}"
            stdout = StringIO()
            call_command(
                "build_document",
                "fem-i",
                "--partnership",
                str(demo.pk),
                "--format",
                fmt,
                "--edition",
                edition,
                "--output",
                str(out),
                stdout=stdout,
            )
            assert f"Wrote fem-i ({edition}, {fmt})" in stdout.getvalue()
            content = out.read_bytes()
            text = pdf_text(content) if fmt == "pdf" else docx_text(content)
            assert "5I-beskrivning" in text
            for heading in (
                "1. Underrättelser",
                "2. Insats",
                "3. Införande",
                "4. Involvering",
                "5. Effekt",
                "Källor och förbehåll",
            ):
                assert heading in text, (edition, fmt, heading)
            assert "Ekblom" in text
    internal = docx.Document(io.BytesIO((tmp_path / "fem-i-internal.docx").read_bytes()))
    headings = [p.text for p in internal.paragraphs if p.style.name.startswith("Heading")]
    assert "1. Underrättelser – problemet och dess orsaker" in headings
    # Until the coordinator has reviewed the parts, the internal edition says so.
    assert "Saknas i underlaget" in headings


def test_command_refuses_an_unknown_partnership(demo, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no partnership"):
        call_command(
            "build_document",
            "fem-i",
            "--partnership",
            "999",
            "--format",
            "pdf",
            "--edition",
            "public",
            "--output",
            str(tmp_path / "x.pdf"),
        )


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_public_edition_holds_nothing_of_an_item_made_confidential_after_drafting(demo):
    _store_the_draft(demo)
    police = demo.police_party()
    measure = Measure.objects.get(partnership=demo, number=4)
    cause = Cause.objects.get(partnership=demo, number=5)
    stored = "\n".join(s.text for s in demo.write_up_sections.all())
    assert measure.title in stored and cause.text in stored  # drafted while open
    for item in (measure, cause):
        item.confidential = True
        item.save()
        item.allowed_parties.set([police])
    secrets = (measure.title[:45], cause.text[:40], "uniformerade poliser", "Småbråk vid snabbmat")

    doc = data.build("fem-i", demo, data.PUBLIC)
    lines = "\n".join(doc.text_lines())
    pdf = pdf_text(services.render_as(doc, "pdf"))
    word = docx_text(services.render_as(doc, "docx"))
    for text in (lines, pdf, word):
        for secret in secrets:
            assert secret not in text, secret
        assert "nämner en uppgift under sekretess" in text
        assert "under sekretess (hos Lokalpolisområde Exempel)" in text  # the neutral line
        assert "Lokalpolisområde Exempel" in text
    # The demo's own confidential items are not there either.
    for secret in ("livsstilskriminella", "gatorna L och M; underrättelser", "LVM"):
        assert secret not in lines and secret not in pdf and secret not in word

    # Inside: the municipality may not see the police's items; the police may.
    municipal = User.objects.get(username="demo.kommun")
    inside = "\n".join(data.build("fem-i", demo, data.INTERNAL, municipal).text_lines())
    assert measure.title[:45] not in inside and cause.text[:40] not in inside
    officer = User.objects.get(username="demo.polis")
    theirs = "\n".join(data.build("fem-i", demo, data.INTERNAL, officer).text_lines())
    assert measure.title[:45] in theirs
    assert "texten nämner en uppgift under sekretess" in theirs  # on the "Saknas" page


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_public_edition_shows_no_small_count_from_a_stored_text(demo):
    _store_the_draft(demo)
    impact = demo.write_up_sections.get(part=WriteUpPart.IMPACT).text
    assert "från 76 till 56" in impact
    evaluation = EffectEvaluation.objects.get(partnership=demo)
    evaluation.treated_before, evaluation.treated_after = 76, 3
    evaluation.save()
    # The coordinator writes the new result into the text by hand.
    section = demo.write_up_sections.get(part=WriteUpPart.IMPACT)
    section.text = impact.replace("från 76 till 56", "från 76 till 3")
    section.save()

    doc = data.build("fem-i", demo, data.PUBLIC)
    effect = _section_lines(doc, "5. Effekt")
    assert "från 76 till 3" not in effect
    assert "för små för att redovisas offentligt" in effect
    assert not any(f"{n}" in line.split() for line in effect.splitlines() for n in (3, 76))
    pdf = pdf_text(services.render_as(doc, "pdf"))
    assert "från 76 till 3" not in pdf
    inside = _section_lines(data.build("fem-i", demo, data.INTERNAL), "5. Effekt")
    assert "från 76 till 3" in inside  # the internal edition keeps it, with a warning
    assert "visas därför inte i den offentliga versionen" in inside


def _section_lines(doc, heading: str) -> str:
    section = next(s for s in doc.sections if s.heading.startswith(heading))
    probe = data.Document(kind="x", title="", subtitle="", edition="", partnership="", date="")
    probe.sections = [section]
    return "\n".join(probe.text_lines())


def test_reviewed_parts_leave_the_saknas_page(demo):
    _store_the_draft(demo)
    doc = data.build("fem-i", demo, data.INTERNAL)
    assert not any("ingen har granskat" in gap for gap in doc.gaps)
