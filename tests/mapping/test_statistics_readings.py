"""The party's statistics page reads its data the way the handbook asks: crimes by
interpretation category with what a change in each means (a rise in initiative crimes is first
a question about police work), survey results over time as a chart, and the costs of crime
totalled per year."""

import re

from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.analysis.categories import POLICE_INITIATED, VICTIM_WITHOUT_INTERACTION
from samverkan.mapping import stats
from samverkan.mapping.models import CrimeCost, CrimeStatistic, SurveyResult

NAME = "Samverkan för ett tryggare centrum"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def _page(client, demo, party, username="demo.kommun") -> str:
    client.force_login(User.objects.get(username=username))
    url = reverse("mapping:statistics", kwargs={"pk": demo.pk, "party_id": party.pk})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _stat(party, offence, year, count, interpretation):
    CrimeStatistic.objects.create(
        party=party, area="Exempelkommun", offence=offence, year=year, count=count,
        category="Alkohol- och narkotikabrott" if interpretation == POLICE_INITIATED
        else "Stöld, rån och andra tillgreppsbrott",
        interpretation=interpretation,
    )  # fmt: skip


def test_the_demo_page_shows_interpretation_categories_surveys_and_costs(client, demo):
    kommun = demo.municipality_party()
    html = _page(client, demo, kommun)
    text = _text(html)
    assert "Brotten efter tolkningskategori" in text
    assert "Offerbrott utan interaktion" in text
    assert "en ökning kan betyda mer polisarbete" in text
    assert "Trygghetsmätningar" in text
    question = SurveyResult.objects.filter(party=kommun).values_list("question", flat=True)[0]
    assert question in text
    assert 'aria-labelledby="survey-1-title"' in html
    # Every chart names its own title: no id twice on the page.
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "Kostnader för brott" in text
    costs = CrimeCost.objects.filter(party=kommun)
    last = max(c.year for c in costs)
    total = round(sum(float(c.amount) for c in costs if c.year == last))
    assert f"{total:,}".replace(",", " ") + f" kr år {last}" in text


def test_a_rise_in_initiative_crimes_is_read_as_police_work_first(client, demo):
    police = demo.police_party()
    CrimeStatistic.objects.filter(party=police).delete()
    for year, drugs, thefts in ((2021, 40, 300), (2022, 45, 310), (2023, 70, 305)):
        _stat(police, "Narkotikabrott, innehav", year, drugs, POLICE_INITIATED)
        _stat(police, "Stöld ur bil", year, thefts, VICTIM_WITHOUT_INTERACTION)
    trend = stats.interpretation_trend(police)
    assert trend.years == [2021, 2022, 2023]
    initiative = next(r for r in trend.rows if r.code == POLICE_INITIATED)
    assert initiative.counts == [40, 45, 70] and initiative.change_percent == 75.0
    assert len(trend.notes) == 1
    assert "+75,0 %" in trend.notes[0] and "Narkotikabrott, innehav (+30)" in trend.notes[0]
    text = _text(_page(client, demo, police, "demo.polis"))
    assert "fråga först om polisen har arbetat mer med dem" in text


def test_a_steady_trend_and_a_year_in_part_get_no_warning(demo):
    police = demo.police_party()
    CrimeStatistic.objects.filter(party=police).delete()
    for year in (2021, 2022, 2023):
        _stat(police, "Narkotikabrott, innehav", year, 50, POLICE_INITIATED)
    # A quarter of 2024 is not a whole year: it neither counts nor triggers a reading.
    CrimeStatistic.objects.create(
        party=police, area="Exempelkommun", offence="Narkotikabrott, innehav", year=2024,
        quarter=1, count=200, category="Alkohol- och narkotikabrott",
        interpretation=POLICE_INITIATED,
    )  # fmt: skip
    trend = stats.interpretation_trend(police)
    assert trend.years == [2021, 2022, 2023] and trend.notes == []


def test_unclassified_crimes_are_pointed_out(demo):
    police = demo.police_party()
    CrimeStatistic.objects.filter(party=police).delete()
    for year in (2022, 2023):
        _stat(police, "Stöld ur bil", year, 80, VICTIM_WITHOUT_INTERACTION)
        _stat(police, "Okänt brott", year, 20, "")
    notes = stats.interpretation_trend(police).notes
    assert len(notes) == 1 and notes[0].startswith("20 % av brotten 2023")


def test_surveys_chart_only_complete_lines_and_costs_add_up(demo):
    kommun = demo.municipality_party()
    SurveyResult.objects.filter(party=kommun).delete()
    CrimeCost.objects.filter(party=kommun).delete()
    for year, share in ((2021, 30.0), (2022, 25.5)):
        SurveyResult.objects.create(
            party=kommun, question="Otrygg på kvällen", area="Centrum", year=year, share=share,
            n=120,
        )  # fmt: skip
    SurveyResult.objects.create(
        party=kommun, question="Otrygg på kvällen", area="Norr", year=2022, share=10, n=40
    )
    (series,) = stats.survey_series(kommun)
    assert series.years == [2021, 2022]
    assert series.areas == [("Centrum", [30.0, 25.5], [120, 120]), ("Norr", [None, 10], [None, 40])]
    assert series.chart_series() == [("Centrum", [30.0, 25.5])]
    for year, item, amount in ((2022, "Klotter", "1000.50"), (2023, "Klotter", "1500"),
                               (2023, "Glas", "500")):  # fmt: skip
        CrimeCost.objects.create(party=kommun, item=item, year=year, amount=amount)
    costs = stats.cost_totals(kommun)
    assert costs.years == [2022, 2023]
    assert costs.items == [("Glas", [None, 500.0]), ("Klotter", [1000.5, 1500.0])]
    assert costs.totals == [1000.5, 2000.0]
    assert costs.change_percent() == 99.9


def test_another_partys_statistics_stay_its_own(client, demo):
    police = demo.police_party()
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse("mapping:statistics", kwargs={"pk": demo.pk, "party_id": police.pk})
    assert client.get(url).status_code == 404


def test_statistics_page_without_data_invites_entry(client, demo):
    kommun = demo.municipality_party()
    for model in (SurveyResult, CrimeCost, CrimeStatistic):
        model.objects.filter(party=kommun).delete()
    text = _text(_page(client, demo, kommun))
    assert "Inga resultat från trygghetsmätningar ännu" in text
    assert "Inga kostnader för brott registrerade ännu" in text
    assert "Brotten efter tolkningskategori" not in text


def test_the_mapping_header_says_what_sharing_the_lagesbild_shared(client, demo):
    from samverkan.mapping.models import SituationReport

    kommun = demo.municipality_party()
    SituationReport.objects.filter(party=kommun).update(status="shared")
    text = _text(_page(client, demo, kommun))
    assert "Lägesbilden är delad med samverkans parter; underlaget här" in text
    SituationReport.objects.filter(party=kommun).update(status="draft")
    text = _text(_page(client, demo, kommun))
    assert "Den visas bara för partens medlemmar tills parten delar sin lägesbild" in text
