"""The webhooks' pages: register a webhook for a partnership (its secret shown once), read
its delivery log, remove it. For those who may edit the partnership (coordinators and
administrators); an administrator may register one for a service account of the partnership."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.accounts import access
from samverkan.accounts.decorators import AuthenticatedRequest, partnership_view
from samverkan.api import webhooks
from samverkan.api.models import Webhook, WebhookEvent
from samverkan.lib import htmx
from samverkan.lib.forms import CleanTextMixin
from samverkan.partnerships.models import Partnership

_NEW_SECRET = "api_new_webhook_secret"
LOG_ROWS = 100


def service_accounts_of(partnership: Partnership) -> Any:
    """The service accounts with a membership in the partnership (beyond field reporting)."""
    from samverkan.accounts.choices import Role
    from samverkan.accounts.models import User

    return (
        User.objects.filter(
            service_account__isnull=False,
            is_active=True,
            memberships__party__partnership=partnership,
        )
        .exclude(memberships__role=Role.REPORTER)
        .distinct()
        .order_by("username")
    )


class WebhookForm(CleanTextMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Namn"),
        max_length=100,
        help_text=gettext_lazy("Vilket system som tar emot, t.ex. ”Diariet”."),
    )
    url = forms.CharField(
        label=gettext_lazy("Adress"),
        max_length=500,
        help_text=gettext_lazy("Adressen som händelserna skickas till med POST (https://…)."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Händelser"),
        choices=WebhookEvent.choices,
        initial=[WebhookEvent.ISSUED, WebhookEvent.DECIDED],
        widget=forms.CheckboxSelectMultiple,
    )
    owner = forms.ChoiceField(
        label=gettext_lazy("Skickar det som får läsas av"),
        help_text=gettext_lazy(
            "Webbkroken får bara händelser som den här användaren får läsa: du själv, eller ett "
            "tjänstekonto i samverkan (bara administratörer kan välja ett)."
        ),
    )

    def __init__(self, *args: Any, user: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        choices = [("self", _("Jag själv (%(name)s)") % {"name": user.get_username()})]
        self.accounts = {}
        if access.can_manage(user, partnership):
            self.accounts = {str(u.pk): u for u in service_accounts_of(partnership)}
            choices += [
                (pk, _("Tjänstekontot %(name)s") % {"name": u.get_username()})
                for pk, u in self.accounts.items()
            ]
        field = self.fields["owner"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.initial = "self"

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        try:
            webhooks.check_address(url)
        except webhooks.AddressRefused as exc:
            raise forms.ValidationError(exc.message) from exc
        return url

    def owner_user(self) -> Any:
        chosen = self.cleaned_data["owner"]
        return self.user if chosen == "self" else self.accounts[chosen]


def _visible(request: HttpRequest, partnership: Partnership) -> Any:
    """The partnership's webhooks: every coordinator and administrator sees (and may remove)
    all of them, so one who leaves does not leave a webhook nobody can see."""
    return Webhook.objects.filter(partnership=partnership).select_related("owner", "created_by")


@partnership_view(action="edit", methods=("GET", "POST"))
def webhook_list(request: AuthenticatedRequest, partnership: Partnership) -> HttpResponse:
    form = WebhookForm(request.POST or None, user=request.user, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        secret = Webhook.new_secret()
        hook = Webhook.objects.create(
            partnership=partnership,
            owner=form.owner_user(),
            created_by=request.user,
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            events=sorted(form.cleaned_data["events"]),
            secret=secret,
        )
        # Shown once, on the page the browser is sent to (a reload cannot show it again).
        request.session[_NEW_SECRET] = [hook.pk, secret]
        return redirect("api_pages:webhook_detail", pk=partnership.pk, webhook_id=hook.pk)
    return render(
        request,
        "api/webhooks.html",
        {
            "partnership": partnership,
            "section": "documents",
            "form": form,
            "hooks": _visible(request, partnership),
        },
        status=400 if request.method == "POST" else 200,
    )


def _hook(request: HttpRequest, partnership: Partnership, webhook_id: int) -> Webhook:
    return access.scoped(_visible(request, partnership), partnership, webhook_id)


@partnership_view(action="edit")
def webhook_detail(request: HttpRequest, partnership: Partnership, webhook_id: int) -> HttpResponse:
    hook = _hook(request, partnership, webhook_id)
    new = request.session.pop(_NEW_SECRET, None)
    secret = new[1] if new and new[0] == hook.pk else None
    rows = list(hook.deliveries.order_by("-created_at", "-id")[:LOG_ROWS])
    # A version holding confidential items stays out of the log of those who may not read it.
    issued_ids = [webhooks._object_id(d) for d in rows if d.event == WebhookEvent.ISSUED]
    from samverkan.documents.models import IssuedDocument

    versions = IssuedDocument.objects.in_bulk(issued_ids)
    shown = []
    for d in rows:
        if d.event == WebhookEvent.ISSUED:
            version = versions.get(webhooks._object_id(d))
            if version is None or not access.may_download_issued(request.user, version):
                continue
            d.subject = version  # type: ignore[attr-defined]  # read by the template
        shown.append(d)
    return render(
        request,
        "api/webhook_detail.html",
        {
            "partnership": partnership,
            "section": "documents",
            "hook": hook,
            "secret": secret,
            "deliveries": shown,
            "withheld": len(rows) - len(shown),
        },
    )


@partnership_view(action="edit", methods=("POST",))
def webhook_delete(request: HttpRequest, partnership: Partnership, webhook_id: int) -> HttpResponse:
    hook = _hook(request, partnership, webhook_id)
    hook.delete()
    messages.success(request, _("Webbkroken %(name)s är borttagen.") % {"name": hook.name})
    return htmx.redirect(request, reverse("api_pages:webhooks", kwargs={"pk": partnership.pk}))
