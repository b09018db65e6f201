"""Document builds as background jobs (they can take several seconds)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.documents import services
from samverkan.jobs.models import Job, JobStatus
from samverkan.jobs.registry import JobText, Progress, describes, job
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
