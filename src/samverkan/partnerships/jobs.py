"""Background jobs of step 1: export a partnership's records as one JSON file."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts import access, audit
from samverkan.jobs.models import Job, JobStatus
from samverkan.jobs.registry import JobText, Progress, describes, job
from samverkan.partnerships.models import Partnership


@job("partnerships.export")
def export_partnership(record: Job, progress: Progress) -> dict[str, Any]:
    """Write the partnership's step-1 records (and its history) to a JSON archive file."""
    assert record.partnership_id is not None  # an export is started for a partnership
    partnership = Partnership.objects.get(pk=record.partnership_id)
    sections: dict[str, Any] = {"partnership": audit.snapshot(partnership)}
    related = [
        ("parties", partnership.parties.select_related("organisation")),
        ("groups", partnership.groups.all()),
        ("decisions", partnership.decisions.all()),
        ("meetings", partnership.meetings.all()),
        ("milestones", partnership.milestones.all()),
        ("cycles", partnership.cycles.all()),
        # Party-private and confidential changes (and what derives from a confidential item)
        # stay out of a partnership-wide export.
        ("history", access.shared_history(partnership)),
    ]
    for index, (name, queryset) in enumerate(related, start=1):
        progress(int(90 * index / len(related)), f"{name}")
        rows = []
        for obj in queryset:
            row = {"id": obj.pk, **audit.snapshot(obj)}
            if name == "parties":
                row["organisation_name"] = obj.organisation.name
                coordinator = obj.coordinator_or_none()
                row["coordinator"] = audit.snapshot(coordinator) if coordinator else None
            elif name == "groups":
                row["members"] = [audit.snapshot(m) for m in obj.members.all()]
            rows.append(row)
        sections[name] = rows
    document = {
        "format": "samverkan-export/1",
        "exported_at": timezone.now().isoformat(),
        **sections,
    }
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    from samverkan.documents.services import name_part

    who = name_part(partnership.name, str(partnership.pk))
    record.output.save(f"export-{who}-{stamp}.json", ContentFile(payload), save=False)
    Job.objects.filter(pk=record.pk).update(output=record.output.name)
    return {
        "bytes": len(payload),
        "sections": {k: len(v) for k, v in sections.items() if isinstance(v, list)},
    }


@describes("partnerships.export")
def describe_export(record: Job) -> JobText:
    if record.status == JobStatus.DONE:
        return JobText(_("Exporten av samverkans uppgifter är klar. Ladda ned filen nedan."))
    if record.status == JobStatus.FAILED:
        return JobText(_("Exporten av samverkans uppgifter kunde inte göras"))
    return JobText(_("Samverkans uppgifter exporteras …"))
