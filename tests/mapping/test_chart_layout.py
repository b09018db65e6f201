"""The statistics page's charts come from the one chart engine: labels stay readable (no
two overlap, long names are not cut off), numbers read as the tables write them, and each
chart is an image with a title and a description written from its data."""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from samverkan.mapping.charts import heatmap, rate_bars, trend_chart
from tests.charts.svgtext import outside, overlapping, root, texts


def test_trend_chart_labels_of_lines_ending_close_together_do_not_overlap():
    svg = trend_chart("t", [2020, 2021], [("A", [240, 241]), ("B", [242, 243]), ("C", [239, 240])])
    names = [t for t in texts(svg) if t.text in "ABC"]
    assert len(names) == 3
    assert overlapping(svg) == [] and outside(svg) == []


def test_trend_chart_is_described_from_its_data_with_axis_numbers_like_the_tables():
    svg = trend_chart(
        "Andel otrygga", [2008, 2010], [("Kommundel A", [12.5, 1746.0])], ident="survey-1"
    )
    element = root(svg)
    assert element.attrib["aria-labelledby"] == "survey-1-title"
    desc = element[1].text
    assert desc.startswith("Linjediagram: andel otrygga, 2008–2010")
    assert "ökade från 12,5 till 1\u00a0746" in desc
    assert "2\u00a0000" in [t.text for t in texts(svg)]


def test_rate_bars_leave_room_for_a_long_name():
    bars = [("Exempelkommun (er kommun)", 10_513.0, True), ("Nässjö", 9_708.0, False)]
    svg = rate_bars("t", bars, mean=10_195.4, mean_label="snitt")
    written = [t.text for t in texts(svg)]
    assert "Exempelkommun (er kommun)" in written  # whole, not cut
    assert "10\u00a0513" in written and "snitt 10\u00a0195" in written
    assert overlapping(svg) == [] and outside(svg) == []
    assert 'font-weight="bold">Exempelkommun (er kommun)<' in svg  # the own bar in bold


def test_rate_bars_write_a_missing_rate_out():
    svg = rate_bars("t", [("A", None, False), ("B", 3.0, True)], missing_label="uppgift saknas")
    assert "uppgift saknas" in [t.text for t in texts(svg)]


def test_heatmap_names_each_cell_and_says_the_busiest_day():
    matrix = [[0.0] * 24 for _ in range(7)]
    matrix[5][22] = 3.5
    svg = heatmap("Händelser per veckodag och timme", matrix)
    assert "Lördag 22:00–22:59: 3,5" in svg
    assert "på lördag" in root(svg)[1].text
    assert overlapping(svg) == [] and outside(svg) == []


def _titles_and_descs(page: str) -> list[tuple[str, str]]:
    found = []
    for match in re.finditer(r"<svg\b.*?</svg>", page, re.S):
        element = root(match.group(0))
        if element.attrib.get("role") == "img" and len(element) > 1:
            found.append((element[0].text or "", element[1].text or ""))
    return found


def test_statistics_page_charts_are_titled_and_described_in_the_page_language(client, world):
    client.force_login(world.carol)
    address = reverse(
        "mapping:statistics",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )
    swedish = _titles_and_descs(client.get(address).content.decode())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _titles_and_descs(client.get(address).content.decode())
    assert len(swedish) == len(english) >= 2
    sv_text = " ".join(f"{t} {d}" for t, d in swedish)
    en_text = " ".join(f"{t} {d}" for t, d in english)
    assert "Antal anmälda brott (statistik) per brottskategori och år" in sv_text
    assert "Linjediagram: antal anmälda brott" in sv_text and "Värden per år:" in sv_text
    assert "Värmekarta: händelser per veckodag och timme" in sv_text and "på fredag" in sv_text
    assert "Number of reported offences (statistics) per offence category and year" in en_text
    assert "Line chart: number of reported offences" in en_text and "Values by year:" in en_text
    assert "Heat map: incidents by day of week and hour" in en_text and "on Friday" in en_text
    for swedish_word in ("Linjediagram", "Värmekarta", "Värden per år", "Händelser"):
        assert swedish_word not in en_text
    # The heat map's rows are the page's weekdays.
    assert ">Friday</text>" in client.get(address).content.decode()


def test_alt_texts_follow_the_active_language_and_documents_stay_swedish():
    from samverkan import charts
    from samverkan.documents import charts as document_charts

    series = [("Stöld", [12.5, 10.0])]
    with translation.override("en"):
        english = charts.line_alt([2020, 2021], series, caption="Thefts")
        bars = charts.bar_alt(["A", "B"], [1.5, None], caption="Rates", reference=2.0)
        document = document_charts.line_alt([2020, 2021], series, caption="Stölder")
        drawn = document_charts.bar_chart(
            ["A", "B"], [1.5, 3.0], caption="Stölder", source="Källa", axis_label="Antal"
        )
    assert english == (
        "Line chart: thefts, 2020–2021. stöld fell from 12.5 to 10. "
        "Values by year: Stöld: 2020 12.5, 2021 10."
    )
    assert bars == "Bar chart: rates. Reference: 2. All bars: A 1.5; B no figure."
    assert document.startswith("Linjediagram: stölder, 2020–2021. stöld minskade från 12,5 till 10")
    assert drawn.alt.startswith("Stapeldiagram: stölder. Högst är B med 3, lägst A med 1,5")
