"""The archival package as a background job: the adopted document is laid out again with its
decision on the cover (seconds, with WeasyPrint), so the package is made here, never inside a
request, and offered for download on the job's page (documents/archive.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext as _

from samverkan.documents import archive
from samverkan.documents.models import IssuedDocument
from samverkan.jobs.models import Job, JobStatus
from samverkan.jobs.registry import JobFailed, JobText, Progress, describes, job


@job("documents.archive")
def archive_package(record: Job, progress: Progress, issued_id: int) -> dict[str, Any]:
    """Package the adopted version for the reader who asked: the adopted document as that
    reader's build shows it (when it still holds the decided content) and the decided file."""
    assert record.partnership_id is not None  # a document belongs to a partnership
    reader = record.created_by
    if reader is None:
        raise JobFailed(_("Arkivpaketet kan inte skapas: kontot som bad om det finns inte längre."))
    version = IssuedDocument.objects.filter(
        pk=issued_id, partnership_id=record.partnership_id
    ).first()
    if version is None or not version.may_download(reader):
        raise JobFailed(_("Versionen finns inte, eller så får du inte ladda ned den."))
    try:
        archive.adopting_decision(version)
        progress(10, _("Den fastställda versionen tas fram."))
        adopted = archive.adopted_rendering(archive.adopted_pdf(version), reader)
        progress(80, _("Arkivpaketet packas."))
        package = archive.build_package(version, adopted=adopted)
    except archive.NotArchivable as exc:
        raise JobFailed(exc.swedish) from exc
    record.output.save(package.filename, ContentFile(package.content), save=False)
    Job.objects.filter(pk=record.pk).update(output=record.output.name)
    return {
        "package_id": package.package_id,
        "sha256": package.pdf_sha256,
        "adopted_rendering": adopted is not None,
        "number": version.number,
    }


@describes("documents.archive")
def describe_archive(record: Job) -> JobText:
    if record.status == JobStatus.DONE:
        return JobText(
            _("Arkivpaketet är klart: version %(n)s med beslutsuppgifter, som PDF/A")
            % {"n": record.result.get("number", "")},
            reverse("jobs:download", kwargs={"pk": record.partnership_id, "job_id": record.pk}),
            _("Ladda ned arkivpaketet"),
            file=True,
        )
    if record.status == JobStatus.FAILED:
        return JobText(_("Arkivpaketet kunde inte skapas"))
    return JobText(_("Arkivpaketet skapas …"))
