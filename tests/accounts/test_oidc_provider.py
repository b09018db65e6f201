"""Single sign-on against a real OpenID provider: oidc-provider-mock, started once for the
module in a process of its own (tests/accounts/oidc_provider_server.py). Samverkan reads its
discovery document, exchanges the code at its token endpoint, fetches its key set and user
info over HTTP, exactly as with Entra ID or Keycloak; only the person's "login" at the
provider is a form post made here."""

from __future__ import annotations

import logging
import select
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts import oidc, oidc_provider
from samverkan.accounts.models import ProviderIdentity, User
from samverkan.accounts.two_factor import IDP_MFA_SESSION_KEY

SERVER = Path(__file__).with_name("oidc_provider_server.py")
CLIENT_ID = "samverkan-test"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def provider_url():
    process = subprocess.Popen(
        [sys.executable, "-W", "ignore", str(SERVER)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"the OpenID provider did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class Provider:
    """The running provider, and what a person does there."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = requests.Session()

    def person(self, sub: str, **claims) -> None:
        """The person ``sub`` and the claims the provider will give about them."""
        answer = self.http.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        assert answer.status_code == 204, answer.text

    def tokens(self, **how) -> None:
        answer = self.http.post(f"{self.url}/_test/tokens", json=how, timeout=10)
        assert answer.status_code == 204

    def log_in(self, authorize_url: str, sub: str) -> str:
        """The person logs in at the provider; returns where it sends the browser back."""
        answer = self.http.post(
            authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10
        )
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]

    def sign_in(self, client, sub: str, start_query: dict | None = None):
        """Start in Samverkan, log in at the provider, come back; the callback's response."""
        start = client.get(reverse("accounts:oidc_start"), start_query or {})
        assert start.status_code == 302, start.content[:500]
        assert start.url.startswith(f"{self.url}/oauth2/authorize?")
        back = urlsplit(self.log_in(start.url, sub))
        assert back.path == reverse("accounts:oidc_callback")
        return client.get(back.path, parse_qs(back.query))


@pytest.fixture
def op(provider_url, settings, db):
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Testinloggningen"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "hemlig"
    settings.OIDC_OP_ISSUER = provider_url
    for name in (
        "OIDC_OP_DISCOVERY_URL",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
        "OIDC_OP_END_SESSION_ENDPOINT",
    ):
        setattr(settings, name, "")
    settings.OIDC_SUBJECT_CLAIM = "sub"
    settings.OIDC_USERNAME_CLAIM = "preferred_username"
    settings.OIDC_CREATE_USERS = False
    settings.OIDC_TRUST_PROVIDER_MFA = False
    settings.OIDC_LOGOUT_AT_PROVIDER = False
    oidc_provider.clear()
    provider = Provider(provider_url)
    provider.tokens()
    yield provider
    provider.tokens()


@pytest.fixture
def anna(db):
    """A local account with a password: the person whose identity is at stake."""
    return User.objects.create_user(
        "anna.andersson", email="anna.andersson@kommun.se", password=PASSWORD
    )


def _signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def _link(client, username: str, password: str, code: str = ""):
    return client.post(
        reverse("accounts:oidc_link"),
        {"username": username, "password": password, "code": code},
    )


# ---- the token, with and without kid ----------------------------------------------------


def test_endpoints_come_from_the_discovery_document(op):
    found = oidc_provider.provider()
    assert found.authorization_endpoint == f"{op.url}/oauth2/authorize"
    assert found.token_endpoint == f"{op.url}/oauth2/token"
    assert found.jwks_uri == f"{op.url}/jwks"
    assert found.end_session_endpoint == f"{op.url}/oauth2/end_session"
    assert found.discovery_url == f"{op.url}/.well-known/openid-configuration"


def test_linked_person_signs_in_with_a_token_that_names_its_key(client, op, anna):
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    op.person("sub-anna", preferred_username="anna.andersson")
    op.tokens(kid=True)
    response = op.sign_in(client, "sub-anna")
    assert response.status_code == 302
    assert response.url == reverse("partnerships:list")
    assert _signed_in_as(client) == anna.pk
    assert ProviderIdentity.objects.get(subject="sub-anna").last_used_at is not None
    assert "kid" in jwt.get_unverified_header(client.session[oidc.ID_TOKEN_SESSION_KEY])


def test_token_without_kid_is_verified_with_the_providers_only_key(client, op, anna):
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    op.person("sub-anna")
    response = op.sign_in(client, "sub-anna")
    assert response.status_code == 302, response.content.decode()[:800]
    assert _signed_in_as(client) == anna.pk
    assert "kid" not in jwt.get_unverified_header(client.session[oidc.ID_TOKEN_SESSION_KEY])


# ---- the first link: proof, never a name or an e-mail ------------------------------------


def test_look_alike_name_claim_does_not_link(client, op, anna):
    op.person("sub-mallory", preferred_username="anna.andersson", name="Anna Andersson")
    response = op.sign_in(client, "sub-mallory")
    assert response.url == reverse("accounts:oidc_link")
    assert _signed_in_as(client) is None
    assert not ProviderIdentity.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Koppla ditt konto" in page
    assert "sub-mallory" in page  # what to give an administrator
    assert "bjuda in dig" in page


def test_unverified_email_does_not_link(client, op, anna):
    op.person("sub-x", email="anna.andersson@kommun.se", email_verified=False)
    response = op.sign_in(client, "sub-x")
    assert response.url == reverse("accounts:oidc_link")
    assert _signed_in_as(client) is None
    assert not ProviderIdentity.objects.exists()


def test_verified_email_does_not_link_either(client, op, anna):
    op.person("sub-y", email="anna.andersson@kommun.se", email_verified=True)
    op.sign_in(client, "sub-y")
    assert _signed_in_as(client) is None
    assert not ProviderIdentity.objects.exists()


def test_first_link_with_the_password_then_later_by_subject_alone(client, op, anna):
    op.person("sub-anna", preferred_username="anna.andersson")
    op.sign_in(client, "sub-anna")
    wrong = _link(client, "anna.andersson", "not the password")
    assert wrong.status_code == 400
    assert not ProviderIdentity.objects.exists()
    response = _link(client, "anna.andersson", PASSWORD)
    assert response.status_code == 302
    assert _signed_in_as(client) == anna.pk
    link = ProviderIdentity.objects.get()
    assert (link.user, link.issuer, link.subject, link.method) == (
        anna,
        op.url,
        "sub-anna",
        ProviderIdentity.Method.PASSWORD,
    )
    # The second sign-in: by the subject alone, whatever the provider now calls the person.
    client.post(reverse("accounts:logout"))
    op.person("sub-anna", preferred_username="anna.renamed")
    response = op.sign_in(client, "sub-anna")
    assert response.status_code == 302 and response.url == reverse("partnerships:list")
    assert _signed_in_as(client) == anna.pk


def test_an_account_with_totp_needs_its_code_to_link(client, op, anna):
    device = TOTPDevice.objects.create(user=anna, name="app", confirmed=True)
    op.person("sub-anna")
    op.sign_in(client, "sub-anna")
    assert _link(client, "anna.andersson", PASSWORD).status_code == 400
    assert _link(client, "anna.andersson", PASSWORD, "000000").status_code == 400
    assert not ProviderIdentity.objects.exists()
    # django-otp holds a device back for a moment after a wrong code; not what is tested here.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    device.refresh_from_db()
    code = f"{TOTP(device.bin_key).token():06d}"
    response = _link(client, "anna.andersson", PASSWORD, code)
    assert response.status_code == 302
    assert ProviderIdentity.objects.filter(user=anna).exists()
    # The code was given in this step, so the session is verified.
    assert client.get(reverse("partnerships:list")).status_code == 200


# ---- the second factor -------------------------------------------------------------------


def _linked_with_totp(anna, op):
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    TOTPDevice.objects.create(user=anna, name="app", confirmed=True)


def test_totp_is_still_required_after_a_single_sign_on(client, op, anna):
    _linked_with_totp(anna, op)
    op.person("sub-anna", amr=["pwd"])
    op.sign_in(client, "sub-anna")
    assert _signed_in_as(client) == anna.pk
    page = client.get(reverse("partnerships:list"))
    assert page.status_code == 302
    assert page.url.startswith(reverse("accounts:two_factor_verify"))


def test_providers_mfa_does_not_replace_totp_unless_the_administrator_says_so(
    client, op, anna, settings
):
    _linked_with_totp(anna, op)
    op.person("sub-anna", amr=["pwd", "mfa"])
    op.sign_in(client, "sub-anna")
    assert IDP_MFA_SESSION_KEY not in client.session
    page = client.get(reverse("partnerships:list"))
    assert page.url.startswith(reverse("accounts:two_factor_verify"))

    settings.OIDC_TRUST_PROVIDER_MFA = True
    client.post(reverse("accounts:logout"))
    op.sign_in(client, "sub-anna")
    assert client.session[IDP_MFA_SESSION_KEY] == anna.pk
    assert client.get(reverse("partnerships:list")).status_code == 200


def test_trusted_policy_still_needs_the_provider_to_say_mfa(client, op, anna, settings):
    settings.OIDC_TRUST_PROVIDER_MFA = True
    _linked_with_totp(anna, op)
    op.person("sub-anna", amr=["pwd"])
    op.sign_in(client, "sub-anna")
    assert client.get(reverse("partnerships:list")).status_code == 302


# ---- refusals: a page in Swedish, the log in English --------------------------------------


def test_token_from_another_issuer_is_refused(client, op, anna, caplog):
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    op.person("sub-anna")
    op.tokens(iss="https://another-issuer.example")
    with caplog.at_level(logging.WARNING, logger="samverkan.accounts.oidc"):
        response = op.sign_in(client, "sub-anna")
    assert response.status_code == 400
    assert _signed_in_as(client) is None
    page = response.content.decode()
    assert "Inloggningen via Testinloggningen gick inte" in page
    reference = response.context["reference"]
    assert reference in page
    assert f"[ref {reference}]: wrong issuer" in caplog.text
    assert "another-issuer.example" in caplog.text


def test_expired_token_is_refused(client, op, anna, caplog):
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    op.person("sub-anna")
    op.tokens(exp=-600)
    with caplog.at_level(logging.WARNING, logger="samverkan.accounts.oidc"):
        response = op.sign_in(client, "sub-anna")
    assert response.status_code == 400
    assert _signed_in_as(client) is None
    assert ": expired:" in caplog.text


def test_state_this_browser_was_not_given_is_refused_with_a_page(client, op, caplog):
    start = client.get(reverse("accounts:oidc_start"))
    back = urlsplit(op.log_in(start.url, "sub-anna"))
    query = {**parse_qs(back.query), "state": "forged"}
    with caplog.at_level(logging.WARNING, logger="samverkan.accounts.oidc"):
        response = client.get(back.path, query)
    assert response.status_code == 400
    assert "Börja om från inloggningssidan" in response.content.decode()
    assert "state mismatch" in caplog.text


def test_unreachable_provider_is_a_page_not_a_500(client, op, settings, caplog):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="samverkan.accounts.oidc"):
        response = client.get(reverse("accounts:oidc_start"))
    assert response.status_code == 502
    assert "kunde inte nå Testinloggningen" in response.content.decode()
    assert "discovery failed" in caplog.text


def test_discovery_that_names_another_issuer_is_refused(op, settings):
    settings.OIDC_OP_DISCOVERY_URL = f"{op.url}/.well-known/openid-configuration"
    settings.OIDC_OP_ISSUER = f"{op.url}/"
    with pytest.raises(oidc_provider.DiscoveryError, match="they must be identical"):
        oidc_provider.provider()


def test_discovery_check_reports_an_inconsistent_provider(op, settings):
    from samverkan.accounts.checks import oidc_discovery

    assert oidc_discovery() == []
    settings.OIDC_RP_SIGN_ALGO = "ES256"
    [error] = oidc_discovery()
    assert error.id == "samverkan.E102"
    assert "signs ID tokens with RS256, but OIDC_RP_SIGN_ALGO is ES256" in error.msg


# ---- invitations and administrators ------------------------------------------------------


def test_invitation_accepted_through_the_provider_makes_and_links_the_account(
    client, op, world
):
    from samverkan.accounts import membership
    from samverkan.accounts.choices import Role

    invitation, token = membership.invite(
        world.alice, world.ours.kommun, "ny.person", Role.MEMBER, "ny.person@kommun.se"
    )
    page = client.get(reverse("accounts:invitation_link", args=[token])).content.decode()
    assert "Tacka ja med Testinloggningen" in page
    op.person("sub-new", preferred_username="somebody.else", given_name="Ny", family_name="P")
    response = op.sign_in(client, "sub-new", {"inbjudan": token})
    user = User.objects.get(username="ny.person")
    assert response.url == reverse("process:dashboard", args=[world.ours.partnership.pk])
    assert _signed_in_as(client) == user.pk
    assert not user.has_usable_password()
    assert user.provider_identities.get().method == ProviderIdentity.Method.INVITATION
    assert user.memberships.filter(party=world.ours.kommun).exists()


def test_administrators_mapping_links_the_account(client, op, anna):
    call_command("link_sso_identity", "anna.andersson", "sub-anna")
    link = ProviderIdentity.objects.get()
    assert (link.user, link.issuer, link.method) == (anna, op.url, "admin")
    op.person("sub-anna")
    op.sign_in(client, "sub-anna")
    assert _signed_in_as(client) == anna.pk


def test_creation_when_allowed_never_takes_an_existing_name(client, op, anna, settings):
    settings.OIDC_CREATE_USERS = True
    op.person("sub-new", preferred_username="ny.person", email="ny@kommun.se")
    op.sign_in(client, "sub-new")
    created = User.objects.get(username="ny.person")
    assert _signed_in_as(client) == created.pk
    assert created.email == ""  # not verified, so not kept
    client.post(reverse("accounts:logout"))
    op.person("sub-lookalike", preferred_username="Anna.Andersson")
    response = op.sign_in(client, "sub-lookalike")
    assert response.url == reverse("accounts:oidc_link")
    assert not ProviderIdentity.objects.filter(user=anna).exists()


# ---- signing out ---------------------------------------------------------------------------


def test_logout_ends_the_providers_session_when_configured(client, op, anna, settings):
    settings.OIDC_LOGOUT_AT_PROVIDER = True
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    op.person("sub-anna")
    op.sign_in(client, "sub-anna")
    id_token = client.session[oidc.ID_TOKEN_SESSION_KEY]
    response = client.post(reverse("accounts:logout"))
    assert _signed_in_as(client) is None
    target = urlsplit(response.url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{op.url}/oauth2/end_session"
    sent = parse_qs(target.query)
    assert sent["id_token_hint"] == [id_token]
    assert sent["post_logout_redirect_uri"] == ["http://testserver" + reverse("accounts:login")]
    # The provider ends its session and sends the browser back.
    confirm = op.http.post(
        f"{op.url}/oauth2/end_session/confirm",
        data={"redirect_uri": sent["post_logout_redirect_uri"][0]},
        allow_redirects=False,
        timeout=10,
    )
    assert confirm.headers["Location"] == "http://testserver" + reverse("accounts:login")


def test_logout_stays_here_unless_configured(client, op, anna):
    ProviderIdentity.objects.create(user=anna, issuer=op.url, subject="sub-anna")
    op.person("sub-anna")
    op.sign_in(client, "sub-anna")
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")


def test_password_session_logs_out_here_only(client, op, anna, settings):
    settings.OIDC_LOGOUT_AT_PROVIDER = True
    client.force_login(anna)
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")



def test_discovery_check_reports_an_unreachable_provider(op, settings):
    from samverkan.accounts.checks import oidc_discovery

    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    [error] = oidc_discovery()
    assert error.id == "samverkan.E102"
    assert "discovery document at http://127.0.0.1:9/.well-known/openid-configuration" in (
        error.msg
    )
    assert "could not be read" in error.msg


def test_password_login_works_while_the_provider_is_down(client, op, anna, settings):
    """The provider is asked only when a sign-in through it comes back, never at a password
    login (the backends are all tried for every login)."""
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"
    response = client.post(
        reverse("accounts:login"), {"username": "anna.andersson", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _signed_in_as(client) == anna.pk
