"""Step 2's domain rules: imports, the lägesbild draft, and what step 3 may read.

Step 3 reads the parties' shared lägesbilder through ``shared_situation_reports`` only.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samverkan.analysis.rates import Trend
from samverkan.analysis.suppression import disclosive, shown
from samverkan.jobs.models import Job, JobStatus
from samverkan.lib import numbers
from samverkan.mapping.choices import ImportStatus, ReportStatus
from samverkan.mapping.importers import ImportResult, Issue, importer_for, run_import
from samverkan.mapping.importers.reader import inspect
from samverkan.mapping.models import Import, SituationReport
from samverkan.mapping.subjects import crime, incidents, one_build, rates
from samverkan.mapping.subjects.rates import Comparison, RateComparison
from samverkan.partnerships.models import Partnership, Party

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SharedReport:
    party_id: int
    party_name: str
    title: str
    text: str
    shared_at: datetime.datetime


def shared_situation_reports(partnership: Partnership) -> list[SharedReport]:
    """The lägesbilder the partnership's parties have chosen to share (never drafts)."""
    reports = SituationReport.objects.filter(
        party__partnership=partnership, status=ReportStatus.SHARED
    ).select_related("party__organisation")
    return [
        SharedReport(
            party_id=r.party_id,
            party_name=str(r.party),
            title=r.title,
            text=r.text,
            shared_at=r.shared_at or r.updated_at,
        )
        for r in reports.order_by("party__organisation__name")
    ]


# ---- imports ----------------------------------------------------------------------------


def create_import(
    party: Party, kind: str, upload: Any, user: Any = None, source: Any = None
) -> Import:
    """Store an uploaded file as a queued import (the job does the reading)."""
    record = Import(
        party=party,
        kind=kind,
        file_name=Path(upload.name).name[:255],
        source=source,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    record.file.save(f"{party.pk}-{record.file_name}", upload, save=False)
    record.sha256 = inspect(Path(record.file.path)).sha256
    record.save()
    return record


IMPORT_FAILED_SV = "Importen avbröts av ett oväntat fel. Inget sparades."
IMPORT_FAILED_EN = "the import was stopped by an unexpected error (see the log); nothing was saved"


def perform_import(record: Import, progress: Any = None) -> ImportResult:
    """Read the import's file and record the outcome on the import row.

    Whatever happens the import ends as done, rejected, duplicate, needs-mapping or failed:
    an unexpected error is logged with its traceback, the row is marked failed with a plain
    Swedish message and the file is deleted (the import's transaction has rolled back, so
    nothing of it was saved).
    """
    try:
        return _perform_import(record, progress)
    except Exception:
        log.exception("import %s (%s, %s) failed", record.pk, record.kind, record.file_name)
        fail_import(record)
        result = ImportResult(sha256=record.sha256)
        result.add(Issue(0, IMPORT_FAILED_SV, IMPORT_FAILED_EN))
        return result


def fail_import(record: Import, message: str = IMPORT_FAILED_SV) -> None:
    """Mark an import failed, keeping its name and checksum; its file is deleted."""
    record.status = ImportStatus.FAILED
    record.rows_imported = record.rows_skipped = 0
    record.errors = [{"line": 0, "sv": message, "en": IMPORT_FAILED_EN}]
    record.error_count = 1
    record.finished_at = timezone.now()
    if record.file:
        try:
            record.file.delete(save=False)
        except OSError:
            log.exception("could not delete the file of failed import %s", record.pk)
    Import.objects.filter(pk=record.pk).update(
        status=record.status,
        rows_imported=0,
        rows_skipped=0,
        errors=record.errors,
        error_count=1,
        finished_at=record.finished_at,
        file=record.file.name or "",
    )


def settle_imports(records: list[Import]) -> None:
    """Before imports are shown: fail those whose job nobody will finish (jobs.registry), and
    any still marked queued or running although their job has ended."""
    from samverkan.jobs.registry import reap_stale_jobs

    live = [r for r in records if r.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)]
    if not live:
        return
    job_ids = [r.job_id for r in live if r.job_id]
    if job_ids:
        reap_stale_jobs(ids=job_ids)
    ended = set(
        Job.objects.filter(
            pk__in=job_ids, status__in=(JobStatus.DONE, JobStatus.FAILED)
        ).values_list("pk", flat=True)
    )
    for record in live:
        fresh = Import.objects.filter(pk=record.pk).first()
        if fresh is None:
            continue
        if record.job_id in ended and fresh.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            fail_import(fresh)
        # Everything the job writes, so a page loaded while it ran shows its outcome whole.
        for name in (
            "status",
            "errors",
            "error_count",
            "finished_at",
            "file",
            "job",
            "rows_total",
            "rows_imported",
            "rows_skipped",
            "rows_left_out",
            "source_note",
            "headers",
            "areas",
            "area_choice",
            "looks_like",
            "sha256",
        ):
            setattr(record, name, getattr(fresh, name))


def _perform_import(record: Import, progress: Any = None) -> ImportResult:
    path = Path(record.file.path)
    facts = inspect(path)
    already = (
        Import.objects.filter(
            party=record.party_id, kind=record.kind, sha256=facts.sha256, status=ImportStatus.DONE
        )
        .exclude(pk=record.pk)
        # A file imported without its other municipalities may be imported again with them.
        .exclude(rows_left_out__gt=0)
        .first()
    )
    if already is not None:
        result = ImportResult(sha256=facts.sha256)
        record.status = ImportStatus.DUPLICATE
    else:
        Import.objects.filter(pk=record.pk).update(status=ImportStatus.RUNNING)
        importer = importer_for(record.kind, record.party, record)
        result = run_import(
            importer, path, column_mapping=record.column_mapping, progress=progress, facts=facts
        )
        if result.crashed:
            # The importers' last guard caught an error of ours (logged there): the import
            # failed, the file was not at fault.
            fail_import(record)
            return result
        if result.needs_mapping:
            record.status = ImportStatus.NEEDS_MAPPING
        elif result.needs_areas:
            record.status = ImportStatus.NEEDS_AREAS
        elif result.ok:
            record.status = ImportStatus.DONE
        else:
            record.status = ImportStatus.REJECTED
    record.sha256 = facts.sha256
    record.rows_total = result.rows_total
    record.rows_imported = result.rows_imported
    record.rows_skipped = result.rows_skipped
    record.errors = [issue.as_dict() for issue in result.errors]
    record.error_count = result.error_count
    record.headers = result.headers
    record.areas = result.areas
    record.rows_left_out = result.rows_left_out
    record.source_note = "\n".join(result.source_note) if result.ok else ""
    record.looks_like = result.looks_like
    record.finished_at = timezone.now()
    if record.status not in (ImportStatus.NEEDS_MAPPING, ImportStatus.NEEDS_AREAS):
        # The rows are in the database (or nowhere, if rejected); the raw file may hold
        # personal data and is not kept beyond its use. Name, checksum and errors remain.
        record.file.delete(save=False)
    # A page polling the import may hold the table for a moment (SQLite): wait, do not fail.
    from samverkan.jobs.registry import retry_when_locked

    retry_when_locked(lambda: _save_in_savepoint(record))
    return result


def _save_in_savepoint(record: Import) -> None:
    with transaction.atomic():
        record.save()


def party_for_command(partnership_id: int, party_id: int) -> Party | None:
    """The party named on a command line, if it belongs to the partnership named with it."""
    return Party.objects.filter(pk=party_id, partnership=partnership_id).first()


def import_file(
    party: Party,
    kind: str,
    path: Path,
    user: Any = None,
    source: Any = None,
    area_choice: str = "",
) -> tuple[Import, ImportResult]:
    """Import a file from disk (the management commands): same rules as an upload.

    ``area_choice`` ("own" or "all") answers beforehand what an upload asks when the file
    holds other municipalities; left blank, such a file waits as NEEDS_AREAS.
    """
    from django.core.files import File

    with open(path, "rb") as fh:
        record = create_import(party, kind, File(fh, name=path.name), user, source)
    if area_choice:
        record.area_choice = area_choice
        record.save(update_fields=["area_choice"])
    return record, perform_import(record)


def choose_areas(record: Import, choice: str) -> None:
    """The user's answer for a file with other municipalities: read it again with it.

    The caller enqueues the import job again (in the same transaction)."""
    record.area_choice = choice
    record.status = ImportStatus.QUEUED
    record.errors, record.error_count = [], 0
    record.rows_imported = record.rows_skipped = record.rows_left_out = 0
    record.source_note = ""


# ---- lägesbild --------------------------------------------------------------------------


def _num(value: float) -> str:
    """Swedish number format (``lib.numbers``): 1 234 and 12,5."""
    return numbers.number(value)


@dataclass(frozen=True)
class DraftParagraph:
    """A paragraph of the generated draft: ``kind`` says which figure it states ("total",
    "rising", "falling", "rate", "rate_trend", "comparison", "places", "peak", "caveat"), so
    that a reader of the party's text (the joint lägesbild) can leave out what its own tables
    already show (``own_words``)."""

    kind: str
    text: str


# What each kind of figure paragraph begins with, as the draft writes it: the words before the
# first figure. ``own_words`` knows a generated paragraph by these even after the figures
# behind it have changed (a draft written from last year's import).
_OPENINGS: dict[str, tuple[str, ...]] = {
    "total": ("Underlaget omfattar anmälda brott ",),
    "rising": ("Mellan {year} och {year}",),
    "falling": ("Störst minskning hade ",),
    "rate": ("Det motsvarar {number} anmälda brott per 100 000 invånare",),
    "rate_trend": ("Mellan {year} och {year}",),
    "comparison": ("Anmälda brott per 100 000 invånare var ",),
    "places": ("Av {number} registrerade händelser",),
    "peak": ("Händelserna är vanligast ",),
    "caveat": ("Siffrorna visar anmälda brott, inte all brottslighet",),
}


def draft_text(party: Party) -> str:
    """A deterministic first draft of the party's lägesbild, written from its numbers.

    It states which offence groups rose most between the two latest comparable years, where
    and when incidents concentrate, the rate per 100 000 when population is known, its
    trend over three years or more, and how it stands against the comparison
    municipalities. Small counts are suppressed (SMALL_COUNT_THRESHOLD), since the text is
    meant to be shared. The text is Swedish whatever the reader's language.
    """
    paragraphs = draft_paragraphs(party)
    if not paragraphs:
        return (
            "Det finns ännu inga importerade siffror att beskriva. Importera brottsstatistik "
            "eller händelser och skapa utkastet på nytt."
        )
    return "\n\n".join(p.text for p in paragraphs)


def draft_paragraphs(party: Party) -> list[DraftParagraph]:
    """The draft's paragraphs with what each states (empty when there are no figures)."""
    with translation.override("sv"), one_build():
        return _draft_paragraphs(party)


def own_words(text: str) -> list[str]:
    """The paragraphs of a party's lägesbild that are its own words: the figure paragraphs
    the draft generator wrote (``draft_paragraphs``) are left out, edited or not, since a
    document that shows those figures in its own tables would otherwise say them twice."""
    import re

    openings = [
        re.compile(
            re.escape(opening)
            .replace(re.escape("{year}"), r"\d{4}")
            .replace(re.escape("{number}"), r"[\d\s\u00a0,]+")
        )
        for kind_openings in _OPENINGS.values()
        for opening in kind_openings
    ]
    own = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        key = " ".join(chunk.split())
        if key and not any(o.match(key) for o in openings):
            own.append(chunk)
    return own


def _years(first: object, last: object) -> str:
    """A span of years, or the one year when it starts and ends in the same."""
    return str(first) if first == last else f"{first}–{last}"


def _draft_paragraphs(party: Party) -> list[DraftParagraph]:
    threshold = settings.SMALL_COUNT_THRESHOLD
    parts: list[DraftParagraph] = []

    def add(kind: str, text: str) -> None:
        parts.append(DraftParagraph(kind, text))

    trend = crime.category_trend(party)
    if trend.years:
        first, last = trend.years[0], trend.years[-1]
        total_last = sum(trend.totals_by_year[last].values()) if trend.totals_by_year else 0
        years = _years(first, last)
        add(
            "total",
            f"Underlaget omfattar anmälda brott {years}. År {last} anmäldes "
            f"{_shown(total_last, threshold)} brott i det kartlagda området.",
        )
        changes = crime.category_changes(party)
        rising = [c for c in changes if c.change > 0 and c.current >= threshold]
        if rising:
            top = rising[:3]
            # A change in per cent from a suppressed count gives that count back.
            listing = "; ".join(
                f"{c.category.lower()} från {_shown(c.previous, threshold)} till "
                f"{_num(c.current)}"
                + (
                    f" ({_pct(c.percent)})"
                    if c.percent is not None
                    and not disclosive(c.previous, c.current, threshold=threshold)
                    else ""
                )
                for c in top
            )
            period = f" ({changes[0].period})" if changes[0].period else ""
            add(
                "rising",
                f"Mellan {changes[0].previous_year} och {changes[0].year}{period} ökade mest: "
                f"{listing}.",
            )
        falling = [c for c in changes if c.change < 0 and c.previous >= threshold]
        if falling:
            c = min(falling, key=lambda c: c.change)
            add(
                "falling",
                f"Störst minskning hade {c.category.lower()}, från {_num(c.previous)} till "
                f"{_shown(c.current, threshold)}.",
            )
        by_year = rates.rates_by_year(party)
        # A rate printed with its population is the count again: none from a small count.
        if by_year and not disclosive(by_year[-1].count, threshold=threshold):
            rate = by_year[-1]
            add(
                "rate",
                f"Det motsvarar {_num(round(rate.rate, 1))} anmälda brott per 100 000 invånare "
                f"år {rate.year} (befolkning {_num(rate.population)}).",
            )
            slope = rates.rate_trend(by_year)
            if slope is not None:
                add("rate_trend", trend_sentence(slope, by_year[0].year, by_year[-1].year))
        for text in comparison_sentences(rates.comparison(party), threshold):
            add("comparison", text)
    places = incidents.top_places(party, 5)
    if places.total:
        shown = [p for p in places.places if p.count >= threshold][:3]
        if shown:
            names = ", ".join(f"{p.place} ({_num(p.count)})" for p in shown)
            span = _years(places.first, places.last)
            add(
                "places",
                f"Av {_num(places.total)} registrerade händelser med plats "
                f"({span}) skedde {_pct_plain(places.share)} på de "
                f"{places.n} mest utsatta platserna. Flest händelser: {names}.",
            )
    peak = incidents.peak_times(party)
    if peak:
        add(
            "peak",
            "Händelserna är vanligast "
            + ", ".join(f"{day} kl. {hour:02d}–{(hour + 1) % 24:02d}" for day, hour in peak)
            + " (tidsintervall fördelade aoristiskt).",
        )
    if not parts:
        return []
    add(
        "caveat",
        "Siffrorna visar anmälda brott, inte all brottslighet; mörkertalet skiljer sig mellan "
        "brottstyper. Tal under "
        f"{threshold} redovisas inte.",
    )
    return parts


def _rate_text(value: float) -> str:
    """Rates per 100 000: whole numbers when large, one decimal when small."""
    return _num(round(value)) if value >= 100 else _num(round(value, 1))


def _names(names: list[str]) -> str:
    """ "Lund", "Lund och Uppsala", "Lund, Uppsala och Växjö"."""
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s och %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def trend_sentence(slope: Trend, first: int, last: int) -> str:
    """The yearly change of the rate as a linear trend, in plain words."""
    per_year = _rate_text(abs(slope.slope))
    if round(slope.slope, 1) == 0:
        return _(
            "Mellan %(first)s och %(last)s var antalet anmälda brott per 100 000 invånare i "
            "stort sett oförändrat (linjär trend, %(n)s år)."
        ) % {"first": first, "last": last, "n": slope.n}
    text = (
        _(
            "Mellan %(first)s och %(last)s ökade anmälda brott per 100 000 invånare med i "
            "genomsnitt %(per_year)s per år (linjär trend, %(n)s år)."
        )
        if slope.slope > 0
        else _(
            "Mellan %(first)s och %(last)s minskade anmälda brott per 100 000 invånare med i "
            "genomsnitt %(per_year)s per år (linjär trend, %(n)s år)."
        )
    )
    return text % {"first": first, "last": last, "per_year": per_year, "n": slope.n}


def comparison_sentence(rc: RateComparison) -> str:
    """One plain sentence (with its caveats) on how the own rate stands against the others."""
    names = _names([u.name for u in rc.others])
    what = (
        _("Anmälda brott")
        if not rc.group
        else _("Anmälda brott i gruppen %(group)s") % {"group": rc.group.lower()}
    )
    dev = rc.deviation
    if dev is None or rc.own.rate is None:
        return _(
            "Ingen av jämförelsekommunerna (%(names)s) har en jämförbar siffra för %(year)s."
        ) % {"names": names, "year": rc.year}
    values = {
        "what": what,
        "rate": _rate_text(rc.own.rate),
        "own": rc.own.name,
        "year": rc.year,
        "names": _names([u.name for u in rc.compared]),
        "mean": _rate_text(dev.comparison_mean),
        "pct": _num(round(abs(dev.percent_difference or 0))) + "\u00a0%",
    }
    if dev.percent_difference is None:
        text = _(
            "%(what)s per 100 000 invånare var %(rate)s i %(own)s år %(year)s; "
            "jämförelsekommunerna (%(names)s) hade inga anmälda brott."
        )
    elif round(dev.percent_difference) == 0:
        text = _(
            "%(what)s per 100 000 invånare var %(rate)s i %(own)s år %(year)s, ungefär som "
            "snittet för jämförelsekommunerna (%(names)s: %(mean)s)."
        )
    elif dev.percent_difference > 0:
        text = _(
            "%(what)s per 100 000 invånare var %(rate)s i %(own)s år %(year)s, %(pct)s över "
            "snittet för jämförelsekommunerna (%(names)s: %(mean)s)."
        )
    else:
        text = _(
            "%(what)s per 100 000 invånare var %(rate)s i %(own)s år %(year)s, %(pct)s under "
            "snittet för jämförelsekommunerna (%(names)s: %(mean)s)."
        )
    sentences = [text % values]
    if dev.z is not None:
        if abs(dev.z) < 1:
            sentences.append(
                _(
                    "Skillnaden är mindre än en standardavvikelse, alltså inom den vanliga "
                    "spridningen mellan kommunerna."
                )  # fmt: skip
            )
        else:
            sentences.append(
                _(
                    "Skillnaden motsvarar %(z)s standardavvikelser för spridningen mellan "
                    "jämförelsekommunerna."
                )
                % {"z": _num(round(abs(dev.z), 1))}  # fmt: skip
            )
    if rc.missing:
        sentences.append(
            _("Siffra saknas för %(names)s.") % {"names": _names([u.name for u in rc.missing])}
        )
    return " ".join(sentences)


def comparison_sentences(comparison: Comparison, threshold: int) -> list[str]:
    """The draft's paragraph on the comparison municipalities: the total, and the offence
    group that differs most. Rates from counts under ``threshold`` are left out."""
    latest = comparison.latest
    if latest is None or latest.deviation is None:
        return []
    if latest.own.count is not None and latest.own.count < threshold:
        return []
    sentences = [comparison_sentence(latest)]
    if latest.own.source:
        sentences.append(_("Källa: %(source)s.") % {"source": latest.own.source})
    groups = [
        (c, c.deviation.percent_difference, c.deviation.comparison_mean, c.own.rate)
        for c in comparison.categories
        if c.deviation is not None
        and c.deviation.percent_difference is not None
        and c.own.rate is not None
        and (c.own.count or 0) >= threshold
    ]
    if groups:
        c, pct, mean, rate = max(groups, key=lambda g: (abs(g[1]), g[0].label))
        sentences.append(
            (
                _(
                    "Störst skillnad bland brottsgrupperna har %(group)s: %(pct)s över snittet "
                    "(%(rate)s mot %(mean)s per 100 000 invånare år %(year)s)."
                )
                if pct > 0
                else _(
                    "Störst skillnad bland brottsgrupperna har %(group)s: %(pct)s under snittet "
                    "(%(rate)s mot %(mean)s per 100 000 invånare år %(year)s)."
                )
            )
            % {
                "group": c.label.lower(),
                "pct": _num(round(abs(pct))) + "\u00a0%",
                "rate": _rate_text(rate),
                "mean": _rate_text(mean),
                "year": c.year,
            }
        )
    return [" ".join(sentences)]


def _shown(value: float, threshold: int) -> str:
    return shown(value, threshold, _num)


def _pct(value: float) -> str:
    return numbers.percent(value, sign=True)


def _pct_plain(share: float | None) -> str:
    return numbers.percent((share or 0) * 100)


def report_for(party: Party) -> SituationReport:
    report = SituationReport.objects.filter(party=party).first()
    if report is None:
        report = SituationReport(party=party, title=f"Lägesbild – {party}")
    return report


def report_shared(party: Party) -> bool:
    """Whether the party has shared its lägesbild with the partnership."""
    return SituationReport.objects.filter(party=party, status="shared").exists()


@transaction.atomic
def regenerate_draft(party: Party) -> SituationReport:
    """Replace the text with a fresh draft from the numbers; a shared report goes back to draft."""
    report = report_for(party)
    report.text = draft_text(party)
    report.status = ReportStatus.DRAFT
    report.shared_at = None
    if report.pk:
        report.version += 1
    report.save()
    return report
