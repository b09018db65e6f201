"""Login with a limit on failed attempts, kept in the database so it holds across processes."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import LoginAttempt


def client_address(request: Any) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients and would let them dodge the limit.
    # Behind a proxy, the proxy must set REMOTE_ADDR (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") if request is not None else None


class RateLimitedAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Fel användarnamn eller lösenord. Observera att stora och små bokstäver skiljer sig åt."
        ),
        "too_many": _(
            "För många misslyckade inloggningar. Vänta %(minutes)s minuter och försök igen."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip().lower()
        address = client_address(self.request)
        since = timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
        who = Q(username=username)
        if address:
            who |= Q(address=address)
        failures = LoginAttempt.objects.filter(who, at__gte=since).count()
        if failures >= settings.LOGIN_MAX_FAILURES:
            raise forms.ValidationError(
                self.error_messages["too_many"],
                code="too_many",
                params={"minutes": settings.LOGIN_FAILURE_WINDOW_SECONDS // 60},
            )
        try:
            data = super().clean()
        except forms.ValidationError:
            LoginAttempt.objects.create(username=username[:150], address=address)
            raise
        LoginAttempt.objects.filter(username=username).delete()
        return data
