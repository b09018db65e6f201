"""Step 2's checklist is computed from each signing party's data."""

from django.urls import reverse

from samverkan.mapping.models import DataSource, Resource, SituationReport
from samverkan.process.checklists import checklist_for


def test_checklist_is_open_until_both_parties_have_shared(world):
    p = world.ours.partnership
    checklist = checklist_for(p, 2)
    assert not checklist.done
    assert "Lokalpolisområde Test" in checklist.items[0].detail
    for party in (world.ours.kommun, world.ours.polis):
        DataSource.objects.get_or_create(party=party, name="Brå")
        Resource.objects.get_or_create(party=party, who="X", what="Y")
        report, _ = SituationReport.objects.get_or_create(party=party, defaults={"title": "L"})
        report.text = "Text"
        report.save()
    assert checklist_for(p, 2).done_count == 3
    for report in SituationReport.objects.filter(party__partnership=p):
        report.share()
    assert checklist_for(p, 2).done


def test_dashboard_links_open_step2_items_to_mapping(client, world):
    client.force_login(world.alice)
    page = client.get(
        reverse("process:dashboard", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()
    assert reverse("mapping:home", kwargs={"pk": world.ours.partnership.pk}) in page
