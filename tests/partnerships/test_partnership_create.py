"""Creating a partnership: both signing parties, the creator as administrator, cycle 1."""

from django.urls import reverse

from samverkan.accounts.models import Membership, Organisation
from samverkan.partnerships.models import Partnership
from tests.factories import make_user


def _post(client, **overrides):
    data = {
        "name": "Tryggare Storby",
        "municipality_name": "Storby kommun",
        "municipality_code": "1234",
        "police_area_name": "Lokalpolisområde Storby",
        "my_side": "municipality",
        "started_on": "2026-12-01",
        "valid_until": "2028-12-31",
        **overrides,
    }
    return client.post(reverse("partnerships:create"), data)


def test_coordinator_creates_partnership_with_both_signing_parties(client, db):
    user = make_user("anna")
    client.force_login(user)
    response = _post(client)
    partnership = Partnership.objects.get(name="Tryggare Storby")
    assert response.status_code == 302
    assert response.url == reverse("process:dashboard", kwargs={"pk": partnership.pk})
    assert {p.organisation.name for p in partnership.signatories()} == {
        "Storby kommun",
        "Lokalpolisområde Storby",
    }
    membership = Membership.objects.get(user=user)
    assert membership.role == "admin"
    assert membership.party.organisation.name == "Storby kommun"
    assert partnership.cycles.get().number == 1
    assert Organisation.objects.get(name="Storby kommun").code == "1234"


def test_bad_municipality_code_gets_swedish_message_and_nothing_is_saved(client, db):
    client.force_login(make_user("anna"))
    response = _post(client, municipality_code="12")
    assert response.status_code == 400
    assert "Kommunkoden ska vara fyra siffror" in response.content.decode()
    assert not Partnership.objects.exists()
    assert not Organisation.objects.exists()


def test_end_date_before_start_is_rejected(client, db):
    client.force_login(make_user("anna"))
    response = _post(client, valid_until="2025-01-01")
    assert "Slutdatumet måste ligga efter startdatumet" in response.content.decode()
    assert not Partnership.objects.exists()


def test_police_area_cannot_reuse_a_municipality_name(client, db):
    client.force_login(make_user("anna"))
    _post(client)
    response = _post(client, name="Annat", police_area_name="Storby kommun")
    assert "finns redan registrerad som kommun" in response.content.decode()
    assert Partnership.objects.count() == 1
