"""Shared helpers for the documents, and ``build``, the one entry point.

Each document has its own module (agreement.py, lagesbild.py, atgardsplan.py,
medborgarlofte.py, followup.py, fem_i.py for the kind "fem-i") with one function that
returns a plain ``Document`` (see structure.py). This module holds what they share: the cover
(sender, decision or draft mark), the visibility of confidential items, the "Saknas" page and
the common tables.

Editions: each edition is made for an audience (accounts/audience.py, which alone decides
what it receives): INTERNAL for its reader, PUBLIC for the public. A withheld item is one
neutral line naming the party that holds it; a measure that is not publishable is not in the
public edition at all (a neutral count says how many are left out); the public edition has no
small counts. The same function serves the page, the PDF and the Word file.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from samverkan.accounts import audience
from samverkan.documents import charts
from samverkan.documents.structure import (
    BulletList,
    Chart,
    Document,
    Paragraph,
    Section,
    Signer,
)
from samverkan.lib import numbers
from samverkan.partnerships.models import Partnership, Party
from samverkan.problems.choices import ProblemStatus
from samverkan.problems.models import Cause, Measure

INTERNAL, PUBLIC = "internal", "public"
EDITIONS = {INTERNAL: "Intern version", PUBLIC: "Offentlig version"}
KINDS = {
    "agreement": "Samverkansöverenskommelse",
    "lagesbild": "Lägesbild",
    "vecka": "Veckolägesbild",
    "atgardsplan": "Åtgärdsplan",
    "medborgarlofte": "Medborgarlöfte",
    "followup": "Uppföljningsrapport",
    "fem-i": "5I-beskrivning",
}
SOURCE_PARTNERSHIP = "Källa: Samverkans egna uppgifter i Samverkan"


def build(
    kind: str, partnership: Partnership, edition: str, user: Any = None, **options: Any
) -> Document:
    """Build document ``kind`` for the viewer ``user`` (None: an operator at the command line).
    ``options`` go to the document's own builder (e.g. ``week`` for "vecka")."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown document kind {kind!r}; choose one of {', '.join(KINDS)}")
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; choose internal or public")
    from samverkan.mapping.subjects import one_build

    # One reading of the step 2 figures for the whole document: a figure several parts show
    # (the comparison, a party's places, its costs) is computed or read once.
    with one_build():
        doc = BUILDERS[kind](partnership, edition, user, **options).number()
    if kind in DECISION_RECORD_KINDS:
        _settle_decision(doc, kind, partnership, user)
    if edition == INTERNAL and doc.gaps:
        _gap_section(doc)
    return doc


def _date(value: Any) -> str:
    return date_format(value, "j F Y") if value else "–"


MISSING = "uppgift saknas"


def _need(doc: Document, value: Any, what: str, page: str = "", **ids: Any) -> str:
    """``value`` as text, or a visible "uppgift saknas" with the gap recorded for the
    internal edition's "Saknas" page (a silent dash hides that the data is incomplete).

    ``page`` is the URL name of the page where the data is entered (``ids`` its arguments
    besides the partnership's ``pk``): issuing a version warns about each gap with a link.
    """
    text = str(value).strip() if value is not None else ""
    if text:
        return text
    if what not in doc.gaps:
        doc.gaps.append(what)
        if page:
            doc.gap_links[what] = reverse(page, kwargs={"pk": doc.meta["partnership_id"], **ids})
    return MISSING


def _gap_section(doc: Document) -> None:
    """The internal edition's list of what the document lacks, first after the contents."""
    doc.sections.insert(
        0,
        Section(
            "Saknas i underlaget",
            [
                Paragraph(
                    "Det här dokumentet saknar uppgifter som det behöver innan det beslutas "
                    "eller skickas. Där uppgiften skulle stå, står det ”uppgift saknas”. "
                    "Listan finns bara i den interna versionen.",
                    "warning",
                ),
                BulletList(tuple(doc.gaps)),
            ],
        ),
    )


def _blocks(text: str) -> list[Paragraph | BulletList]:
    """A typed text as paragraphs and lists, keeping the writer's line breaks.

    Blank lines separate paragraphs; a paragraph whose every line starts "1." ("1)") or "-"
    ("•", "*") is a list, numbered or not. Other single line breaks stay line breaks.
    """
    import re

    numbered = re.compile(r"^\s*\d{1,3}[.)]\s+")
    bullet = re.compile(r"^\s*[-•*–]\s+")
    out: list[Paragraph | BulletList] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) > 1 and all(numbered.match(line) for line in lines):
            out.append(BulletList(tuple(numbered.sub("", line) for line in lines), ordered=True))
        elif len(lines) > 1 and all(bullet.match(line) for line in lines):
            out.append(BulletList(tuple(bullet.sub("", line) for line in lines)))
        else:
            out.append(Paragraph("\n".join(line.strip() for line in lines)))
    return out


def audience_of(partnership: Partnership, edition: str, user: Any) -> audience.Audience:
    """The audience an edition is made for (accounts/audience.py decides what it receives)."""
    return audience.for_edition(edition, user, partnership)


def _withheld(item: Cause | Measure) -> str:
    """A withheld item's one neutral line (no title, period, status, counts or place)."""
    return audience.neutral_line(item)


def _with_note(source: str, listing: audience.Listing) -> str:
    """A table's source line, with the neutral count of the items left out for the public."""
    return f"{source}. {listing.note}" if listing.note else source


def _base(kind: str, partnership: Partnership, edition: str, subtitle: str) -> Document:
    """The cover every document shares: sender, logo, decision (or "Utkast") and date.

    Documents that are decided (the agreement through the decision to collaborate, the
    lägesbild and the åtgardsplan through their DocumentDecision) carry the decision's date,
    body and diarienummer; until then they are drafts dated today.
    """
    body, decided_on, reference = _decision_of(kind, partnership)
    doc = Document(
        kind=kind,
        title=KINDS[kind],
        subtitle=subtitle,
        edition=edition,
        partnership=partnership.name,
        date=_date(decided_on or timezone.localdate()),
        meta={
            "partnership_id": partnership.pk,
            "municipality": str(partnership.municipality),
            "police_area": str(partnership.police_area),
            "edition_label": EDITIONS[edition],
            # Names printed whole, never hyphenated (render.to_html)
            "names": [
                partnership.name,
                str(partnership.municipality),
                str(partnership.police_area),
                *partnership.parties.values_list("organisation__name", flat=True),
            ],
        },
        sender=f"{partnership.municipality} och {partnership.police_area}",
        logo=settings.DOCUMENT_LOGO,
    )
    if decided_on:
        doc.decided = f"Fastställd av {body} den {_date(decided_on)}"
        doc.reference = reference
    elif kind in DECIDED_KINDS:
        doc.draft = True
        _proposal(doc, kind, partnership)
    return doc


def _proposal(doc: Document, kind: str, partnership: Partnership) -> None:
    """A draft for decision carries the case's diarienummer and the proposed decision."""
    from samverkan.documents.models import DecisionProposal

    proposal = DecisionProposal.objects.filter(partnership=partnership, kind=kind).first()
    if proposal:
        doc.reference = proposal.reference
        doc.proposal = proposal.proposal.strip()


# The documents a decision fixes; the others (medborgarlöfte, follow-up report) are dated
# the day they are made.
DECIDED_KINDS = ("agreement", "lagesbild", "atgardsplan")


def _decision_of(kind: str, partnership: Partnership) -> tuple[str, Any, str]:
    """(body, date, diarienummer) of the decision to collaborate that fixes the agreement, or
    ("", None, ""). The lägesbild's and the åtgärdsplan's decisions name the version they
    approved, so whether they fix a document is settled once it is built
    (``_settle_decision``)."""
    if kind == "agreement":
        decision = partnership.collaboration_decision()
        if decision:
            return decision.body, decision.decided_on, decision.reference
    return "", None, ""


def _prioritised(partnership: Partnership) -> list[Any]:
    return list(partnership.problems.filter(status=ProblemStatus.PRIORITISED))


def _causes(partnership: Partnership) -> list[Cause]:
    return list(
        audience.with_holders(
            Cause.objects.filter(partnership=partnership).select_related("problem")
        )
    )


def _cause_rows(partnership: Partnership, to: audience.Audience) -> tuple[tuple[str, ...], ...]:
    rows = []
    for entry in audience.listing(to, _causes(partnership), "orsak").entries:
        cause = entry.item
        if entry.full:
            rows.append(
                (
                    str(cause.number),
                    cause.text,
                    cause.get_perspective_display(),
                    cause.get_proximity_display(),
                    cause.problem.title,
                )
            )
        else:
            rows.append((str(entry.number), entry.line, "–", "–", "–"))
    return tuple(rows)


def _measures(partnership: Partnership) -> list[Measure]:
    return list(
        audience.with_holders(
            Measure.objects.filter(partnership=partnership)
            .select_related("responsible_party__organisation", "problem")
            .prefetch_related("causes", "co_parties", "goals")
        )
    )


def _measure_listing(partnership: Partnership, to: audience.Audience) -> audience.Listing:
    return audience.listing(to, _measures(partnership))


def _measure_rows(listing: audience.Listing) -> tuple[tuple[str, ...], ...]:
    rows = []
    for entry in listing.entries:
        m = entry.item
        if entry.full:
            period = f"{_date(m.starts_on)} – {_date(m.ends_on)}" if m.starts_on else "–"
            causes = ", ".join(str(n) for n in m.causes_answered())
            rows.append((str(m.number), m.title, causes, str(m.responsible_party), period))
        else:
            rows.append((str(entry.number), entry.line, "–", "–", "–"))
    return tuple(rows)


def _goal_rows(partnership: Partnership) -> tuple[tuple[str, ...], ...]:
    def number(value: Decimal | None, unit: str) -> str:
        if value is None:
            return "–"
        exponent = value.normalize().as_tuple().exponent
        decimals = min(2, -exponent) if isinstance(exponent, int) and exponent < 0 else 0
        return numbers.with_unit(value, unit.strip(), decimals)

    return tuple(
        (
            g.get_kind_display(),
            g.text,
            g.indicator or "–",
            number(g.baseline, g.unit),
            number(g.target, g.unit),
            _date(g.deadline),
        )
        for g in partnership.goals.order_by("kind", "id")
    )


def _followup_rows(
    partnership: Partnership, doc: Document | None = None
) -> tuple[tuple[str, ...], ...]:
    """The follow-up plan per goal. A goal without a plan (how and by whom, the model's own
    test) says so in the row and, given ``doc``, on the internal edition's "Saknas" page."""
    rows = []
    for g in partnership.goals.order_by("kind", "id"):
        planned = g.has_followup_plan()
        if not planned and doc is not None:
            short = g.text if len(g.text) <= 60 else g.text[:57] + "…"
            _need(
                doc,
                "",
                f"Uppföljning av målet ”{short}”: hur och av vem (Steg 3, Mål)",
                "problems:goal_followup",
                goal_id=g.pk,
            )
        rows.append(
            (
                g.text,
                g.indicator or "–",
                g.followup_method or ("–" if planned else MISSING),
                g.followup_frequency or "–",
                g.followup_responsible or ("–" if planned else MISSING),
                g.data_source or "–",
            )
        )
    return tuple(rows)


GOAL_HEADERS = ("Typ", "Mål", "Indikator", "Utgångsvärde", "Målvärde", "Klart senast")
MEASURE_HEADERS = ("Nr", "Åtgärd", "Riktad mot orsak", "Ansvarig", "Period")
FOLLOWUP_HEADERS = ("Mål", "Indikator", "Hur", "Hur ofta", "Vem", "Datakälla")


def _signers(partnership: Partnership, doc: Document | None = None) -> tuple[Signer, ...]:
    """Who signs for each signing party, by name and title (step 1, Parter)."""
    signers = []
    for p in partnership.signatories().select_related("organisation"):
        who = f"den som undertecknar för {p.organisation} (Steg 1, Parter)"
        if doc is not None and not p.signatory_name:
            _need(doc, "", f"Namn på {who}", "partnerships:party_edit", party_id=p.pk)
        if doc is not None and not p.signatory_title:
            _need(doc, "", f"Befattning för {who}", "partnerships:party_edit", party_id=p.pk)
        title = p.signatory_title or "Behörig företrädare"
        signers.append(Signer(title, p.signatory_name, str(p.organisation)))
    return tuple(signers)


# The documents whose decision is a DocumentDecision naming the issued version it approved.
DECISION_RECORD_KINDS = ("lagesbild", "atgardsplan")
DECISION_HEADING = "Beslut och uppdatering"
_NOT_CONTENT = ("# Saknas i underlaget", f"# {DECISION_HEADING}")


def content_lines(lines: list[str]) -> list[str]:
    """A document's text lines (``Document.text_lines``) without what says how it stands
    rather than what it says: the cover (decision, draft mark, proposal), the internal
    "Saknas" page and the decision section. Two builds with the same content lines are the
    same document."""
    out, skipping, started = [], False, False
    for line in lines:
        if line.startswith("# ") or line == "#":
            started = True
            skipping = line.startswith(_NOT_CONTENT)
        if started and not skipping:
            out.append(line)
    return out


def _is_approved(
    doc: Document, approved: Any, kind: str, partnership: Partnership, user: Any
) -> bool:
    """Whether ``doc`` holds what the approved version held. A build in the other edition
    is the approved document when the approved edition, built now, still is."""
    if approved.edition == doc.edition:
        current = doc
    else:
        current = BUILDERS[kind](partnership, approved.edition, user).number()
    return content_lines(current.text_lines()) == content_lines(list(approved.source_lines))


def _settle_decision(doc: Document, kind: str, partnership: Partnership, user: Any) -> None:
    """Mark the document "Fastställd" only when it is the version the decision approved
    (the same content); any other build is a draft that names the adopted version. The
    decision and the next review close the document either way."""
    from samverkan.documents.models import DocumentDecision

    record = (
        DocumentDecision.objects.filter(partnership=partnership, kind=kind)
        .select_related("approved")
        .first()
    )
    if record is None:
        return
    approved = record.approved
    decided = f"{record.body} den {_date(record.decided_on)}"
    reference = f", diarienummer {record.reference}" if record.reference else ""
    if approved is not None and _is_approved(doc, approved, kind, partnership, user):
        doc.decided = f"Fastställd av {decided} (version {approved.number})"
        doc.reference = record.reference
        doc.draft, doc.proposal = False, ""
        doc.date = _date(record.decided_on)
        lines = [f"{KINDS[kind]} fastställdes av {decided}{reference}."]
    else:
        # The proposal went with the decision already made; a new one is for the next.
        doc.draft, doc.decided, doc.reference, doc.proposal = True, "", "", ""
        if approved is not None:
            lines = [
                f"Senast fastställda version: version {approved.number}, fastställd av "
                f"{decided}{reference}. Innehållet har ändrats sedan dess; den här versionen "
                "är inte fastställd."
            ]
        else:
            lines = [
                f"{KINDS[kind]} fastställdes av {decided}{reference}. Vilken version beslutet "
                "gällde är inte registrerat, så den här versionen är inte märkt som fastställd."
            ]
    if record.next_update_due:
        lines.append(f"Nästa uppdatering senast {_date(record.next_update_due)}.")
    doc.section(DECISION_HEADING, *[Paragraph(line, "note") for line in lines])


def _count_chart(
    counts: Counter, edition: str, *, sensitive: bool = False, **chart: str
) -> Chart | Paragraph:
    """A bar chart of counts. Counts of people or events (``sensitive``) below the threshold
    are not shown in the public edition; counts of the partnership's own causes and measures
    point out nobody and are always shown."""
    if not counts:
        return Paragraph("Inga uppgifter ännu.", "note")
    threshold = settings.SMALL_COUNT_THRESHOLD
    to = audience.for_edition(edition, None, None)
    if sensitive and to.withholds_counts(*counts.values()):
        return Paragraph(
            f"{chart['caption']}: antal under {threshold} redovisas inte i den offentliga "
            "versionen.",
            "note",
        )
    return charts.bar_chart(list(counts), list(counts.values()), **chart)


def _builder(kind: str) -> Callable[[Partnership, str, Any], Document]:
    """The document's own module (documents/<kind>.py) builds it; imported when first used,
    since each module reads the shared helpers here."""
    name = kind.replace("-", "_")  # "fem-i" (its name on the command line) is fem_i.py
    module = importlib.import_module(f"samverkan.documents.{name}")
    return getattr(module, name)


BUILDERS: dict[str, Callable[..., Document]] = {
    kind: (lambda k: lambda p, e, u, **o: _builder(k)(p, e, u, **o))(kind) for kind in KINDS
}

__all__ = ["BUILDERS", "EDITIONS", "INTERNAL", "KINDS", "PUBLIC", "Party", "build"]
