"""Step 3 pages: joint problem picture, glossary, prioritisation, causes, goals, measures,
and the traceability view. Confidential causes and measures go through ``visible_to``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from samverkan.accounts import access, audience
from samverkan.accounts.decorators import partnership_view
from samverkan.analysis.harm import HARM_WEIGHTS
from samverkan.lib import htmx
from samverkan.lib.views import form_page
from samverkan.partnerships.choices import DecisionKind
from samverkan.partnerships.models import Decision, Partnership
from samverkan.problems import forms, library, services
from samverkan.problems.models import (
    CRITERIA,
    Cause,
    CitizenPromise,
    GlossaryTerm,
    Goal,
    Measure,
    Problem,
)
from samverkan.process import checklists


def _url(name: str, partnership: Partnership, **kwargs: int) -> str:
    return reverse(f"problems:{name}", kwargs={"pk": partnership.pk, **kwargs})


def _ctx(request: HttpRequest, partnership: Partnership, **extra: object) -> dict:
    return {
        "partnership": partnership,
        "section": "step3",
        "can_edit": access.can_edit(request.user, partnership),
        "can_approve": access.can_approve(request.user, partnership),
        **extra,
    }


def _causes(request: HttpRequest, partnership: Partnership) -> QuerySet[Cause]:
    return audience.causes_for(request.user, partnership)


def _measures(request: HttpRequest, partnership: Partnership) -> QuerySet[Measure]:
    return audience.measures_for(request.user, partnership)


# ---- overview ---------------------------------------------------------------------------------


@partnership_view()
def home(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    picture = services.picture_for(partnership)
    return render(
        request,
        "problems/home.html",
        _ctx(
            request,
            partnership,
            picture=picture,
            ranking=services.ranking_by_status(partnership),
            checklist=checklists.checklist_for(partnership, 3),
            cause_count=_causes(request, partnership).count(),
            measure_count=_measures(request, partnership).count(),
            goal_count=partnership.goals.count(),
        ),
    )


# ---- joint problem picture --------------------------------------------------------------------


@partnership_view()
def picture(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    from samverkan.mapping.services import shared_situation_reports

    pic = services.picture_for(partnership)
    confirmed = pic.confirmed_party_ids()
    signatories: list[dict[str, Any]] = [
        {"party": party, "confirmed": party.pk in confirmed}
        for party in partnership.signatories().select_related("organisation")
    ]
    # Offered only while one of the user's own signing parties has not confirmed yet.
    own_signing = [
        s["party"]
        for s in signatories
        if not s["confirmed"] and access.may_see_private(request.user, s["party"])
    ]
    return render(
        request,
        "problems/picture.html",
        _ctx(
            request,
            partnership,
            picture=pic,
            signatories=signatories,
            can_confirm=bool(own_signing) and access.can_confirm(request.user, partnership),
            reports=shared_situation_reports(partnership),
            differences=services.mapping_differences(partnership),
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def picture_edit(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    pic = services.picture_for(partnership)
    form = forms.ProblemPictureForm(request.POST or None, instance=pic)
    had_confirmations = pic.confirmations.exists()

    def save(form: forms.ProblemPictureForm) -> object:
        with transaction.atomic():
            saved = form.save_checked()
            if saved is not None and form.has_changed() and had_confirmations:
                services.withdraw_confirmations(saved)
                messages.warning(
                    request,
                    _(
                        "Problembilden ändrades efter att den bekräftats. Bekräftelserna är "
                        "återkallade: varje signerande part behöver bekräfta den igen."
                    ),
                )
        return saved

    return form_page(
        request,
        form,
        title=_("Ändra gemensam problembild"),
        save=save,
        success_url=_url("picture", partnership),
        success_message=_("Problembilden är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("POST",))
def picture_import(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    pic = services.picture_for(partnership)
    with transaction.atomic():
        added = services.import_shared_reports(pic)
        if added:
            pic.save()
            if services.withdraw_confirmations(pic):
                messages.warning(
                    request, _("Bekräftelserna är återkallade eftersom texten ändrades.")
                )
    if added:
        messages.success(request, _("%(n)s delade lägesbilder hämtades in.") % {"n": added})
    else:
        messages.info(request, _("Det finns inga nya delade lägesbilder att hämta in."))
    return htmx.redirect(request, _url("picture", partnership))


@partnership_view("confirm", methods=("POST",))
def picture_confirm(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    try:
        parties = services.confirm_for(services.picture_for(partnership), request.user)
    except services.NothingToConfirm as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Problembilden är bekräftad för %(party)s.")
            % {"party": ", ".join(str(p) for p in parties)},
        )
    return htmx.redirect(request, _url("picture", partnership))


# ---- glossary ---------------------------------------------------------------------------------


@partnership_view()
def glossary(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    return render(
        request,
        "problems/glossary.html",
        _ctx(request, partnership, terms=partnership.glossary.all()),
    )


@partnership_view("edit", methods=("GET", "POST"))
def glossary_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.GlossaryTermForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Nytt begrepp"),
        success_url=_url("glossary", partnership),
        success_message=_("Begreppet är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def glossary_edit(request: HttpRequest, partnership: Partnership, term_id: int) -> HttpResponse:
    term = access.scoped(GlossaryTerm.objects.all(), partnership, term_id)
    form = forms.GlossaryTermForm(request.POST or None, instance=term, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra begrepp"),
        success_url=_url("glossary", partnership),
        success_message=_("Begreppet är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("POST",))
def glossary_seed(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    added = services.seed_glossary(partnership)
    messages.success(request, _("%(n)s vanliga begrepp lades till.") % {"n": added})
    return htmx.redirect(request, _url("glossary", partnership))


# ---- prioritisation ---------------------------------------------------------------------------


@partnership_view()
def prioritisation(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    weights = services.weights_for(partnership)
    harm_weights = services.harm_weights_for(partnership)
    decisions = partnership.decisions.filter(kind=DecisionKind.PRIORITISATION)
    ranking = services.ranking(partnership)
    evidence = services.problem_evidence(partnership, harm_weights.as_dict())
    # ?ordning=skada: the list ordered by the harm-weighted count instead of the score.
    by_harm = request.GET.get("ordning") == "skada"
    if by_harm:
        ranking = services.order_by_harm(ranking, evidence)
    harm_of = {pk: e.harm_weighted for pk, e in evidence.items() if e.year is not None}
    labels = {f.name: f.verbose_name for f in Problem._meta.fields}
    return render(
        request,
        "problems/prioritisation.html",
        _ctx(
            request,
            partnership,
            ranking=[(problem, score, harm_of.get(problem.pk)) for problem, score in ranking],
            by_harm=by_harm,
            evidence=[(problem, evidence.get(problem.pk)) for problem, _score in ranking],
            harm_weights=sorted(
                (
                    (category, weight, HARM_WEIGHTS.get(category))
                    for category, weight in harm_weights.as_dict().items()
                ),
                key=lambda item: (-item[1], item[0]),
            ),
            harm_record=harm_weights,
            weights=weights,
            criteria=[(name, labels[name], getattr(weights, name)) for name in CRITERIA],
            decisions=decisions,
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def harm_weights_edit(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.HarmWeightsForm(
        request.POST or None, instance=services.harm_weights_for(partnership)
    )
    return form_page(
        request,
        form,
        title=_("Skadevikter per brottskategori"),
        success_url=_url("prioritisation", partnership),
        success_message=_("Skadevikterna är sparade."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def weights_edit(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.WeightsForm(request.POST or None, instance=services.weights_for(partnership))
    return form_page(
        request,
        form,
        title=_("Vikter för prioriteringen"),
        success_url=_url("prioritisation", partnership),
        success_message=_("Vikterna är sparade."),
        context=_ctx(request, partnership),
    )


@partnership_view("approve", methods=("GET", "POST"))
def prioritisation_decide(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.PrioritisationDecisionForm(request.POST or None, partnership=partnership)

    def save(form: forms.PrioritisationDecisionForm) -> Decision:
        return services.decide_prioritisation(
            partnership,
            form.cleaned_data["problems"],
            body=form.cleaned_data["body"],
            decided_on=form.cleaned_data["decided_on"],
            text=form.cleaned_data["text"],
        )

    return form_page(
        request,
        form,
        title=_("Styrgruppens beslut om prioritering"),
        save=save,
        success_url=_url("prioritisation", partnership),
        success_message=_("Prioriteringen är beslutad och registrerad."),
        context=_ctx(request, partnership),
    )


# ---- problems, causes, goals --------------------------------------------------------------------


@partnership_view("edit", methods=("GET", "POST"))
def problem_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.ProblemForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Nytt problem"),
        success_url=lambda p: _url("problem_detail", partnership, problem_id=p.pk),
        success_message=_("Problemet är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view()
def problem_detail(request: HttpRequest, partnership: Partnership, problem_id: int) -> HttpResponse:
    problem = access.scoped(Problem.objects.all(), partnership, problem_id)
    return render(
        request,
        "problems/problem_detail.html",
        _ctx(
            request,
            partnership,
            problem=problem,
            causes=_causes(request, partnership)
            .filter(problem=problem)
            .prefetch_related("measures"),
            goals=problem.goals.prefetch_related("causes"),
            measures=_measures(request, partnership)
            .filter(problem=problem)
            .select_related("responsible_party__organisation")
            .prefetch_related("causes"),
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def problem_edit(request: HttpRequest, partnership: Partnership, problem_id: int) -> HttpResponse:
    problem = access.scoped(Problem.objects.all(), partnership, problem_id)
    form = forms.ProblemForm(request.POST or None, instance=problem, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra problem: %(title)s") % {"title": problem},
        success_url=_url("problem_detail", partnership, problem_id=problem.pk),
        success_message=_("Problemet är sparat."),
        context=_ctx(request, partnership),
    )


def _initial_problem(request: HttpRequest, partnership: Partnership) -> dict:
    problem_id = request.GET.get("problem", "")
    if problem_id.isdigit() and partnership.problems.filter(pk=problem_id).exists():
        return {"problem": int(problem_id)}
    return {}


@partnership_view("edit", methods=("GET", "POST"))
def cause_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.CauseForm(
        request.POST or None,
        partnership=partnership,
        user=request.user,
        initial=_initial_problem(request, partnership),
    )
    return form_page(
        request,
        form,
        title=_("Ny orsak"),
        success_url=lambda c: _url("problem_detail", partnership, problem_id=c.problem_id),
        success_message=_("Orsaken är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def cause_edit(request: HttpRequest, partnership: Partnership, cause_id: int) -> HttpResponse:
    cause = access.scoped(_causes(request, partnership), partnership, cause_id)
    form = forms.CauseForm(
        request.POST or None, instance=cause, partnership=partnership, user=request.user
    )
    return form_page(
        request,
        form,
        title=_("Ändra orsak %(n)s") % {"n": cause.number},
        success_url=_url("problem_detail", partnership, problem_id=cause.problem_id),
        success_message=_("Orsaken är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def goal_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    initial = _initial_problem(request, partnership)
    form = forms.GoalForm(
        request.POST or None, partnership=partnership, user=request.user, initial=initial
    )
    problem_pk = initial.get("problem")
    problem = partnership.problems.filter(pk=problem_pk).first() if problem_pk else None
    suggestions = services.baseline_suggestions(partnership, problem.crime_type) if problem else []
    return form_page(
        request,
        form,
        title=_("Nytt mål"),
        success_url=lambda g: _url("problem_detail", partnership, problem_id=g.problem_id),
        success_message=_("Målet är sparat."),
        context=_ctx(request, partnership, baseline_suggestions=suggestions),
        template="problems/goal_form.html",
    )


@partnership_view("edit", methods=("GET", "POST"))
def goal_edit(request: HttpRequest, partnership: Partnership, goal_id: int) -> HttpResponse:
    goal = access.scoped(Goal.objects.all(), partnership, goal_id)
    form = forms.GoalForm(
        request.POST or None, instance=goal, partnership=partnership, user=request.user
    )
    return form_page(
        request,
        form,
        title=_("Ändra mål"),
        success_url=_url("problem_detail", partnership, problem_id=goal.problem_id),
        success_message=_("Målet är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def goal_followup_plan(
    request: HttpRequest, partnership: Partnership, goal_id: int
) -> HttpResponse:
    """A goal's follow-up plan on a page of its own (the traceability check links here)."""
    goal = access.scoped(Goal.objects.select_related("problem"), partnership, goal_id)
    form = forms.FollowupPlanForm(request.POST or None, instance=goal)
    return form_page(
        request,
        form,
        title=_("Uppföljningsplan för målet"),
        success_url=_url("problem_detail", partnership, problem_id=goal.problem_id) + "#goals",
        success_message=_("Uppföljningsplanen är sparad."),
        context=_ctx(request, partnership, goal=goal),
        template="problems/followup_plan.html",
    )


# ---- measures ---------------------------------------------------------------------------------


@partnership_view()
def measure_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    measures = (
        _measures(request, partnership)
        .select_related("responsible_party__organisation", "problem")
        .prefetch_related("causes")
    )
    return render(request, "problems/measures.html", _ctx(request, partnership, measures=measures))


@partnership_view("edit", methods=("GET", "POST"))
def measure_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    initial = _initial_problem(request, partnership)
    template = library.by_key(request.GET.get("bibliotek", ""))
    if template is not None:
        initial.update(
            title=template.title,
            aimed_at=template.aimed_at,
            kind=template.kind,
            evidence=template.evidence,
            evidence_note=template.note,
            mechanism=template.mechanism,
        )
    form = forms.MeasureForm(
        request.POST or None, partnership=partnership, user=request.user, initial=initial
    )
    return form_page(
        request,
        form,
        title=_("Ny åtgärd"),
        success_url=lambda m: _url("measure_detail", partnership, measure_id=m.pk),
        success_message=_("Åtgärden är sparad."),
        context=_ctx(request, partnership, library=library.LIBRARY),
    )


@partnership_view()
def measure_detail(request: HttpRequest, partnership: Partnership, measure_id: int) -> HttpResponse:
    measure = access.scoped(
        _measures(request, partnership).select_related(
            "responsible_party__organisation", "problem"
        ),
        partnership,
        measure_id,
    )
    return render(
        request,
        "problems/measure_detail.html",
        _ctx(
            request,
            partnership,
            measure=measure,
            causes=_causes(request, partnership).filter(measures=measure),
            goals=measure.goals.all(),
            co_parties=measure.co_parties.all(),
        ),
    )


@partnership_view("edit", methods=("GET", "POST"))
def measure_edit(request: HttpRequest, partnership: Partnership, measure_id: int) -> HttpResponse:
    measure = access.scoped(_measures(request, partnership), partnership, measure_id)
    form = forms.MeasureForm(
        request.POST or None, instance=measure, partnership=partnership, user=request.user
    )
    return form_page(
        request,
        form,
        title=_("Ändra åtgärd %(n)s") % {"n": measure.number},
        success_url=_url("measure_detail", partnership, measure_id=measure.pk),
        success_message=_("Åtgärden är sparad."),
        context=_ctx(request, partnership),
    )


@partnership_view()
def measure_library(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    return render(
        request, "problems/library.html", _ctx(request, partnership, library=library.LIBRARY)
    )


# ---- traceability -----------------------------------------------------------------------------


@partnership_view()
def traceability(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    trace = services.traceability(partnership, request.user)
    return render(request, "problems/traceability.html", _ctx(request, partnership, trace=trace))


# ---- citizen promises (medborgarlöften) -------------------------------------------------------


@partnership_view()
def promise_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    promises = partnership.citizen_promises.prefetch_related(
        "parties__organisation",
        # A measure that became confidential after it was tied to a promise stays hidden.
        Prefetch("measures", queryset=Measure.objects.visible_to(request.user)),
    )
    return render(request, "problems/promises.html", _ctx(request, partnership, promises=promises))


@partnership_view("edit", methods=("GET", "POST"))
def promise_create(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.CitizenPromiseForm(request.POST or None, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Nytt medborgarlöfte"),
        success_url=_url("promises", partnership),
        success_message=_("Löftet är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def promise_edit(request: HttpRequest, partnership: Partnership, promise_id: int) -> HttpResponse:
    promise = access.scoped(CitizenPromise.objects.all(), partnership, promise_id)
    form = forms.CitizenPromiseForm(request.POST or None, instance=promise, partnership=partnership)
    return form_page(
        request,
        form,
        title=_("Ändra medborgarlöfte"),
        success_url=_url("promises", partnership),
        success_message=_("Löftet är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("POST",))
def promise_delete(request: HttpRequest, partnership: Partnership, promise_id: int) -> HttpResponse:
    promise = access.scoped(CitizenPromise.objects.all(), partnership, promise_id)
    promise.delete()
    messages.success(request, _("Löftet är borttaget."))
    return htmx.redirect(request, _url("promises", partnership))


# ---- the public promise page (no login) ---------------------------------------------------------


def public_promises(request: HttpRequest, pk: int) -> HttpResponse:
    from samverkan.problems import public

    partnership, promises = public.published(pk)
    return render(
        request,
        "problems/public/promises.html",
        {"public_partnership": partnership, "promises": promises},
    )


# The access rule rides on the view for the URL access test (mypy knows no function attributes).
public_promises.access = "public"  # type: ignore[attr-defined]
