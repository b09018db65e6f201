"""Step 2's "klart när", computed per signing party from the data.

Handbook p. 45 (transcript line "46"): each party has identified the local problems, each
organisation has examined its prerequisites (resources and ongoing work), and the steering
group has been given the inventories – here: each party has shared its lägesbild.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samverkan.mapping.choices import ReportStatus
from samverkan.mapping.models import Activity, DataSource, Resource, SituationReport
from samverkan.partnerships.models import Partnership
from samverkan.process.checklists import Checklist, ChecklistItem, register, shared_parties


@register(2)
def step2(partnership: Partnership) -> Checklist:
    signatories = [p for p in shared_parties(partnership) if p.is_signatory()]
    ids = [p.pk for p in signatories]
    with_sources = set(
        DataSource.objects.filter(party__in=ids, left_out=False).values_list("party", flat=True)
    )
    reports = {r.party_id: r for r in SituationReport.objects.filter(party__in=ids)}
    written = {pid for pid, r in reports.items() if r.text.strip()}
    shared = {pid for pid, r in reports.items() if r.status == ReportStatus.SHARED}
    # Resources and activities in one query (a union of the two lists of parties).
    inventoried = set(
        Resource.objects.filter(party__in=ids)
        .order_by()
        .values_list("party", flat=True)
        .union(Activity.objects.filter(party__in=ids).order_by().values_list("party", flat=True))
    )
    url = reverse("mapping:home", kwargs={"pk": partnership.pk})

    def item(label: Promise, done_ids: set[int]) -> ChecklistItem:
        missing = [str(p) for p in signatories if p.pk not in done_ids]
        return ChecklistItem(
            label,
            bool(signatories) and not missing,
            str(_("Saknas för: %(names)s") % {"names": ", ".join(missing)}) if missing else "",
            url=url,
        )

    return Checklist(
        2,
        (
            item(_("Varje signerande part har beskrivit sina datakällor"), with_sources),
            item(
                _("Varje signerande part har identifierat de lokala problemen i en lägesbild"),
                written,
            ),
            item(
                _("Varje signerande part har inventerat sina resurser och pågående arbete"),
                inventoried,
            ),
            item(
                _("Styrgruppen har fått ta del av inventeringarna (lägesbilderna är delade)"),
                shared,
            ),
        ),
    )
