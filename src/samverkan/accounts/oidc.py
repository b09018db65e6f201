"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless OIDC_ENABLED.

How a person from the identity provider (IdP) meets an account here:

1. By the stable id: the claim ``OIDC_SUBJECT_CLAIM`` (default ``sub``) is stored on the
   account (``User.oidc_subject``) at the first sign-in; from then on the account is found by
   that id alone, so a renamed person at the IdP keeps their account and a new person who
   inherits an old name does not get it.
2. At the first sign-in, by name: the claim ``OIDC_USERNAME_CLAIM`` (default
   ``preferred_username``; for Entra ID the UPN, e.g. ``anna.andersson@kommun.se``) is
   compared with the user names here (Unicode NFKC, case ignored). An account that is
   already tied to another id, or a site administrator's account (staff or superuser, which
   an operator ties by hand in the admin), is never taken over this way.
3. Nobody else gets in, unless ``OIDC_CREATE_USERS=true`` or an open invitation is addressed
   to that name: then the account is created (without a password) and the person answers
   the invitation after signing in. Everyone else is told in Swedish that an administrator
   must invite them first.

The ID token's signature is checked with the IdP's published keys (JWKS), its ``aud`` must
name our client id, its ``iss`` must match ``OIDC_OP_ISSUER`` when that is set, and the
``state``, ``nonce`` and PKCE verifier must match the ones this browser was sent off with.

A sign-in through the IdP counts as the first factor only. It also counts as the second
(accounts.two_factor) when the ID token's ``amr`` claim says the IdP asked for one
(``mfa`` or ``otp``, RFC 8176).
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from samverkan.accounts import membership, two_factor

logger = logging.getLogger(__name__)

SECOND_FACTOR_METHODS = frozenset({"mfa", "otp"})

# Why a sign-in was refused, for the message the person sees (set on the request).
UNKNOWN = "unknown"
TAKEN = "taken"
NO_NAME = "no_name"


def idp_asserted_second_factor(claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = amr.split()
    return bool(SECOND_FACTOR_METHODS & {str(method).lower() for method in amr})


class Refused(SuspiciousOperation):
    """The IdP's person may not sign in here; ``reason`` picks the message."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class SamverkanOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with our matching rules (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if settings.OIDC_ENABLED:
            super().__init__(*args, **kwargs)
        else:
            self.UserModel = get_user_model()

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The provider's key for ``token``. OpenID Connect Core (10.1) lets a provider leave
        ``kid`` out of the token's header when its key set holds one signing key; the library
        looks the key up by ``kid`` only (and failed with a KeyError), so that case is ours."""
        from mozilla_django_oidc import auth as library

        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = library.requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation(
                f"ID token names no key (kid) and the provider's key set holds {len(keys)} "
                "signing keys: the provider must name the key when it has more than one"
            )
        key = keys[0]
        if "alg" in key and key["alg"] != header.get("alg"):
            raise SuspiciousOperation("ID token is signed with another algorithm than its key")
        return jwt.PyJWK(key)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if settings.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token is not meant for this client (aud)")
        if settings.OIDC_OP_ISSUER and payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("ID token comes from another issuer (iss)")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict) -> Any:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") and userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another person than the ID token")
        # The signed ID token wins over the user info where both say something.
        claims = {**userinfo, **payload}
        try:
            user = self._match(claims)
        except Refused as exc:
            self.request.samverkan_oidc_refusal = exc.reason
            raise
        user.samverkan_idp_mfa = idp_asserted_second_factor(payload)
        return user

    def _match(self, claims: dict[str, Any]) -> Any:
        User = self.UserModel
        subject = str(claims.get(settings.OIDC_SUBJECT_CLAIM) or "").strip()[:255]
        if not subject:
            raise Refused(NO_NAME, f"no {settings.OIDC_SUBJECT_CLAIM} claim")
        known = User.objects.filter(oidc_subject=subject).first()
        if known is not None:
            return known
        username = membership.normalise_username(claims.get(settings.OIDC_USERNAME_CLAIM))[:150]
        if not username:
            raise Refused(NO_NAME, f"no {settings.OIDC_USERNAME_CLAIM} claim")
        named = list(User.objects.filter(username__iexact=username)[:2])
        if len(named) > 1:
            raise Refused(TAKEN, f"several accounts are named {username!r}")
        if named:
            user = named[0]
            if user.oidc_subject or user.is_staff or user.is_superuser:
                raise Refused(TAKEN, f"account {username!r} is not open to linking")
            user.oidc_subject = subject
            user.save(update_fields=["oidc_subject"])
            logger.info("single sign-on tied account %s to its IdP id", username)
            return user
        invited = membership.invitations_for_name(username).exists()
        if not (settings.OIDC_CREATE_USERS or invited):
            raise Refused(UNKNOWN, f"no account named {username!r}")
        try:
            with transaction.atomic():
                user = User(
                    username=username,
                    oidc_subject=subject,
                    email=str(claims.get("email") or "")[:254],
                    first_name=str(claims.get("given_name") or "")[:150],
                    last_name=str(claims.get("family_name") or "")[:150],
                )
                user.set_unusable_password()
                user.save()
        except IntegrityError as exc:
            raise Refused(TAKEN, f"account {username!r} appeared meanwhile") from exc
        logger.info("single sign-on created account %s", username)
        return user


def _enabled_or_404() -> None:
    if not settings.OIDC_ENABLED:
        raise Http404("Enkel inloggning är inte påslagen")


class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the IdP with a fresh state, nonce and PKCE challenge."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _enabled_or_404()
        return super().dispatch(request, *args, **kwargs)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the IdP sends the browser back: sign in, or say in Swedish why not."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _enabled_or_404()
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation as exc:
            # A state that this browser was not given, a token that fails its checks.
            logger.warning("single sign-on refused: %s", exc)
            return self.login_failure()
        except (requests.RequestException, jwt.PyJWTError, ValueError) as exc:
            logger.warning("single sign-on failed: %s", exc)
            return self.login_failure()

    def login_failure(self) -> HttpResponse:
        reason = getattr(self.request, "samverkan_oidc_refusal", None)
        if reason == UNKNOWN:
            text = _(
                "Du har inget konto i Samverkan än. En administratör i din samverkan måste "
                "bjuda in dig först; logga sedan in igen."
            )
        elif reason == TAKEN:
            text = _(
                "Kontot med ditt namn kan inte kopplas till din inloggning. Kontakta den som "
                "driver Samverkan."
            )
        elif reason == NO_NAME:
            text = _(
                "Inloggningstjänsten skickade inget användarnamn. Kontakta den som driver "
                "Samverkan."
            )
        else:
            text = _(
                "Inloggningen via %(provider)s misslyckades. Försök igen, eller logga in med "
                "lösenord."
            ) % {"provider": settings.OIDC_PROVIDER_NAME}
        messages.error(self.request, text)
        return HttpResponseRedirect(reverse("accounts:login"))

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        if getattr(self.user, "samverkan_idp_mfa", False):
            self.request.session[two_factor.IDP_MFA_SESSION_KEY] = self.user.pk
        else:
            self.request.session.pop(two_factor.IDP_MFA_SESSION_KEY, None)
        return response


start = StartView.as_view()
start.access = "public"
callback = CallbackView.as_view()
callback.access = "public"
