"""Creating a partnership: both signing parties, the creator as administrator, cycle 1."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from samverkan.accounts.models import Membership, Organisation, User
from samverkan.partnerships.models import Partnership
from samverkan.partnerships.services import create_permission
from tests.factories import PASSWORD, login_with_second_factor, make_user


def _founder(username: str = "anna") -> User:
    """A user who has been given the right to start partnerships."""
    user = make_user(username)
    user.user_permissions.add(create_permission())
    return user


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
    user = _founder()
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
    client.force_login(_founder())
    response = _post(client, municipality_code="12")
    assert response.status_code == 400
    assert "Kommunkoden ska vara fyra siffror" in response.content.decode()
    assert not Partnership.objects.exists()
    assert not Organisation.objects.exists()


def test_end_date_before_start_is_rejected(client, db):
    client.force_login(_founder())
    response = _post(client, valid_until="2025-01-01")
    assert "Slutdatumet måste ligga efter startdatumet" in response.content.decode()
    assert not Partnership.objects.exists()


def test_police_area_cannot_reuse_a_municipality_name(client, db):
    client.force_login(_founder())
    _post(client)
    response = _post(client, name="Annat", police_area_name="Storby kommun")
    assert "finns redan registrerad som kommun" in response.content.decode()
    assert Partnership.objects.count() == 1


def test_account_without_the_right_cannot_start_a_partnership(client, db):
    client.force_login(make_user("anna"))
    page = client.get(reverse("partnerships:create"))
    assert page.status_code == 403
    response = _post(client)
    assert response.status_code == 403
    assert not Partnership.objects.exists()
    assert not Organisation.objects.exists()
    assert "Ny samverkan" not in client.get(reverse("partnerships:list")).content.decode()


def test_list_offers_new_partnership_only_to_those_who_may(client, db):
    client.force_login(_founder())
    assert "Ny samverkan" in client.get(reverse("partnerships:list")).content.decode()


def test_superuser_may_start_a_partnership(client, db):
    login_with_second_factor(client, User.objects.create_superuser("root", password=PASSWORD))
    assert _post(client).status_code == 302
    assert Partnership.objects.count() == 1


def test_grant_command_gives_and_takes_back_the_right(client, db):
    anna = make_user("anna")
    out = StringIO()
    call_command("grant_create_partnership", "anna", stdout=out)
    assert out.getvalue().strip() == "anna may now start partnerships."
    assert User.objects.get(pk=anna.pk).has_perm("partnerships.add_partnership")
    call_command("grant_create_partnership", "anna", "--revoke", stdout=StringIO())
    assert not User.objects.get(pk=anna.pk).has_perm("partnerships.add_partnership")
    client.force_login(anna)
    assert _post(client).status_code == 403


def test_grant_command_names_an_unknown_account(db):
    with pytest.raises(CommandError, match="No account named 'nobody'"):
        call_command("grant_create_partnership", "nobody", stdout=StringIO())
