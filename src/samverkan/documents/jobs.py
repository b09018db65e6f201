"""Document builds as background jobs (they can take several seconds)."""

from __future__ import annotations

from typing import Any

from samverkan.documents import services
from samverkan.jobs.models import Job
from samverkan.jobs.registry import Progress, job
from samverkan.partnerships.models import Partnership


@job("documents.issue")
def issue_document(record: Job, progress: Progress, kind: str, edition: str) -> dict[str, Any]:
    partnership = Partnership.objects.get(pk=record.partnership_id)
    issued = services.issue(partnership, kind, edition, record.created_by, progress)
    return {"versions": [d.pk for d in issued], "number": issued[0].number}
