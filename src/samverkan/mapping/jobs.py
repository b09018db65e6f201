"""Background job of step 2: read an uploaded file (large files take a while)."""

from __future__ import annotations

from typing import Any

from samverkan.jobs.models import Job
from samverkan.jobs.registry import JobFailed, JobText, Progress, describes, job
from samverkan.mapping import services
from samverkan.mapping.choices import ImportStatus
from samverkan.mapping.models import Import


def _import_of(record: Job) -> Import | None:
    return (
        Import.objects.select_related("party")
        .filter(pk=record.params.get("import_id"), party__partnership=record.partnership_id)
        .first()
    )


def import_job_failed(record: Job) -> None:
    """A failed or abandoned import job: its import ends as failed and its file is deleted."""
    target = _import_of(record)
    if target is not None and target.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        services.fail_import(target)


@job("mapping.import", on_failure=import_job_failed)
def import_file(record: Job, progress: Progress, import_id: int) -> dict[str, Any]:
    """Validate and import one uploaded file; the Import row keeps the outcome and errors."""
    target = Import.objects.select_related("party").get(
        pk=import_id, party__partnership=record.partnership_id
    )
    progress(1, "läser filen")
    result = services.perform_import(target, progress)
    if target.status == ImportStatus.FAILED:
        raise JobFailed(services.IMPORT_FAILED_SV)
    return {
        "import_id": target.pk,
        "status": target.status,
        "rows": result.rows_total,
        "imported": result.rows_imported,
        "skipped": result.rows_skipped,
        "errors": result.error_count,
    }


@describes("mapping.import")
def describe_import(record: Job) -> JobText:
    """ "Importen av brott.csv är klar: 9 nya rader", with the way to the import's page."""
    from django.urls import reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from samverkan.jobs.models import JobStatus

    target = _import_of(record)
    name = target.file_name if target is not None else _("filen")
    if record.status == JobStatus.DONE and target is not None:
        url = reverse(
            "mapping:import_detail",
            kwargs={
                "pk": record.partnership_id,
                "party_id": target.party_id,
                "import_id": target.pk,
            },
        )
        if target.status == ImportStatus.NEEDS_AREAS:
            return JobText(
                _("%(file)s innehåller andra kommuner: välj vad som ska importeras")
                % {"file": name},
                url,
                _("Välj områden"),
            )
        if target.status == ImportStatus.NEEDS_MAPPING:
            return JobText(
                _("Kolumnerna i %(file)s behöver kopplas innan filen kan importeras")
                % {"file": name},
                url,
                _("Visa importen"),
            )
        if target.status == ImportStatus.REJECTED:
            return JobText(
                _("%(file)s avvisades: ingenting har sparats") % {"file": name},
                url,
                _("Se vad som är fel"),
            )
        added = record.result.get("imported", target.rows_imported) or 0
        url = reverse(
            "mapping:import_detail",
            kwargs={
                "pk": record.partnership_id,
                "party_id": target.party_id,
                "import_id": target.pk,
            },
        )
        headline = ngettext(
            "Importen av %(file)s är klar: %(n)s ny rad",
            "Importen av %(file)s är klar: %(n)s nya rader",
            added,
        ) % {"file": name, "n": added}
        return JobText(headline, url, _("Visa importen"))
    if record.status == JobStatus.FAILED:
        return JobText(_("Importen av %(file)s kunde inte genomföras") % {"file": name})
    return JobText(_("%(file)s läses in …") % {"file": name})
