"""The lägesbild at full depth (Lag 2023:196, 4 §; issue 12): the three parts with numbered
tables and figures from the parties' released mapping, sources and limitations, a written
analysis that flags initiative offences, the parties' texts once each, small counts
withheld in the public edition, and only released material used."""

import io
import re

import docx
import pytest

from samverkan.documents import data, render, services
from samverkan.mapping.choices import ReportStatus
from samverkan.mapping.models import CrimeStatistic, SituationReport
from tests.documents.test_documents_content import docx_text, pdf_text


def _lines(doc) -> str:
    return "\n".join(doc.text_lines())


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_public_lagesbild_has_the_three_parts_numbered_tables_figures_and_sources(demo):
    doc = data.build("lagesbild", demo, data.PUBLIC)
    assert doc.subtitle == ("över brottsligheten i Centrum (kommundel A och B) i Exempelkommun")
    pdf = pdf_text(services.render_as(doc, "pdf"))
    content = services.render_as(doc, "docx")
    word = docx_text(content)
    for text in (pdf, word):
        for heading in (
            "1. Kartläggning av brottsligheten, dess omfattning och konsekvenser",
            "2. Annan information av betydelse",
            "3. Analys",
            "Källor och begränsningar",
            "Vad begränsningarna kan betyda",
        ):
            assert heading in text, heading
        for label in ("Tabell 1.", "Tabell 2.", "Tabell 3.", "Figur 1.", "Figur 2.", "Figur 3."):
            assert label in text, label
        assert "Tabell 1. Anmälda brott per brottskategori, 2006–2009" in text
        assert "Figur 1. Anmälda brott per år i de största brottskategorierna" in text
        assert "Källor i kartläggningen" in text and "Bortvalda källor och varför" in text
    assert "Brå: anmälda brott per kommun (Exempelkommun)" in word  # a source, named
    assert "Skolans drogvaneundersökning (CAN) (Exempelkommun)" in word  # left out, and why
    document = docx.Document(io.BytesIO(content))
    assert len(document.inline_shapes) >= 3
    # Figures and tables are numbered in order, each number once.
    numbers = [int(n) for n in re.findall(r"Tabell (\d+)\. ", word)]
    assert numbers == sorted(set(numbers)) and numbers[0] == 1


def test_table_of_crime_by_category_and_year_is_counted_once_across_parties(demo):
    doc = data.build("lagesbild", demo, data.INTERNAL)
    text = _lines(doc)
    # Both parties imported the same Brå file; each figure is counted once, not doubled.
    assert "Brott mot liv och hälsa | 200 | 210 | 219 | 241 | +20,5\u00a0% |" in text
    assert "Samtliga | 3\u00a0353 | 3\u00a0331 | 3\u00a0320 | 3\u00a0359 |" in text


@pytest.mark.slow(reason="builds the lägesbild from every shared mapping of the demo")
def test_the_parties_texts_appear_once_without_the_generated_figures(demo):
    text = _lines(data.build("lagesbild", demo, data.PUBLIC))
    assert text.count("Underlaget omfattar anmälda brott") == 0
    assert text.count("10\u00a0513,3") == 0
    assert text.count("Kommunens bedömning: otryggheten har ökat mest i kommundel A") == 1
    assert text.count("Polisens bedömning: misshandel utomhus") == 1


def test_analysis_is_written_from_the_figures_and_flags_initiative_offences(demo):
    text = _lines(data.build("lagesbild", demo, data.PUBLIC))
    assert "## Vad siffrorna visar" in text
    assert "Mest ökade" in text
    assert re.search(r"Observera: .*narkotikabrott \(\+25\u00a0%\) är initiativbrott", text)
    assert "Spanings- och ingripandebrott (initiativbrott) |" in text  # the table row
    assert "återgång mot medelvärdet" in text
    assert "## Prioriterade problem och skälen för dem" in text
    assert "## Källor som analysen bygger på" in text


def test_annan_information_uses_the_partnerships_own_material(demo):
    text = _lines(data.build("lagesbild", demo, data.PUBLIC))
    part2 = text[text.index("# 2. Annan information") : text.index("# 3. Analys")]
    for heading in ("Trygghetsmätningar", "Trygghetsvandringar", "Resurser och pågående arbete"):
        assert f"## {heading}" in part2
    assert "Känner sig otrygg ute ensam sent på kvällen" in part2
    assert "[Figur" in part2  # the survey charted
    assert "Kommunen ansvarar för tillsyn av serveringstillstånd" in part2


def test_public_edition_withholds_small_counts_and_totals_that_would_give_them_back(demo):
    CrimeStatistic.objects.filter(offence="Brott mot alkohollagstiftningen", year=2009).update(
        count=3
    )
    CrimeStatistic.objects.filter(offence="Narkotikabrott", year=2009).update(count=1)
    public = _lines(data.build("lagesbild", demo, data.PUBLIC))
    internal = _lines(data.build("lagesbild", demo, data.INTERNAL))
    assert "Alkohol- och narkotikabrott | 152 | 167 | 182 | färre än 5 | – | –" in public
    # Every other total of 2009 would give the small cell back by subtraction.
    assert "Samtliga | 3\u00a0353 | 3\u00a0331 | 3\u00a0320 | ... |" in public
    assert "Spanings- och ingripandebrott (initiativbrott) | 247 | 269 | 280 | ... | –" in public
    assert not re.search(r"^2009 \| ", public, re.M)  # the rate of the 2009 total
    assert re.search(r"^2009 \| ", internal, re.M)
    assert "gick från 3\u00a0353 år 2006" not in public
    assert "gick från 3\u00a0353 år 2006" in internal
    assert "Alkohol- och narkotikabrott | 152 | 167 | 182 | 4 |" in internal


def test_only_parties_that_shared_their_lagesbild_contribute(demo):
    SituationReport.objects.filter(party__organisation__name="Exempelkommun").update(
        status=ReportStatus.DRAFT
    )
    text = _lines(data.build("lagesbild", demo, data.INTERNAL))
    assert "Klottersanering" not in text  # the municipality's costs stay with it
    assert "Trygghetsvandringar" not in text
    assert "Kommunens bedömning" not in text
    assert "Polisens bedömning" in text


def test_charts_have_unique_ids_and_no_inline_styles_the_pdf_printer_warns_about():
    from samverkan.documents import charts

    first = charts.bar_chart(["A", "B"], [10, 20], caption="a", source="s", axis_label="x")
    second = charts.line_chart(
        (2008, 2009), (("A", (1, 2)), ("B", (3, None))), caption="b", source="s", axis_label="y"
    )
    for chart in (first, second):
        assert 'style="' not in chart.svg and "<style" not in chart.svg
    ids = [set(re.findall(r'id="([^"]+)"', c.svg)) for c in (first, second)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]
    assert "B: 2008 3, 2009 uppgift saknas" in second.alt  # a withheld value is a gap, said so
    assert charts.bar_chart(["A", "B"], [10, 20], caption="a", source="s", axis_label="x") is first


@pytest.mark.slow(reason="prints real PDF and Word files and reads them back")
def test_the_lagesbild_pdf_is_printed_without_warnings(demo, caplog):
    doc = data.build("lagesbild", demo, data.PUBLIC)
    with caplog.at_level("WARNING", logger="weasyprint"):
        render.print_pdf(render.to_html(doc, for_pdf=True))  # laid out now, never from a cache
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


def test_a_withheld_place_takes_the_shares_and_the_total_with_it_in_public(demo):
    from samverkan.mapping.models import Incident

    kommun = demo.parties.get(organisation__name="Exempelkommun")
    keep = list(
        Incident.objects.filter(party=kommun, place="Kommunhuset").values_list("key", flat=True)
    )[:3]
    Incident.objects.filter(party=kommun, place="Kommunhuset").exclude(key__in=keep).delete()
    public = _lines(data.build("lagesbild", demo, data.PUBLIC))
    internal = _lines(data.build("lagesbild", demo, data.INTERNAL))
    table = public[public.index("Platser med flest händelser enligt Exempelkommun") :]
    table = table[: table.index("Källa:") + 200]
    assert "Kommunhuset | färre än 5 | –" in table
    assert "Busstorget | 148 | –" in table and "händelser med plats" not in table
    assert "enligt Exempelkommun skedde" not in public  # the concentration share
    assert "Kommunhuset | 3 |" in internal and "enligt Exempelkommun skedde" in internal
