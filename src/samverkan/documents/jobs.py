"""Document builds as background jobs (they can take several seconds): issuing a version, and
rendering a download for its reader (stored, documents/renderings.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.documents import data, renderings, services
from samverkan.documents.models import KIND_CHOICES
from samverkan.jobs.models import Job, JobStatus
from samverkan.jobs.registry import JobFailed, JobText, Progress, describes, job
from samverkan.partnerships.models import Partnership


@job("documents.issue")
def issue_document(record: Job, progress: Progress, kind: str, edition: str) -> dict[str, Any]:
    assert record.partnership_id is not None  # a document is issued for a partnership
    partnership = Partnership.objects.get(pk=record.partnership_id)
    issued = services.issue(partnership, kind, edition, record.created_by, progress)
    return {"versions": [d.pk for d in issued], "number": issued[0].number}


# Each document by its definite name, with the participle that agrees with it.
_NAMES = {
    "agreement": (gettext_noop("Överenskommelsen"), gettext_noop("utfärdad")),
    "lagesbild": (gettext_noop("Lägesbilden"), gettext_noop("utfärdad")),
    "atgardsplan": (gettext_noop("Åtgärdsplanen"), gettext_noop("utfärdad")),
    "medborgarlofte": (gettext_noop("Medborgarlöftet"), gettext_noop("utfärdat")),
    "followup": (gettext_noop("Uppföljningsrapporten"), gettext_noop("utfärdad")),
    "fem-i": (gettext_noop("5I-beskrivningen"), gettext_noop("utfärdad")),
}
_EDITIONS = {"internal": gettext_noop("intern"), "public": gettext_noop("offentlig")}


@describes("documents.issue")
def describe_issue(record: Job) -> JobText:
    kind = record.params.get("kind", "")
    name, done = _NAMES.get(kind, (gettext_noop("Dokumentet"), gettext_noop("utfärdat")))
    edition = _(_EDITIONS.get(record.params.get("edition", ""), "")) or ""
    suffix = f" ({edition} {_('version')})" if edition else ""
    if record.status == JobStatus.DONE:
        number = record.result.get("number")
        versions = record.result.get("versions") or []
        url = (
            reverse(
                "documents:version", kwargs={"pk": record.partnership_id, "issued_id": versions[0]}
            )
            if versions
            else reverse("documents:list", kwargs={"pk": record.partnership_id})
        )
        return JobText(
            _("%(name)s är %(done)s – version %(n)s%(suffix)s")
            % {"name": _(name), "done": _(done), "n": number, "suffix": suffix},
            url,
            _("Visa version %(n)s") % {"n": number},
        )
    if record.status == JobStatus.FAILED:
        return JobText(_("%(name)s kunde inte utfärdas") % {"name": _(name)} + suffix)
    return JobText(_("%(name)s utfärdas …") % {"name": _(name)} + suffix)


# -- a download rendered for its reader ---------------------------------------------------------

_FORMAT_NAMES = {"pdf": "PDF", "docx": "Word"}


def download_url(record: Job) -> str:
    """The address the rendered file is downloaded from: the document's own download address,
    which serves the stored rendering to its reader (and renders again if the content has
    changed since)."""
    params = record.params
    url = reverse(
        "documents:download",
        kwargs={
            "pk": record.partnership_id,
            "kind": params.get("kind", ""),
            "edition": params.get("edition", ""),
            "fmt": params.get("fmt", ""),
        },
    )
    week = params.get("week", "")
    return f"{url}?vecka={week}" if week else url


@job("documents.render")
def render_download(
    record: Job, progress: Progress, kind: str, edition: str, fmt: str, week: str = ""
) -> dict[str, Any]:
    """Render one document for the reader who asked for it, and store it in the reader's slot.

    The document is built again here, for the same reader: what is stored is what this build
    gives, under its own digest; the download address compares it with the reader's build at
    the time of the download.
    """
    assert record.partnership_id is not None  # a document belongs to a partnership
    if record.created_by is None:
        raise JobFailed(_("Filen kan inte skapas: kontot som bad om den finns inte längre."))
    if fmt not in renderings.STORED_FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose pdf or docx")
    partnership = Partnership.objects.get(pk=record.partnership_id)
    reader = record.created_by
    options = {"week": week} if week else {}
    progress(10, _("Dokumentet byggs."))
    doc = data.build(kind, partnership, edition, reader, **options)
    slot = renderings.slot_for(partnership, kind, edition, fmt, reader, week)
    digest = renderings.content_digest(doc, fmt)
    if renderings.find(slot, digest) is None:  # another job may just have stored it
        progress(30, _("Filen skapas."))
        content = services.render_as(doc, fmt)
        progress(90, _("Filen sparas."))
        name = services.file_name(partnership, kind, edition, fmt)
        renderings.store(slot, digest, content, name)
    return {"digest": digest}


@describes("documents.render")
def describe_render(record: Job) -> JobText:
    params = record.params
    values = {
        "format": _FORMAT_NAMES.get(params.get("fmt", ""), "PDF"),
        "name": dict(KIND_CHOICES).get(params.get("kind", ""), _("Dokumentet")),
        "edition": _(_EDITIONS.get(params.get("edition", ""), "")),
    }
    if params.get("week"):
        values["name"] = f"{values['name']} {params['week']}"
    if record.status == JobStatus.DONE:
        return JobText(
            _("%(format)s-filen är klar: %(name)s, %(edition)s version") % values,
            download_url(record),
            _("Ladda ned filen"),
            file=True,
        )
    if record.status == JobStatus.FAILED:
        failed = _("%(format)s-filen kunde inte skapas: %(name)s, %(edition)s version")
        return JobText(failed % values)
    return JobText(_("%(format)s-filen skapas: %(name)s, %(edition)s version …") % values)


# The archival package's job lives beside its builder; importing it here registers it.
from samverkan.documents import archive_jobs  # noqa: E402, F401
