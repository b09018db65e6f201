"""The partnership dashboard: the five steps as a cycle, where we stand, what is left."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from samverkan.accounts import access
from samverkan.accounts.decorators import partnership_view
from samverkan.partnerships.models import Partnership
from samverkan.process import checklists, compliance, guidance


@partnership_view()
def dashboard(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    computed = checklists.all_checklists(partnership)
    current = checklists.current_step(partnership, computed)
    steps = []
    for step in guidance.STEPS:
        checklist = computed[step.number]
        steps.append(
            {
                "guidance": step,
                "checklist": checklist,
                "state": (
                    "done"
                    if checklist is not None and checklist.done
                    else "current"
                    if step.number == current
                    else "todo"
                ),
            }
        )
    today = timezone.localdate()
    upcoming = partnership.milestones.filter(date__gte=today, done=False)[:4]
    overdue = partnership.milestones.filter(date__lt=today, done=False)
    measure_flags = computed[4].facts.get("measure_summary") if computed[4] else None
    if measure_flags is None:
        from samverkan.implementation.services import measure_states, summary

        measure_flags = summary(measure_states(partnership, today))
    next_meeting = partnership.meetings.filter(starts_at__gte=timezone.now()).order_by("starts_at")
    return render(
        request,
        "process/dashboard.html",
        {
            "partnership": partnership,
            "section": "overview",
            "can_edit": access.can_edit(request.user, partnership),
            "steps": steps,
            "current": current,
            "current_guidance": guidance.step(current),
            "upcoming": upcoming,
            "overdue": overdue,
            "next_meeting": next_meeting.select_related("group").first(),
            "measure_flags": measure_flags,
            "parties": partnership.parties.select_related("organisation", "coordinator"),
            "law": compliance.compliance(partnership, today),
        },
    )


@partnership_view()
def law(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """What Lag (2023:196) asks of the municipality, and where the partnership stands."""
    return render(
        request,
        "process/law.html",
        {
            "partnership": partnership,
            "section": "overview",
            "can_edit": access.can_edit(request.user, partnership),
            "law": compliance.compliance(partnership, timezone.localdate()),
        },
    )
