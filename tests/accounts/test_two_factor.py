"""Two-factor sign-in: enrolment, the code step under the login limit, site administrators,
and partnerships that require it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts.models import LoginAttempt
from samverkan.accounts.two_factor import IDP_MFA_SESSION_KEY
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _no_device_backoff(settings):
    # django-otp's own per-device back-off (seconds after each wrong code) would make a right
    # code right after a wrong one fail; the login limit is what these tests look at.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, *, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + later * device.step
    return f"{totp.token():06d}"


def give_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="telefon", confirmed=True)


def log_in(client, username: str) -> None:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def dashboard(world) -> str:
    return reverse("process:dashboard", kwargs={"pk": world.ours.partnership.pk})


# ---- enrolment -----------------------------------------------------------------------------


def test_enrolment_page_shows_qr_code_inline_and_the_secret(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "<svg" in page and "<?xml" not in page
    assert "<script" not in page.split("<main", 1)[1]
    device = TOTPDevice.objects.get(user=world.carol)
    assert not device.confirmed
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert secret[:4] + " " + secret[4:8] in page


def test_enrolment_with_the_right_code_activates_and_verifies(client, world):
    client.force_login(world.carol)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.carol)
    response = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert response.status_code == 200
    assert "Spara dina reservkoder" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["otp_device_id"] == device.persistent_id


def test_backup_code_works_once_in_place_of_the_app(client, world):
    client.force_login(world.carol)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.carol)
    page = client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    assert len(codes) == 10
    client.post(reverse("accounts:logout"))
    log_in(client, "carol")
    # Typed as a person might: upper case, in two groups.
    shouted = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
    response = client.post(reverse("accounts:two_factor_verify"), {"code": shouted})
    assert response.status_code == 302
    assert "otp_device_id" in client.session
    client.post(reverse("accounts:logout"))
    log_in(client, "carol")
    again = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    assert "Koden stämmer inte" in again.content.decode()
    assert "otp_device_id" not in client.session


def test_new_enrolment_replaces_the_backup_codes(world):
    from samverkan.accounts.two_factor import new_backup_codes

    new_backup_codes(world.carol)
    second = new_backup_codes(world.carol)
    kept = StaticToken.objects.filter(device__user=world.carol).values_list("token", flat=True)
    assert sorted(kept) == sorted(second)


def test_enrolment_with_a_wrong_code_changes_nothing(client, world):
    client.force_login(world.carol)
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.carol)
    response = client.post(reverse("accounts:two_factor"), {"code": code_for(device, later=20)})
    assert response.status_code == 400
    assert "Koden stämmer inte" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_code_must_be_six_digits(client, world):
    client.force_login(world.carol)
    response = client.post(reverse("accounts:two_factor"), {"code": "12ab56"})
    assert response.status_code == 400
    assert "sex siffrorna" in response.content.decode()


# ---- the code step after the password --------------------------------------------------------


def test_user_with_a_device_must_give_the_code_before_any_page(client, world):
    device = give_device(world.carol)
    log_in(client, "carol")
    response = client.get(dashboard(world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_verify"))
    verify = client.post(
        reverse("accounts:two_factor_verify"), {"code": code_for(device), "next": dashboard(world)}
    )
    assert verify.status_code == 302 and verify.url == dashboard(world)
    assert client.get(dashboard(world)).status_code == 200


def test_unverified_session_can_still_log_out(client, world):
    give_device(world.carol)
    log_in(client, "carol")
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_code_is_counted_like_a_wrong_password(client, world, settings):
    # Three: the password's try counts too until the code matches, then two wrong codes.
    settings.LOGIN_MAX_FAILURES = 3
    device = give_device(world.carol)
    log_in(client, "carol")
    for _ in range(2):
        response = client.post(
            reverse("accounts:two_factor_verify"), {"code": code_for(device, later=20)}
        )
        assert "Koden stämmer inte" in response.content.decode()
    assert LoginAttempt.objects.filter(username="carol").count() == 2
    response = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "otp_device_id" not in client.session


def test_right_code_clears_the_failures(client, world):
    device = give_device(world.carol)
    log_in(client, "carol")
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device, later=20)})
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert "otp_device_id" in client.session
    assert not LoginAttempt.objects.filter(username="carol").exists()


def test_a_known_password_gives_no_new_code_guesses(client, world, settings):
    """Logging in again with the right password does not clear the count of wrong codes: the
    password's try is held until the code matches, so code guesses stay under the limit."""
    settings.LOGIN_MAX_FAILURES = 5
    device = give_device(world.carol)
    checked = 0
    for _ in range(6):
        client.logout()
        response = client.post(
            reverse("accounts:login"), {"username": "carol", "password": PASSWORD}
        )
        if response.status_code != 302:
            assert "För många misslyckade inloggningar" in response.content.decode()
            break
        wrong = client.post(
            reverse("accounts:two_factor_verify"), {"code": code_for(device, later=20)}
        )
        checked += "Koden stämmer inte" in wrong.content.decode()
    assert checked == 2  # each round spent two tries: the password and the code
    refused = client.post(reverse("accounts:login"), {"username": "carol", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session


def test_the_real_person_with_password_and_code_is_never_locked_out(client, world, settings):
    settings.LOGIN_MAX_FAILURES = 2
    device = give_device(world.carol)
    for later in range(4):
        client.logout()
        log_in(client, "carol")
        client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device, later=later)})
        assert "otp_device_id" in client.session
    from samverkan.accounts.models import LoginThrottle

    assert not LoginThrottle.objects.filter(count__gt=0).exists()


def test_verify_page_refuses_a_foreign_next_address(client, world):
    device = give_device(world.carol)
    log_in(client, "carol")
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"code": code_for(device), "next": "https://evil.example/"},
    )
    assert response.url == reverse("partnerships:list")


# ---- site administrators ---------------------------------------------------------------------


def test_site_administrator_must_enrol_at_first_login(client, world):
    world.alice.is_staff = True
    world.alice.save()
    log_in(client, "alice")
    for url in (reverse("partnerships:list"), "/admin/", dashboard(world)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:two_factor")), url
    assert client.get(reverse("accounts:two_factor")).status_code == 200


def test_site_administrator_reaches_admin_only_after_the_code(client, world):
    world.alice.is_staff = True
    world.alice.is_superuser = True
    world.alice.save()
    device = give_device(world.alice)
    log_in(client, "alice")
    assert client.get("/admin/").url.startswith(reverse("accounts:two_factor_verify"))
    # The enrolment page is no way round the code.
    assert client.get(reverse("accounts:two_factor")).url.startswith(
        reverse("accounts:two_factor_verify")
    )
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_ordinary_member_without_a_device_is_not_asked(client, world):
    log_in(client, "carol")
    assert client.get(dashboard(world)).status_code == 200


# ---- partnerships that require it ----------------------------------------------------------


def _require(world) -> None:
    world.ours.partnership.require_two_factor = True
    world.ours.partnership.save()


def test_member_without_device_is_sent_to_enrol_for_a_partnership_that_requires_it(client, world):
    _require(world)
    client.force_login(world.carol)
    response = client.get(dashboard(world))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor"))
    # Pages outside the partnership stay open.
    assert client.get(reverse("partnerships:list")).status_code == 200
    client.get(reverse("accounts:two_factor"))
    device = TOTPDevice.objects.get(user=world.carol)
    client.post(reverse("accounts:two_factor"), {"code": code_for(device)})
    assert client.get(dashboard(world)).status_code == 200


def test_requirement_redirects_htmx_requests_too(client, world):
    _require(world)
    client.force_login(world.carol)
    response = client.get(dashboard(world), headers={"hx-request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:two_factor"))


def test_outsider_still_gets_404_for_a_partnership_that_requires_it(client, world):
    _require(world)
    client.force_login(world.mallory)
    assert client.get(dashboard(world)).status_code == 404


def test_provider_mfa_satisfies_the_requirement(client, world):
    _require(world)
    client.force_login(world.carol)
    session = client.session
    session[IDP_MFA_SESSION_KEY] = world.carol.pk
    session.save()
    assert client.get(dashboard(world)).status_code == 200


def test_provider_mfa_of_another_user_does_not_count(client, world):
    _require(world)
    client.force_login(world.carol)
    session = client.session
    session[IDP_MFA_SESSION_KEY] = world.alice.pk
    session.save()
    assert client.get(dashboard(world)).status_code == 302


# ---- the partnership's setting -------------------------------------------------------------


def _edit(client, world, **extra):
    partnership = world.ours.partnership
    partnership.refresh_from_db()
    data = {
        "name": partnership.name,
        "started_on": "2026-01-01",
        "version": partnership.version,
        **extra,
    }
    return client.post(reverse("partnerships:edit", kwargs={"pk": partnership.pk}), data)


def test_only_administrators_see_the_setting(client, world):
    url = reverse("partnerships:edit", kwargs={"pk": world.ours.partnership.pk})
    client.force_login(world.alice)
    assert "require_two_factor" in client.get(url).content.decode()
    client.force_login(world.bob)
    assert "require_two_factor" not in client.get(url).content.decode()
    _edit(client, world, require_two_factor="on")
    world.ours.partnership.refresh_from_db()
    assert not world.ours.partnership.require_two_factor


def test_administrator_without_a_second_factor_cannot_turn_it_on(client, world):
    client.force_login(world.alice)
    response = _edit(client, world, require_two_factor="on")
    assert response.status_code == 400
    assert "Slå på tvåstegsverifiering för ditt eget konto först" in response.content.decode()
    world.ours.partnership.refresh_from_db()
    assert not world.ours.partnership.require_two_factor


def test_verified_administrator_turns_it_on_and_off(client, world):
    device = give_device(world.alice)
    log_in(client, "alice")
    client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)})
    assert _edit(client, world, require_two_factor="on").status_code == 302
    world.ours.partnership.refresh_from_db()
    assert world.ours.partnership.require_two_factor
    assert _edit(client, world).status_code == 302
    world.ours.partnership.refresh_from_db()
    assert not world.ours.partnership.require_two_factor
