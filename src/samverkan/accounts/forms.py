"""Login forms (the site's and the admin's) behind one limit on tries (accounts.throttle)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from samverkan.accounts import throttle
from samverkan.accounts.models import LoginAttempt, User
from samverkan.lib.forms import CleanTextMixin


class RateLimitedLoginMixin:
    """Counts every try before the password is checked; a locked name never logs in."""

    error_messages: dict[str, Any]
    data: Any
    request: Any

    def clean(self) -> dict[str, Any]:
        username = throttle.username_key(self.data.get("username"))
        address = throttle.client_address(self.request)
        verdict = throttle.begin_attempt(username, address)
        if not verdict.allowed:
            LoginAttempt.objects.create(username=username, address=address)
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"minutes": verdict.minutes_left()},
            )
        try:
            # A mixin: clean() is that of the Django form after it in the MRO.
            data = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            LoginAttempt.objects.create(username=username, address=address)
            raise
        if getattr(self, "user_cache", None) is None:
            # A field was missing, so no password was checked: the try does not count.
            throttle.give_back(verdict)
            return data
        from samverkan.accounts import two_factor

        if self.request is not None and two_factor.has_device(getattr(self, "user_cache", None)):
            # The password alone is half the proof: the try counts until the code matches
            # (two_factor.match_code), so a known password gives no new code guesses.
            throttle.hold(self.request, verdict)
            return data
        throttle.succeeded(verdict)
        LoginAttempt.objects.filter(username=username, address=address).delete()
        return data


_TOO_MANY = _("För många misslyckade inloggningar. Vänta %(minutes)s minuter och försök igen.")


class RateLimitedAuthenticationForm(RateLimitedLoginMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Fel användarnamn eller lösenord. Observera att stora och små bokstäver skiljer sig åt."
        ),
        "too_many": _TOO_MANY,
    }


class RateLimitedAdminAuthenticationForm(RateLimitedLoginMixin, AdminAuthenticationForm):
    """The admin's login form under the same limit, with the same record of failures."""

    error_messages = {**AdminAuthenticationForm.error_messages, "too_many": _TOO_MANY}


class InvitationSignupForm(CleanTextMixin, UserCreationForm):
    """Create one's own account through an invitation's link (the name is one's own choice)."""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email")


class TwoFactorCodeForm(CleanTextMixin, forms.Form):
    """The six digits an authenticator app shows (spaces allowed, as apps group them)."""

    code = forms.CharField(
        label=_("Kod från appen"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("Ange de sex siffrorna som appen visar, t.ex. 123456."))
        return code


class SignInCodeForm(TwoFactorCodeForm):
    """The code step of signing in: six digits from the app, or one of the backup codes."""

    code = forms.CharField(
        label=_("Kod från appen eller en reservkod"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split()).replace("-", "").lower()
        if len(code) == 6 and code.isascii() and code.isdigit():
            return code
        if re.fullmatch(r"[a-z2-7]{8}", code):
            return code
        raise forms.ValidationError(
            _(
                "Ange de sex siffrorna som appen visar, t.ex. 123456, eller en av dina "
                "reservkoder (åtta tecken)."
            )
        )


class LinkAccountForm(RateLimitedAuthenticationForm):
    """The proof for a first single sign-on: the account's password, under the login limit,
    and its code when the account has an authenticator app (checked by the view)."""

    code = forms.CharField(
        label=_("Kod från appen eller en reservkod"),
        max_length=40,
        required=False,
        help_text=_("Bara om ditt konto har tvåstegsverifiering."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        return "".join(str(self.cleaned_data.get("code") or "").split()).replace("-", "").lower()
