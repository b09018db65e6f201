"""What a partnership publishes as open data: exactly what its public editions may show.

Everything goes through the PUBLIC audience (accounts/audience.py): confidential measures are a
neutral count, not-publishable measures are left out (a count says how many), and no count
under ``SMALL_COUNT_THRESHOLD`` is published, nor any figure computed from one (an effect
result with a small count keeps only its goal, indicator and periods). Free text typed by
people needs the leaders' approval of the public edition: of the 5I write-up, only the parts
the public 5I document prints are published, taken from that document's own builder
(``documents.fem_i.public_parts``); no other free text is.

The result is plain data (dicts and lists of JSON types) in one fixed shape, version
``SCHEMA``: the JSON distribution is this dict, the CSV distribution its ``results`` rows, and
the harvester of another instance reads the same shape back.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from samverkan.accounts import audience
from samverkan.analysis.categories import classify
from samverkan.learning.models import (
    EvaluationLabel,
    MeasureMethod,
    OpenDataPublication,
    PlaceType,
)
from samverkan.lib.text import csv_cell
from samverkan.partnerships.models import Partnership

SCHEMA = "samverkan-oppna-data/1"

RESULT_COLUMNS = (
    "id",
    "kommun",
    "kommunkod",
    "samverkan",
    "problem",
    "brottskategori",
    "mal",
    "indikator",
    "typ_av_atgard",
    "typ_av_atgard_namn",
    "typ_av_plats",
    "typ_av_plats_namn",
    "period_fore",
    "period_efter",
    "insats_fore",
    "insats_efter",
    "kontroll_fore",
    "kontroll_efter",
    "undertryckt",
    "log_kvot",
    "varians",
    "kvot",
    "kvot_lag",
    "kvot_hog",
    "forandring_procent",
)


def publishing() -> models.QuerySet[Partnership]:
    """The partnerships that publish open data, in name order (then id, for stable paging)."""
    return (
        Partnership.objects.filter(open_data__published=True)
        .select_related("municipality", "police_area", "open_data")
        .order_by("name", "pk")
    )


def published_partnerships() -> list[Partnership]:
    """The partnerships that publish open data, in name order."""
    return list(publishing())


def publication_of(partnership: Partnership) -> OpenDataPublication | None:
    return OpenDataPublication.objects.filter(partnership=partnership).first()


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _category(problem: Any) -> str:
    found = classify(problem.crime_type or problem.title)
    return found.group if found else ""


def _crime_figures(partnership: Partnership) -> dict[str, Any]:
    """The public lägesbild's table of reported offences per category and year: cells under
    the threshold are null, and so is every yearly total beside one (secondary suppression)."""
    from samverkan.accounts import access
    from samverkan.documents.lagesbild import hidden_years
    from samverkan.mapping.subjects.crime import crime_table

    parties = list(access.released_mapping_parties(partnership).select_related("organisation"))
    table = crime_table(parties, str(partnership.municipality))
    threshold = settings.SMALL_COUNT_THRESHOLD
    to = audience.public()
    hidden = hidden_years(table, audience.PUBLIC, threshold)
    categories = []
    for category, by_year in sorted(table.by_category.items()):
        counts = {str(y): by_year.get(y, 0) for y in table.years}
        categories.append(
            {
                "kategori": category,
                "antal": {y: (None if to.withholds_counts(c) else c) for y, c in counts.items()},
            }
        )
    totals = {
        str(y): None if y in hidden else sum(t.get(y, 0) for t in table.by_category.values())
        for y in table.years
    }
    return {
        "omrade": table.area,
        "ar": table.years,
        "kategorier": categories,
        "totalt": totals,
        "kalla": "Anmälda brott (Brå), delade av samverkans parter",
    }


def measures(partnership: Partnership) -> dict[str, Any]:
    from samverkan.followup.services import process_followup

    view = audience.process_view(audience.public(), process_followup(partnership))
    rows = []
    for row in view.rows:
        if not row.full:
            continue
        m = row.measure
        rows.append(
            {
                "nummer": row.number,
                "titel": row.title,
                "problem": m.problem.title,
                "typ": m.kind,
                "typ_namn": m.get_kind_display(),
                "kunskapslage": m.get_evidence_display(),
                "status": row.state.progress.status,
                "status_namn": row.status,
                "start": _iso(row.starts_on),
                "slut": _iso(row.ends_on),
            }
        )
    return {
        "atgarder": rows,
        "under_sekretess": view.withheld,
        "ej_offentliga": view.left_out,
    }


def result_row(ev: Any, partnership: Partnership) -> dict[str, Any]:
    """One effect result as an open-data row (``RESULT_COLUMNS``), counts suppressed."""
    from samverkan.analysis.evaluation import rate_ratio
    from samverkan.followup.services import counts_of

    # A missing one-to-one row raises a subclass of AttributeError: getattr gives None.
    label: EvaluationLabel | None = getattr(ev, "label", None)
    method = label.method if label else MeasureMethod.OTHER
    place = label.place_type if label else PlaceType.OTHER
    suppressed = audience.public().withholds_counts(*counts_of(ev))
    row: dict[str, Any] = {
        "id": f"{partnership.pk}-{ev.pk}",
        "kommun": str(partnership.municipality),
        "kommunkod": partnership.municipality.code,
        "samverkan": partnership.name,
        "problem": ev.goal.problem.title,
        "brottskategori": _category(ev.goal.problem),
        "mal": ev.goal.text,
        "indikator": ev.indicator,
        "typ_av_atgard": str(method),
        "typ_av_atgard_namn": str(MeasureMethod(method).label),
        "typ_av_plats": str(place),
        "typ_av_plats_namn": str(PlaceType(place).label),
        "period_fore": ev.period_before,
        "period_efter": ev.period_after,
        "undertryckt": suppressed,
    }
    figures: dict[str, Any] = dict.fromkeys(
        (
            "insats_fore",
            "insats_efter",
            "kontroll_fore",
            "kontroll_efter",
            "log_kvot",
            "varians",
            "kvot",
            "kvot_lag",
            "kvot_hog",
            "forandring_procent",
        )
    )
    if not suppressed:
        figures.update(
            insats_fore=ev.treated_before,
            insats_efter=ev.treated_after,
            kontroll_fore=ev.control_before,
            kontroll_efter=ev.control_after,
        )
        if ev.treated_before:
            figures["forandring_procent"] = round(
                100 * (ev.treated_after - ev.treated_before) / ev.treated_before, 1
            )
        counts = (ev.treated_before, ev.treated_after, ev.control_before, ev.control_after)
        if ev.has_control() and all(counts):
            rr = rate_ratio(
                (ev.treated_before, ev.treated_after), (ev.control_before, ev.control_after)
            )
            figures.update(
                log_kvot=math.log(rr.ratio),
                varians=rr.se_log**2,
                kvot=rr.ratio,
                kvot_lag=rr.ci_low,
                kvot_hog=rr.ci_high,
            )
    row.update(figures)
    return row


def published_evaluations(**filters: Any) -> models.QuerySet:
    """The effect evaluations of every publishing partnership, in the open data's order
    (partnership by name, then goal and evaluation), narrowed by ``filters``."""
    from samverkan.followup.models import EffectEvaluation

    return (
        EffectEvaluation.objects.filter(partnership__open_data__published=True, **filters)
        .select_related("goal__problem", "label", "partnership__municipality")
        .order_by("partnership__name", "partnership_id", "goal_id", "id")
    )


def results(partnership: Partnership) -> list[dict[str, Any]]:
    """The partnership's effect results as open-data rows (published or not: the caller
    checks)."""
    from samverkan.followup.models import EffectEvaluation

    evaluations = (
        EffectEvaluation.objects.filter(partnership=partnership)
        .select_related("goal__problem", "label")
        .order_by("goal_id", "id")
    )
    return [result_row(ev, partnership) for ev in evaluations]


def _documents(partnership: Partnership) -> list[dict[str, Any]]:
    """The adopted documents' metadata: the decision (body, date, diarienummer, next review)
    and the newest public edition issued of the document, by its version number and the
    SHA-256 of each issued file, so a reader can check that the file they hold is the one
    published. Only public editions are named: an internal edition's existence and checksum
    stay inside the partnership."""
    from samverkan.documents.models import DocumentDecision, IssuedDocument

    decisions = list(DocumentDecision.objects.filter(partnership=partnership).order_by("kind"))
    public: dict[str, list[IssuedDocument]] = {}
    for issued in IssuedDocument.objects.filter(
        partnership=partnership, edition="public", kind__in=[d.kind for d in decisions]
    ).order_by("kind", "-number", "format"):
        newest = public.setdefault(issued.kind, [])
        if not newest or newest[0].number == issued.number:
            newest.append(issued)
    found = []
    for d in decisions:
        files = public.get(d.kind, [])
        found.append(
            {
                "dokument": d.kind,
                "dokument_namn": str(d.get_kind_display()),
                "beslutande_organ": d.body,
                "beslutsdatum": _iso(d.decided_on),
                "diarienummer": d.reference,
                "nasta_uppdatering": _iso(d.next_update_due),
                "offentlig_version": files[0].number if files else None,
                "utfardad": _iso(files[0].created_at) if files else None,
                "filer": [{"format": f.format, "sha256": f.sha256} for f in files],
            }
        )
    return found


def _block(block: Any) -> dict[str, Any]:
    from samverkan.documents.structure import BulletList

    if isinstance(block, BulletList):
        return {"typ": "lista", "text": None, "numrerad": block.ordered,
                "punkter": list(block.items)}  # fmt: skip
    return {"typ": "stycke", "text": block.text, "numrerad": None, "punkter": None}


def _plain(block: Any) -> str:
    from samverkan.documents.structure import BulletList

    if isinstance(block, BulletList):
        return "\n".join(
            f"{f'{n}.' if block.ordered else '-'} {item}"
            for n, item in enumerate(block.items, start=1)
        )
    return str(block.text)


def write_up(partnership: Partnership) -> dict[str, Any]:
    """The 5I write-up's parts as the public 5I document prints them: a part's text only where
    the leaders have approved it for publication as it reads now (else ``publicerad`` false and
    no text)."""
    from samverkan.documents.fem_i import public_parts

    parts = []
    for part in public_parts(partnership):
        parts.append(
            {
                "nummer": part.number,
                "avsnitt": str(part.part),
                "rubrik": part.heading,
                "publicerad": bool(part.text),
                "text": "\n\n".join(_plain(b) for b in part.text) if part.text else None,
                "stycken": [_block(b) for b in part.text],
            }
        )
    return {
        "delar": parts,
        "kalla": "5I-beskrivningen, offentlig version (delar som samverkans ledning har "
        "godkänt för publicering)",
    }


def dataset(partnership: Partnership) -> dict[str, Any]:
    """The open data of one partnership (published or not: the caller checks)."""
    publication = publication_of(partnership)
    problems = [
        {"titel": p.title, "brottskategori": _category(p), "status": p.status}
        for p in partnership.problems.order_by("id")
    ]
    return {
        "schema": SCHEMA,
        "samverkan": {
            "id": partnership.pk,
            "namn": partnership.name,
            "kommun": str(partnership.municipality),
            "kommunkod": partnership.municipality.code,
            "lokalpolisomrade": str(partnership.police_area),
            "omrade": partnership.area,
            "start": _iso(partnership.started_on),
            "slut": _iso(partnership.valid_until),
        },
        "licens": publication.licence_uri if publication else None,
        "kontaktpunkt": (
            {"namn": publication.contact_name, "epost": publication.contact_email}
            if publication
            else None
        ),
        "publicerad": _iso(publication.published_at) if publication else None,
        "hamtad": _iso(timezone.now()),
        "lagesbild": _crime_figures(partnership),
        "problem": problems,
        "atgarder": measures(partnership),
        "resultat": results(partnership),
        "dokument": _documents(partnership),
        "beskrivning_5i": write_up(partnership),
    }


def results_csv(rows: list[dict[str, Any]]) -> str:
    """The effect results as CSV (UTF-8, comma-separated, header row, empty cell = no value);
    text that a spreadsheet would run as a formula is written as text (``csv_cell``)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=RESULT_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {k: "" if row.get(k) is None else csv_cell(row.get(k)) for k in RESULT_COLUMNS}
        )
    return out.getvalue()
