"""Every public edition is accessible by construction: it passes the machine-checkable
PDF/UA-1 rules with no error and no warning (two checkers from PyPI, no JVM), every chart
has alternative text written from its data, tables have header scope, and numbers keep
their units."""

from __future__ import annotations

import re

import pikepdf
import pytest

from samverkan.documents import accessibility, charts, data, render
from samverkan.documents.structure import Table
from samverkan.documents.templatetags.document_text import doc_text, names_pattern
from samverkan.lib import numbers
from samverkan.partnerships.models import Partnership


@pytest.fixture(scope="module")
def public_pdfs(kept, kept_demo):
    """Each public edition printed once for the module."""

    def build():
        partnership = Partnership.objects.get(pk=kept_demo)
        return {
            kind: render.to_pdf(data.build(kind, partnership, data.PUBLIC)) for kind in data.KINDS
        }

    return kept(build)


@pytest.mark.slow(reason="prints every public edition once (the module's fixture) and checks it")
@pytest.mark.parametrize("kind", list(data.KINDS))
def test_public_edition_passes_pdf_ua_1_with_no_error_and_no_warning(public_pdfs, kind, db):
    assert set(accessibility.available()) == {"outloud", "pdfua"}
    result = accessibility.check_pdf(public_pdfs[kind])
    assert result.checkers == ["outloud", "pdfua"]
    assert result.findings == [], "\n".join(str(f) for f in result.findings)


@pytest.mark.parametrize("kind", list(data.KINDS))
def test_no_word_of_a_public_edition_runs_off_its_page(public_pdfs, kind, db):
    """A table with many columns once pushed its last column past the page's edge, where the
    word was cut ("Polisens anmälningss"): every word lies inside its page."""
    import pymupdf

    with pymupdf.open(stream=public_pdfs[kind], filetype="pdf") as pdf:
        outside = [
            (page.number + 1, word[4])
            for page in pdf
            for word in page.get_text("words", flags=0)
            if word[2] > page.rect.x1 - 20 or word[0] < page.rect.x0 + 20
        ]
    assert outside == []


def _body_lines(page):
    """(top, bottom, heading?, text) of each line of text on a page, top to bottom, without
    the running footer and draft mark in the margins and the draft watermark. A heading is
    set in bold of 10,5 pt or more (h2–h4 and the title; table headers and chart labels are
    smaller)."""
    margin_top, margin_bottom = 2.2 * 72 / 2.54, 2.4 * 72 / 2.54
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            spans = [s for s in line["spans"] if s["text"].strip()]
            text = "".join(s["text"] for s in spans).strip()
            top, bottom = line["bbox"][1], line["bbox"][3]
            if not spans or text == "UTKAST" or top < margin_top - 4:
                continue
            if bottom > page.rect.height - margin_bottom + 4:
                continue
            heading = all("Bold" in s["font"] and s["size"] >= 10.4 for s in spans)
            lines.append((top, bottom, heading, text))
    return sorted(lines)


@pytest.mark.parametrize("kind", list(data.KINDS))
def test_no_page_of_a_public_edition_holds_only_a_heading_or_ends_in_one(public_pdfs, kind, db):
    """Pages holding only "Källor och begränsningar" and "Källor" once ended the lägesbild:
    a heading stays on the page of what follows it."""
    import pymupdf

    with pymupdf.open(stream=public_pdfs[kind], filetype="pdf") as pdf:
        pages = [(page.number + 1, _body_lines(page)) for page in pdf]
    assert all(lines for _n, lines in pages)
    only = [n for n, lines in pages if all(heading for _t, _b, heading, _x in lines)]
    assert only == []
    ending = [(n, lines[-1][3]) for n, lines in pages if lines[-1][2]]
    assert ending == []


@pytest.mark.slow(reason="prints a small PDF: the first print in a process loads the fonts")
def test_the_heading_rule_sees_a_heading_alone_on_a_page():
    """The check above finds what it looks for: a page of one h2 fails it."""
    import pymupdf

    html = (
        '<html lang="sv"><body><h2 style="font: bold 15pt \'DejaVu Sans\'">Källor</h2>'
        "<p style=\"break-before: page; font: 10pt 'DejaVu Sans'\">Text.</p></body></html>"
    )
    with pymupdf.open(stream=render.html_to_pdf(html), filetype="pdf") as pdf:
        first, second = (_body_lines(page) for page in pdf)
    assert [heading for _t, _b, heading, _x in first] == [True]
    assert [heading for _t, _b, heading, _x in second] == [False]


_UNIT = re.compile(
    r"^(\d{3}(?!\d)|%|‰|kr\b|kronor\b|tkr\b|mnkr\b|st\b|procent|invånare\b|brott\b|"
    r"händelser\b|svarande\b|personer\b)"
)


def _broken(pdf_bytes, names):
    """The names split over two lines ("Exempelkom-" / "mun") and the numbers broken from
    their digits or units ("412" / "000 kr", "19,5" / "%") in a printed PDF."""
    import pymupdf

    split_names, split_numbers = [], []
    with pymupdf.open(stream=pdf_bytes, filetype="pdf") as pdf:
        for page in pdf:
            for block in page.get_text("dict")["blocks"]:
                lines = [
                    ("".join(s["text"] for s in line["spans"]).strip(), line["bbox"])
                    for line in block.get("lines", [])
                ]
                for (text, box), (after, next_box) in zip(lines, lines[1:], strict=False):
                    if not text or not after or next_box[1] < box[3] - 1:
                        continue  # a cell beside this one in a table row, not the next line
                    last, first = text.split()[-1], after.split()[0]
                    if last.endswith(("-", "\u2010", "\u00ad")):
                        joined = last.rstrip("-\u2010\u00ad").lstrip("(") + first
                        split_names += [n for n in names if joined.startswith(n)]
                    if re.search(r"\d$", last) and _UNIT.match(first):
                        split_numbers.append(f"{last} / {first}")
    return split_names, split_numbers


@pytest.mark.parametrize("kind", list(data.KINDS))
def test_names_never_hyphenate_and_numbers_never_break_from_their_units(public_pdfs, kind, demo):
    """ "Exempelkom-mun" and "412 000 / kr" at a line's end were once printed: a name is
    never split over two lines, nor a number from its digits or its unit."""
    # The municipality, the police area and the parties (the partnership's own name is made
    # of ordinary words such as "centrum", which running text may hyphenate).
    names = {
        word
        for name in data.build("medborgarlofte", demo, data.PUBLIC).meta["names"][1:]
        for word in name.split()
        if len(word) > 3 and word[0].isupper()
    }
    assert "Exempelkommun" in names and "Lokalpolisområde" in names
    assert _broken(public_pdfs[kind], names) == ([], [])


@pytest.mark.slow(reason="prints a small PDF: the first print in a process loads the fonts")
def test_the_line_break_rule_sees_a_hyphenated_name_and_a_number_without_its_unit():
    """The check above finds what it looks for, in text set without the documents' care."""
    html = (
        '<html lang="sv"><body style="font: 10pt \'DejaVu Sans\'">'
        '<p style="width: 2.6cm; hyphens: auto">Exempelkommun Exempelkommun</p>'
        '<p style="width: 2.6cm">'
        + " ".join(f"{'a' * i} 412 000 kr" for i in range(3, 6))  # plain spaces
        + "</p></body></html>"
    )
    names, numbers_ = _broken(render.html_to_pdf(html), {"Exempelkommun"})
    assert names == ["Exempelkommun"] * 2
    assert numbers_ == ["000 / kr", "412 / 000"]


def test_word_files_hold_each_chart_as_a_png_with_its_alternative_text(demo):
    import io

    import docx

    from samverkan.documents.docx_builder import to_docx

    doc = data.build("lagesbild", demo, data.PUBLIC)
    alts = []

    def walk(section):
        alts.extend(block.alt for block in section.blocks if block.kind == "chart")
        for child in section.subsections:
            walk(child)

    for section in doc.sections:
        walk(section)
    word = docx.Document(io.BytesIO(to_docx(doc)))
    shapes = list(word.inline_shapes)
    assert len(alts) >= 3 and len(shapes) == len(alts)
    for shape, alt in zip(shapes, alts, strict=True):
        assert shape._inline.docPr.get("descr") == alt
        assert alt.startswith(("Linjediagram: ", "Stapeldiagram: "))
        blob = word.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
        assert blob.content_type == "image/png" and blob.blob.startswith(b"\x89PNG")


@pytest.mark.slow(reason="reads the structure tree of a printed edition")
def test_lagesbild_pdf_has_language_title_bookmarks_scoped_headers_and_figure_alt(public_pdfs, db):
    import io

    with pikepdf.open(io.BytesIO(public_pdfs["lagesbild"])) as pdf:
        assert str(pdf.Root.Lang) == "sv"
        assert str(pdf.docinfo.Title).startswith("Lägesbild")
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            titles += [child.title for item in outline.root for child in item.children]
        assert titles[0].startswith("Lägesbild") and len(titles) > 3  # heading bookmarks
        scopes, alts = set(), []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem":
                role = str(obj.get("/S"))
                if role == "/TH":
                    scopes.add(str(obj.A.Scope))
                if role == "/Figure":
                    alts.append(str(obj.get("/Alt", "")))
        assert scopes == {"/Column", "/Row"}
        assert alts and all(a.startswith(("Linjediagram: ", "Stapeldiagram: ")) for a in alts)


def test_line_chart_alternative_text_is_written_from_the_data():
    alt = charts.line_alt(
        (2006, 2007, 2008, 2009),
        (
            ("Stöld, rån och andra tillgreppsbrott", (1746, 1700, 1650, 1600)),
            ("Skadegörelsebrott", (400, 520, 480, 450)),
            ("Narkotikabrott", (30, None, 40, 40)),
        ),
        caption="Anmälda brott per år i de största brottskategorierna, Exempelkommun",
    )
    assert alt.startswith(
        "Linjediagram: anmälda brott per år i de största brottskategorierna, Exempelkommun, "
        "2006–2009. stöld, rån och andra tillgreppsbrott minskade från 1\u00a0746 till "
        "1\u00a0600; skadegörelsebrott ökade från 400 till 450, med högst 520 år 2007"
    )
    assert "Narkotikabrott: 2006 30, 2007 uppgift saknas, 2008 40" in alt


def test_bar_chart_alternative_text_names_highest_and_lowest():
    alt = charts.bar_alt(["Måndag", "Tisdag", "Onsdag"], [271, 223, 315], caption="Händelser")
    assert alt == (
        "Stapeldiagram: händelser. Högst är Onsdag med 315, lägst Tisdag med 223. "
        "Alla staplar: Måndag 271; Tisdag 223; Onsdag 315."
    )


def test_chart_svg_carries_its_alternative_text_as_title():
    chart = charts.bar_chart(["A & B", "C"], [1, 2], caption="x", source="s", axis_label="n")
    import xml.etree.ElementTree as ET

    svg = ET.fromstring(chart.svg)
    title = svg.find("{http://www.w3.org/2000/svg}title")
    assert svg[0] is title and svg.attrib["role"] == "img"  # the PDF printer's /Alt
    assert title.text == chart.alt and title.text.startswith("Stapeldiagram: x. Högst är C med 2")
    assert svg.attrib["aria-labelledby"] == title.attrib["id"]
    assert "A &amp; B 1" in chart.svg


def test_small_tables_keep_their_labels_as_data_and_larger_ones_get_row_headers():
    pairs = Table("Mått", ("Mått", "Värde"), (("Kvot", "0,81"), ("Intervall", "0,5–1,3")))
    assert not pairs.row_headers  # two columns: headers would outnumber the data
    grid = Table("Brott", ("Kategori", "2008", "2009"), tuple((c, "1", "2") for c in "abc"))
    assert grid.row_headers


def test_one_swedish_number_format_with_no_break_spaces():
    assert numbers.number(1746) == "1\u00a0746"
    assert numbers.number(-3.25) == "\u22123,2" or numbers.number(-3.25) == "\u22123,3"
    assert numbers.money(412000) == "412\u00a0000\u00a0kr"
    assert numbers.percent(19.5) == "19,5\u00a0%"
    assert numbers.percent(20.5, sign=True) == "+20,5\u00a0%"
    assert numbers.percent(-3, sign=True) == "\u22123\u00a0%"
    assert charts._number(1750, "") == "1\u00a0750"  # axes read like the tables
    text = "kostade 412 000 kr och 19,5 % av 10 513,3 brott"
    assert numbers.keep_together(text) == (
        "kostade 412\u00a0000\u00a0kr och 19,5\u00a0% av 10\u00a0513,3\u00a0brott"
    )


def test_document_text_escapes_and_keeps_names_whole():
    names = names_pattern(["Exempelkommun", "Lokalpolisområde Exempel"])
    html = doc_text("Exempelkommun <b> satsar 40 000 kr", names)
    assert html == ('<span class="name">Exempelkommun</span> &lt;b&gt; satsar 40\u00a0000\u00a0kr')


def test_public_edition_page_is_tagged_for_pdf_ua(demo):
    html = render.to_html(data.build("lagesbild", demo, data.PUBLIC), for_pdf=True)
    assert '<html lang="sv">' in html and "<title>Lägesbild" in html
    assert '<th scope="col">' in html and '<th scope="row">' in html
    assert "break-inside: avoid" in html and 'class="with-next"' in html
    assert "hyphens: manual" in html


def test_public_edition_is_served_as_html_beside_its_pdf_and_internal_is_not(client, demo):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    user = get_user_model().objects.get(username="demo.polis")
    client.force_login(user)
    url = reverse(
        "documents:download",
        kwargs={"pk": demo.pk, "kind": "medborgarlofte", "edition": "public", "fmt": "html"},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert (
        "offentlig" in response["Content-Disposition"]
        and ".html" in response["Content-Disposition"]
    )
    page = response.content.decode()
    assert '<html lang="sv">' in page and "Offentlig version" in page
    assert "Intern version" not in page
    internal = reverse(
        "documents:download",
        kwargs={"pk": demo.pk, "kind": "medborgarlofte", "edition": "internal", "fmt": "html"},
    )
    assert client.get(internal).status_code == 404
    listing = client.get(reverse("documents:list", kwargs={"pk": demo.pk})).content.decode()
    assert url in listing and reverse("documents:accessibility") in listing


def test_accessibility_statement_is_public_and_written_from_the_checks(client, db, settings):
    from django.urls import reverse

    from samverkan.documents.models import AccessibilityCheck

    settings.ACCESSIBILITY_CONTACT = "tillganglighet@exempel.se"
    url = reverse("documents:accessibility")
    page = client.get(url).content.decode()
    assert "Tillgänglighetsredogörelse" in page and "inte kontrollerats här" in page
    assert "mailto:tillganglighet@exempel.se" in page and "digg.se/tdosanmalan" in page
    AccessibilityCheck.objects.create(kind="lagesbild", checkers="outloud, pdfua")
    AccessibilityCheck.objects.create(kind="vecka", checkers="outloud, pdfua", warnings=2)
    page = client.get(url).content.decode()
    assert "kontrollerades senast" in page
    assert "Veckolägesbild: 0 fel och 2 varningar vid senaste kontrollen." in page
    assert "Inte kontrollerade:" in page and "Medborgarlöfte" in page
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Accessibility statement" in english


def test_build_document_without_edition_writes_the_public_edition_and_says_so(demo, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out = tmp_path / "lofte.html"
    stdout = StringIO()
    call_command(
        "build_document",
        "medborgarlofte",
        "--partnership",
        str(demo.pk),
        "--format",
        "html",
        "--output",
        str(out),
        stdout=stdout,
    )
    said = stdout.getvalue()
    assert "No --edition given: writing the public edition" in said
    assert "Wrote medborgarlofte (public, html)" in said
    assert "Offentlig version" in out.read_text()


def test_weekly_document_is_chosen_by_week_on_its_page_and_defaults_to_a_complete_week(
    client, demo
):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from samverkan.documents.vecka import default_week
    from samverkan.fieldwork import services as fieldwork

    assert default_week(demo) < fieldwork.current_week()  # never the week under way
    client.force_login(get_user_model().objects.get(username="demo.polis"))
    listing = client.get(reverse("documents:list", kwargs={"pk": demo.pk})).content.decode()
    assert 'name="vecka"' in listing
    page = reverse(
        "documents:preview", kwargs={"pk": demo.pk, "kind": "vecka", "edition": "public"}
    )
    chosen = client.get(page + "?vecka=2026-W40").content.decode()
    assert "Vecka 40, 2026" in chosen
    assert client.get(page + "?vecka=2026-W99").status_code == 404


def test_draft_for_decision_carries_diarienummer_and_proposed_decision(client, demo):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from samverkan.documents.models import DocumentDecision

    DocumentDecision.objects.filter(partnership=demo, kind="lagesbild").delete()
    client.force_login(get_user_model().objects.get(username="demo.kommun"))
    url = reverse("documents:proposal", kwargs={"pk": demo.pk, "kind": "lagesbild"})
    response = client.post(
        url,
        {
            "reference": "KS 2026/0412",
            "proposal": "Kommunstyrelsen föreslås fastställa lägesbilden.",
        },
    )
    assert response.status_code in (200, 302), response.content[:500]
    doc = data.build("lagesbild", demo, data.PUBLIC)
    assert doc.draft and doc.reference == "KS 2026/0412"
    lines = doc.text_lines()
    assert "Diarienummer: KS 2026/0412" in lines
    assert "Förslag till beslut: Kommunstyrelsen föreslås fastställa lägesbilden." in lines
    html = render.to_html(doc)
    assert "Förslag till beslut:</strong> Kommunstyrelsen föreslås" in html
