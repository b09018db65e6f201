"""The samverkansöverenskommelse: part 1 (the decision to collaborate and the organisation),
part 2 (problems, goals, measures, follow-up, validity and signatures) and its two appendices."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from samverkan.documents.data import (
    FOLLOWUP_HEADERS,
    GOAL_HEADERS,
    INTERNAL,
    MEASURE_HEADERS,
    MISSING,
    SOURCE_PARTNERSHIP,
    _base,
    _blocks,
    _cause_rows,
    _count_chart,
    _date,
    _followup_rows,
    _goal_rows,
    _measure_listing,
    _measure_rows,
    _need,
    _prioritised,
    _signers,
    _with_note,
    audience_of,
)
from samverkan.documents.structure import BulletList, Document, Paragraph, Signatures, Table
from samverkan.lib import numbers
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Cause, ProblemPicture


def agreement(partnership: Partnership, edition: str, user: Any) -> Document:
    doc = _base(
        "agreement",
        partnership,
        edition,
        f"mellan {partnership.municipality} och {partnership.police_area}",
    )
    to = audience_of(partnership, edition, user)
    listing = _measure_listing(partnership, to)
    decision = partnership.collaboration_decision()
    part1 = doc.section("Del 1. Beslut om samverkan och organisation")
    if decision:
        part1.add(
            *_blocks(decision.text),
            Paragraph(
                f"Beslutat av {decision.body} den {_date(decision.decided_on)}"
                + (f", diarienummer {decision.reference}." if decision.reference else "."),
                "note",
            ),
        )
    else:
        part1.add(Paragraph("Beslutet om samverkan är ännu inte registrerat.", "note"))
        _need(doc, "", "Beslutet om samverkan (Steg 1, Beslut)", "partnerships:decisions")
    if partnership.purpose:
        part1.sub("Syfte", Paragraph(partnership.purpose))
    parties = partnership.parties.select_related("organisation", "coordinator")
    part1.sub(
        "Parter och samordnare",
        Table(
            "Parter i samverkan",
            ("Part", "Roll", "Undertecknare", "Samordnare"),
            tuple(
                (
                    str(p),
                    p.get_kind_display(),
                    ", ".join(x for x in (p.signatory_name, p.signatory_title) if x)
                    if p.is_signatory()
                    else "Undertecknar inte",
                    (c.name + (f", {c.title}" if c.title else ""))
                    if (c := p.coordinator_or_none())
                    else _need(
                        doc,
                        "",
                        f"Samordnare för {p.organisation} (Steg 1, Samordnare)",
                        "partnerships:coordinator_edit",
                        party_id=p.pk,
                    )
                    if p.is_signatory()
                    else "–",
                )
                for p in parties
            ),
            SOURCE_PARTNERSHIP,
        ),
    )
    organisation = part1.sub("Organisation")
    for group in partnership.groups.prefetch_related("members__party__organisation"):
        members = "; ".join(
            f"{m.name}{', ' + m.title if m.title and m.title != m.name else ''} ({m.party})"
            for m in group.members.all()
        )
        organisation.add(
            Paragraph(
                f"{group.name} ({group.get_kind_display().lower()}). {group.mandate or ''}".strip()
            ),
            Paragraph(f"Ledamöter: {members or '–'}.", "note"),
        )

    part2 = doc.section("Del 2. Problem, mål, åtgärder och uppföljning", page_break=True)
    problems = _prioritised(partnership)
    part2.sub("Prioriterade problem", BulletList(tuple(p.title for p in problems) or ("–",)))
    part2.sub(
        "Mål",
        Table("Mål och indikatorer", GOAL_HEADERS, _goal_rows(partnership), SOURCE_PARTNERSHIP),
    )
    part2.sub(
        "Åtgärder och ansvar",
        Table(
            "Åtgärder",
            MEASURE_HEADERS,
            _measure_rows(listing),
            _with_note(SOURCE_PARTNERSHIP, listing),
        ),
    )
    part2.sub(
        "Uppföljningsplan",
        Table(
            "Så följs målen upp",
            FOLLOWUP_HEADERS,
            _followup_rows(partnership, doc),
            SOURCE_PARTNERSHIP,
        ),
    )
    validity = part2.sub("Giltighetstid")
    starts = partnership.started_on
    if decision and starts and starts < decision.decided_on:
        # An agreement cannot apply before the decision to collaborate that is its part 1.
        if edition == INTERNAL:
            validity.add(
                Paragraph(
                    f"Observera: samverkans startdatum ({_date(starts)}) ligger före beslutet "
                    f"om samverkan ({_date(decision.decided_on)}). Överenskommelsen anges "
                    "därför gälla från beslutsdatumet. Rätta startdatumet under Steg 1.",
                    "warning",
                )
            )
        starts = decision.decided_on
    until = (
        _date(partnership.valid_until)
        if partnership.valid_until
        else _need(
            doc,
            "",
            "Slutdatum för överenskommelsens giltighet (Steg 1, Samverkan)",
            "partnerships:edit",
        )
    )
    validity.add(Paragraph(f"Överenskommelsen gäller från {_date(starts)} till {until}."))
    part2.sub(
        "Underskrifter",
        Paragraph(
            "Överenskommelsen är upprättad i lika många exemplar som det finns undertecknande "
            "parter, och parterna har tagit var sitt."
        ),
        Signatures(_signers(partnership, doc)),
    )

    appendix1 = doc.section("Bilaga 1. Gemensam problembild och orsaksanalys", page_break=True)
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    if picture and picture.text:
        appendix1.sub("Problembild", *_blocks(picture.text))
    else:
        appendix1.sub("Problembild", Paragraph(MISSING, "note"))
        _need(doc, "", "Gemensam problembild (Steg 3, Problembild)", "problems:picture_edit")
    if picture and picture.conditions:
        appendix1.sub("Förutsättningar", *_blocks(picture.conditions))
    appendix1.sub(
        "Orsaker",
        Table(
            "Orsaksanalys",
            ("Nr", "Orsak", "Perspektiv", "Närhet", "Problem"),
            _cause_rows(partnership, to),
            SOURCE_PARTNERSHIP,
        ),
    )
    # Only the causes the audience receives: a count over all would give a withheld
    # cause's perspective away.
    perspectives = Counter(
        c.get_perspective_display()
        for c in Cause.objects.filter(partnership=partnership)
        if to.receives(c)
    )
    appendix1.sub(
        "Orsakernas perspektiv",
        _count_chart(
            perspectives,
            edition,
            caption="Antal orsaker per perspektiv "
            "(situationen, den brottsutsatte, gärningspersonen)",
            source=f"{SOURCE_PARTNERSHIP}, orsaksanalysen per {doc.date}",
            axis_label="Antal orsaker",
        ),
    )
    for problem in problems:
        appendix1.sub(
            f"Problemanalystriangeln: {problem.title}",
            Table(
                "Problemanalystriangeln",
                ("Del", "Beskrivning", "Vem som påverkar"),
                (
                    ("Gärningsperson", problem.pat_offender or "–", problem.pat_handler or "–"),
                    (
                        "Mål eller brottsutsatt",
                        problem.pat_target or "–",
                        problem.pat_guardian or "–",
                    ),
                    ("Plats", problem.pat_place or "–", problem.pat_manager or "–"),
                ),
                SOURCE_PARTNERSHIP,
            ),
        )

    appendix2 = doc.section("Bilaga 2. Parternas åtagandeplaner", page_break=True)
    for party in parties:
        own = [e for e in listing.entries if e.item.responsible_party_id == party.pk]
        if not own:
            continue
        rows = []
        for entry in own:
            m = entry.item
            if entry.full:
                rows.append(
                    (
                        str(m.number),
                        m.title,
                        m.how_when or m.how_often or "–",
                        _hours(m.hours),
                        _money(m.money),
                        _date(m.ends_on),
                    )
                )
            else:
                rows.append((str(entry.number), entry.line, "–", "–", "–", "–"))
        appendix2.sub(
            str(party),
            Table(
                f"Åtaganden för {party}",
                ("Nr", "Åtgärd", "När", "Timmar", "Kostnad", "Klart"),
                tuple(rows),
                SOURCE_PARTNERSHIP,
            ),
        )
    if listing.note:
        appendix2.add(Paragraph(listing.note, "note"))
    per_party = Counter(str(e.item.responsible_party) for e in listing.entries)
    appendix2.add(
        _count_chart(
            per_party,
            edition,
            caption="Antal åtgärder per ansvarig part",
            source=f"{SOURCE_PARTNERSHIP}, åtgärderna per {doc.date}",
            axis_label="Antal åtgärder",
        )
    )
    return doc


def _hours(value: Decimal | None) -> str:
    return numbers.MISSING if value is None else numbers.number(value, 2, trim=True)


def _money(value: Decimal | None) -> str:
    return numbers.MISSING if value is None else numbers.money(value)
