"""Choosing comparison municipalities: names or codes, unknown ones named, never the own."""

from __future__ import annotations

from django.urls import reverse

from samverkan.mapping.forms import ComparisonMunicipalitiesForm
from samverkan.mapping.models import ComparisonMunicipalities
from tests.mapping.comparison_data import make_own


def form(text: str, own_code: str = "1290", **extra) -> ComparisonMunicipalitiesForm:
    return ComparisonMunicipalitiesForm(
        {"municipalities": text, **extra}, instance=ComparisonMunicipalities(), own_code=own_code
    )


def test_names_and_codes_become_codes_in_the_given_order(db):
    f = form("Lund, 0380\nVäxjö kommun; 1480 Göteborg, lund")
    assert f.is_valid(), f.errors
    assert f.cleaned_data["municipalities"] == ["1281", "0380", "0780", "1480"]


def test_unknown_municipalities_are_named_in_the_message(db):
    f = form("Lund, Atlantis, 9999")
    assert not f.is_valid()
    message = f.errors["municipalities"][0]
    assert "Okänd kommun: ”Atlantis”, ”9999”" in message and "1281" in message


def test_own_municipality_is_refused(db):
    f = form("Lund, Kristianstad")
    assert not f.is_valid()
    assert f.errors["municipalities"] == [
        "Kristianstad är er egen kommun. Jämförelsekommunerna ska vara andra kommuner; "
        "ta bort den ur listan."
    ]


def test_empty_list_clears_the_comparison(db):
    f = form("")
    assert f.is_valid() and f.cleaned_data["municipalities"] == []


def url(world):
    return reverse(
        "mapping:comparison_edit",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )


def test_editor_saves_the_list_for_her_party(client, world):
    make_own(world.ours.kommun)
    client.force_login(world.alice)
    response = client.post(url(world), {"municipalities": "Lund, Uppsala", "basis": "SKR"})
    assert response.status_code == 302 and "/statistik/" in response.url
    saved = ComparisonMunicipalities.objects.get(party=world.ours.kommun)
    assert saved.codes == ["1281", "0380"] and saved.basis == "SKR"
    page = client.get(url(world)).content.decode()
    assert "Lund, Uppsala" in page  # the form shows names, not codes


def test_bad_list_is_not_saved_and_the_page_says_why(client, world):
    make_own(world.ours.kommun)
    client.force_login(world.alice)
    response = client.post(url(world), {"municipalities": "Lund, Kristianstad"})
    assert response.status_code == 400
    assert "Kristianstad är er egen kommun" in response.content.decode()
    assert not ComparisonMunicipalities.objects.exists()


def test_reader_may_not_change_the_list(client, world):
    client.force_login(world.carol)
    assert client.post(url(world), {"municipalities": "Lund"}).status_code == 403
    assert not ComparisonMunicipalities.objects.exists()


def test_other_party_and_outsider_get_404(client, world):
    for user in (world.bob, world.mallory):
        client.force_login(user)
        assert client.post(url(world), {"municipalities": "Lund"}).status_code == 404
    assert not ComparisonMunicipalities.objects.exists()
