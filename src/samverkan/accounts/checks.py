"""System checks for single sign-on (``manage.py check``; ``--deploy`` also reads the
provider's discovery document, so that a wrong issuer or an unreachable provider shows
before the first person tries to sign in)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

# Claims that a person, an administrator or the provider may change or give to someone else:
# never the subject that ties a sign-in to an account.
MUTABLE_CLAIMS = frozenset(
    {
        "email",
        "preferred_username",
        "upn",
        "name",
        "unique_name",
        "nickname",
        "given_name",
        "family_name",
        "phone_number",
        "login_hint",
    }
)


@checks.register(checks.Tags.security)
def oidc_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.OIDC_ENABLED:
        return []
    errors: list[checks.CheckMessage] = []
    for name, hint in (
        ("OIDC_RP_CLIENT_ID", "the client (application) id registered at the provider"),
        ("OIDC_RP_CLIENT_SECRET", "the client's secret (or OIDC_RP_CLIENT_SECRET_FILE)"),
        (
            "OIDC_OP_ISSUER",
            "the provider's issuer exactly as its ID tokens name it (iss), e.g. "
            "https://login.microsoftonline.com/<tenant>/v2.0; every token's iss is checked "
            "against it, and the discovery document is found under it",
        ),
    ):
        if not getattr(settings, name):
            errors.append(
                checks.Error(
                    f"OIDC_ENABLED=true needs {name}",
                    hint=f"Set {name}: {hint}.",
                    id="samverkan.E101",
                )
            )
    claim = settings.OIDC_SUBJECT_CLAIM
    if claim.lower() in MUTABLE_CLAIMS:
        errors.append(
            checks.Error(
                f"OIDC_SUBJECT_CLAIM={claim} names a claim the person or the provider may change",
                hint="An account is found by the issuer and this claim alone, so a person who "
                "gets another's old e-mail address or name would get that account. Use the "
                "provider's lasting id: sub (the default), or oid for Entra ID.",
                id="samverkan.E103",
            )
        )
    return errors


@checks.register(checks.Tags.security, deploy=True)
def oidc_discovery(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from samverkan.accounts import oidc_provider

    if not settings.OIDC_ENABLED or not settings.OIDC_OP_ISSUER:
        return []
    if not oidc_provider.needs_discovery():
        return []
    try:
        found = oidc_provider.provider(fresh=True)
    except oidc_provider.DiscoveryError as exc:
        return [
            checks.Error(
                f"Single sign-on: {exc}",
                hint=(
                    "Check OIDC_OP_ISSUER (or OIDC_OP_DISCOVERY_URL) against the provider's "
                    "/.well-known/openid-configuration, and that this server reaches it."
                ),
                id="samverkan.E102",
            )
        ]
    messages: list[checks.CheckMessage] = []
    if settings.OIDC_LOGOUT_AT_PROVIDER and not found.end_session_endpoint:
        messages.append(
            checks.Warning(
                "Single sign-on: OIDC_LOGOUT_AT_PROVIDER=true, but the provider publishes no "
                "end_session_endpoint; signing out ends the session here only.",
                hint="Set OIDC_OP_END_SESSION_ENDPOINT, or OIDC_LOGOUT_AT_PROVIDER=false.",
                id="samverkan.W103",
            )
        )
    return messages
