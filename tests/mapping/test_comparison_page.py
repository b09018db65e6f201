"""The comparison on the statistics page and in the lägesbild draft."""

from __future__ import annotations

from django.urls import reverse

from samverkan.mapping import services
from samverkan.mapping.models import KeyFigure
from tests.mapping.comparison_data import LUND, OWN, UPPSALA, build


def url(world):
    return reverse(
        "mapping:statistics",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )


def test_member_sees_comparison_table_chart_and_sentence(client, world):
    build(world.ours.kommun)
    client.force_login(world.carol)
    page = client.get(url(world)).content.decode()
    assert 'aria-labelledby="compare-heading"' in page
    assert "Anmälda brott per 100 000 invånare 2024" in page  # the table's caption
    assert '<th scope="row">Kristianstad (er kommun)</th>' in page
    assert '<th scope="row">Lund</th>' in page
    assert "befolkning saknas för 2024 i Växjö" in page
    assert "+17,6\u00a0%" in page  # 150 / 850
    assert 'aria-labelledby="rate-bars-title"' in page  # the bar chart
    assert "Anmälda brott per 100 000 invånare var 1\u00a0000 i Kristianstad år 2024" in page
    assert "Ändra jämförelsekommuner" not in page  # carol only reads


def test_editor_is_offered_to_choose_municipalities(client, world):
    client.force_login(world.alice)
    page = client.get(url(world)).content.decode()
    assert "Inga jämförelsekommuner är valda" in page and "Välj jämförelsekommuner" in page


def test_other_partys_member_and_outsider_get_404(client, world):
    build(world.ours.kommun)
    for user in (world.bob, world.mallory):
        client.force_login(user)
        assert client.get(url(world)).status_code == 404


def test_draft_states_rate_against_the_comparison_mean(world):
    party = world.ours.kommun
    build(party)
    for code, value in ((OWN, 9800.0), (LUND, 8000.0), (UPPSALA, 9500.0)):
        KeyFigure.objects.create(
            party=party, kpi="N07540", municipality_code=code, year=2024, gender="T", value=value
        )
    text = services.draft_text(party).replace("\u00a0", " ")
    assert (
        "Anmälda brott per 100 000 invånare var 9 800 i Kristianstad år 2024, 12 % över "
        "snittet för jämförelsekommunerna (Lund och Uppsala: 8 750)."
    ) in text
    # sd(8 000, 9 500) = 1 060.7, so 1 050 above the mean is within one standard deviation
    assert "mindre än en standardavvikelse" in text
    assert "Siffra saknas för Växjö." in text
    assert "Källa: Kolada N07540" in text


def test_draft_names_the_offence_group_that_differs_most(world):
    party = world.ours.kommun
    build(party)
    text = services.draft_text(party).replace("\u00a0", " ")
    # violence +21.0 % (375 vs 310) differs more than damage +15.7 % (625 vs 540)
    assert (
        "Störst skillnad bland brottsgrupperna har brott mot liv och hälsa: 21 % över snittet "
        "(375 mot 310 per 100 000 invånare år 2024)."
    ) in text
    # and the three-year trend of the own rate: 875, 950, 1 000
    assert "ökade anmälda brott per 100 000 invånare med i genomsnitt 62,5 per år" in text


def test_draft_is_swedish_even_for_an_english_reader(world, settings):
    from django.utils import translation

    party = world.ours.kommun
    build(party)
    with translation.override("en"):
        text = services.draft_text(party)
    assert "över snittet för jämförelsekommunerna" in text
