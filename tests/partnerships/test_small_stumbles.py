"""Small stumbles of a new coordinator: the party count, a prefilled coordinator, and a
confirmation button that goes away once the party has confirmed."""

from django.urls import reverse

from samverkan.partnerships.models import Coordinator, Party
from samverkan.problems.models import ProblemPicture
from tests.factories import organisation


def test_my_partnerships_counts_every_party(client, world):
    Party.objects.create(
        partnership=world.ours.partnership,
        organisation=organisation("Svenska kyrkan", "other"),
        kind="participant",
    )
    client.force_login(world.carol)
    page = client.get(reverse("partnerships:list")).content.decode()
    assert "3 parter" in page and "1 part<" not in page


def test_new_coordinator_starts_from_the_signed_in_user(client, world):
    Coordinator.objects.filter(party=world.ours.kommun).delete()
    world.alice.email = "alice@example.se"
    world.alice.save()
    client.force_login(world.alice)
    url = reverse(
        "partnerships:coordinator_edit",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )
    page = client.get(url).content.decode()
    assert 'value="Alice"' in page and 'value="alice@example.se"' in page
    # Another party's coordinator is not prefilled with the user's name. (A party that has
    # never had a leader is set up by the partnership's editors; a led party only by its own
    # leaders, so the police's form is not even open to alice.)
    church = Party.objects.create(
        partnership=world.ours.partnership,
        organisation=organisation("Svenska kyrkan", "other"),
        kind="participant",
    )
    response = client.get(
        reverse(
            "partnerships:coordinator_edit",
            kwargs={"pk": world.ours.partnership.pk, "party_id": church.pk},
        )
    )
    assert response.status_code == 200
    assert 'value="Alice"' not in response.content.decode()


def test_confirm_button_goes_away_after_the_party_confirmed(client, world):
    ProblemPicture.objects.get_or_create(partnership=world.ours.partnership, defaults={"text": "X"})
    client.force_login(world.alice)
    url = reverse("problems:picture", kwargs={"pk": world.ours.partnership.pk})
    assert "Bekräfta för min part" in client.get(url).content.decode()
    client.post(reverse("problems:picture_confirm", kwargs={"pk": world.ours.partnership.pk}))
    assert "Bekräfta för min part" not in client.get(url).content.decode()


def test_traceability_links_each_gap_to_where_it_is_fixed_and_lists_prioritised_first(
    client, world
):
    from samverkan.problems.models import Goal, Problem

    partnership = world.ours.partnership
    Problem.objects.create(partnership=partnership, title="Aaa bortprioriterat", status="set_aside")
    goal = Goal.objects.get(partnership=partnership, kind="effect")
    client.force_login(world.alice)
    page = client.get(
        reverse("problems:traceability", kwargs={"pk": partnership.pk})
    ).content.decode()
    plan = reverse("problems:goal_followup", kwargs={"pk": partnership.pk, "goal_id": goal.pk})
    assert f'href="{plan}"' in page
    assert page.index("Våld i centrum") < page.index("Aaa bortprioriterat")


def test_a_stored_file_is_named_without_its_storage_path(client, world):
    from django.core.files.base import ContentFile

    decision = world.ours.decision
    decision.attachment.save("protokoll.pdf", ContentFile(b"%PDF-1.4"))
    client.force_login(world.alice)
    page = client.get(
        reverse(
            "partnerships:decision_edit",
            kwargs={"pk": world.ours.partnership.pk, "decision_id": decision.pk},
        )
    ).content.decode()
    assert "protokoll.pdf" in page and decision.attachment.name not in page


def test_group_member_title_is_edited_in_place(client, world):
    member = world.ours.member
    url = reverse(
        "partnerships:group_member_edit",
        kwargs={
            "pk": world.ours.partnership.pk,
            "group_id": world.ours.steering.pk,
            "group_member_id": member.pk,
        },
    )
    client.force_login(world.carol)
    assert client.get(url).status_code == 403
    client.force_login(world.bob)
    # The page's form carries the version it showed (a member is versioned: the API changes
    # members too, and neither overwrites the other's newer change).
    shown = {"party": world.ours.kommun.pk, "name": member.name, "version": member.version}
    response = client.post(url, {**shown, "title": "Ordförande i KS"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.title == "Ordförande i KS" and member.group == world.ours.steering
    stale = client.post(url, {**shown, "title": "Ledamot"})
    assert stale.status_code == 400
    member.refresh_from_db()
    assert member.title == "Ordförande i KS"


def test_party_lists_start_with_a_signing_party(world):
    from samverkan.partnerships.forms import GroupMemberForm

    Party.objects.create(
        partnership=world.ours.partnership,
        organisation=organisation("Aaa föreningen", "other"),
        kind="participant",
    )
    form = GroupMemberForm(group=world.ours.steering)
    first = form.fields["party"].queryset.first()
    assert first.kind == "signatory"


def test_step3_overview_and_problem_choices_list_the_prioritised_problem_first(client, world):
    from samverkan.problems.forms import GoalForm
    from samverkan.problems.models import Problem

    partnership = world.ours.partnership
    # A candidate and a problem set aside, both scoring higher than the prioritised one.
    high = {"frequency": 5, "harm": 5, "concern": 5, "trend": 5}
    Problem.objects.create(
        partnership=partnership, title="Aaa kandidat", status="candidate", **high
    )
    Problem.objects.create(
        partnership=partnership, title="Aab bortprioriterat", status="set_aside", **high
    )
    prioritised = Problem.objects.get(partnership=partnership, status="prioritised")
    client.force_login(world.alice)
    page = client.get(reverse("problems:home", kwargs={"pk": partnership.pk})).content.decode()
    assert (
        page.index(prioritised.title)
        < page.index("Aaa kandidat")
        < page.index("Aab bortprioriterat")
    )
    form = GoalForm(partnership=partnership, user=world.alice)
    choices = list(form.fields["problem"].queryset)
    assert choices[0] == prioritised and all(p.status != "set_aside" for p in choices)
