"""Prioritisation shows, beside the hand scores, what the shared mapping says of each problem's
crime type: the latest whole year's count, the same count weighted by harm, and the recorded
costs; a party's unshared mapping never counts."""

import re

import pytest
from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.analysis.categories import LIV_HALSA, SKADEGORELSE
from samverkan.analysis.harm import HARM_WEIGHTS, harm_weight, harm_weighted_count
from samverkan.mapping.models import CrimeCost, CrimeStatistic, SituationReport
from samverkan.problems import services
from samverkan.problems.models import Problem

NAME = "Samverkan för ett tryggare centrum"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def test_harm_weights_put_crimes_against_the_person_first():
    assert harm_weight(LIV_HALSA) > harm_weight(SKADEGORELSE) > 0
    assert harm_weight("Något okänt") == 1
    assert harm_weighted_count([(LIV_HALSA, 3), (SKADEGORELSE, 10)]) == 3 * 10 + 10 * 2
    assert min(HARM_WEIGHTS.values()) >= 1
    with pytest.raises(ValueError):
        harm_weighted_count([(LIV_HALSA, -1)])


def _fresh_figures(demo):
    """Replace the shared statistics with known figures for 'Klotter' and 'Misshandel'."""
    kommun, police = demo.municipality_party(), demo.police_party()
    CrimeStatistic.objects.filter(party__partnership=demo).delete()
    CrimeCost.objects.filter(party__partnership=demo).delete()
    for party in (kommun, police):  # both imported the same Brå export: counted once
        for year, graffiti, assault in ((2022, 50, 8), (2023, 60, 9)):
            CrimeStatistic.objects.create(
                party=party, area="Exempelkommun", offence="Skadegörelse genom klotter",
                year=year, count=graffiti, category=SKADEGORELSE,
            )  # fmt: skip
            CrimeStatistic.objects.create(
                party=party, area="Exempelkommun", offence="Misshandel utomhus", year=year,
                count=assault, category=LIV_HALSA,
            )  # fmt: skip
    # A quarter of 2024 is not a whole year and is left out.
    CrimeStatistic.objects.create(
        party=kommun, area="Exempelkommun", offence="Skadegörelse genom klotter", year=2024,
        quarter=1, count=999, category=SKADEGORELSE,
    )  # fmt: skip
    CrimeCost.objects.create(party=kommun, item="Sanering av klotter", year=2023, amount="12000")
    CrimeCost.objects.create(party=kommun, item="Klotter på skolor", year=2023, amount="3000.50")
    CrimeCost.objects.create(party=kommun, item="Klotter på skolor", year=2022, amount="999")
    return kommun, police


def test_evidence_counts_each_shared_row_once_and_weights_it(demo):
    kommun, police = _fresh_figures(demo)
    graffiti = Problem.objects.create(partnership=demo, title="Klotter", crime_type="klotter")
    assault = Problem.objects.get(partnership=demo, crime_type="Misshandel utomhus")
    SituationReport.objects.filter(party__partnership=demo).update(status="shared")
    evidence = services.problem_evidence(demo)
    e = evidence[graffiti.pk]
    assert (e.year, e.count, e.harm_weighted) == (2023, 60, 60 * HARM_WEIGHTS[SKADEGORELSE])
    assert (e.cost, e.cost_year) == (15000.5, 2023)
    assert e.parties == sorted([str(kommun.organisation.name), str(police.organisation.name)])
    a = evidence[assault.pk]
    assert (a.count, a.harm_weighted, a.cost) == (9, 9 * HARM_WEIGHTS[LIV_HALSA], None)


def test_an_unshared_mapping_gives_no_evidence(demo):
    kommun, police = _fresh_figures(demo)
    graffiti = Problem.objects.create(partnership=demo, title="Klotter", crime_type="klotter")
    SituationReport.objects.filter(party__partnership=demo).update(status="draft")
    SituationReport.objects.filter(party=police).update(status="shared")
    CrimeStatistic.objects.filter(party=police).update(count=1)
    e = services.problem_evidence(demo)[graffiti.pk]
    # Only the police's figures are shared; the municipality's costs stay its own.
    assert (e.count, e.cost, e.parties) == (1, None, [str(police.organisation.name)])
    SituationReport.objects.filter(party__partnership=demo).update(status="draft")
    assert services.problem_evidence(demo) == {}


def test_the_prioritisation_page_shows_the_evidence_and_explains_the_weights(client, demo):
    _fresh_figures(demo)
    Problem.objects.create(partnership=demo, title="Klotter", crime_type="klotter")
    Problem.objects.create(partnership=demo, title="Buller", crime_type="")
    SituationReport.objects.filter(party__partnership=demo).update(status="shared")
    client.force_login(User.objects.get(username="demo.kommun"))
    html = client.get(reverse("problems:prioritisation", kwargs={"pk": demo.pk})).content.decode()
    text = _text(html)
    assert "Underlag från den delade kartläggningen" in text
    assert f"Klotter klotter 2023 60 {60 * HARM_WEIGHTS[SKADEGORELSE]} 15 001 (2023)" in text
    assert "Ange en brottstyp på problemet för att få underlag" in text
    assert "Hur skadevikterna är satta" in text and f"{LIV_HALSA} {HARM_WEIGHTS[LIV_HALSA]}" in text
