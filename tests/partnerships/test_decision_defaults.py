"""A new partnership's first decision is the decision to collaborate; a chosen file that a
form with an error cannot keep is named, with a request to choose it again."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from samverkan.partnerships.forms import DecisionForm
from samverkan.partnerships.models import Decision
from tests.factories import make_partnership


def test_first_decision_defaults_to_the_decision_to_collaborate(db):
    world = make_partnership(complete=False)  # its only decision is "other"
    form = DecisionForm(partnership=world.partnership)
    assert form["kind"].value() == "collaborate"


def test_later_decisions_default_to_other(world):
    form = DecisionForm(partnership=world.ours.partnership)
    assert form["kind"].value() == "other"


def test_editing_keeps_the_decisions_own_kind(db):
    world = make_partnership(complete=False)
    form = DecisionForm(instance=world.decision, partnership=world.partnership)
    assert form["kind"].value() == "other"


def test_new_decision_page_preselects_collaboration(client, world):
    Decision.objects.filter(partnership=world.ours.partnership).update(kind="other")
    client.force_login(world.alice)
    page = client.get(
        reverse("partnerships:decision_create", kwargs={"pk": world.ours.partnership.pk})
    ).content.decode()
    assert '<option value="collaborate" selected>' in page


def test_form_with_an_error_asks_for_the_chosen_file_again(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("partnerships:decision_create", kwargs={"pk": world.ours.partnership.pk}),
        {
            "kind": "other",
            "title": "Beslut utan datum",
            "body": "Styrgruppen",
            "decided_on": "",
            "text": "x",
            "attachment": SimpleUploadedFile("protokoll.pdf", b"%PDF-1.4 hello"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Du valde filen protokoll.pdf. Välj den igen innan du sparar" in page
    assert not Decision.objects.filter(title="Beslut utan datum").exists()


def test_a_refused_file_is_not_asked_for_again(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("partnerships:decision_create", kwargs={"pk": world.ours.partnership.pk}),
        {
            "kind": "other",
            "title": "X",
            "body": "Y",
            "decided_on": "2026-11-20",
            "text": "x",
            "attachment": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    page = response.content.decode()
    assert "Filtypen .exe tas inte emot" in page and "Välj den igen" not in page
