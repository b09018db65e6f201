"""Harm weights per partnership: editable by those who may edit step 3, with their source shown,
checked in Swedish, guarded against overwriting a newer change, written to the history, and able
to order the prioritisation list."""

import re

from django.urls import reverse

from samverkan.accounts.models import AuditEntry
from samverkan.analysis.categories import LIV_HALSA, SKADEGORELSE
from samverkan.analysis.harm import HARM_WEIGHTS, harm_weighted_count
from samverkan.mapping.models import CrimeStatistic, SituationReport
from samverkan.problems import services
from samverkan.problems.forms import HarmWeightsForm
from samverkan.problems.models import DEFAULT_HARM_SOURCE, HARM_FIELDS, Problem


def url(world, name="harm_weights_edit", **query):
    base = reverse(f"problems:{name}", kwargs={"pk": world.ours.partnership.pk})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def _data(record, **changes):
    data = {name: getattr(record, name) for name in HARM_FIELDS}
    data.update(source=record.source, version=record.version)
    data.update(changes)
    return data


def test_the_weights_start_at_the_defaults_with_their_source(world):
    record = services.harm_weights_for(world.ours.partnership)
    assert record.as_dict() == HARM_WEIGHTS
    assert record.source == DEFAULT_HARM_SOURCE and record.is_default()
    assert services.harm_weights_for(world.ours.partnership).pk == record.pk


def test_analysis_takes_the_weights_it_is_given():
    pairs = [(LIV_HALSA, 2), (SKADEGORELSE, 10)]
    assert harm_weighted_count(pairs) == 2 * 10 + 10 * 2
    assert harm_weighted_count(pairs, {LIV_HALSA: 1, SKADEGORELSE: 7}) == 2 + 70
    assert harm_weighted_count([("Okänd kategori", 4)], {}) == 4  # the default weight


def test_the_form_refuses_bad_weights_in_swedish(world):
    record = services.harm_weights_for(world.ours.partnership)
    form = HarmWeightsForm(_data(record, liv_halsa="-1", trafik="tre", ovrigt=""), instance=record)
    assert not form.is_valid()
    assert form.errors["liv_halsa"] == ["Vikten kan inte vara negativ."]
    assert form.errors["trafik"] == ["Vikten ska vara ett heltal, till exempel 3."]
    assert form.errors["ovrigt"] == [
        "Ange en vikt för Övriga brott (0 om kategorin inte ska räknas)."
    ]
    form = HarmWeightsForm(_data(record, sexualbrott="10001"), instance=record)
    assert form.errors["sexualbrott"] == ["Vikten kan vara högst 10\u00a0000."]
    form = HarmWeightsForm(_data(record, source="  "), instance=record)
    assert form.errors["source"][0].startswith("Ange var vikterna kommer ifrån")
    zeros = {name: "0" for name in HARM_FIELDS}
    form = HarmWeightsForm(_data(record, **zeros), instance=record)
    assert not form.is_valid()
    assert form.non_field_errors()[0].startswith("Minst en brottskategori måste ha en vikt över 0")


def test_a_coordinator_changes_the_weights_and_the_history_records_it(client, world):
    record = services.harm_weights_for(world.ours.partnership)
    client.force_login(world.bob)
    page = client.get(url(world)).content.decode()
    assert "Standardvikt: 10." in page and "Skadevikter per brottskategori" in page
    response = client.post(
        url(world), _data(record, skadegorelse="5", source="Egen bedömning i styrgruppen.")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.skadegorelse == 5 and record.version == 2 and not record.is_default()
    entry = AuditEntry.objects.filter(model_label="problems.harmweights").latest("id")
    assert "skadegorelse" in entry.changes
    text = _text(client.get(url(world, "prioritisation")).content.decode())
    assert "Källa: Egen bedömning i styrgruppen." in text
    assert f"{SKADEGORELSE} 5 {HARM_WEIGHTS[SKADEGORELSE]}" in text


def test_only_those_who_may_edit_step_3_change_the_weights(client, world):
    record = services.harm_weights_for(world.ours.partnership)
    for user in (world.carol, world.steve, world.mallory):
        client.force_login(user)
        assert client.get(url(world)).status_code in (403, 404)
        response = client.post(url(world), _data(record, liv_halsa="1"))
        assert response.status_code in (403, 404)
    record.refresh_from_db()
    assert record.liv_halsa == HARM_WEIGHTS[LIV_HALSA] and record.version == 1
    client.force_login(world.carol)
    page = client.get(url(world, "prioritisation")).content.decode()
    assert "Hur skadevikterna är satta" in page and url(world) not in page


def test_two_people_changing_the_weights_cannot_overwrite_each_other(client, world):
    record = services.harm_weights_for(world.ours.partnership)
    shown = _data(record)
    client.force_login(world.alice)
    assert client.post(url(world), {**shown, "trafik": "4"}).status_code == 302
    client.force_login(world.bob)
    response = client.post(url(world), {**shown, "trafik": "9"})
    assert response.status_code == 400
    assert "Någon annan har ändrat detta" in response.content.decode()
    record.refresh_from_db()
    assert record.trafik == 4


def _shared_figures(world):
    p = world.ours.partnership
    party = world.ours.kommun
    SituationReport.objects.update_or_create(party=party, defaults={"status": "shared"})
    for offence, category, count in (
        ("Skadegörelse genom klotter", SKADEGORELSE, 40),
        ("Misshandel utomhus", LIV_HALSA, 5),
    ):
        CrimeStatistic.objects.create(
            party=party, area="Exempelkommun", offence=offence, year=2025, count=count,
            category=category,
        )  # fmt: skip
    graffiti = Problem.objects.create(
        partnership=p, title="Klotter", crime_type="klotter", frequency=5
    )
    assault = Problem.objects.create(partnership=p, title="Misshandel", crime_type="misshandel")
    return graffiti, assault


def test_the_list_can_be_ordered_by_the_harm_weighted_count(client, world):
    graffiti, assault = _shared_figures(world)
    ranking = services.ranking(world.ours.partnership)
    assert [p for p, _s in ranking].index(graffiti) < [p for p, _s in ranking].index(assault)
    evidence = services.problem_evidence(world.ours.partnership)
    assert (evidence[graffiti.pk].harm_weighted, evidence[assault.pk].harm_weighted) == (80, 50)
    # With the partnership's own weights the assault weighs more than the graffiti.
    record = services.harm_weights_for(world.ours.partnership)
    record.liv_halsa = 20
    record.save()
    evidence = services.problem_evidence(world.ours.partnership)
    by_harm = [p for p, _s in services.order_by_harm(ranking, evidence)]
    assert by_harm[:2] == [assault, graffiti]
    # Problems without a count come last, in their score order.
    rest = [p for p, _s in ranking if p not in (assault, graffiti)]
    assert by_harm[2:] == rest

    client.force_login(world.carol)
    text = _text(client.get(url(world, "prioritisation", ordning="skada")).content.decode())
    assert "Ordnad efter skadeviktat antal" in text
    table = text[text.index("Rangordning") :]
    assert table.index("Misshandel") < table.index("Klotter")
    by_score = _text(client.get(url(world, "prioritisation")).content.decode())
    assert "Ordnad efter poäng" in by_score
    table = by_score[by_score.index("Rangordning") :]
    assert table.index("Klotter") < table.index("Misshandel")


def test_the_source_is_a_note_not_a_document(world):
    from samverkan.problems.forms import HARM_SOURCE_MAX

    record = services.harm_weights_for(world.ours.partnership)
    form = HarmWeightsForm(_data(record, source="x" * (HARM_SOURCE_MAX + 1)), instance=record)
    assert not form.is_valid()
    assert form.errors["source"] == ["Källan får vara högst 2\u00a0000 tecken."]
    assert f'maxlength="{HARM_SOURCE_MAX}"' in str(form["source"])
    form = HarmWeightsForm(_data(record, source="Brå 2024. " * 200), instance=record)
    assert form.is_valid(), form.errors
