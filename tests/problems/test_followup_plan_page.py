"""A goal's follow-up plan has a page of its own, reached from the goal list and from the
traceability check "Mål utan uppföljningsplan"."""

from django.urls import reverse

from samverkan.lib.versioning import save_versioned
from samverkan.problems.models import Goal


def _goal(world):
    goal = Goal.objects.get(partnership=world.ours.partnership, kind="effect")
    goal.followup_method = goal.followup_responsible = goal.followup_frequency = ""
    goal.save()
    return goal


def _plan(world, goal):
    return reverse(
        "problems:goal_followup", kwargs={"pk": world.ours.partnership.pk, "goal_id": goal.pk}
    )


def test_follow_up_plan_is_written_on_its_own_page(client, world):
    goal = _goal(world)
    client.force_login(world.alice)
    detail = client.get(
        reverse(
            "problems:problem_detail",
            kwargs={"pk": world.ours.partnership.pk, "problem_id": goal.problem_id},
        )
    ).content.decode()
    assert _plan(world, goal) in detail and "Skriv plan" in detail
    page = client.get(_plan(world, goal)).content.decode()
    assert "Uppföljningsplan för målet" in page and goal.text in page
    assert 'name="followup_method"' in page and 'name="indicator"' not in page
    missing = client.post(_plan(world, goal), {"version": goal.version, "followup_method": " "})
    assert missing.status_code == 400
    text = missing.content.decode()
    assert "Skriv hur målet följs upp." in text and "Skriv vem som följer upp målet." in text
    goal.refresh_from_db()
    assert not goal.has_followup_plan()
    saved = client.post(
        _plan(world, goal),
        {
            "version": goal.version,
            "followup_method": "Anmälda rån på torget, jämfört med året innan",
            "followup_frequency": "varje kvartal",
            "followup_responsible": "Kommunens samordnare",
        },
    )
    assert saved.status_code == 302
    goal.refresh_from_db()
    assert goal.has_followup_plan() and goal.followup_frequency == "varje kvartal"
    trace = client.get(
        reverse("problems:traceability", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()
    assert _plan(world, goal) not in trace


def test_stale_plan_is_not_overwritten_and_readers_cannot_write(client, world):
    goal = _goal(world)
    client.force_login(world.alice)
    stale = goal.version
    goal.followup_method, goal.followup_responsible = "Någon annans plan", "Bob"
    save_versioned(goal, stale)  # someone else saved meanwhile
    response = client.post(
        _plan(world, goal),
        {"version": stale, "followup_method": "Min plan", "followup_responsible": "Alice"},
    )
    assert response.status_code == 400
    goal.refresh_from_db()
    assert goal.followup_method == "Någon annans plan"
    client.force_login(world.carol)  # a member reads, does not edit
    assert client.get(_plan(world, goal)).status_code == 403
    client.force_login(world.mallory)
    assert client.get(_plan(world, goal)).status_code == 404
