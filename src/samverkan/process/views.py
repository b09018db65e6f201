"""The partnership dashboard: the five steps as a cycle, where we stand, what is left; and
the help pages with the user guide for each role."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from samverkan.accounts import access
from samverkan.accounts.decorators import partnership_view, user_view
from samverkan.partnerships.models import Partnership
from samverkan.process import checklists, compliance, guidance, help


@partnership_view()
def dashboard(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    with checklists.one_reading():
        return _dashboard(request, partnership)


def _dashboard(request: HttpRequest, partnership: Partnership) -> HttpResponse:
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
    # The open milestones once, in their usual order: the next four and the late ones.
    open_milestones = list(partnership.milestones.filter(done=False))
    upcoming = [m for m in open_milestones if m.date >= today][:4]
    overdue = [m for m in open_milestones if m.date < today]
    measure_flags = computed[4].facts.get("measure_summary") if computed[4] else None
    if measure_flags is None:
        from samverkan.implementation.services import measure_states, summary

        measure_flags = summary(measure_states(partnership, today))
    # The meetings step 1's checklist read (latest first): the first one not yet begun.
    now = timezone.now()
    next_meeting = min(
        (m for m in checklists.shared_meetings(partnership) if m.starts_at >= now),
        key=lambda m: m.starts_at,
        default=None,
    )
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
            "next_meeting": next_meeting,
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


# ---- help: the user guides in docs/guide ------------------------------------------------------


@user_view()
def help_index(request: HttpRequest) -> HttpResponse:
    """The guide for the user's role, with the others a click away."""
    return _help_page(request, help.guide_for(request.user), own=True)


@user_view()
def help_guide(request: HttpRequest, slug: str) -> HttpResponse:
    guide = help.BY_SLUG.get(slug)
    if guide is None:
        raise Http404("Ingen sådan guide")
    return _help_page(request, guide, own=guide == help.guide_for(request.user))


def _help_page(request: HttpRequest, guide: help.Guide, own: bool) -> HttpResponse:
    return render(
        request,
        "process/help.html",
        {
            "guide": guide,
            "own": own,
            "guides": help.GUIDES,
            # Safe: CommonMark with raw HTML off, every text escaped by markdown-it.
            "body": mark_safe(help.render(guide.slug)),
        },
    )


@user_view()
def help_image(request: HttpRequest, name: str) -> FileResponse:
    path = help.image_path(name)
    if path is None:
        raise Http404("Ingen sådan bild")
    response = FileResponse(path.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
