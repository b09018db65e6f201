"""Every public edition is accessible by construction: it passes the machine-checkable
PDF/UA-1 rules with no error and no warning (two checkers from PyPI, no JVM), every chart
has alternative text written from its data, tables have header scope, and numbers keep
their units."""

from __future__ import annotations

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
    assert "<title>Stapeldiagram: x. Högst är C med 2" in chart.svg
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
