"""Step 3 pages as a coordinator: picture, confirmations, prioritisation, chain, conflicts."""

from django.urls import reverse

from samverkan.partnerships.models import Decision
from samverkan.problems.models import Cause, Confirmation, Goal, Measure, Problem, ProblemPicture


def url(world, name, **kwargs):
    return reverse(f"problems:{name}", kwargs={"pk": world.ours.partnership.pk, **kwargs})


def _picture(world, text="Våldet i centrum ökar."):
    pic, _ = ProblemPicture.objects.get_or_create(partnership=world.ours.partnership)
    pic.text = text
    pic.save()
    return pic


def test_each_signing_party_confirms_the_picture(client, world):
    pic = _picture(world)
    client.force_login(world.alice)
    client.post(url(world, "picture_confirm"))
    assert not pic.is_confirmed()
    client.force_login(world.bob)
    client.post(url(world, "picture_confirm"))
    assert pic.is_confirmed()


def test_reader_cannot_confirm(client, world):
    _picture(world)
    client.force_login(world.carol)
    assert client.post(url(world, "picture_confirm")).status_code == 403
    assert not Confirmation.objects.exists()


def test_change_after_confirmation_withdraws_confirmations_and_says_so(client, world):
    pic = _picture(world)
    for user in (world.alice, world.bob):
        client.force_login(user)
        client.post(url(world, "picture_confirm"))
    assert pic.is_confirmed()
    pic.refresh_from_db()
    response = client.post(
        url(world, "picture_edit"),
        {"text": "Ny text", "conditions": "", "version": pic.version},
        follow=True,
    )
    assert "Bekräftelserna är återkallade" in response.content.decode()
    assert not Confirmation.objects.exists()


def test_steering_member_records_prioritisation_decision(client, world):
    other = Problem.objects.create(partnership=world.ours.partnership, title="Klotter")
    client.force_login(world.steve)
    response = client.post(
        url(world, "prioritisation_decide"),
        {
            "problems": [world.ours.extra_ids["problem_id"]],
            "decided_on": "2026-11-20",
            "body": "Styrgruppen",
            "text": "Våldet först.",
        },
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "set_aside"
    assert Decision.objects.filter(title__startswith="Prioritering").exists()


def test_coordinator_cannot_decide_prioritisation(client, world):
    client.force_login(world.bob)
    assert client.get(url(world, "prioritisation_decide")).status_code == 403


def test_measure_without_cause_is_refused_in_swedish(client, world):
    client.force_login(world.alice)
    response = client.post(
        url(world, "measure_create"),
        {
            "problem": world.ours.extra_ids["problem_id"],
            "title": "Kameror",
            "responsible_party": world.ours.kommun.pk,
            "aimed_at": "situation",
            "kind": "situational",
            "horizon": "short",
            "evidence": "untested",
        },
    )
    assert response.status_code == 400
    assert "Välj minst en orsak som åtgärden riktas mot" in response.content.decode()
    assert not Measure.objects.filter(title="Kameror").exists()


def test_measure_from_library_gets_next_number_and_cause_link(client, world):
    client.force_login(world.alice)
    page = client.get(url(world, "measure_create") + "?bibliotek=aas")
    assert "Ansvarsfull alkoholservering" in page.content.decode()
    response = client.post(
        url(world, "measure_create"),
        {
            "problem": world.ours.extra_ids["problem_id"],
            "title": "AAS vid krogarna",
            "causes": [world.ours.extra_ids["cause_id"]],
            "responsible_party": world.ours.kommun.pk,
            "aimed_at": "situation",
            "kind": "situational",
            "horizon": "short",
            "evidence": "evaluated",
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.get(title="AAS vid krogarna")
    assert measure.number == 2
    assert measure.causes_answered() == [1]


def test_two_people_editing_the_same_measure_cannot_overwrite_each_other(client, world):
    measure = Measure.objects.get(pk=world.ours.extra_ids["measure_id"])
    data = {
        "problem": measure.problem_id,
        "causes": [world.ours.extra_ids["cause_id"]],
        "responsible_party": world.ours.kommun.pk,
        "aimed_at": "situation",
        "kind": "situational",
        "horizon": "short",
        "evidence": "untested",
        "version": measure.version,
    }
    client.force_login(world.alice)
    assert (
        client.post(
            url(world, "measure_edit", measure_id=measure.pk), {**data, "title": "Alices version"}
        ).status_code
        == 302
    )
    client.force_login(world.bob)
    response = client.post(
        url(world, "measure_edit", measure_id=measure.pk), {**data, "title": "Bobs version"}
    )
    assert response.status_code == 400
    assert "Någon annan har ändrat detta" in response.content.decode()
    measure.refresh_from_db()
    assert measure.title == "Alices version"


def test_confidential_cause_is_hidden_from_other_parties(client, world):
    client.force_login(world.bob)
    response = client.post(
        url(world, "cause_create"),
        {
            "problem": world.ours.extra_ids["problem_id"],
            "text": "Sex namngivna personer",
            "perspective": "offender",
            "proximity": "proximate",
            "nature": "social",
            "confidential": "on",
        },
    )
    assert response.status_code == 302
    cause = Cause.objects.get(text="Sex namngivna personer")
    assert list(cause.allowed_parties.all()) == [world.ours.polis]
    client.force_login(world.alice)
    detail = client.get(url(world, "problem_detail", problem_id=cause.problem_id))
    assert "Sex namngivna personer" not in detail.content.decode()
    assert client.get(url(world, "cause_edit", cause_id=cause.pk)).status_code == 404
    assert "Sex namngivna personer" not in client.get(url(world, "traceability")).content.decode()


def test_sub_goal_needs_a_cause_and_target_needs_a_baseline(client, world):
    client.force_login(world.alice)
    response = client.post(
        url(world, "goal_create"),
        {
            "problem": world.ours.extra_ids["problem_id"],
            "kind": "sub",
            "text": "Mindre kö",
            "target": "10",
        },
    )
    text = response.content.decode()
    assert "Ett delmål ska svara mot minst en orsak" in text
    assert "Ange utgångsvärdet" in text
    assert not Goal.objects.filter(text="Mindre kö").exists()


def test_traceability_flags_measure_chosen_before_confirmed_picture(client, world):
    client.force_login(world.carol)
    page = client.get(url(world, "traceability")).content.decode()
    assert "innan den gemensamma problembilden var bekräftad" in page


def test_glossary_is_seeded_once(client, world):
    client.force_login(world.alice)
    client.post(url(world, "glossary_seed"))
    count = world.ours.partnership.glossary.count()
    client.post(url(world, "glossary_seed"))
    assert world.ours.partnership.glossary.count() == count > 5


def test_goal_form_suggests_baselines_from_shared_statistics_only(client, world):
    from samverkan.mapping.models import CrimeStatistic, SituationReport

    problem = Problem.objects.get(pk=world.ours.extra_ids["problem_id"])
    problem.crime_type = "Misshandel"
    problem.save()
    for party, count in ((world.ours.kommun, 41), (world.ours.polis, 57)):
        CrimeStatistic.objects.create(
            party=party, offence="Misshandel utomhus", year=2025, count=count
        )
    SituationReport.objects.filter(party=world.ours.polis).delete()
    SituationReport.objects.create(
        party=world.ours.polis, title="Polisens lägesbild", text="...", status="shared"
    )
    client.force_login(world.alice)
    page = client.get(url(world, "goal_create") + f"?problem={problem.pk}").content.decode()
    assert "<strong>57</strong>" in page
    assert "<strong>41</strong>" not in page  # the municipality has not shared its picture


def test_picture_shows_what_only_one_party_saw(client, world):
    from samverkan.mapping.models import CrimeStatistic, SituationReport

    SituationReport.objects.filter(party__partnership=world.ours.partnership).delete()
    for party, category in ((world.ours.kommun, "Skadegörelse"), (world.ours.polis, "Våldsbrott")):
        CrimeStatistic.objects.create(
            party=party, offence=category, category=category, year=2025, count=30
        )
        SituationReport.objects.create(party=party, title="Lägesbild", text="...", status="shared")
    client.force_login(world.carol)
    page = client.get(url(world, "picture")).content.decode()
    assert "Vad bara en part såg" in page
    assert "Skadegörelse" in page and "Våldsbrott" in page
