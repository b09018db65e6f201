"""The public page of a partnership's citizen promises: no login, nothing confidential.

What residents see is chosen, not derived: the promises' public wording, period and parties,
and progress told from the step 4 record of the measures behind them, in plain words. Only
measures that are publishable and not confidential are read, and never their log texts
(which may name people): their status, when it started or finished, and when work was last
logged. A partnership that has published no promise has no public page (404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max
from django.http import Http404
from django.utils.formats import date_format

from samverkan.accounts import audience
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import CitizenPromise, Measure


@dataclass(frozen=True)
class PublicProgress:
    text: str
    updated: datetime.date | None


@dataclass(frozen=True)
class PublicPromise:
    promise: CitizenPromise
    behind: list[str]
    progress: list[PublicProgress]

    @property
    def updated(self) -> datetime.date:
        dates = [p.updated for p in self.progress if p.updated] + [self.promise.starts_on]
        return max(dates)


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _progress(measure: Measure, activities: int, last: datetime.date | None) -> PublicProgress:
    from samverkan.implementation.models import Status

    progress = getattr(measure, "progress", None)
    status = progress.status if progress else Status.PLANNED
    if progress and status == Status.DONE:
        when = progress.finished_on
        text = "Arbetet är genomfört" + (f" ({_date(when)})." if when else ".")
        return PublicProgress(text, when or last)
    if status == Status.CANCELLED:
        return PublicProgress("Arbetet är avslutat i förtid.", last)
    if status == Status.PAUSED:
        return PublicProgress("Arbetet är tillfälligt pausat.", last)
    if status == Status.STARTED or activities:
        since = progress.started_on if progress and progress.started_on else None
        text = "Arbetet pågår" + (f" sedan {_date(since)}" if since else "")
        if last:
            text += f"; senast registrerat arbete {_date(last)}"
        return PublicProgress(text + ".", last or since)
    start = measure.starts_on
    return PublicProgress(
        "Arbetet har inte börjat ännu" + (f"; det planeras från {_date(start)}." if start else "."),
        None,
    )


def published(partnership_id: int) -> tuple[Partnership, list[PublicPromise]]:
    """The partnership and its published promises, or Http404 when it has published none."""
    partnership = (
        Partnership.objects.select_related("municipality", "police_area")
        .filter(pk=partnership_id)
        .first()
    )
    if partnership is None:
        raise Http404
    promises = list(
        CitizenPromise.objects.filter(partnership=partnership, published=True).prefetch_related(
            "parties__organisation"
        )
    )
    if not promises:
        raise Http404
    out = []
    for promise in promises:
        measures = (
            promise.measures.filter(audience.public().measure_q())
            .select_related("progress")
            .annotate(n=Count("activities"), last=Max("activities__date"))
            .order_by("number")
        )
        out.append(
            PublicPromise(
                promise,
                [str(p) for p in promise.parties.all()],
                [_progress(m, m.n, m.last) for m in measures],
            )
        )
    return partnership, out
