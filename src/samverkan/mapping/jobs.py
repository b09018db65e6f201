"""Background job of step 2: read an uploaded file (large files take a while)."""

from __future__ import annotations

from typing import Any

from samverkan.jobs.models import Job
from samverkan.jobs.registry import Progress, job
from samverkan.mapping import services
from samverkan.mapping.models import Import


@job("mapping.import")
def import_file(record: Job, progress: Progress, import_id: int) -> dict[str, Any]:
    """Validate and import one uploaded file; the Import row keeps the outcome and errors."""
    target = Import.objects.select_related("party").get(
        pk=import_id, party__partnership=record.partnership_id
    )
    progress(1, "läser filen")
    result = services.perform_import(target, progress)
    return {
        "import_id": target.pk,
        "status": target.status,
        "rows": result.rows_total,
        "imported": result.rows_imported,
        "skipped": result.rows_skipped,
        "errors": result.error_count,
    }
