"""Open data (no token, no login), the coordinator's publishing page and the evidence bank."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samverkan.accounts.decorators import partnership_view, user_view
from samverkan.learning import dcat, evidence, opendata
from samverkan.learning.forms import LabelForm, PublicationForm, SearchForm
from samverkan.learning.models import EvaluationLabel, OpenDataPublication
from samverkan.partnerships.models import Partnership

JSON_LD = "application/ld+json; charset=utf-8"


def _public(view: Any) -> Any:
    """A page anyone may read: GET only; it shows only what partnerships have published."""
    guarded = require_GET(view)
    guarded.access = "public"
    return guarded


def _published(pk: int) -> Partnership:
    partnership = (
        Partnership.objects.filter(pk=pk, open_data__published=True)
        .select_related("municipality", "police_area", "open_data")
        .first()
    )
    if partnership is None:
        raise Http404
    return partnership


def _cors(response: HttpResponse) -> HttpResponse:
    # Open data: any site may read it from a browser (no cookies are sent or needed).
    response["Access-Control-Allow-Origin"] = "*"
    return response


@_public
def catalogue(request: HttpRequest) -> HttpResponse:
    body = json.dumps(dcat.catalogue(request.build_absolute_uri), ensure_ascii=False, indent=1)
    return _cors(HttpResponse(body, content_type=JSON_LD))


@_public
def dataset_json(request: HttpRequest, pk: int) -> HttpResponse:
    data = opendata.dataset(_published(pk))
    return _cors(JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1}))


@_public
def dataset_csv(request: HttpRequest, pk: int) -> HttpResponse:
    partnership = _published(pk)
    response = HttpResponse(
        opendata.results_csv(opendata.results(partnership)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="effektuppfoljningar-{partnership.pk}.csv"'
    return _cors(response)


def _page_number(request: HttpRequest, count: int, size: int) -> tuple[int, int]:
    """The page asked for (``?sida=``, from 1) within the pages there are, and the page count."""
    pages = max(1, -(-count // size))
    try:
        number = int(request.GET.get("sida", "1"))
    except ValueError:
        number = 1
    return min(max(number, 1), pages), pages


def _page_links(request: HttpRequest, number: int, pages: int) -> dict[str, str]:
    """The query strings of the previous and next pages (the other parameters kept)."""
    links = {}
    for name, target in (("previous", number - 1), ("next", number + 1)):
        if 1 <= target <= pages:
            query = request.GET.copy()
            query["sida"] = str(target)
            links[name] = "?" + query.urlencode()
    return links


@_public
def evidence_bank(request: HttpRequest) -> HttpResponse:
    """The bank searches, counts, sorts and pages in the database (evidence.py): a page reads
    its own rows in full and the pooled effects read one narrow row per poolable result."""
    options, categories = evidence.form_choices()
    form = SearchForm(request.GET or None, options=options)
    search = evidence.Search()
    if form.is_valid():
        d = form.cleaned_data
        search = evidence.Search(d["q"], d["kategori"], d["metod"], d["plats"], d["ar"] or "")
    own = evidence.own_queryset(search, categories)
    remote = evidence.remote_queryset(search)
    count = own.count() + remote.count()
    size = evidence.PAGE_SIZE
    number, pages = _page_number(request, count, size)
    rows = evidence.page_rows(own, remote, (number - 1) * size, size)
    return render(
        request,
        "learning/evidence.html",
        {
            "form": form,
            "rows": rows,
            "count": count,
            "groups": evidence.pooled_groups(own, remote),
            "total": evidence.total_published(),
            "page": {"number": number, "pages": pages, **_page_links(request, number, pages)},
        },
    )


@partnership_view("edit", methods=("GET", "POST"))
def publish(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """The coordinator turns open data on or off and labels the effect results."""
    from samverkan.followup.models import EffectEvaluation

    publication = OpenDataPublication.objects.filter(partnership=partnership).first()
    evaluations = list(
        EffectEvaluation.objects.filter(partnership=partnership).select_related("goal", "label")
    )
    label_forms = []
    for ev in evaluations:
        label = getattr(ev, "label", None) or EvaluationLabel(evaluation=ev)
        label_forms.append(
            (ev, LabelForm(request.POST or None, instance=label, prefix=f"ev{ev.pk}"))
        )
    form = PublicationForm(request.POST or None, instance=publication)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unpublish" and publication is not None:
            publication.published = False
            publication.save(update_fields=["published", "updated_at"])
            messages.success(
                request, _("Samverkans resultat publiceras inte längre som öppna data.")
            )
            return redirect("learning:publish", pk=partnership.pk)
        if form.is_valid() and all(f.is_valid() for _ev, f in label_forms):
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.partnership = partnership
                if action == "publish":
                    saved.published = True
                    saved.published_at = saved.published_at or timezone.now()
                    saved.published_by = saved.published_by or request.user
                saved.save()
                for _ev, f in label_forms:
                    f.save()
            messages.success(
                request,
                _("Samverkans offentliga resultat publiceras nu som öppna data.")
                if saved.published
                else _(
                    "Uppgifterna är sparade. Ingenting publiceras förrän du väljer att publicera."
                ),
            )
            return redirect("learning:publish", pk=partnership.pk)
    preview = opendata.dataset(partnership)
    return render(
        request,
        "learning/publish.html",
        {
            "partnership": partnership,
            "section": "step5",
            "publication": publication,
            "form": form,
            "label_forms": label_forms,
            "preview": preview,
        },
    )


def _scope(request: HttpRequest, scope_id: int) -> Any:
    from samverkan.learning.models import RegionalScope

    scope = RegionalScope.objects.readable_by(request.user).filter(pk=scope_id).first()
    if scope is None:
        raise Http404
    return scope


@user_view()
def regions(request: HttpRequest) -> HttpResponse:
    from samverkan.learning.models import RegionalScope

    scopes = RegionalScope.objects.readable_by(request.user)
    return render(request, "learning/regions.html", {"scopes": scopes})


@user_view()
def region(request: HttpRequest, scope_id: int) -> HttpResponse:
    from samverkan.learning import regional

    scope = _scope(request, scope_id)
    count = scope.municipalities.count()
    size = regional.PAGE_SIZE
    number, pages = _page_number(request, count, size)
    orgs = list(regional.municipalities(scope)[(number - 1) * size : number * size])
    rows = regional.rows_for(scope, orgs, with_results=False)
    return render(
        request,
        "learning/region.html",
        {
            "scope": scope,
            "rows": rows,
            "count": count,
            "groups": regional.region_groups(scope),
            "page": {"number": number, "pages": pages, **_page_links(request, number, pages)},
        },
    )


@user_view()
def region_csv(request: HttpRequest, scope_id: int) -> HttpResponse:
    from samverkan.learning import regional

    scope = _scope(request, scope_id)
    response = HttpResponse(
        regional.as_csv(regional.rows_for(scope, with_results=False)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="region-{scope.pk}.csv"'
    return response


@user_view()
def region_document(request: HttpRequest, scope_id: int, fmt: str) -> HttpResponseBase:
    """The regional summary as PDF or Word, for the scope's readers (and administrators).

    Rendered in a job (learning/jobs.py), never in the request: a recent rendering is served,
    otherwise the reader is sent to the job's page, which sends them back here when done."""
    from django.http import FileResponse

    from samverkan.jobs import registry
    from samverkan.learning import jobs

    scope = _scope(request, scope_id)
    stored = jobs.fresh_rendering(scope.pk, fmt)
    if stored is not None:
        content_type = (
            "application/pdf"
            if fmt == "pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        return FileResponse(
            stored.output.open("rb"),
            as_attachment=True,
            filename=f"regional-sammanstallning-{scope.pk}.{fmt}",
            content_type=content_type,
        )
    record = jobs.pending(scope.pk, fmt) or registry.enqueue(
        jobs.KIND, user=request.user, scope_id=scope.pk, fmt=fmt
    )
    return redirect("learning:region_job", scope_id=scope.pk, job_id=record.pk)


@user_view()
def region_job(request: HttpRequest, scope_id: int, job_id: int) -> HttpResponse:
    """The progress of a regional summary's rendering, for the scope's readers; once done it
    sends the reader to the download address (as the partnership's job pages do)."""
    from django.http import HttpResponseRedirect

    from samverkan.jobs import registry
    from samverkan.jobs.models import Job, JobStatus
    from samverkan.learning import jobs
    from samverkan.lib import htmx

    scope = _scope(request, scope_id)
    job = Job.objects.filter(
        pk=job_id, kind=jobs.KIND, partnership__isnull=True, params__scope_id=scope.pk
    ).first()
    if job is None:
        raise Http404
    if not job.is_finished() and registry.reap_stale_jobs(ids=[job.pk]):
        job.refresh_from_db()
    text = job.describe()
    if job.status == JobStatus.DONE and text.url and not htmx.is_partial(request):
        return HttpResponseRedirect(text.url)
    context = {"scope": scope, "job": job, "text": text}
    if htmx.is_partial(request):
        return render(request, "learning/_region_job.html", context)
    return render(request, "learning/region_job.html", context)
