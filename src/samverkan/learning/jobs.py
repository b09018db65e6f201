"""The regional summary document (PDF or Word) as a background job.

Laying a PDF out takes seconds, and a region of many kommuner reads each kommun's public
figures: neither belongs inside a web request. The download address (views.region_document)
serves the newest file rendered for the scope in that format if it is recent enough
(``FRESH``), and otherwise starts this job and sends the reader to its page; when the job is
done, the page sends the reader back to the download address, which then serves the file.
The summary holds public figures only and is the same for every reader of the scope, so one
file serves them all.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.jobs.models import Job, JobStatus
from samverkan.jobs.registry import JobFailed, JobText, Progress, describes, job

KIND = "learning.region_document"
# A rendered summary is served again for this long; after that the download renders anew.
FRESH = datetime.timedelta(minutes=15)
_FORMAT_NAMES = {"pdf": "PDF", "docx": "Word"}


@job(KIND)
def region_document(record: Job, progress: Progress, scope_id: int, fmt: str) -> dict[str, Any]:
    from samverkan.documents import render
    from samverkan.documents.docx_builder import to_docx
    from samverkan.learning import regional
    from samverkan.learning.models import RegionalScope

    scope = RegionalScope.objects.filter(pk=scope_id).first()
    if scope is None or fmt not in _FORMAT_NAMES:
        raise JobFailed(_("Den regionala vyn finns inte längre."))
    progress(10, _("Kommunernas offentliga uppgifter läses"))
    doc = regional.summary_document(scope, regional.rows_for(scope, with_results=False))
    progress(60, _("Sammanställningen läggs upp som %(format)s") % {"format": _FORMAT_NAMES[fmt]})
    content = render.to_pdf(doc) if fmt == "pdf" else to_docx(doc)
    name = f"regional-sammanstallning-{scope.pk}.{fmt}"
    record.output.save(name, ContentFile(content), save=False)
    Job.objects.filter(pk=record.pk).update(output=record.output.name)
    return {"scope": scope.pk, "format": fmt, "sha256": hashlib.sha256(content).hexdigest()}


def download_url(record: Job) -> str:
    return reverse(
        "learning:region_document",
        kwargs={"scope_id": record.params.get("scope_id"), "fmt": record.params.get("fmt")},
    )


@describes(KIND)
def describe(record: Job) -> JobText:
    fmt = _FORMAT_NAMES.get(str(record.params.get("fmt")), "")
    if record.status == JobStatus.DONE:
        return JobText(
            _("Den regionala sammanställningen är klar (%(format)s)") % {"format": fmt},
            download_url(record),
            _("Ladda ned sammanställningen"),
            file=True,
        )
    if record.status == JobStatus.FAILED:
        return JobText(_("Den regionala sammanställningen kunde inte göras"))
    return JobText(_("Den regionala sammanställningen görs (%(format)s) …") % {"format": fmt})


def _jobs(scope_id: int, fmt: str) -> Any:
    return Job.objects.filter(
        kind=KIND, partnership__isnull=True, params__scope_id=scope_id, params__fmt=fmt
    ).order_by("-created_at", "-id")


def fresh_rendering(scope_id: int, fmt: str) -> Job | None:
    """The newest finished rendering of the scope's summary in ``fmt`` within FRESH."""
    found = (
        _jobs(scope_id, fmt)
        .filter(status=JobStatus.DONE, finished_at__gte=timezone.now() - FRESH)
        .exclude(output="")
        .first()
    )
    if found is None or not found.output.storage.exists(found.output.name):
        return None
    return found


def pending(scope_id: int, fmt: str) -> Job | None:
    """A rendering of the same summary that is queued or running (not started twice)."""
    return _jobs(scope_id, fmt).filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING)).first()
