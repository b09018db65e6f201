"""Step 5 pages: process and effect follow-up, the steering group's response, cycles."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samverkan.accounts import access, audience
from samverkan.accounts.decorators import partnership_view
from samverkan.followup import forms, services, write_up
from samverkan.followup.models import (
    EffectEvaluation,
    SteeringResponse,
    WriteUpPart,
    WriteUpSection,
)
from samverkan.lib import htmx
from samverkan.lib.versioning import EditConflict
from samverkan.lib.views import form_page
from samverkan.partnerships.models import Partnership


def _ctx(request: HttpRequest, partnership: Partnership, **extra: object) -> dict:
    return {
        "partnership": partnership,
        "section": "step5",
        "can_edit": access.can_edit(request.user, partnership),
        "can_approve": access.can_approve(request.user, partnership),
        "can_manage": access.can_manage(request.user, partnership),
        **extra,
    }


def _home(partnership: Partnership) -> str:
    return reverse("followup:home", kwargs={"pk": partnership.pk})


@partnership_view()
def home(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    # What this member receives of each measure's status: accounts/audience.py decides.
    process = audience.process_view(
        audience.for_user(request.user, partnership), services.process_followup(partnership)
    )
    stored = list(EffectEvaluation.objects.filter(partnership=partnership).select_related("goal"))
    evaluations = [services.evaluate(ev) for ev in stored]
    evaluated = {ev.goal_id for ev in stored}  # not one query per goal
    return render(
        request,
        "followup/home.html",
        _ctx(
            request,
            partnership,
            process=process,
            evaluations=evaluations,
            unevaluated=[g for g in services.effect_goals(partnership) if g.pk not in evaluated],
            responses=SteeringResponse.objects.filter(partnership=partnership).select_related(
                "cycle"
            ),
            cycles=partnership.cycles.all(),
        ),
    )


def _prefill_key(partnership: Partnership) -> str:
    return f"followup-counts-{partnership.pk}"


@partnership_view("edit", methods=("GET", "POST"))
def evaluation_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    counted = request.session.pop(_prefill_key(partnership), None) if not request.POST else None
    form = forms.EvaluationForm(
        request.POST or None,
        partnership=partnership,
        goal_id=request.GET.get("mal"),
        initial=counted or None,
    )
    return form_page(
        request,
        form,
        title=_("Ny effektuppföljning"),
        success_url=_home(partnership),
        success_message=_("Effektuppföljningen är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def evaluation_edit(
    request: HttpRequest, partnership: Partnership, evaluation_id: int
) -> HttpResponse:
    evaluation = access.scoped(EffectEvaluation.objects.all(), partnership, evaluation_id)
    form = forms.EvaluationForm(request.POST or None, instance=evaluation, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra effektuppföljning"),
        success_url=_home(partnership),
        success_message=_("Effektuppföljningen är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view("approve", methods=("GET", "POST"))
def response_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.SteeringResponseForm(request.POST or None)

    def save(form: forms.SteeringResponseForm) -> SteeringResponse:
        return services.record_steering_response(form, partnership)

    return form_page(
        request,
        form,
        title=_("Styrgruppens svar på uppföljningen"),
        save=save,
        success_url=_home(partnership),
        success_message=_("Styrgruppens svar är registrerat."),
        context=_ctx(request, partnership),
    )


@partnership_view("manage", methods=("GET", "POST"))
def cycle_start(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Confirm the closing of the cycle on a page that shows what it will change."""
    preview = services.close_preview(partnership)
    form = forms.CycleCloseForm(request.POST or None, preview=preview)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.start_next_cycle(
                partnership,
                choices=form.choices(),
                override_reason=form.cleaned_data["override_reason"],
                user=request.user,
            )
        except services.CycleRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("Omgång %(old)s är avslutad och omgång %(n)s är startad.")
                % {"old": cycle.number - 1, "n": cycle.number},
            )
            return htmx.redirect(request, reverse("followup:cycles", kwargs={"pk": partnership.pk}))
    status = 400 if request.method == "POST" else 200
    open_rows = audience.process_view(
        audience.for_user(request.user, partnership),
        services.ProcessFollowUp(preview.open_measures, [], 0, 0, 0, 0),
    ).rows
    return render(
        request,
        "followup/cycle_close.html",
        _ctx(request, partnership, preview=preview, form=form, open_rows=open_rows),
        status=status,
    )


@partnership_view("manage", methods=("POST",))
def cycle_reopen(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Undo the last closing: the goals' values come back and the closed cycle is open again."""
    try:
        cycle = services.reopen_last_cycle(partnership)
    except services.CycleRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _(
                "Omgång %(n)s är öppen igen. Målens utgångsvärden, perioder och målvärden är "
                "återställda."
            )
            % {"n": cycle.number},
        )
    return htmx.redirect(request, reverse("followup:cycles", kwargs={"pk": partnership.pk}))


@partnership_view()
def cycles(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    return render(
        request,
        "followup/cycles.html",
        _ctx(
            request,
            partnership,
            cycles=partnership.cycles.all(),
            may_reopen=services.may_reopen(partnership),
        ),
    )


FIELD_REPORTS = 0  # the source "field reports" among the parties whose incidents are counted


@partnership_view("edit", methods=("GET", "POST"))
def evaluation_from_incidents(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Count before and after in a party's imported incidents and start an effect follow-up
    from the counts. Only a member of the party may count its incidents (its mapping is its
    own); the counts then go into the shared follow-up with their source named."""
    from django.utils.formats import date_format

    from samverkan.mapping.subjects import field_reports, incidents, one_build
    from samverkan.partnerships.models import Party

    own = access.party_ids(request.user, partnership)
    # The places and categories to choose among are step 2's figures (stored with the
    # party's incidents), not a count of the incident table on every visit.
    with one_build():
        parties = [
            p
            for p in Party.objects.filter(pk__in=own).select_related("organisation")
            if incidents.incident_count(p)
        ]
        places = {p.pk: incidents.place_names(p) for p in parties}
        categories = {c for p in parties for c in incidents.categories(p)}
        sources = [(p.pk, str(p)) for p in parties]
        # The partnership's field reports are shared material: any editor may count them.
        if field_reports.exist(partnership):
            places[FIELD_REPORTS] = field_reports.place_names(partnership)
            sources.append((FIELD_REPORTS, _("Fältrapporter (samverkans gemensamma)")))
            categories |= set(field_reports.categories(partnership))
    form = forms.IncidentCountForm(
        request.POST or None, sources=sources, places=places, categories=sorted(categories)
    )
    goal_id = request.GET.get("mal", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        party = next((p for p in parties if p.pk == data["party"]), None)
        counts = services.incident_counts(
            party,
            treated=data["treated"],
            control=data["control"],
            buffer=data["buffer"],
            categories=data["categories"],
            before=(data["before_from"], data["before_to"]),
            after=(data["after_from"], data["after_to"]),
            field_reports_of=partnership if data["party"] == FIELD_REPORTS else None,
        )

        def period(a: datetime.date, b: datetime.date) -> str:
            return f"{date_format(a, 'j F Y')} – {date_format(b, 'j F Y')}"

        prefill = {
            "period_before": period(data["before_from"], data["before_to"]),
            "period_after": period(data["after_from"], data["after_to"]),
            "treated_area": ", ".join(data["treated"])[:200],
            "treated_before": counts.treated[0],
            "treated_after": counts.treated[1],
            "source": counts.source[:300],
        }
        if counts.control:
            prefill |= {
                "control_area": ", ".join(data["control"])[:200],
                "control_before": counts.control[0],
                "control_after": counts.control[1],
            }
        if counts.buffer:
            prefill |= {
                "buffer_area": ", ".join(data["buffer"])[:200],
                "buffer_before": counts.buffer[0],
                "buffer_after": counts.buffer[1],
            }
        request.session[_prefill_key(partnership)] = prefill
        messages.info(
            request,
            _(
                "Räknat i %(source)s: insatsområdet %(before)s före och %(after)s efter. "
                "Kontrollera och spara uppföljningen."
            )
            % {
                "source": dict(sources)[data["party"]],
                "before": counts.treated[0],
                "after": counts.treated[1],
            },
        )
        url = reverse("followup:evaluation_create", kwargs={"pk": partnership.pk})
        return htmx.redirect(request, f"{url}?mal={goal_id}" if goal_id.isdigit() else url)
    return render(
        request,
        "followup/count_incidents.html",
        _ctx(request, partnership, form=form, sources=sources, places=places),
        status=400 if request.method == "POST" else 200,
    )


# ---- the 5I write-up ----------------------------------------------------------------------------


def _write_up_url(partnership: Partnership) -> str:
    return reverse("followup:write_up", kwargs={"pk": partnership.pk})


def _part_of(slug: str) -> WriteUpPart:
    part = write_up.SLUG_PARTS.get(slug)
    if part is None:
        raise Http404("Okänt avsnitt")
    return part


@partnership_view()
def write_up_page(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """The five parts as the reader may see them, with the documents built from them."""
    states = write_up.sections(partnership, user=request.user)
    leads = audience.leader_party_ids(request.user, partnership)
    approvals = audience.all_approvals(partnership)
    for state in states:
        state.blocks = write_up.blocks(state.text) if state.visible else []
        state.approval = audience.approval_of(
            partnership, state.part, state.text, state.touch_basis, approvals
        )
        state.digest = audience.digest(state.text)
        required = {p.pk for p in state.approval.required}
        state.may_approve = state.visible and bool(leads & required if required else leads)
    return render(
        request,
        "followup/write_up.html",
        _ctx(
            request,
            partnership,
            states=states,
            unreviewed=sum(not s.reviewed for s in states),
            editions=[("internal", _("Intern version")), ("public", _("Offentlig version"))],
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def write_up_edit(request: HttpRequest, partnership: Partnership, part: str) -> HttpResponse:
    part = _part_of(part)
    # Not stored yet: the editor starts from the draft; saving stores it.
    record = write_up.section_to_edit(partnership, part)
    form = forms.WriteUpSectionForm(
        request.POST or None, instance=record, partnership=partnership, user=request.user
    )

    def save(form: forms.WriteUpSectionForm) -> WriteUpSection | None:
        return write_up.save_edited(form)

    number = write_up.PARTS.index(part) + 1
    return form_page(
        request,
        form,
        title=_("5I-beskrivningen, avsnitt %(n)s: %(part)s")
        % {"n": number, "part": WriteUpPart(part).label},
        save=save,
        success_url=_write_up_url(partnership) + f"#del-{write_up.WRITE_UP_SLUGS[part]}",
        success_message=_("Avsnittet är sparat."),
        template="followup/write_up_edit.html",
        context=_ctx(
            request,
            partnership,
            question=write_up.QUESTIONS[part],
            stored=record.pk is not None,
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def write_up_redraft(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Draft again from the data: show what would change per part, replace the chosen."""
    error = ""
    if request.method == "POST":
        chosen: dict[str, str] = {
            part: request.POST.get(f"version-{write_up.WRITE_UP_SLUGS[part]}", "")
            for part in write_up.PARTS
            if write_up.WRITE_UP_SLUGS[part] in request.POST.getlist("avsnitt")
        }
        if not chosen:
            error = _("Välj minst ett avsnitt att ersätta med det nya utkastet.")
        else:
            try:
                write_up.redraft(partnership, chosen)
            except EditConflict:
                error = str(EditConflict.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s avsnitt är ersatt med ett nytt utkast ur uppgifterna.",
                        "%(n)s avsnitt är ersatta med ett nytt utkast ur uppgifterna.",
                        len(chosen),
                    )
                    % {"n": len(chosen)},
                )
                return htmx.redirect(request, _write_up_url(partnership))
    states = write_up.sections(partnership, user=request.user)
    return render(
        request,
        "followup/write_up_redraft.html",
        _ctx(request, partnership, states=states, error=error),
        status=400 if error else 200,
    )


@partnership_view("edit", methods=("POST",))
def write_up_approve(request: HttpRequest, partnership: Partnership, part: str) -> HttpResponse:
    """Approve one part, as it reads now, for the public edition (accounts/audience.py)."""
    part = _part_of(part)
    state = next(s for s in write_up.sections(partnership, user=request.user) if s.part == part)
    url = _write_up_url(partnership) + f"#del-{state.slug}"
    checked = audience.check_text(state.text)
    if not state.visible:
        messages.error(request, _("Du kan inte godkänna en text som du inte får läsa."))
    elif checked and request.POST.get("flags_read") != "on":
        messages.error(
            request,
            _(
                "Kontrollen har flaggat delar av texten. Läs flaggorna och bekräfta att du har "
                "gjort det innan du godkänner."
            ),
        )
    else:
        try:
            audience.approve(
                partnership, part, state.text, request.POST.get("digest", ""), request.user
            )
        except audience.ApprovalRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Avsnittet är godkänt för den offentliga versionen."))
    return htmx.redirect(request, url)
