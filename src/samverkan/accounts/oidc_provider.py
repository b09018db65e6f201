"""The OpenID provider's endpoints and keys: from its discovery document, read once and kept.

``provider()`` answers the endpoints sign-in uses. They come from the provider's discovery
document (OpenID Connect Discovery 1.0): ``OIDC_OP_DISCOVERY_URL``, or else
``<OIDC_OP_ISSUER>/.well-known/openid-configuration``. An endpoint given in the settings wins
over the document's; when every endpoint in use is given, the document is not read at all.

The document is read at the first sign-in and kept in the process for a day; a document that
cannot be read is not kept (the next sign-in tries again). The document must name exactly the
configured issuer (Discovery 4.3), publish the three endpoints a sign-in needs, and sign with
``OIDC_RP_SIGN_ALGO`` when it lists its algorithms; anything else is a ``DiscoveryError``
whose message (in English, for the log and ``manage.py check --deploy``) says what to fix.

The provider's key set (JWKS) is kept for ten minutes, and read again at once when a token
names a key the kept set does not hold (the provider has rotated its keys).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

DISCOVERY_MAX_AGE_SECONDS = 24 * 3600
JWKS_MAX_AGE_SECONDS = 600
WELL_KNOWN = "/.well-known/openid-configuration"


class DiscoveryError(Exception):
    """The provider's discovery document is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str = ""
    end_session_endpoint: str = ""
    discovery_url: str = ""


_lock = threading.Lock()
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_jwks: dict[str, tuple[float, dict[str, Any]]] = {}


def clear() -> None:
    with _lock:
        _discovered.clear()
        _jwks.clear()


@receiver(setting_changed)
def _settings_changed(setting: str, **_: Any) -> None:
    if setting.startswith("OIDC_"):
        clear()


def discovery_url() -> str:
    if settings.OIDC_OP_DISCOVERY_URL:
        return str(settings.OIDC_OP_DISCOVERY_URL)
    return str(settings.OIDC_OP_ISSUER).rstrip("/") + WELL_KNOWN


def _manual() -> dict[str, str]:
    return {
        "authorization_endpoint": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.OIDC_OP_USER_ENDPOINT,
        "jwks_uri": settings.OIDC_OP_JWKS_ENDPOINT,
        "end_session_endpoint": settings.OIDC_OP_END_SESSION_ENDPOINT,
    }


def needs_discovery() -> bool:
    """Whether the discovery document must be read: it is named, or an endpoint in use is
    not given in the settings."""
    manual = _manual()
    needed = ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"]
    if settings.OIDC_LOGOUT_AT_PROVIDER:
        needed.append("end_session_endpoint")
    return bool(settings.OIDC_OP_DISCOVERY_URL) or not all(manual[name] for name in needed)


def _is_web_address(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        response = requests.get(
            url,
            timeout=settings.OIDC_TIMEOUT,
            headers={"Accept": "application/json"},
        )
        response.raise_for_status()
        document = response.json()
    except requests.RequestException as exc:
        raise DiscoveryError(f"the provider's {what} at {url} could not be read: {exc}") from exc
    except ValueError as exc:
        raise DiscoveryError(f"the provider's {what} at {url} is not JSON") from exc
    if not isinstance(document, dict):
        raise DiscoveryError(f"the provider's {what} at {url} is not a JSON object")
    return document


def read_discovery(url: str) -> dict[str, Any]:
    """The discovery document at ``url``, checked against the settings."""
    document = _get_json(url, "discovery document")
    issuer = document.get("issuer")
    if issuer != settings.OIDC_OP_ISSUER:
        raise DiscoveryError(
            f"the discovery document at {url} names the issuer {issuer!r}, but "
            f"OIDC_OP_ISSUER is {settings.OIDC_OP_ISSUER!r}; they must be identical "
            "(OpenID Connect Discovery 4.3)"
        )
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _is_web_address(document.get(name)):
            raise DiscoveryError(
                f"the discovery document at {url} has no http(s) address for {name}"
            )
    for name in ("userinfo_endpoint", "end_session_endpoint"):
        if document.get(name) is not None and not _is_web_address(document.get(name)):
            raise DiscoveryError(f"the discovery document at {url} has a bad {name}")
    algorithms = document.get("id_token_signing_alg_values_supported")
    if isinstance(algorithms, list) and settings.OIDC_RP_SIGN_ALGO not in algorithms:
        raise DiscoveryError(
            f"the provider signs ID tokens with {', '.join(map(str, algorithms))}, but "
            f"OIDC_RP_SIGN_ALGO is {settings.OIDC_RP_SIGN_ALGO}"
        )
    return document


def provider(*, fresh: bool = False) -> Provider:
    """The endpoints sign-in uses (``DiscoveryError`` when they cannot be had)."""
    manual = _manual()
    document: dict[str, Any] = {}
    url = ""
    if needs_discovery():
        url = discovery_url()
        now = time.monotonic()
        with _lock:
            kept = _discovered.get(url)
        if fresh or kept is None or now - kept[0] > DISCOVERY_MAX_AGE_SECONDS:
            document = read_discovery(url)
            with _lock:
                _discovered[url] = (now, document)
        else:
            document = kept[1]

    def pick(name: str) -> str:
        return str(manual[name] or document.get(name) or "")

    endpoints = {name: pick(name) for name in manual}
    missing = [
        name
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not endpoints[name]
    ]
    if missing:  # only when every endpoint is given by hand but these (cannot happen else)
        raise DiscoveryError(f"no address for {', '.join(missing)}")
    return Provider(issuer=settings.OIDC_OP_ISSUER, discovery_url=url, **endpoints)


def signing_keys(jwks_uri: str, *, fresh: bool = False) -> list[dict[str, Any]]:
    """The provider's signing keys (those not marked for encryption only)."""
    now = time.monotonic()
    with _lock:
        kept = _jwks.get(jwks_uri)
    if fresh or kept is None or now - kept[0] > JWKS_MAX_AGE_SECONDS:
        document = _get_json(jwks_uri, "key set (JWKS)")
        with _lock:
            _jwks[jwks_uri] = (now, document)
    else:
        document = kept[1]
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise DiscoveryError(f"the provider's key set at {jwks_uri} has no keys")
    return [k for k in keys if isinstance(k, dict) and k.get("use", "sig") == "sig"]
