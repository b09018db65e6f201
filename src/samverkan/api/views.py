"""The API's pages for people: a readable description of every endpoint, and personal tokens."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.accounts.decorators import AuthenticatedRequest, user_view
from samverkan.api.models import ApiToken
from samverkan.lib import htmx
from samverkan.lib.forms import CleanTextMixin

METHODS = ("get", "post", "put", "patch", "delete")


def _endpoints(schema: dict) -> list[dict]:
    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            op = operations.get(method)
            if op is None:
                continue
            params = [
                {"name": p["name"], "where": p["in"], "required": p.get("required", False)}
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {})
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "params": params,
                    "body": ", ".join(body),
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return rows


def docs(request: HttpRequest) -> HttpResponse:
    """A plain page describing the API (no script, readable on a phone and by screen readers)."""
    from samverkan.api.v1 import api  # loads with its first use (samverkan/urls.py)

    schema = api.get_openapi_schema(path_prefix=reverse("api-v1:api-root"))
    return render(
        request,
        "api/docs.html",
        {
            "schema": schema,
            "endpoints": _endpoints(schema),
            "openapi_url": reverse("api-v1:openapi-json"),
            "base": request.build_absolute_uri(reverse("api-v1:api-root")),
        },
    )


# The access rule rides on the view for the URL access test (mypy knows no function attributes).
docs.access = "public"  # type: ignore[attr-defined]


class TokenForm(CleanTextMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Vad nyckeln ska användas till"),
        max_length=100,
        help_text=gettext_lazy("T.ex. ”GIS-systemet” eller ”Uppföljning i Power BI”."),
    )
    read_only = forms.BooleanField(
        label=gettext_lazy("Bara läsa"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Nyckeln kan hämta uppgifter men aldrig ändra något."),
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Gäller till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Lämna tomt för en nyckel utan slutdatum."),
    )

    def clean_expires_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("Dagen har redan passerat."))
        return day

    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        # Valid through the whole day, Swedish time.
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
        return timezone.make_aware(end)


@user_view(methods=("GET", "POST"))
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, secret = ApiToken.issue(
            request.user,
            form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
            expires_at=form.expires_at(),
        )
        # Shown once, on the page the browser is sent to (so a reload cannot make another).
        request.session[_NEW_SECRET] = secret
        return redirect("api_pages:tokens")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": request.session.pop(_NEW_SECRET, None),
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


_NEW_SECRET = "api_new_token"


@user_view(methods=("POST",))
def token_revoke(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    # Only the user's own tokens are found: another user's id is simply not there.
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is not None:
        token.revoke()
        messages.success(request, _("Nyckeln %(name)s är återkallad.") % {"name": token.name})
    return htmx.redirect(request, reverse("api_pages:tokens"))
