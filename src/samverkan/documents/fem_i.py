"""The 5I write-up (kind "fem-i"): what the partnership did and what it gave, for others to
learn from, in the five parts of the 5Is (Ekblom 2011): Underrättelser (intelligence),
Insats (intervention), Införande (implementation), Involvering (involvement) and Effekt
(impact).

Each part opens with the text the coordinator reviewed (followup.WriteUpSection; until then
the draft from the data, listed on the internal edition's "Saknas" page) and goes on with
tables built now, for this edition's audience (accounts/audience.py decides what it
receives): withheld causes and measures are one neutral line naming the party that holds
them, measures that are not publishable are left out of the public edition, the activity
log's entries stay in the internal edition, and the public edition shows no small count.

A part's text is typed by people and may retell what is withheld in other words, so the
public edition prints a part only when a leader of every party whose withheld items it
touches has approved it as it reads now (audience.approval_of); other parts are one neutral
line. A stored text that quotes a confidential item is also withheld wherever the reader may
not see the item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from samverkan.accounts import audience
from samverkan.documents.data import (
    PUBLIC,
    _base,
    _blocks,
    _cause_rows,
    _date,
    _measure_listing,
    _need,
    audience_of,
)
from samverkan.documents.followup import evaluation_blocks
from samverkan.documents.structure import (
    Block,
    BulletList,
    Document,
    Paragraph,
    Section,
    Table,
)
from samverkan.partnerships.models import Partnership

SOURCE_STEP3 = "Källa: orsaksanalysen och åtgärderna i Samverkan (Steg 3)"
SOURCE_STEP4 = "Källa: åtgärdernas status och aktivitetslogg i Samverkan (Steg 4)"
SOURCE_STEP1 = "Källa: parter och grupper i Samverkan (Steg 1) och åtgärderna (Steg 3)"
WHERE = "Steg 5, 5I-beskrivning"


def fem_i(partnership: Partnership, edition: str, user: Any) -> Document:
    from samverkan.documents.lagesbild import scope_of
    from samverkan.followup import write_up
    from samverkan.followup.models import WriteUpPart

    public = edition == PUBLIC
    to = audience_of(partnership, edition, user)
    doc = _base(
        "fem-i",
        partnership,
        edition,
        f"Vad samverkan gjorde i {scope_of(partnership)} och vad det gav",
    )
    # A title of one word with a digit reads as a reference number to a screen reader's
    # heading list; the H1 says what the document is.
    doc.title = "5I-beskrivning av arbetet"
    states = {s.part: s for s in write_up.sections(partnership, user=user, public=public)}
    cycle = partnership.current_cycle()
    about = doc.section("Om beskrivningen")
    about.add(
        Paragraph(
            "Beskrivningen berättar för andra vad samverkan gjorde och vad det gav, så att de "
            "kan lära av det. Den följer 5I-formatet från det problemorienterade "
            "polisarbetet i fem delar: underrättelser (problemet och dess orsaker), insats "
            "(åtgärderna och varför de skulle verka), införande (hur de genomfördes), "
            "involvering (vilka som deltog och hur) och effekt (vad det gav, och hur säkert "
            "det är)."
        ),
        Paragraph(
            "Varje del börjar med en text som skrivits ur samverkans egna uppgifter och "
            "granskats av samordnaren. Tabellerna efter texten tas fram ur uppgifterna när "
            "dokumentet skapas."
            + (
                f" Beskrivningen gäller omgång {cycle.number}, som startade "
                f"{_date(cycle.starts_on)}."
                if cycle
                else ""
            )
        ),
    )
    if public:
        about.add(
            Paragraph(
                "Detta är den offentliga versionen: uppgifter under sekretess och antal under "
                f"{settings.SMALL_COUNT_THRESHOLD} redovisas inte.",
                "note",
            )
        )

    sections = {}
    for part, state in states.items():
        section = doc.section(f"{state.number}. {state.heading}")
        sections[part] = section
        _narrative(doc, section, state, public, partnership)

    _intelligence_tables(sections[WriteUpPart.INTELLIGENCE], partnership, to)
    _intervention_tables(sections[WriteUpPart.INTERVENTION], partnership, to)
    _implementation_tables(sections[WriteUpPart.IMPLEMENTATION], partnership, to)
    _involvement_tables(sections[WriteUpPart.INVOLVEMENT], partnership, to)
    _impact_tables(sections[WriteUpPart.IMPACT], partnership, edition, to)
    _sources(doc, partnership)
    return doc


@dataclass(frozen=True)
class Gap:
    """What a part lacks, with the page that fills it (its URL name and the part)."""

    what: str
    page: str
    part: str = ""


@dataclass(frozen=True)
class Narrative:
    """A part's text as one edition prints it: ``blocks`` go into the part's section (the
    text, or the note that stands in for it), ``gaps`` onto the "Saknas" page, and
    ``printed`` holds the writer's own text when this edition prints it (else empty)."""

    blocks: tuple[Block, ...]
    gaps: tuple[Gap, ...] = ()
    printed: tuple[Block, ...] = ()


def _confidential_gap(where: str, part: str) -> Gap:
    return Gap(
        f"Avsnitt {where}: texten nämner en uppgift under sekretess ({WHERE})",
        "followup:write_up_edit",
        part,
    )


def narrative(state: Any, public: bool, partnership: Partnership) -> Narrative:
    """The part's reviewed text, or a note where this reader or edition may not have it.

    The one decision of what a part prints: the documents and the open data
    (``public_parts``) both ask here, so the open data can hold no text the public edition
    would not print.
    """
    where = f"{state.number}. {state.label}"
    gaps: list[Gap] = []
    blocks: list[Block] = []
    if not state.reviewed:
        gaps.append(
            Gap(
                f"Avsnitt {where}: texten är ett utkast ur uppgifterna som ingen har granskat "
                f"({WHERE})",
                "followup:write_up",
            )
        )
    if not state.visible:
        blocks.append(
            Paragraph(
                "Avsnittets text nämner en uppgift under sekretess och redovisas därför inte i "
                "den här versionen.",
                "confidential",
            )
        )
        if not public:
            gaps.append(_confidential_gap(where, state.part))
        return Narrative(tuple(blocks), tuple(gaps))
    if not state.public_ok:
        # Shown here to a reader allowed to see what it quotes; never in public.
        blocks.append(
            Paragraph(
                "Texten nämner en uppgift under sekretess och visas därför inte i den "
                "offentliga versionen. Skriv om avsnittet utan uppgiften.",
                "warning",
            )
        )
        gaps.append(_confidential_gap(where, state.part))
    if state.small_counts and public:
        blocks.append(
            Paragraph(
                "Avsnittets text innehåller antal som är för små för att redovisas offentligt "
                f"(under {settings.SMALL_COUNT_THRESHOLD}). Texten finns i den interna "
                "versionen.",
                "note",
            )
        )
        return Narrative(tuple(blocks), tuple(gaps))
    if state.small_counts:
        blocks.append(
            Paragraph(
                "Texten innehåller antal under "
                f"{settings.SMALL_COUNT_THRESHOLD} och visas därför inte i den offentliga "
                "versionen. Skriv om den eller skriv ett nytt utkast ur uppgifterna.",
                "warning",
            )
        )
    if public and not audience.may_publish_text(
        partnership, state.part, state.text, state.touch_basis, state.approvals
    ):
        # Not approved for the public as it reads now: one neutral line, nothing more.
        blocks.append(Paragraph(audience.WITHHELD_TEXT, "note"))
        return Narrative(tuple(blocks), tuple(gaps))
    text = tuple(_blocks(state.text)) if state.text.strip() else ()
    blocks.extend(text or (Paragraph("Texten är tom.", "note"),))
    return Narrative(tuple(blocks), tuple(gaps), text)


def _narrative(
    doc: Document, section: Section, state: Any, public: bool, partnership: Partnership
) -> None:
    told = narrative(state, public, partnership)
    for gap in told.gaps:
        _need(doc, "", gap.what, gap.page, **({"part": gap.part} if gap.part else {}))
    section.add(*told.blocks)


@dataclass(frozen=True)
class PublicPart:
    """One 5I part as the public edition prints it: ``text`` is empty where it prints none."""

    part: str
    number: int
    heading: str
    text: tuple[Block, ...]


def public_parts(partnership: Partnership) -> list[PublicPart]:
    """The five parts' texts exactly as the public edition prints them (``narrative``): a
    part's text only where the leaders have approved it as it reads now, and never one that
    quotes a confidential item or gives a small count."""
    from samverkan.followup import write_up

    return [
        PublicPart(
            state.part,
            state.number,
            state.heading,
            narrative(state, True, partnership).printed,
        )
        for state in write_up.sections(partnership, user=None, public=True)
    ]


def _intelligence_tables(section: Section, partnership: Partnership, to: Any) -> None:
    rows = _cause_rows(partnership, to)
    if rows:
        section.sub(
            "Orsaker",
            Table(
                "Orsaker i orsaksanalysen",
                ("Nr", "Orsak", "Perspektiv", "Närhet", "Problem"),
                rows,
                SOURCE_STEP3,
            ),
        )


def _intervention_tables(section: Section, partnership: Partnership, to: Any) -> None:
    listing = _measure_listing(partnership, to)
    rows = []
    for entry in listing.entries:
        m = entry.item
        if entry.full:
            rows.append(
                (
                    str(m.number),
                    m.title,
                    ", ".join(str(n) for n in m.causes_answered()) or "–",
                    str(m.responsible_party),
                    " ".join(m.mechanism.split()) or "–",
                    m.get_evidence_display(),
                )
            )
        else:
            rows.append((str(entry.number), entry.line, "–", "–", "–", "–"))
    if rows or listing.note:
        section.sub(
            "Åtgärder",
            Table(
                "Åtgärder, orsaker de riktas mot och hur de ska verka",
                ("Nr", "Åtgärd", "Orsak", "Ansvarig", "Så ska den verka", "Kunskapsläge"),
                tuple(rows),
                SOURCE_STEP3 + (f". {listing.note}" if listing.note else ""),
            ),
        )


def _implementation_tables(section: Section, partnership: Partnership, to: Any) -> None:
    from samverkan.followup import services as follow
    from samverkan.implementation.models import ActivityEntry

    process = audience.process_view(to, follow.process_followup(partnership))
    if not process.rows and not process.left_out:
        return
    rows = []
    for row in process.rows:
        if row.full:
            planned = f"{_date(row.starts_on)} – {_date(row.ends_on)}" if row.starts_on else "–"
            status = row.status + (" (försenad)" if row.overdue else "")
            rows.append((str(row.number), row.title, planned, status, row.entries))
        else:
            rows.append((str(row.number), row.title, "–", "–", "–"))
    section.sub(
        "Status per åtgärd",
        Paragraph(process.summary),
        Table(
            "Åtgärder: planerat mot genomfört",
            ("Nr", "Åtgärd", "Planerat", "Status", "Loggposter"),
            tuple(rows),
            SOURCE_STEP4
            + (f". {audience.left_out_note(process.left_out)}" if process.left_out else ""),
        ),
    )
    if to.is_public:
        # The log's free text is working notes (places, times, who did what): it stays with
        # the partnership; the public edition has the status and the count of entries.
        section.sub(
            "Aktivitetslogg",
            Paragraph("Loggens enskilda poster redovisas i den interna versionen.", "note"),
        )
        return
    entries = [
        e
        for e in ActivityEntry.objects.filter(measure__partnership=partnership)
        .select_related("measure")
        .prefetch_related("measure__allowed_parties")
        .order_by("date", "id")
        if to.receives(e.measure)
    ]
    if entries:
        section.sub(
            "Aktivitetslogg",
            Table(
                "Aktivitetsloggen",
                ("Datum", "Åtgärd", "Vad som gjordes", "Avvikelse från planen"),
                tuple(
                    (
                        e.date.isoformat(),
                        str(e.measure.number),
                        " ".join(e.what.split()),
                        " ".join(e.deviation.split()) or "–",
                    )
                    for e in entries
                ),
                SOURCE_STEP4,
            ),
        )


def _involvement_tables(section: Section, partnership: Partnership, to: Any) -> None:
    from samverkan.partnerships.choices import PartyKind

    listing = _measure_listing(partnership, to)
    rows = []
    parties = sorted(
        partnership.parties.select_related("organisation", "coordinator").prefetch_related(
            "group_seats__group"
        ),
        key=lambda p: (p.kind != PartyKind.SIGNATORY, p.pk),
    )
    for party in parties:
        own = [str(e.number) for e in listing.entries if e.item.responsible_party_id == party.pk]
        joint = [
            str(e.number) for e in listing.entries if e.full and party in e.item.co_parties.all()
        ]
        groups = sorted({seat.group.name for seat in party.group_seats.all()})
        row = [
            str(party),
            party.get_kind_display(),
            ", ".join(own) or "–",
            ", ".join(joint) or "–",
            ", ".join(groups) or "–",
        ]
        if not to.is_public:
            # Names of people stay in the internal edition.
            coordinator = party.coordinator_or_none()
            row.append(
                f"{coordinator.name}" + (f", {coordinator.title}" if coordinator.title else "")
                if coordinator
                else "–"
            )
        rows.append(tuple(row))
    headers: tuple[str, ...] = (
        "Part",
        "Roll",
        "Ansvarar för åtgärd",
        "Medverkar i åtgärd",
        "Grupper",
    )
    if not to.is_public:
        headers += ("Samordnare",)
    if rows:
        section.sub(
            "Parter och roller",
            Table("Parterna och deras roller", headers, tuple(rows), SOURCE_STEP1),
        )


def _impact_tables(section: Section, partnership: Partnership, edition: str, to: Any) -> None:
    from samverkan.followup.models import EffectEvaluation

    evaluations = EffectEvaluation.objects.filter(partnership=partnership).select_related("goal")
    for ev in evaluations:
        section.sub(f"{ev.indicator}, {ev.treated_area}", *evaluation_blocks(ev, edition, to))


def _sources(doc: Document, partnership: Partnership) -> None:
    from samverkan.accounts import access
    from samverkan.followup.models import EffectEvaluation
    from samverkan.problems.models import ProblemPicture

    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    released = [str(p) for p in access.released_mapping_parties(partnership)]
    items = [
        "Gemensam problembild, prioriteringar och orsaksanalys: Samverkan, Steg 3"
        + (f" (problembilden senast ändrad {_date(picture.updated_at)})" if picture else ""),
        "Kartläggning: de lägesbilder som parterna har delat ("
        + (", ".join(released) if released else "ingen part har delat sin ännu")
        + "); en parts egen kartläggning används inte förrän parten har delat den",
        "Åtgärder med verkningsmekanism och kunskapsläge: Samverkan, Steg 3",
        "Status och aktivitetslogg: Samverkan, Steg 4",
        "Parter, grupper och samordnare: Samverkan, Steg 1",
    ]
    for ev in EffectEvaluation.objects.filter(partnership=partnership):
        items.append(f"Effektuppföljning ({ev.indicator}, {ev.treated_area}): {ev.source or '–'}")
    items += [
        "Statistiska metoder: E-test för två Poissontal (Krishnamoorthy & Thomson 2004), viktad "
        "förflyttningsdifferens (Wheeler & Ratcliffe 2018), viktad förflyttningskvot (Bowers & "
        "Johnson 2003)",
        "5I-formatet: Ekblom, P. (2011). Crime Prevention, Security and Community Safety Using "
        "the 5Is Framework. Basingstoke: Palgrave Macmillan",
        "Processen: Brå, Rikspolisstyrelsen och SKL (2010). Samverkan i lokalt "
        "brottsförebyggande arbete",
    ]
    doc.section(
        "Källor och förbehåll",
        BulletList(tuple(items)),
        Paragraph(
            "Anmälda brott speglar både brottslighet och benägenheten att anmäla, och en "
            "förändring i ett enskilt område kan ha andra orsaker än insatsen. Varje "
            "effektuppföljning ovan anger sina egna förbehåll.",
            "note",
        ),
    )


__all__ = ["fem_i", "narrative", "public_parts"]
