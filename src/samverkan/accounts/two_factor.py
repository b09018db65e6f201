"""Two-factor sign-in: who must give a code from an authenticator app, and checking it.

Rules:
- A session is *verified* when the user has given a right code from a confirmed TOTP device
  in this session (django-otp), or signed in through single sign-on where the identity
  provider asserted a second factor itself (``amr``) and an administrator lets that count
  (``OIDC_TRUST_PROVIDER_MFA``, see accounts.oidc).
- Whoever has a confirmed device must give a code after every sign-in, before any page.
- Site administrators (staff and superusers) must have a device: their first sign-in leads
  to enrolment, and no page, the admin's included, opens before the code.
- A partnership can require it of its members (``Partnership.require_two_factor``): the
  access layer (``access.get_partnership_for``, the door every partnership page passes)
  raises ``TwoFactorRequired``, and the middleware turns that into a redirect to the code or
  enrolment page. Elsewhere (the API, scripts) it stays what it is, a refusal (403).
- The code step is a password check like the first one: it draws on the same login limit
  (accounts.throttle) for the account and the address.
"""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.accounts import throttle
from samverkan.accounts.models import LoginAttempt

# The session says which user signed in through single sign-on with a second factor.
IDP_MFA_SESSION_KEY = "samverkan_idp_mfa_user"

VERIFY = "verify"
ENROL = "enrol"


class TwoFactorRequired(PermissionDenied):
    """The page needs a verified session; the middleware sends the user to get one."""


def is_verified(user: Any) -> bool:
    """Whether this request's session has a second factor (needs OTPMiddleware and
    TwoFactorMiddleware to have run; anything else counts as unverified)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "otp_device", None) is not None or bool(getattr(user, "mfa_by_idp", False))


def has_device(user: Any) -> bool:
    """Whether the user has an authenticator app (backup codes alone do not count: when an
    operator removes a lost phone's device, the user enrols a new one)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_have_device(user: Any) -> bool:
    """Site administrators always need a second factor."""
    return bool(user.is_staff or user.is_superuser)


def step_needed(user: Any) -> str | None:
    """VERIFY, ENROL, or None when the session may go anywhere its rights allow."""
    if not getattr(user, "is_authenticated", False) or is_verified(user):
        return None
    if has_device(user):
        return VERIFY
    if must_have_device(user):
        return ENROL
    return None


def step_for_requirement(user: Any) -> str:
    """Where a user stopped by a partnership's requirement goes: the code, or enrolment."""
    return VERIFY if has_device(user) else ENROL


def require_for_partnership(user: Any, partnership: Any) -> None:
    if getattr(partnership, "require_two_factor", False) and not is_verified(user):
        raise TwoFactorRequired(
            _("Den här samverkan kräver tvåstegsverifiering. Ange en kod från din app.")
        )


# ---- enrolment --------------------------------------------------------------------------------


def pending_device(user: Any) -> TOTPDevice:
    """The user's unconfirmed device (made on first visit; the same secret until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Samverkan", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code to put in the page (no script, no
    outside service)."""
    import qrcode  # with the first enrolment, not at start-up (it brings Pillow)
    import qrcode.image.svg

    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    svg = image.to_string(encoding="unicode")
    # Inline SVG in HTML needs no XML declaration.
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    return svg.replace("<svg ", '<svg role="img" aria-label="QR-kod för tvåstegsverifiering" ', 1)


def confirm_device(request: Any, device: TOTPDevice, code: str) -> bool:
    """Activate ``device`` if ``code`` is right, and count this session as verified."""
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Older unconfirmed attempts say nothing any more.
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    return True


BACKUP_CODE_COUNT = 10


def new_backup_codes(user: Any) -> list[str]:
    """Ten single-use codes for the day the phone is lost; earlier ones stop working.

    Shown once; only django-otp's static tokens keep them (as the code step needs them).
    """
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Reservkoder", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# ---- the code step of sign-in -----------------------------------------------------------------


class CodeRefused(Exception):
    """The code was wrong, or the login limit is reached; the message is for the user."""


def check_code(request: Any, code: str) -> None:
    """Verify the session with a code from one of the user's devices, under the login limit."""
    otp_login(request, match_code(request, request.user, code))


def match_code(request: Any, user: Any, code: str) -> Any:
    """The device of ``user`` that ``code`` comes from (``CodeRefused`` when none), under the
    login limit: counted like a password, before the code is checked, given back when it is
    right."""
    username = throttle.username_key(user.get_username())
    address = throttle.client_address(request)
    verdict = throttle.begin_attempt(username, address)
    if not verdict.allowed:
        LoginAttempt.objects.create(username=username, address=address)
        raise CodeRefused(
            _("För många misslyckade inloggningar. Vänta %(minutes)s minuter och försök igen.")
            % {"minutes": verdict.minutes_left()}
        )
    device = match_token(user, code)
    if device is None:
        LoginAttempt.objects.create(username=username, address=address)
        raise CodeRefused(
            _(
                "Koden stämmer inte. Ange de sex siffrorna som appen visar just nu; "
                "en kod gäller bara en gång."
            )
        )
    throttle.succeeded(verdict)
    throttle.release(request)
    LoginAttempt.objects.filter(username=username, address=address).delete()
    return device
