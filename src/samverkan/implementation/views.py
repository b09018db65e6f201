"""Step 4 pages: measures in progress, their logs, and action items from meetings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts import access, audience
from samverkan.accounts.decorators import partnership_view
from samverkan.implementation import forms, services
from samverkan.implementation.models import ActionItem, current_progress
from samverkan.lib import htmx
from samverkan.lib.views import form_page
from samverkan.partnerships.models import Meeting, Partnership
from samverkan.problems.models import Measure


def _ctx(request: HttpRequest, partnership: Partnership, **extra: object) -> dict:
    return {
        "partnership": partnership,
        "section": "step4",
        "can_edit": access.can_edit(request.user, partnership),
        **extra,
    }


def _measure(request: HttpRequest, partnership: Partnership, measure_id: int) -> Measure:
    return access.scoped(audience.measures_for(request.user, partnership), partnership, measure_id)


@partnership_view()
def home(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    visible = audience.measures_for(request.user, partnership)
    states = services.measure_states(partnership, timezone.localdate(), visible)
    open_items = ActionItem.objects.visible_to(request.user).filter(
        meeting__partnership=partnership, done=False
    )
    return render(
        request,
        "implementation/home.html",
        _ctx(
            request,
            partnership,
            states=states,
            summary=services.summary(states),
            production=services.production(partnership),
            action_items=open_items.select_related("meeting", "measure"),
        ),
    )


@partnership_view()
def measure_log(request: HttpRequest, partnership: Partnership, measure_id: int) -> HttpResponse:
    measure = _measure(request, partnership, measure_id)
    return render(
        request,
        "implementation/log.html",
        _ctx(
            request,
            partnership,
            measure=measure,
            progress=current_progress(measure),
            entries=measure.activities.select_related("production_goal", "created_by"),
            form=forms.ActivityForm(measure=measure, initial={"date": timezone.localdate()}),
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def progress_edit(request: HttpRequest, partnership: Partnership, measure_id: int) -> HttpResponse:
    measure = _measure(request, partnership, measure_id)
    form = forms.ProgressForm(request.POST or None, instance=current_progress(measure))
    return form_page(
        request,
        form,
        title=_("Status för åtgärd %(n)s") % {"n": measure.number},
        success_url=reverse(
            "implementation:log", kwargs={"pk": partnership.pk, "measure_id": measure.pk}
        ),
        success_message=_("Statusen är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def activity_create(
    request: HttpRequest, partnership: Partnership, measure_id: int
) -> HttpResponse:
    measure = _measure(request, partnership, measure_id)
    form = forms.ActivityForm(request.POST or None, measure=measure)

    def save(form: forms.ActivityForm) -> object:
        return services.log_activity(form.save(commit=False), request.user)

    return form_page(
        request,
        form,
        title=_("Ny aktivitet för åtgärd %(n)s") % {"n": measure.number},
        save=save,
        success_url=reverse(
            "implementation:log", kwargs={"pk": partnership.pk, "measure_id": measure.pk}
        ),
        success_message=_("Aktiviteten är registrerad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def action_item_create(
    request: HttpRequest, partnership: Partnership, meeting_id: int
) -> HttpResponse:
    meeting = access.scoped(Meeting.objects.all(), partnership, meeting_id)
    form = forms.ActionItemForm(request.POST or None, meeting=meeting, user=request.user)
    return form_page(
        request,
        form,
        title=_("Ny uppgift från %(m)s") % {"m": meeting},
        success_url=reverse(
            "partnerships:meeting_detail", kwargs={"pk": partnership.pk, "meeting_id": meeting.pk}
        ),
        success_message=_("Uppgiften är registrerad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("POST",))
def action_item_done(
    request: HttpRequest, partnership: Partnership, action_id: int
) -> HttpResponse:
    item = access.scoped(ActionItem.objects.visible_to(request.user), partnership, action_id)
    item.done = not item.done
    item.save(update_fields=["done"])
    messages.success(
        request,
        _("Uppgiften är markerad som klar.") if item.done else _("Uppgiften är öppnad igen."),
    )
    return htmx.redirect(request, reverse("implementation:home", kwargs={"pk": partnership.pk}))
