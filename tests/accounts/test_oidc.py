"""Single sign-on against a faked identity provider: its token, user info and key endpoints are
answered in-process, and its ID tokens are signed with a test RSA key (no network). This is
for what a real provider will not do (two keys and no kid, a key it never had, user info about
another person); tests/accounts/test_oidc_provider.py signs in against a real one."""

from __future__ import annotations

import json
import time
from io import StringIO
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.management import CommandError, call_command
from django.urls import reverse

from samverkan.accounts import membership
from samverkan.accounts.choices import Role
from samverkan.accounts.models import ProviderIdentity, User
from samverkan.accounts.two_factor import IDP_MFA_SESSION_KEY
from tests.factories import PASSWORD

IDP = "https://idp.kommun.test"
CLIENT_ID = "samverkan-test-client"


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER_KEY = _key()
OTHER_KEY = _key()


def _response(url: str, body: dict, content_type: str = "application/json"):
    response = requests.Response()
    response.status_code = 200
    response.url = url
    response._content = json.dumps(body).encode()
    response.headers["content-type"] = content_type
    return response


class FakeProvider:
    """The identity provider's three back-channel endpoints, and what it will say next."""

    def __init__(self) -> None:
        self.claims: dict = {}
        self.userinfo: dict = {}
        self.signing_key = PROVIDER_KEY
        self.nonce: str | None = None
        self.token_requests: list[dict] = []
        self.kid: str | None = "k1"  # None: the token's header names no key
        self.extra_keys: list[dict] = []  # more signing keys in the provider's key set

    def id_token(self) -> str:
        now = int(time.time())
        payload = {
            "iss": IDP,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.claims,
        }
        headers = {"kid": self.kid} if self.kid else None
        return jwt.encode(payload, self.signing_key, algorithm="RS256", headers=headers)

    def post(self, url, data=None, **kwargs):
        assert url == f"{IDP}/token"
        self.token_requests.append(dict(data))
        return _response(url, {"id_token": self.id_token(), "access_token": "access-1"})

    def get(self, url, headers=None, **kwargs):
        if url == f"{IDP}/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(PROVIDER_KEY.public_key()))
            keys = [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}, *self.extra_keys]
            return _response(url, {"keys": keys})
        assert url == f"{IDP}/userinfo"
        assert headers == {"Authorization": "Bearer access-1"}
        return _response(url, self.userinfo or {"sub": self.claims.get("sub")})


@pytest.fixture
def idp(settings, db):
    settings.OIDC_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Kommunens konto"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "hemlig"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{IDP}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{IDP}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{IDP}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{IDP}/jwks"
    settings.OIDC_OP_ISSUER = IDP
    settings.OIDC_USERNAME_CLAIM = "preferred_username"
    settings.OIDC_SUBJECT_CLAIM = "sub"
    settings.OIDC_CREATE_USERS = False
    provider = FakeProvider()
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", provider.post),
        mock.patch("mozilla_django_oidc.auth.requests.get", provider.get),
    ):
        yield provider


def sign_in(client, provider, **claims) -> object:
    """Go to the provider and come back with a code; returns the callback's response."""
    start = client.get(reverse("accounts:oidc_start"))
    assert start.status_code == 302
    sent = parse_qs(urlsplit(start.url).query)
    provider.nonce = sent["nonce"][0]
    provider.claims = claims
    return client.get(
        reverse("accounts:oidc_callback"), {"code": "code-1", "state": sent["state"][0]}
    )


def _link(world, subject="idp-alice"):
    return ProviderIdentity.objects.create(user=world.alice, issuer=IDP, subject=subject)


def _refused(client, response, text: str = "kunde inte godkännas") -> None:
    """Not signed in, and told so on the Swedish error page (never a bare 500)."""
    assert "_auth_user_id" not in client.session
    assert response.status_code in (400, 403, 409, 502)
    page = response.content.decode()
    assert "Inloggningen via Kommunens konto gick inte" in page
    assert text in page
    assert response.context["reference"] in page


def test_login_page_offers_the_provider_when_enabled(client, idp):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Logga in med Kommunens konto" in page


def test_single_sign_on_is_off_by_default(client, db, settings):
    assert settings.OIDC_ENABLED is False
    assert "Logga in med" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:oidc_start")).status_code == 404
    assert (
        client.get(reverse("accounts:oidc_callback"), {"code": "c", "state": "s"}).status_code
        == 404
    )
    assert client.get(reverse("accounts:oidc_link")).status_code == 404


def test_start_sends_state_nonce_and_pkce_to_the_provider(client, idp):
    response = client.get(reverse("accounts:oidc_start"))
    assert response.url.startswith(f"{IDP}/authorize?")
    sent = parse_qs(urlsplit(response.url).query)
    assert sent["client_id"] == [CLIENT_ID]
    assert sent["code_challenge_method"] == ["S256"]
    assert sent["state"][0] and sent["nonce"][0]


def test_linked_account_signs_in(client, world, idp):
    _link(world)
    response = sign_in(client, idp, sub="idp-alice", preferred_username="Alice")
    assert response.status_code == 302
    assert response.url == reverse("partnerships:list")
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    # The client secret went to the token endpoint with the PKCE verifier.
    assert idp.token_requests[0]["client_secret"] == "hemlig"
    assert idp.token_requests[0]["code_verifier"]


def test_first_sign_in_with_a_local_accounts_name_is_not_tied_but_asks_for_proof(
    client, world, idp
):
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    assert response.url == reverse("accounts:oidc_link")
    assert "_auth_user_id" not in client.session
    assert not ProviderIdentity.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Koppla ditt konto" in page
    # The name is offered in the form, as a convenience; the password is the proof.
    assert 'value="alice"' in page


def test_sign_in_returns_to_the_page_the_person_was_going_to(client, world, idp):
    _link(world)
    target = f"/samverkan/{world.ours.partnership.pk}/"
    page = client.get(reverse("accounts:login"), {"next": target}).content.decode()
    assert f"{reverse('accounts:oidc_start')}?next=/samverkan/" in page
    start = client.get(reverse("accounts:oidc_start"), {"next": target})
    sent = parse_qs(urlsplit(start.url).query)
    idp.nonce = sent["nonce"][0]
    idp.claims = {"sub": "idp-alice", "preferred_username": "alice"}
    response = client.get(
        reverse("accounts:oidc_callback"), {"code": "code-1", "state": sent["state"][0]}
    )
    assert response.url == target


def test_later_sign_in_finds_the_account_by_id_not_by_name(client, world, idp):
    _link(world)
    sign_in(client, idp, sub="idp-alice", preferred_username="anna.renamed@kommun.se")
    assert client.session["_auth_user_id"] == str(world.alice.pk)


def test_link_without_an_issuer_is_never_claimed_by_a_sign_in(client, world, idp):
    """The same subject may be another person at another provider: a link kept from before
    issuers were stored is given its issuer by an administrator, never by a sign-in."""
    ProviderIdentity.objects.create(
        user=world.alice, issuer="", subject="idp-alice", method="legacy"
    )
    response = sign_in(client, idp, sub="idp-alice")
    assert response.url == reverse("accounts:oidc_link")
    assert "_auth_user_id" not in client.session
    assert ProviderIdentity.objects.get().issuer == ""
    # The person may still prove the account with its password: a new link, with the issuer.
    proven = client.post(
        reverse("accounts:oidc_link"), {"username": "alice", "password": PASSWORD}
    )
    assert proven.status_code == 302
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    assert set(ProviderIdentity.objects.values_list("issuer", "method")) == {
        ("", "legacy"),
        (IDP, "password"),
    }


def test_legacy_link_asks_for_proof_at_its_first_use_then_counts_as_proven(client, world, idp):
    """A link made by the old matching on names is no proof: its first sign-in goes to the link
    page, and only the account's own password (and code) turns it into a proven link."""
    ProviderIdentity.objects.create(
        user=world.alice, issuer=IDP, subject="idp-alice", method="legacy"
    )
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    assert response.url == reverse("accounts:oidc_link")
    assert "_auth_user_id" not in client.session
    # Another account's password does not take the link over.
    other = client.post(reverse("accounts:oidc_link"), {"username": "bob", "password": PASSWORD})
    assert other.status_code == 400 and "_auth_user_id" not in client.session
    wrong = client.post(
        reverse("accounts:oidc_link"), {"username": "alice", "password": "wrong-password"}
    )
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    assert ProviderIdentity.objects.get().method == "legacy"
    proven = client.post(
        reverse("accounts:oidc_link"), {"username": "alice", "password": PASSWORD}
    )
    assert proven.status_code == 302
    assert client.session["_auth_user_id"] == str(world.alice.pk)
    link = ProviderIdentity.objects.get()
    assert (link.user, link.method, link.linked_by) == (world.alice, "password", world.alice)
    # From now on the link alone signs in.
    client.logout()
    sign_in(client, idp, sub="idp-alice")
    assert client.session["_auth_user_id"] == str(world.alice.pk)


def test_name_of_an_account_tied_to_another_id_is_not_taken_over(client, world, idp):
    _link(world)
    response = sign_in(client, idp, sub="idp-someone-else", preferred_username="alice")
    assert "_auth_user_id" not in client.session
    assert response.url == reverse("accounts:oidc_link")
    # Even with alice's password, her account is tied to another id at this provider.
    client.post(
        reverse("accounts:oidc_link"), {"username": "alice", "password": "wrong-password"}
    )
    assert ProviderIdentity.objects.count() == 1


def test_site_administrator_is_never_tied_by_name(client, world, idp):
    world.alice.is_staff = True
    world.alice.save()
    sign_in(client, idp, sub="idp-x", preferred_username="alice")
    assert "_auth_user_id" not in client.session
    assert not ProviderIdentity.objects.exists()


def test_unknown_person_is_told_what_to_do_and_no_account_is_made(client, world, idp):
    users = User.objects.count()
    response = sign_in(client, idp, sub="idp-new", preferred_username="ny.person@kommun.se")
    assert "_auth_user_id" not in client.session
    assert User.objects.count() == users
    page = client.get(response.url).content.decode()
    assert "Be en administratör eller samordnare i din samverkan att bjuda in dig" in page
    assert "idp-new" in page


def test_an_invitation_to_the_name_alone_is_no_proof(client, world, idp):
    membership.invite(world.alice, world.ours.kommun, "Ny.Person@kommun.se", Role.MEMBER)
    sign_in(client, idp, sub="idp-new", preferred_username="ny.person@kommun.se")
    assert not User.objects.filter(username="ny.person@kommun.se").exists()
    assert "_auth_user_id" not in client.session


def test_invited_person_who_follows_the_link_gets_an_account(client, world, idp):
    _, token = membership.invite(world.alice, world.ours.kommun, "ny.person", Role.MEMBER)
    idp.userinfo = {"sub": "idp-new", "given_name": "Ny", "family_name": "Person"}
    start = client.get(reverse("accounts:oidc_start"), {"inbjudan": token})
    sent = parse_qs(urlsplit(start.url).query)
    idp.nonce = sent["nonce"][0]
    idp.claims = {"sub": "idp-new", "preferred_username": "whatever"}
    client.get(reverse("accounts:oidc_callback"), {"code": "c", "state": sent["state"][0]})
    user = User.objects.get(provider_identities__subject="idp-new")
    assert user.username == "ny.person"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert (user.first_name, user.last_name) == ("Ny", "Person")
    assert not user.has_usable_password()
    assert user.memberships.count() == 1


def test_unknown_person_gets_an_account_when_creation_is_allowed(client, world, idp, settings):
    settings.OIDC_CREATE_USERS = True
    sign_in(client, idp, sub="idp-new", preferred_username="ny.person@kommun.se")
    assert User.objects.filter(
        username="ny.person@kommun.se", provider_identities__subject="idp-new"
    ).exists()
    assert "_auth_user_id" in client.session


def test_token_without_kid_is_verified_with_the_providers_only_key(client, world, idp):
    """OpenID Connect Core allows leaving kid out when the key set holds one key (this ended
    in a bare 500, KeyError 'kid')."""
    _link(world)
    idp.kid = None
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    assert response.status_code == 302 and response.url == reverse("partnerships:list")
    assert client.session["_auth_user_id"] == str(world.alice.pk)


def test_token_without_kid_from_a_provider_with_two_keys_is_refused_not_a_500(
    client, world, idp, caplog
):
    _link(world)
    other = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(OTHER_KEY.public_key()))
    idp.extra_keys = [{**other, "kid": "k2", "alg": "RS256", "use": "sig"}]
    idp.kid = None
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    _refused(client, response)
    assert "names no key (kid) and the provider's key set holds 2 signing keys" in caplog.text


def test_token_without_kid_signed_with_another_key_is_refused(client, world, idp, caplog):
    _link(world)
    idp.kid = None
    idp.signing_key = OTHER_KEY
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    _refused(client, response)
    assert "bad signature" in caplog.text


def test_token_signed_with_another_key_is_refused(client, world, idp):
    _link(world)
    idp.signing_key = OTHER_KEY
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    _refused(client, response)


def test_token_naming_an_unknown_key_is_refused(client, world, idp, caplog):
    _link(world)
    idp.kid = "k9"
    response = sign_in(client, idp, sub="idp-alice")
    _refused(client, response)
    assert "no key in the provider's key set matches kid='k9'" in caplog.text


def test_token_for_another_client_is_refused(client, world, idp, settings, caplog):
    _link(world)
    settings.OIDC_RP_CLIENT_ID = "another-client"
    response = sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    _refused(client, response)
    assert "wrong audience" in caplog.text


def test_token_from_another_issuer_is_refused(client, world, idp, settings, caplog):
    _link(world)
    settings.OIDC_OP_ISSUER = "https://another.kommun.test"
    response = sign_in(client, idp, sub="idp-alice")
    _refused(client, response)
    assert "wrong issuer" in caplog.text


def test_userinfo_about_another_person_is_refused(client, world, idp, caplog):
    _link(world)
    idp.userinfo = {"sub": "idp-mallory"}
    response = sign_in(client, idp, sub="idp-alice")
    _refused(client, response)
    assert "userinfo is about another person" in caplog.text


def test_state_this_browser_was_not_given_is_refused(client, world, idp):
    start = client.get(reverse("accounts:oidc_start"))
    idp.nonce = parse_qs(urlsplit(start.url).query)["nonce"][0]
    idp.claims = {"sub": "idp-alice", "preferred_username": "alice"}
    response = client.get(reverse("accounts:oidc_callback"), {"code": "c", "state": "forged"})
    _refused(client, response, "Börja om från inloggningssidan")
    assert idp.token_requests == []


def test_callback_without_a_started_sign_in_is_refused(client, world, idp):
    response = client.get(reverse("accounts:oidc_callback"), {"code": "c", "state": "s"})
    _refused(client, response, "Börja om från inloggningssidan")


def test_provider_error_is_reported_in_swedish(client, world, idp, caplog):
    client.get(reverse("accounts:oidc_start"))
    response = client.get(reverse("accounts:oidc_callback"), {"error": "access_denied"})
    _refused(client, response, "Kommunens konto avbröt inloggningen")
    assert "error='access_denied'" in caplog.text


def test_a_state_is_spent_once(client, world, idp):
    _link(world)
    start = client.get(reverse("accounts:oidc_start"))
    sent = parse_qs(urlsplit(start.url).query)
    idp.nonce = sent["nonce"][0]
    idp.claims = {"sub": "idp-alice"}
    query = {"code": "code-1", "state": sent["state"][0]}
    assert client.get(reverse("accounts:oidc_callback"), query).status_code == 302
    client.post(reverse("accounts:logout"))
    _refused(client, client.get(reverse("accounts:oidc_callback"), query), "Börja om")


def test_inactive_linked_account_is_refused(client, world, idp):
    _link(world)
    world.alice.is_active = False
    world.alice.save()
    response = sign_in(client, idp, sub="idp-alice")
    _refused(client, response, "avstängt")
    assert response.status_code == 403


def test_provider_that_asserts_mfa_counts_when_the_administrator_allows_it(
    client, world, idp, settings
):
    _link(world)
    settings.OIDC_TRUST_PROVIDER_MFA = True
    sign_in(client, idp, sub="idp-alice", preferred_username="alice", amr=["pwd", "mfa"])
    assert client.session[IDP_MFA_SESSION_KEY] == world.alice.pk


def test_provider_mfa_does_not_count_by_default(client, world, idp):
    _link(world)
    sign_in(client, idp, sub="idp-alice", preferred_username="alice", amr=["pwd", "mfa"])
    assert IDP_MFA_SESSION_KEY not in client.session


def test_provider_without_mfa_is_first_factor_only(client, world, idp, settings):
    _link(world)
    settings.OIDC_TRUST_PROVIDER_MFA = True
    sign_in(client, idp, sub="idp-alice", preferred_username="alice", amr=["pwd"])
    assert IDP_MFA_SESSION_KEY not in client.session


def test_link_page_without_a_sign_in_says_to_start_over(client, idp):
    response = client.get(reverse("accounts:oidc_link"))
    assert response.status_code == 400
    assert "Börja om från inloggningssidan" in response.content.decode()


def test_administrators_command_links_lists_and_unlinks(world, idp):
    call_command("link_sso_identity", "alice", "idp-alice")
    assert ProviderIdentity.objects.get().method == "admin"
    out = StringIO()
    call_command("link_sso_identity", "alice", stdout=out)
    assert "idp-alice" in out.getvalue() and IDP in out.getvalue()
    with pytest.raises(CommandError, match="linked to alice already"):
        call_command("link_sso_identity", "carol", "idp-alice")
    call_command("link_sso_identity", "alice", "idp-alice", "--unlink")
    assert not ProviderIdentity.objects.exists()


# ---- settings ----------------------------------------------------------------------------

FULL_SETTINGS = {
    "OIDC_ENABLED": "true",
    "OIDC_OP_ISSUER": IDP,
    "OIDC_RP_CLIENT_ID": CLIENT_ID,
    "OIDC_RP_CLIENT_SECRET": "hemlig",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{IDP}/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": f"{IDP}/token",
    "OIDC_OP_USER_ENDPOINT": f"{IDP}/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": f"{IDP}/jwks",
}


def _check(tmp_path, **env):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"} and not k.startswith("OIDC_")
    }
    return subprocess.run(
        [sys.executable, str(root / "manage.py"), "check"],
        env={**base, "DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_enabled_without_client_or_issuer_fails_the_check_with_a_message(settings):
    from samverkan.accounts.checks import oidc_settings

    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = ""
    settings.OIDC_OP_ISSUER = ""
    errors = oidc_settings()
    assert [(e.id, e.msg) for e in errors] == [
        ("samverkan.E101", "OIDC_ENABLED=true needs OIDC_RP_CLIENT_SECRET"),
        ("samverkan.E101", "OIDC_ENABLED=true needs OIDC_OP_ISSUER"),
    ]
    assert "every token's iss is checked" in errors[1].hint
    settings.OIDC_RP_CLIENT_SECRET = "hemlig"
    settings.OIDC_OP_ISSUER = IDP
    assert oidc_settings() == []


def test_enabled_with_a_non_http_endpoint_stops_start(tmp_path):
    env = {**FULL_SETTINGS, "OIDC_OP_TOKEN_ENDPOINT": "idp.kommun.test/token"}
    result = _check(tmp_path, **env)
    assert result.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT='idp.kommun.test/token' is not an http" in result.stderr


@pytest.mark.slow(reason="starts a server process with every sign-in setting")
def test_enabled_with_every_setting_starts(tmp_path):
    result = _check(tmp_path, **FULL_SETTINGS, OIDC_RP_SIGN_ALGO="RS256")
    assert result.returncode == 0, result.stderr


def test_a_link_added_in_the_admin_is_recorded_as_the_administrators(world, idp, rf):
    from django.contrib.admin.sites import site

    request = rf.post("/")
    request.user = world.alice
    identity = ProviderIdentity(user=world.carol, issuer=IDP, subject="idp-carol")
    site._registry[ProviderIdentity].save_model(request, identity, None, False)
    identity.refresh_from_db()
    assert (identity.method, identity.linked_by) == ("admin", world.alice)


@pytest.mark.parametrize("claim", ["email", "preferred_username", "UPN", "name", "unique_name",
                                   "nickname"])  # fmt: skip
def test_a_changeable_subject_claim_fails_the_check(settings, claim):
    from samverkan.accounts.checks import oidc_settings

    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "hemlig"
    settings.OIDC_OP_ISSUER = IDP
    settings.OIDC_SUBJECT_CLAIM = claim
    errors = oidc_settings()
    assert [e.id for e in errors] == ["samverkan.E103"]
    assert "oid" in errors[0].hint
    for lasting in ("sub", "oid"):
        settings.OIDC_SUBJECT_CLAIM = lasting
        assert oidc_settings() == []


def test_the_subject_is_read_from_the_verified_id_token_only(client, world, idp, settings):
    """A subject claim the ID token lacks is not taken from the user info answer."""
    settings.OIDC_SUBJECT_CLAIM = "oid"
    ProviderIdentity.objects.create(user=world.alice, issuer=IDP, subject="oid-alice")
    idp.userinfo = {"sub": "idp-alice", "oid": "oid-alice"}
    response = sign_in(client, idp, sub="idp-alice")
    _refused(client, response, text="skickade inget id för dig")
    # In the ID token, the same claim signs in.
    client.logout()
    signed = sign_in(client, idp, sub="idp-alice", oid="oid-alice")
    assert signed.status_code == 302
    assert client.session["_auth_user_id"] == str(world.alice.pk)


def test_the_link_page_gives_a_known_password_no_new_code_guesses(client, world, idp, settings):
    """On the link page a right password with a wrong code is still a spent try: the count is
    cleared only when the code matches too, so codes cannot be guessed without limit."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.LOGIN_MAX_FAILURES = 5
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    TOTPDevice.objects.create(user=world.alice, name="app", confirmed=True)
    sign_in(client, idp, sub="idp-alice", preferred_username="alice")
    checked = 0
    for _ in range(6):
        page = client.post(
            reverse("accounts:oidc_link"),
            {"username": "alice", "password": PASSWORD, "code": "000000"},
        ).content.decode()
        checked += "Koden stämmer inte" in page
    assert checked == 2
    assert "För många misslyckade inloggningar" in page
    assert not ProviderIdentity.objects.exists() and "_auth_user_id" not in client.session
