"""Step 5: the worked example's follow-up with honest statistics, the response, next cycle."""

from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.documents import data
from samverkan.followup import services
from samverkan.followup.models import EffectEvaluation, SteeringResponse
from samverkan.process import checklists


def test_worked_example_effect_is_read_honestly(demo):
    result = services.evaluate(EffectEvaluation.objects.get(partnership=demo))
    assert round(result.change_percent) == -26
    methods = [f.method for f in result.findings]
    assert methods[0].startswith("Samma period")
    wdd = dict(result.findings[1].figures)
    assert wdd["Skattning"] == "−13,0"  # (56 − 76) − (67 − 74)
    assert wdd["Standardfel"] == "16,5"  # √(76 + 56 + 74 + 67)
    text = " ".join(result.findings[1].reading)
    assert "kan bero på slumpen" in text
    assert "regression mot medelvärdet" in text
    assert "Anmälda brott speglar också" in text


def test_process_followup_of_the_example(demo):
    process = services.process_followup(demo)
    assert (process.carried_out, process.dropped, process.other) == (6, 0, 3)
    done = {p.goal.unit: p.done for p in process.production}
    assert done == {"tillsynstillfällen": 11, "plan": 1}


def test_followup_report_holds_readings_and_no_secrets_when_public(demo):
    text = "\n".join(data.build("followup", demo, data.PUBLIC).text_lines())
    assert "Jämförelse med kontrollområde" in text
    assert "LVM" not in text and "lagförd" not in text
    police = User.objects.get(username="demo.polis")
    internal = "\n".join(data.build("followup", demo, data.INTERNAL, police).text_lines())
    assert "Särskild uppmärksamhet mot sex personer" in internal


def test_evaluation_needs_both_control_counts(client, demo):
    client.force_login(User.objects.get(username="demo.kommun"))
    goal = demo.goals.get(kind="effect")
    response = client.post(
        reverse("followup:evaluation_create", kwargs={"pk": demo.pk}),
        {
            "goal": goal.pk,
            "indicator": "Rån",
            "interpretation": "victim_interaction",
            "period_before": "2025",
            "period_after": "2026",
            "treated_area": "A",
            "treated_before": 10,
            "treated_after": 8,
            "control_area": "B",
            "control_before": 9,
        },
    )
    assert response.status_code == 400
    assert "Ange både före- och eftervärde för kontrollområdet" in response.content.decode()


def test_steering_response_and_next_cycle_carry_results_forward(client, demo):
    client.force_login(User.objects.get(username="demo.styrgrupp"))
    response = client.post(
        reverse("followup:response", kwargs={"pk": demo.pk}),
        {
            "date": "2010-09-01",
            "response": "Bra arbete.",
            "decisions": "Fortsätt med AAS.",
            "continue_next_cycle": "on",
        },
    )
    assert response.status_code == 302
    assert SteeringResponse.objects.filter(partnership=demo).exists()
    assert [str(i.label) for i in checklists.checklist_for(demo, 5).items if not i.done] == []
    client.force_login(User.objects.get(username="demo.kommun"))
    page = client.get(reverse("followup:cycle_start", kwargs={"pk": demo.pk})).content.decode()
    assert "Styrgruppen har svarat på uppföljningen för omgång 1." in page
    choices = {
        f"goal_{g.pk}": "new_baseline"
        for g in demo.goals.filter(kind__in=["effect", "sub"], evaluations__isnull=False)
    }
    assert (
        client.post(reverse("followup:cycle_start", kwargs={"pk": demo.pk}), choices).status_code
        == 302
    )
    assert demo.cycles.count() == 2
    first = demo.cycles.get(number=1)
    assert first.summary["carried_out"] == 6
    overall = demo.goals.get(kind="effect")
    assert overall.baseline == 56
    assert "omgång 1" in overall.baseline_period
    page = client.get(reverse("followup:cycles", kwargs={"pk": demo.pk})).content.decode()
    assert "Omgång 2" in page and "Omgång 1" in page


def test_only_steering_or_admin_records_the_response(client, demo):
    client.force_login(User.objects.get(username="demo.polis"))
    assert client.get(reverse("followup:response", kwargs={"pk": demo.pk})).status_code == 403
