"""Document pages: list with both editions and formats, preview, issue, versions, decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from samverkan.accounts import access
from samverkan.accounts.decorators import partnership_view
from samverkan.documents import archive, data, forms, renderings, services
from samverkan.documents.models import (
    EDITION_CHOICES,
    KIND_CHOICES,
    DecisionProposal,
    DocumentDecision,
    IssuedDocument,
    SignedAgreement,
)
from samverkan.documents.render import to_html
from samverkan.jobs.models import Job, JobStatus
from samverkan.jobs.registry import enqueue
from samverkan.lib import htmx
from samverkan.lib.views import form_page
from samverkan.partnerships.models import Partnership

FORMATS = ("pdf", "docx", "html")


def _check(kind: str, edition: str, fmt: str = "pdf") -> None:
    if kind not in data.KINDS or edition not in data.EDITIONS or fmt not in FORMATS:
        raise Http404("Okänt dokument")
    if fmt not in services.formats_of(edition):
        # The HTML file is the public edition's twin, made to be published.
        raise Http404("Okänt dokument")


def _ctx(request: HttpRequest, partnership: Partnership, **extra: object) -> dict:
    return {
        "partnership": partnership,
        "section": "documents",
        "can_edit": access.can_edit(request.user, partnership),
        **extra,
    }


@partnership_view()
def document_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    today = timezone.localdate()
    from samverkan.documents.vecka import default_week
    from samverkan.fieldwork.services import week_label

    decisions = {d.kind: d for d in partnership.document_decisions.select_related("approved")}
    week = request.GET.get("vecka", "").strip() or week_label(*default_week(partnership))
    versions = [
        v
        for v in partnership.issued_documents.select_related("created_by")
        if v.may_download(request.user)
    ]
    for v in versions:
        # Read by the template from each version; not fields of the model.
        v.compared, v.reader_changes = services.changes_for_reader(v, request.user)  # type: ignore[attr-defined]
    return render(
        request,
        "documents/list.html",
        _ctx(
            request,
            partnership,
            kinds=[
                {
                    "kind": k,
                    "label": label,
                    "decision": decisions.get(k),
                    # The adopted version's archival package, for those who may download it.
                    "archivable": _archivable(decisions.get(k), request.user),
                    "due": decisions.get(k) and decisions[k].is_update_due(today),
                }
                for k, label in KIND_CHOICES
            ],
            editions=dict(EDITION_CHOICES),
            week=week,
            versions=versions,
            signed=partnership.signed_agreements.all(),
        ),
    )


def _archivable(decision: DocumentDecision | None, user: Any) -> bool:
    """Whether the page offers the adopted version's archival package to this reader."""
    approved = decision.approved if decision is not None else None
    return approved is not None and approved.may_download(user)


def _options(request: HttpRequest, kind: str) -> dict[str, str]:
    """The weekly picture's week from the page's choice (?vecka=2026-W48); default the last
    complete week (vecka.default_week)."""
    from samverkan.fieldwork.services import parse_week

    week = request.GET.get("vecka", "").strip()
    if kind != "vecka" or not week:
        return {}
    try:
        parse_week(week)
    except ValueError as exc:
        raise Http404("Okänd vecka") from exc
    return {"week": week}


@partnership_view()
def preview(
    request: HttpRequest, partnership: Partnership, kind: str, edition: str
) -> HttpResponse:
    _check(kind, edition)
    doc = data.build(kind, partnership, edition, request.user, **_options(request, kind))
    return HttpResponse(to_html(doc))


@partnership_view()
def download(
    request: HttpRequest, partnership: Partnership, kind: str, edition: str, fmt: str
) -> HttpResponseBase:
    """The document as a file, built for its reader now.

    PDF and Word files are laid out in a job, never here: a stored rendering of the same
    content for the same audience is served at once (documents/renderings.py); otherwise the
    reader goes to the job's page, which follows it and then downloads from this address.
    """
    _check(kind, edition, fmt)
    options = _options(request, kind)
    doc = data.build(kind, partnership, edition, request.user, **options)
    name = services.file_name(partnership, kind, edition, fmt)
    if fmt not in renderings.STORED_FORMATS:
        response = HttpResponse(
            services.render_as(doc, fmt), content_type=services.CONTENT_TYPES[fmt]
        )
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    week = options.get("week", "")
    slot = renderings.slot_for(partnership, kind, edition, fmt, request.user, week)
    stored = renderings.find(slot, renderings.content_digest(doc, fmt))
    if stored is not None:
        return FileResponse(
            stored.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=services.CONTENT_TYPES[fmt],
        )
    params = {"kind": kind, "edition": edition, "fmt": fmt, "week": week}
    job = _running_render(partnership, request.user, params) or enqueue(
        "documents.render", partnership=partnership, user=request.user, **params
    )
    return htmx.redirect(
        request, reverse("jobs:detail", kwargs={"pk": partnership.pk, "job_id": job.pk})
    )


def _running_render(partnership: Partnership, user: Any, params: dict[str, str]) -> Job | None:
    """The reader's own job rendering the same file, still queued or running (a second click
    follows it rather than starting another)."""
    candidates = Job.objects.filter(
        partnership=partnership,
        kind="documents.render",
        created_by=user,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
    ).order_by("-created_at")[:20]
    return next((job for job in candidates if job.params == params), None)


@partnership_view("edit", methods=("GET", "POST"))
def issue(request: HttpRequest, partnership: Partnership, kind: str, edition: str) -> HttpResponse:
    """GET: what the version would lack, each gap linked to the page that fills it in, and
    the button that issues it. POST: issue it (a background job)."""
    _check(kind, edition)
    if request.method == "GET":
        doc = data.build(kind, partnership, edition, request.user)
        latest = services.latest_versions(partnership).get((kind, edition), 0)
        return render(
            request,
            "documents/issue.html",
            _ctx(
                request,
                partnership,
                kind=kind,
                edition=edition,
                label=dict(KIND_CHOICES)[kind],
                edition_label=dict(EDITION_CHOICES)[edition],
                gaps=[(gap, doc.gap_links.get(gap, "")) for gap in doc.gaps],
                number=latest + 1,
            ),
        )
    job = enqueue(
        "documents.issue", partnership=partnership, user=request.user, kind=kind, edition=edition
    )
    return htmx.redirect(
        request, reverse("jobs:detail", kwargs={"pk": partnership.pk, "job_id": job.pk})
    )


@partnership_view()
def version_detail(request: HttpRequest, partnership: Partnership, issued_id: int) -> HttpResponse:
    version = access.scoped(IssuedDocument.objects.all(), partnership, issued_id)
    if not version.may_download(request.user):
        raise Http404
    compared, changes = services.changes_for_reader(version, request.user)
    adopted = DocumentDecision.objects.filter(
        partnership=partnership,
        kind=version.kind,
        approved__edition=version.edition,
        approved__number=version.number,
    ).exists()
    return render(
        request,
        "documents/version.html",
        _ctx(
            request,
            partnership,
            version=version,
            compared=compared,
            changes=changes,
            adopted=adopted,
        ),
    )


@partnership_view()
def version_download(
    request: HttpRequest, partnership: Partnership, issued_id: int
) -> FileResponse:
    version = access.scoped(IssuedDocument.objects.all(), partnership, issued_id)
    if not version.may_download(request.user):
        # Built for a reader who may see confidential items this user may not.
        raise Http404
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=services.file_name(
            partnership, version.kind, version.edition, version.format, version.number
        ),
        content_type=services.CONTENT_TYPES[version.format],
    )


@partnership_view()
def archive_package(
    request: HttpRequest, partnership: Partnership, issued_id: int
) -> HttpResponseBase:
    """The adopted version as an archival information package (FGS Paketstruktur, E-ARK SIP:
    documents/archive.py), for whoever may download the version itself. It is made in a job
    (the adopted document is laid out with its decision); the reader goes to the job's page,
    which offers the file. Any other version is refused with the reason, on its page."""
    version = access.scoped(IssuedDocument.objects.all(), partnership, issued_id)
    if not version.may_download(request.user):
        raise Http404
    try:
        archive.adopting_decision(version)
    except archive.NotArchivable as exc:
        messages.error(request, exc.swedish)
        return redirect("documents:version", pk=partnership.pk, issued_id=version.pk)
    params = {"issued_id": version.pk}
    running = Job.objects.filter(
        partnership=partnership,
        kind="documents.archive",
        created_by_id=request.user.pk,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
    ).order_by("-created_at")
    job = next((j for j in running[:20] if j.params == params), None) or enqueue(
        "documents.archive", partnership=partnership, user=request.user, **params
    )
    return htmx.redirect(
        request, reverse("jobs:detail", kwargs={"pk": partnership.pk, "job_id": job.pk})
    )


@partnership_view("edit", methods=("GET", "POST"))
def decision_edit(request: HttpRequest, partnership: Partnership, kind: str) -> HttpResponse:
    if kind not in ("lagesbild", "atgardsplan"):
        raise Http404
    record = DocumentDecision.objects.filter(partnership=partnership, kind=kind).first()
    record = record or DocumentDecision(partnership=partnership, kind=kind)
    form = forms.DocumentDecisionForm(request.POST or None, instance=record)
    return form_page(
        request,
        form,
        title=_("Beslut om %(doc)s") % {"doc": str(dict(KIND_CHOICES)[kind]).lower()},
        success_url=reverse("documents:list", kwargs={"pk": partnership.pk}),
        success_message=_("Beslutet är registrerat."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def proposal_edit(request: HttpRequest, partnership: Partnership, kind: str) -> HttpResponse:
    """The diarienummer and the "förslag till beslut" a draft goes to the decision with."""
    if kind not in data.DECIDED_KINDS:
        raise Http404
    record = DecisionProposal.objects.filter(partnership=partnership, kind=kind).first()
    record = record or DecisionProposal(partnership=partnership, kind=kind)
    form = forms.DecisionProposalForm(request.POST or None, instance=record)
    return form_page(
        request,
        form,
        title=_("Förslag till beslut om %(doc)s") % {"doc": str(dict(KIND_CHOICES)[kind]).lower()},
        success_url=reverse("documents:list", kwargs={"pk": partnership.pk}),
        success_message=_("Förslaget till beslut är sparat; utkastet visar det."),
        context=_ctx(request, partnership),
    )


@partnership_view("edit", methods=("GET", "POST"))
def sign(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    form = forms.SignedAgreementForm(
        request.POST or None, request.FILES or None, partnership=partnership
    )

    def save(form: forms.SignedAgreementForm) -> SignedAgreement:
        signed = form.save(commit=False)
        signed.partnership = partnership
        signed.uploaded_by = request.user
        signed.save()
        return signed

    return form_page(
        request,
        form,
        title=_("Ladda upp undertecknad överenskommelse"),
        save=save,
        success_url=reverse("documents:list", kwargs={"pk": partnership.pk}),
        success_message=_("Det undertecknade exemplaret är sparat."),
        context=_ctx(request, partnership),
    )


@partnership_view()
def signed_download(request: HttpRequest, partnership: Partnership, signed_id: int) -> FileResponse:
    signed = access.scoped(SignedAgreement.objects.all(), partnership, signed_id)
    if not signed.file:
        raise PermissionDenied
    return FileResponse(
        signed.file.open("rb"), as_attachment=True, filename=services.signed_file_name(signed)
    )


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The tillgänglighetsredogörelse (lag 2018:1937), public, from the facts the checks know."""
    from samverkan.documents import accessibility

    return render(
        request,
        "documents/accessibility_statement.html",
        {"statement": accessibility.statement()},
    )


# The access rule rides on the view for the URL access test (mypy knows no function attributes).
accessibility_statement.access = "public"  # type: ignore[attr-defined]
