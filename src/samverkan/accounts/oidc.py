"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless OIDC_ENABLED.

The provider (IdP) is one issuer, ``OIDC_OP_ISSUER``; its endpoints come from its discovery
document (accounts.oidc_provider). A sign-in goes:

1. ``start``: the browser is sent to the provider with a fresh state, nonce and PKCE
   challenge (mozilla-django-oidc's view).
2. ``callback``: the code is exchanged for tokens, and the ID token is checked: its
   signature with the provider's published key (the one named by ``kid``, or the only
   signing key when the token names none, as OpenID Connect Core 10.1 allows), the
   algorithm, ``iss`` (always), ``aud``/``azp``, ``exp``/``iat`` and the nonce.
3. The account is found by the link (issuer, subject) alone (``ProviderIdentity``). Names and
   e-mail addresses in the claims never find an account, verified or not. A link kept as
   "legacy" (made by an older matching on names, never proven) asks for the account's
   password and code on the link page at its first use, and is then kept as proven by
   password; a link without an issuer is never claimed by a sign-in (an administrator gives
   it its issuer).
4. A person with no link yet is given one only with proof:

   - the account's own password (and its code, when it has an authenticator app), on the
     page "Koppla ditt konto" (``link``) that follows the sign-in;
   - an invitation: the person opened the invitation's link and chose "Tacka ja med …";
     a new account is made under the invited name and joins the party;
   - an administrator, in the admin or with ``manage.py link_sso_identity``;
   - ``OIDC_CREATE_USERS=true``: a new account, named by ``OIDC_USERNAME_CLAIM``, and only
     when no account has that name (then the person links it with its password instead).

   Without proof the person sees the link page, which says what to do.

A sign-in through the provider is the first factor only. The provider's own second factor
(``amr`` with mfa, otp, hwk or sc, RFC 8176) counts as the account's second factor only
when an administrator has said so (``OIDC_TRUST_PROVIDER_MFA``); otherwise an account with an
authenticator app gives its code after the sign-in as after a password.

A failure shows a page in Swedish with a reference to give the administrator; the log says,
in English and under the same reference, what failed. Signing out can end the provider's
session too (``OIDC_LOGOUT_AT_PROVIDER``, RP-initiated logout).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView
from requests.exceptions import HTTPError

from samverkan.accounts import membership, oidc_provider, two_factor
from samverkan.accounts.models import ProviderIdentity

logger = logging.getLogger(__name__)

BACKEND = "samverkan.accounts.oidc.SamverkanOIDCBackend"
# amr values (RFC 8176) that say the provider asked for a second factor.
SECOND_FACTOR_METHODS = frozenset({"mfa", "otp", "hwk", "sc"})
# Seconds of leeway for the clocks of the provider and this server.
CLOCK_LEEWAY = 60
# How long a sign-in waits on the link page for its proof.
PENDING_SECONDS = 15 * 60

PENDING_SESSION_KEY = "samverkan_sso_pending"
INVITATION_SESSION_KEY = "samverkan_sso_invitation"
ID_TOKEN_SESSION_KEY = "samverkan_sso_id_token"

# What failed, as the log names it (English) ...
DISCOVERY = "discovery failed"
UNREACHABLE = "provider unreachable"
PROVIDER_ERROR = "provider answered with an error"
TOKEN_REFUSED = "token request refused"
STATE = "state mismatch"
BAD_SIGNATURE = "bad signature"
WRONG_ALGORITHM = "wrong algorithm"
WRONG_ISSUER = "wrong issuer"
WRONG_AUDIENCE = "wrong audience"
EXPIRED = "expired"
NONCE = "nonce mismatch"
MALFORMED = "malformed token"
USERINFO = "userinfo mismatch"
NO_SUBJECT = "no subject"
INACTIVE = "inactive account"
INVITATION = "invitation failed"


def _explanation(kind: str) -> str:
    """... and what the person is told (Swedish), with what to do."""
    provider = settings.OIDC_PROVIDER_NAME
    if kind in (DISCOVERY, UNREACHABLE):
        return _(
            "Samverkan kunde inte nå %(provider)s just nu. Försök igen om en stund, eller "
            "logga in med lösenord."
        ) % {"provider": provider}
    if kind == STATE:
        return _(
            "Inloggningen hade gått ut, eller startades i en annan flik eller webbläsare. "
            "Börja om från inloggningssidan."
        )
    if kind == PROVIDER_ERROR:
        return _("%(provider)s avbröt inloggningen.") % {"provider": provider}
    if kind == TOKEN_REFUSED:
        return _(
            "%(provider)s godtog inte Samverkans begäran. Inställningarna för enkel "
            "inloggning behöver ses över."
        ) % {"provider": provider}
    if kind == EXPIRED:
        return _(
            "Svaret från %(provider)s hade hunnit bli för gammalt. Försök igen; händer det "
            "igen kan klockan gå fel hos Samverkan eller hos tjänsten."
        ) % {"provider": provider}
    if kind == NO_SUBJECT:
        return _("%(provider)s skickade inget id för dig.") % {"provider": provider}
    if kind == INACTIVE:
        return _("Kontot som din inloggning är kopplad till är avstängt.")
    return _(
        "Svaret från %(provider)s kunde inte godkännas, så du loggades inte in."
    ) % {"provider": provider}


_STATUS = {DISCOVERY: 502, UNREACHABLE: 502, INACTIVE: 403, INVITATION: 409}


class SignInFailure(Exception):
    """A sign-in that cannot go on: ``kind`` names it in the log, ``detail`` says why
    (English); ``message``, when given, is what the person is told instead of the usual."""

    def __init__(self, kind: str, detail: str, message: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
        self.message = message


class NeedsLink(Exception):
    """The provider's person has no account link yet; the link page asks for proof."""


def failure_page(request: HttpRequest, failure: SignInFailure) -> HttpResponse:
    """The Swedish page for a failed sign-in, with a reference that the log also carries."""
    reference = secrets.token_hex(4).upper()
    logger.warning(
        "single sign-on failed [ref %s]: %s: %s", reference, failure.kind, failure.detail
    )
    return render(
        request,
        "accounts/sso_error.html",
        {
            "reference": reference,
            "explanation": failure.message or _explanation(failure.kind),
            "when": timezone.localtime(),
            "provider": settings.OIDC_PROVIDER_NAME,
            "retry": failure.kind not in (INACTIVE, TOKEN_REFUSED),
        },
        status=_STATUS.get(failure.kind, 400),
    )


def provider_second_factor(claims: dict[str, Any]) -> bool:
    """Whether the ID token's ``amr`` says the provider asked for a second factor."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    if not isinstance(amr, list):
        return False
    return bool(SECOND_FACTOR_METHODS & {str(method).lower() for method in amr})


def _verified_email(claims: dict[str, Any]) -> str:
    """The e-mail claim, only when the provider says it has verified it."""
    verified = claims.get("email_verified")
    if verified is True or (isinstance(verified, str) and verified.lower() == "true"):
        return str(claims.get("email") or "")[:254]
    return ""


def _provider() -> oidc_provider.Provider:
    try:
        return oidc_provider.provider()
    except oidc_provider.DiscoveryError as exc:
        raise SignInFailure(DISCOVERY, str(exc)) from exc


class SamverkanOIDCBackend(OIDCAuthenticationBackend):
    """The code exchange and the token checks (see the module docstring). Answers only the
    callback (which passes the nonce); a password sign-in passes it by."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library's constructor reads the endpoints from the settings; ours come from the
        # discovery document, read only when a sign-in comes back (never at a password login).
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.id_token = ""
        self.payload: dict[str, Any] = {}
        self.claims: dict[str, Any] = {}

    def authenticate(self, request: Any, nonce: str | None = None, **kwargs: Any) -> Any:
        if not settings.OIDC_ENABLED or request is None or nonce is None:
            return None
        self.request = request
        provider = _provider()
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
        token_request = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": request.GET.get("code"),
            "redirect_uri": request.build_absolute_uri(
                reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)
            ),
        }
        if kwargs.get("code_verifier"):
            token_request["code_verifier"] = kwargs["code_verifier"]
        try:
            tokens = self.get_token(token_request)
        except HTTPError as exc:
            raise SignInFailure(TOKEN_REFUSED, str(exc)) from exc
        except (requests.RequestException, ValueError) as exc:
            raise SignInFailure(UNREACHABLE, f"token endpoint: {exc}") from exc
        id_token = tokens.get("id_token") if isinstance(tokens, dict) else None
        if not isinstance(id_token, str) or not id_token:
            raise SignInFailure(MALFORMED, "the token response carries no id_token")
        payload = self.verify_token(id_token, nonce=nonce)
        self.id_token, self.payload = id_token, payload
        self.claims = self._claims(str(tokens.get("access_token") or ""), payload)
        return self._match(payload)

    # ---- the ID token ----------------------------------------------------------------------

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The provider's key for ``token``: the one its ``kid`` names, or, when it names
        none, the provider's only signing key (OpenID Connect Core 10.1)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SignInFailure(MALFORMED, f"ID token header: {exc}") from exc
        algorithm = header.get("alg")
        kid = header.get("kid")
        for fresh in (False, True):
            try:
                keys = oidc_provider.signing_keys(self.OIDC_OP_JWKS_ENDPOINT, fresh=fresh)
            except oidc_provider.DiscoveryError as exc:
                raise SignInFailure(UNREACHABLE, str(exc)) from exc
            if kid is None:
                candidates = keys
            else:
                candidates = [k for k in keys if k.get("kid") == kid]
            candidates = [k for k in candidates if k.get("alg", algorithm) == algorithm]
            if kid is None and len(candidates) > 1:
                raise SignInFailure(
                    BAD_SIGNATURE,
                    f"ID token names no key (kid) and the provider's key set holds "
                    f"{len(candidates)} signing keys for {algorithm}: the provider must name "
                    "the key when it has more than one",
                )
            if len(candidates) == 1:
                try:
                    return jwt.PyJWK(candidates[0], algorithm=algorithm)
                except jwt.PyJWTError as exc:
                    raise SignInFailure(BAD_SIGNATURE, f"provider's key: {exc}") from exc
        raise SignInFailure(
            BAD_SIGNATURE, f"no key in the provider's key set matches kid={kid!r} alg={algorithm}"
        )

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise SignInFailure(MALFORMED, f"ID token: {exc}") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SignInFailure(
                WRONG_ALGORITHM,
                f"ID token is signed with {header.get('alg')!r}, OIDC_RP_SIGN_ALGO is "
                f"{self.OIDC_RP_SIGN_ALGO}",
            )
        key = self.retrieve_matching_jwk(token)
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.OIDC_OP_ISSUER,
                leeway=CLOCK_LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SignInFailure(EXPIRED, f"ID token expired: {exc}") from exc
        except jwt.InvalidIssuerError as exc:
            raise SignInFailure(
                WRONG_ISSUER,
                f"ID token's iss is {self._unverified(token).get('iss')!r}, "
                f"OIDC_OP_ISSUER is {settings.OIDC_OP_ISSUER!r}",
            ) from exc
        except jwt.InvalidAudienceError as exc:
            raise SignInFailure(
                WRONG_AUDIENCE,
                f"ID token's aud {self._unverified(token).get('aud')!r} does not name "
                f"this client {self.OIDC_RP_CLIENT_ID!r}",
            ) from exc
        except jwt.InvalidSignatureError as exc:
            raise SignInFailure(BAD_SIGNATURE, "ID token signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise SignInFailure(MALFORMED, f"ID token: {exc}") from exc
        audience = payload.get("aud")
        if isinstance(audience, list) and len(audience) > 1:
            if payload.get("azp") != self.OIDC_RP_CLIENT_ID:
                raise SignInFailure(WRONG_AUDIENCE, "ID token for several audiences, azp not us")
        nonce = kwargs.get("nonce")
        if not nonce or payload.get("nonce") != nonce:
            raise SignInFailure(NONCE, "ID token's nonce is not the one this browser was sent with")
        return payload

    @staticmethod
    def _unverified(token: str) -> dict[str, Any]:
        try:
            return dict(jwt.decode(token, options={"verify_signature": False}))
        except jwt.PyJWTError:
            return {}

    def _claims(self, access_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, with the user info's where the ID token says nothing."""
        if not self.OIDC_OP_USER_ENDPOINT or not access_token:
            return dict(payload)
        try:
            response = requests.get(
                self.OIDC_OP_USER_ENDPOINT,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            kind = response.headers.get("content-type", "").lower()
            if kind.startswith("application/jwt"):
                userinfo = jwt.decode(
                    response.text,
                    self.retrieve_matching_jwk(response.text),
                    algorithms=[self.OIDC_RP_SIGN_ALGO],
                    audience=self.OIDC_RP_CLIENT_ID,
                    issuer=settings.OIDC_OP_ISSUER,
                    leeway=CLOCK_LEEWAY,
                )
            else:
                userinfo = response.json()
        except requests.RequestException as exc:
            raise SignInFailure(UNREACHABLE, f"userinfo endpoint: {exc}") from exc
        except (ValueError, jwt.PyJWTError) as exc:
            raise SignInFailure(USERINFO, f"userinfo answer: {exc}") from exc
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SignInFailure(USERINFO, "userinfo is about another person than the ID token")
        return {**userinfo, **payload}

    # ---- the account -----------------------------------------------------------------------

    def _match(self, payload: dict[str, Any]) -> Any:
        issuer = str(payload["iss"])
        # From the verified ID token only: the user info answer is not signed by the provider
        # in general, and its other claims are no one's lasting id.
        subject = str(payload.get(settings.OIDC_SUBJECT_CLAIM) or "").strip()
        if not subject or len(subject) > 255:
            raise SignInFailure(NO_SUBJECT, f"no usable {settings.OIDC_SUBJECT_CLAIM} claim")
        self.issuer, self.subject = issuer, subject
        link = find_link(issuer, subject)
        if link is not None:
            if not link.user.is_active:
                raise SignInFailure(INACTIVE, f"account {link.user.username!r} is inactive")
            if link.method == ProviderIdentity.Method.LEGACY:
                # Made by the old matching on names, never proven: at its first use the person
                # proves the account on the link page (password and code), which then keeps
                # the link as proven by password.
                logger.info(
                    "single sign-on: legacy link of account %s asks for proof",
                    link.user.username,
                )
                self._remember_pending(None)
                raise NeedsLink(subject)
            ProviderIdentity.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
            return link.user
        invitation = self._invitation()
        if invitation is not None:
            user = self._join(invitation)
            if user is not None:
                return user
        elif settings.OIDC_CREATE_USERS:
            user = self._create()
            if user is not None:
                return user
        self._remember_pending(invitation)
        raise NeedsLink(subject)

    def _invitation(self) -> Any:
        digest = self.request.session.get(INVITATION_SESSION_KEY)
        if not digest:
            return None
        return membership.by_token_hash(str(digest))

    def _new_user(self, username: str, email: str, organisation: Any = None) -> Any:
        user = self.UserModel(
            username=username,
            email=email,
            organisation=organisation,
            first_name=str(self.claims.get("given_name") or "")[:150],
            last_name=str(self.claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save()
        return user

    def _join(self, invitation: Any) -> Any:
        """A new account under the invited name, joined as the invitation offers; None when
        an account already has that name (its owner proves it with the password instead)."""
        if self.UserModel.objects.filter(username__iexact=invitation.username).exists():
            return None
        try:
            with transaction.atomic():
                user = self._new_user(
                    invitation.username,
                    invitation.email or _verified_email(self.claims),
                    invitation.party.organisation,
                )
                link(user, self.issuer, self.subject, ProviderIdentity.Method.INVITATION)
                membership.accept(invitation, user)
        except IntegrityError:
            return None
        except membership.MembershipError as exc:
            raise SignInFailure(INVITATION, f"invitation {invitation.pk}: {exc}", str(exc)) from exc
        self.request.session.pop(INVITATION_SESSION_KEY, None)
        self.request.session["oidc_login_next"] = reverse(
            "process:dashboard", kwargs={"pk": invitation.party.partnership_id}
        )
        logger.info(
            "single sign-on made account %s through invitation %s", user.username, invitation.pk
        )
        return user

    def _create(self) -> Any:
        """A new account named by the name claim (OIDC_CREATE_USERS); None when there is no
        name or an account has it already: a name never leads to an existing account."""
        username = membership.normalise_username(self.claims.get(settings.OIDC_USERNAME_CLAIM))
        if not username or len(username) > 150:
            return None
        if self.UserModel.objects.filter(username__iexact=username).exists():
            return None
        try:
            with transaction.atomic():
                user = self._new_user(username, _verified_email(self.claims))
                link(user, self.issuer, self.subject, ProviderIdentity.Method.CREATED)
        except IntegrityError:
            return None
        logger.info("single sign-on created account %s", username)
        return user

    def _remember_pending(self, invitation: Any) -> None:
        claims = self.claims
        name = " ".join(
            str(claims.get(part) or "") for part in ("given_name", "family_name")
        ).strip()
        self.request.session[PENDING_SESSION_KEY] = {
            "issuer": self.issuer,
            "subject": self.subject,
            "name": name or str(claims.get("name") or ""),
            "username": membership.normalise_username(
                claims.get(settings.OIDC_USERNAME_CLAIM)
            )[:150],
            "mfa": provider_second_factor(self.payload),
            "id_token": self.id_token,
            "invited_name": invitation.username if invitation is not None else "",
            "next": self.request.session.get("oidc_login_next") or "",
            "at": time.time(),
        }


def find_link(issuer: str, subject: str) -> ProviderIdentity | None:
    """The account link for this person at exactly this issuer.

    A link kept from before issuers were stored (blank issuer) is never claimed by a sign-in:
    the same subject may mean another person at another provider. An administrator gives it
    its issuer (``manage.py link_sso_identity`` or the admin), or the person links anew with
    the account's password on the link page."""
    return (
        ProviderIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )


def _link_proven(user: Any, issuer: str, subject: str) -> ProviderIdentity:
    """Tie ``user`` (proven by password and code) to the provider's person; a legacy link of
    this very person to this very account becomes a link proven by password."""
    legacy = ProviderIdentity.objects.filter(
        issuer=issuer, subject=subject, user=user, method=ProviderIdentity.Method.LEGACY
    ).first()
    if legacy is None:
        return link(user, issuer, subject, ProviderIdentity.Method.PASSWORD, by=user)
    legacy.method = ProviderIdentity.Method.PASSWORD
    legacy.linked_by = user
    legacy.last_used_at = timezone.now()
    legacy.save(update_fields=["method", "linked_by", "last_used_at"])
    logger.info(
        "single sign-on: legacy link of account %s to subject %s at %s proven by password",
        user.username,
        subject,
        issuer,
    )
    return legacy


def link(
    user: Any, issuer: str, subject: str, method: str, by: Any = None
) -> ProviderIdentity:
    """Tie ``user`` to the provider's person (IntegrityError when either is tied already)."""
    identity = ProviderIdentity.objects.create(
        user=user, issuer=issuer, subject=subject, method=method, linked_by=by
    )
    logger.info(
        "single sign-on linked account %s to subject %s at %s (%s)",
        user.username,
        subject,
        issuer,
        method,
    )
    return identity


def signed_in(
    request: HttpRequest, user: Any, id_token: str, provider_mfa: bool, next_url: str = ""
) -> HttpResponse:
    """Log ``user`` in after a single sign-on, and go on."""
    auth_login(request, user, backend=BACKEND)
    request.session[ID_TOKEN_SESSION_KEY] = id_token
    if settings.OIDC_TRUST_PROVIDER_MFA and provider_mfa:
        request.session[two_factor.IDP_MFA_SESSION_KEY] = user.pk
    else:
        request.session.pop(two_factor.IDP_MFA_SESSION_KEY, None)
    return HttpResponseRedirect(next_url or reverse(settings.LOGIN_REDIRECT_URL))


def pending(request: HttpRequest) -> dict[str, Any] | None:
    """The sign-in waiting for its proof on the link page, while it is fresh."""
    found = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(found, dict) or time.time() - float(found.get("at", 0)) > PENDING_SECONDS:
        return None
    return found


def end_session_url(request: HttpRequest) -> str:
    """Where to send the browser to end the provider's session too (RP-initiated logout),
    or "" when that is not set up or this session did not come from the provider."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not (settings.OIDC_ENABLED and settings.OIDC_LOGOUT_AT_PROVIDER and id_token):
        return ""
    try:
        endpoint = oidc_provider.provider().end_session_endpoint
    except oidc_provider.DiscoveryError as exc:
        logger.warning("single sign-on: logging out here only, as %s", exc)
        return ""
    if not endpoint:
        logger.warning("single sign-on: the provider publishes no end_session_endpoint")
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _enabled_or_404() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Enkel inloggning är inte påslagen")


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge.

    ``?inbjudan=<the invitation link's token>`` carries an invitation along: a person with no
    account yet who signs in gets one under the invited name (see the module docstring).
    """

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _enabled_or_404()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = _provider().authorization_endpoint
        except SignInFailure as failure:
            return failure_page(request, failure)
        token = request.GET.get("inbjudan")
        invitation = membership.by_token(token) if token else None
        if invitation is not None:
            request.session[INVITATION_SESSION_KEY] = invitation.token_hash
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
        request.session.pop(PENDING_SESSION_KEY, None)
        return super().dispatch(request, *args, **kwargs)


class CallbackView(View):
    """Where the provider sends the browser back: sign in, ask for proof, or say why not."""

    http_method_names = ["get"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _enabled_or_404()
        try:
            return super().dispatch(request, *args, **kwargs)
        except SignInFailure as failure:
            return failure_page(request, failure)
        except NeedsLink:
            return HttpResponseRedirect(reverse("accounts:oidc_link"))

    def get(self, request: HttpRequest) -> HttpResponse:
        states = request.session.get("oidc_states") or {}
        state = request.GET.get("state")
        if request.GET.get("error"):
            if state in states:
                del request.session["oidc_states"][state]
                request.session.modified = True
            raise SignInFailure(
                PROVIDER_ERROR,
                f"error={request.GET.get('error')!r} "
                f"description={request.GET.get('error_description', '')!r}",
            )
        if not request.GET.get("code") or not state:
            raise SignInFailure(STATE, "the callback carries no code or no state")
        if state not in states:
            raise SignInFailure(
                STATE,
                "the state is not one this browser's session was given (expired, used "
                "already, or started in another browser)",
            )
        sent = states[state]
        # Once only: the state (with its nonce and PKCE verifier) is spent before the code is.
        del request.session["oidc_states"][state]
        request.session.modified = True
        request.session.save()
        backend = SamverkanOIDCBackend()
        user = backend.authenticate(
            request, nonce=sent.get("nonce"), code_verifier=sent.get("code_verifier")
        )
        next_url = request.session.pop("oidc_login_next", None) or ""
        request.session.pop(INVITATION_SESSION_KEY, None)
        return signed_in(
            request, user, backend.id_token, provider_second_factor(backend.payload), next_url
        )


start = StartView.as_view()
start.access = "public"
callback = CallbackView.as_view()
callback.access = "public"  # type: ignore[attr-defined]


def link_page(request: HttpRequest) -> HttpResponse:
    """"Koppla ditt konto": a person the provider let through, with no account link yet,
    proves which account is theirs with its password (and code); or learns what to do."""
    from samverkan.accounts.forms import LinkAccountForm

    _enabled_or_404()
    waiting = pending(request)
    if waiting is None:
        return render(
            request,
            "accounts/sso_link.html",
            {"expired": True, "provider": settings.OIDC_PROVIDER_NAME},
            status=400,
        )
    form = LinkAccountForm(
        request,
        data=request.POST if request.method == "POST" else None,
        initial={"username": waiting.get("invited_name") or waiting.get("username")},
    )
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        device = None
        if two_factor.has_device(user):
            code = form.cleaned_data["code"]
            if not code:
                form.add_error(
                    "code", _("Ditt konto har tvåstegsverifiering: ange koden från appen.")
                )
            else:
                try:
                    device = two_factor.match_code(request, user, code)
                except two_factor.CodeRefused as exc:
                    form.add_error("code", str(exc))
        if not form.errors:
            try:
                with transaction.atomic():
                    _link_proven(user, waiting["issuer"], waiting["subject"])
            except IntegrityError:
                logger.warning(
                    "single sign-on: account %s or subject %s at %s is linked already",
                    user.username,
                    waiting["subject"],
                    waiting["issuer"],
                )
                form.add_error(
                    None,
                    _(
                        "Kontot är redan kopplat till en annan inloggning hos %(provider)s. "
                        "Be den som driver Samverkan att ta bort den gamla kopplingen först."
                    )
                    % {"provider": settings.OIDC_PROVIDER_NAME},
                )
            else:
                request.session.pop(PENDING_SESSION_KEY, None)
                request.session.pop(INVITATION_SESSION_KEY, None)
                next_url = waiting.get("next") or ""
                if waiting.get("invited_name"):
                    next_url = reverse("accounts:invitations")
                response = signed_in(
                    request, user, waiting.get("id_token", ""), bool(waiting.get("mfa")), next_url
                )
                if device is not None:
                    two_factor.otp_login(request, device)
                messages.success(
                    request,
                    _(
                        "Ditt konto är nu kopplat till din inloggning hos %(provider)s. Nästa "
                        "gång räcker det att logga in där."
                    )
                    % {"provider": settings.OIDC_PROVIDER_NAME},
                )
                return response
    return render(
        request,
        "accounts/sso_link.html",
        {
            "form": form,
            "waiting": waiting,
            "provider": settings.OIDC_PROVIDER_NAME,
            "create_users": settings.OIDC_CREATE_USERS,
        },
        status=400 if request.method == "POST" else 200,
    )


link_page.access = "public"  # type: ignore[attr-defined]
