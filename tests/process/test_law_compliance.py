"""The Lag (2023:196) view: computed from the records, turning green as items are done."""

import datetime

from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.documents.models import DocumentDecision
from samverkan.partnerships.models import Coordinator, Partnership
from samverkan.process.compliance import compliance


def _state(partnership, today=datetime.date(2026, 12, 1)):
    return {item.key: (item.done, item.warning) for item in compliance(partnership, today).items}


def test_the_demo_state_and_the_page(client, demo):
    state = _state(demo)
    assert state["lagesbild"] == (False, False) and state["atgardsplan"] == (False, False)
    client.force_login(User.objects.get(username="demo.kyrkan"))
    page = client.get(reverse("process:law", kwargs={"pk": demo.pk})).content.decode()
    assert "Lägesbild beslutad" in page and "4 §" in page and "Samordningsfunktion" in page
    dashboard = client.get(reverse("process:dashboard", kwargs={"pk": demo.pk})).content.decode()
    assert (
        "Lagkrav (2023:196)" in dashboard
        and reverse("process:law", kwargs={"pk": demo.pk}) in dashboard
    )


def test_items_turn_green_as_they_are_completed(demo):
    today = datetime.date(2026, 12, 1)
    Partnership.objects.filter(pk=demo.pk).update(covers_whole_municipality=True)
    demo.refresh_from_db()
    DocumentDecision.objects.create(
        partnership=demo, kind="lagesbild", body="Kommunstyrelsen",
        decided_on=datetime.date(2026, 3, 1), reference="KS 2026/12",
    )  # fmt: skip
    state = _state(demo, today)
    assert state["scope"] == (True, False)
    assert state["lagesbild"][0] is True and state["lagesbild"][1] is True  # no issued version
    assert state["based_on"] == (False, False)
    DocumentDecision.objects.create(
        partnership=demo, kind="atgardsplan", body="Kommunstyrelsen",
        decided_on=datetime.date(2026, 2, 1),
    )  # fmt: skip
    assert _state(demo, today)["based_on"] == (False, False)  # decided before the lägesbild
    DocumentDecision.objects.filter(partnership=demo, kind="atgardsplan").update(
        decided_on=datetime.date(2026, 4, 1)
    )
    assert _state(demo, today)["based_on"] == (True, False)
    # A review date passed: done, but flagged.
    DocumentDecision.objects.filter(partnership=demo, kind="lagesbild").update(
        next_update_due=datetime.date(2026, 11, 1)
    )
    item = next(i for i in compliance(demo, today).items if i.key == "lagesbild")
    assert item.warning and "Skulle ha setts över" in item.detail and "KS 2026/12" in item.detail


def test_the_coordination_function_needs_a_named_contact(demo):
    kommun = demo.municipality_party()
    Coordinator.objects.filter(party=kommun).delete()
    assert _state(demo)["coordination"] == (False, False)
    Coordinator.objects.create(party=kommun, name="Karin Lind", title="Samordnare")
    assert _state(demo)["coordination"] == (False, False)  # no way to reach her
    Coordinator.objects.filter(party=kommun).update(email="karin.lind@exempel.se")
    assert _state(demo)["coordination"] == (True, False)
