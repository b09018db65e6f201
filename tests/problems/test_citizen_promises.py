"""Citizen promises are chosen and worded for residents, never generated (issue 11, leak 6)."""

from django.urls import reverse

from samverkan.accounts.models import User
from samverkan.documents import data
from samverkan.problems.models import CitizenPromise, Measure

OPERATION = "Riktad spaning mot försäljning av smuggelsprit vid parkeringsplats N"


def test_the_promise_document_holds_the_chosen_wording_and_no_police_operation(demo):
    assert Measure.objects.filter(partnership=demo, title=OPERATION).exists()
    for edition in data.EDITIONS:
        text = "\n".join(data.build("medborgarlofte", demo, edition).text_lines())
        assert OPERATION not in text and "smuggelsprit" not in text and "LVM" not in text
        for promise in CitizenPromise.objects.filter(partnership=demo):
            assert promise.wording in text
            assert promise.feedback in text
        assert "Bakom löftet står" in text and "Gäller 1 maj" in text


def test_police_operations_and_confidential_measures_are_not_publishable_in_the_demo(demo):
    operation = Measure.objects.get(partnership=demo, title=OPERATION)
    secret = Measure.objects.get(partnership=demo, confidential=True)
    assert not operation.publishable and not secret.publishable


def test_a_promise_cannot_rest_on_an_unpublishable_or_confidential_measure(client, demo):
    client.force_login(User.objects.get(username="demo.kommun"))
    operation = Measure.objects.get(partnership=demo, title=OPERATION)
    secret = Measure.objects.get(partnership=demo, confidential=True)
    url = reverse("problems:promise_create", kwargs={"pk": demo.pk})
    page = client.get(url).content.decode()
    assert OPERATION not in page and secret.title not in page  # not even offered
    for measure in (operation, secret):
        response = client.post(
            url,
            {
                "wording": "Vi lovar trygghet",
                "starts_on": "2026-05-01",
                "ends_on": "2026-06-30",
                "parties": [demo.municipality_party().pk],
                "measures": [measure.pk],
                "follow_up": "Webbplatsen",
                "feedback": "kontakt@example.se",
            },
        )
        assert response.status_code == 400
        assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not CitizenPromise.objects.filter(wording="Vi lovar trygghet").exists()


def test_a_promise_is_written_edited_and_removed_through_the_pages(client, demo):
    client.force_login(User.objects.get(username="demo.kommun"))
    publishable = Measure.objects.filter(partnership=demo, publishable=True).first()
    url = reverse("problems:promise_create", kwargs={"pk": demo.pk})
    form = {
        "wording": "Belysningen i parken lagas före hösten",
        "starts_on": "2026-08-01",
        "ends_on": "2026-07-01",
        "parties": [demo.municipality_party().pk],
        "measures": [publishable.pk],
        "follow_up": "Webbplatsen",
        "feedback": "kontakt@example.se",
    }
    refused = client.post(url, form)
    assert "kan inte sluta gälla innan" in refused.content.decode()
    form["ends_on"] = "2026-10-31"
    assert client.post(url, form).status_code in (200, 302)
    promise = CitizenPromise.objects.get(wording=form["wording"])
    listing = client.get(reverse("problems:promises", kwargs={"pk": demo.pk})).content.decode()
    assert form["wording"] in listing and publishable.title in listing
    edit = reverse("problems:promise_edit", kwargs={"pk": demo.pk, "promise_id": promise.pk})
    form.update(wording="Belysningen i parken lagas i september", version=promise.version)
    assert client.post(edit, form).status_code in (200, 302)
    promise.refresh_from_db()
    assert promise.wording.endswith("september")
    delete = reverse("problems:promise_delete", kwargs={"pk": demo.pk, "promise_id": promise.pk})
    client.post(delete)
    assert not CitizenPromise.objects.filter(pk=promise.pk).exists()
    # A reader may look, but not write.
    client.force_login(User.objects.get(username="demo.kyrkan"))
    assert client.post(url, form).status_code == 403
