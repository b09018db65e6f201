"""The 5I write-up (kind "fem-i"): what the partnership did and what it gave, for others to
learn from, in the five parts of the 5Is (Ekblom 2011): Underrättelser (intelligence),
Insats (intervention), Införande (implementation), Involvering (involvement) and Effekt
(impact).

Each part opens with the text the coordinator reviewed (followup.WriteUpSection; until then
the draft from the data, listed on the internal edition's "Saknas" page) and goes on with
tables built now, for this edition and reader: confidential causes and measures are replaced
by a note naming the party that holds them, the activity log's entries stay in the internal
edition, and the public edition shows no small count. A stored text that quotes a
confidential item (written before the item became confidential, say) is withheld wherever
the reader may not see the item, the public edition included.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from samverkan.documents.data import (
    PUBLIC,
    _base,
    _blocks,
    _cause_rows,
    _date,
    _may_see,
    _measures,
    _need,
    _withheld,
)
from samverkan.documents.followup import evaluation_blocks
from samverkan.documents.structure import BulletList, Document, Paragraph, Section, Table
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
    doc = _base(
        "fem-i",
        partnership,
        edition,
        f"Vad samverkan gjorde i {scope_of(partnership)} och vad det gav",
    )
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
        _narrative(doc, section, state, public)

    _intelligence_tables(sections[WriteUpPart.INTELLIGENCE], partnership, edition, user)
    _intervention_tables(sections[WriteUpPart.INTERVENTION], partnership, edition, user)
    _implementation_tables(sections[WriteUpPart.IMPLEMENTATION], partnership, edition, user)
    _involvement_tables(sections[WriteUpPart.INVOLVEMENT], partnership, edition, user)
    _impact_tables(sections[WriteUpPart.IMPACT], partnership, edition)
    _sources(doc, partnership)
    return doc


def _narrative(doc: Document, section: Section, state: Any, public: bool) -> None:
    """The part's reviewed text, or a note where this reader or edition may not have it."""
    where = f"{state.number}. {state.label}"
    if not state.reviewed:
        _need(
            doc,
            "",
            f"Avsnitt {where}: texten är ett utkast ur uppgifterna som ingen har granskat "
            f"({WHERE})",
        )
    if not state.visible:
        section.add(
            Paragraph(
                "Avsnittets text nämner en uppgift under sekretess och redovisas därför inte i "
                "den här versionen.",
                "confidential",
            )
        )
        if not public:
            _need(doc, "", f"Avsnitt {where}: texten nämner en uppgift under sekretess ({WHERE})")
        return
    if not state.public_ok:
        # Shown here to a reader allowed to see what it quotes; never in public.
        section.add(
            Paragraph(
                "Texten nämner en uppgift under sekretess och visas därför inte i den "
                "offentliga versionen. Skriv om avsnittet utan uppgiften.",
                "warning",
            )
        )
        _need(doc, "", f"Avsnitt {where}: texten nämner en uppgift under sekretess ({WHERE})")
    if state.small_counts and public:
        section.add(
            Paragraph(
                "Avsnittets text innehåller antal som är för små för att redovisas offentligt "
                f"(under {settings.SMALL_COUNT_THRESHOLD}). Texten finns i den interna "
                "versionen.",
                "note",
            )
        )
        return
    if state.small_counts:
        section.add(
            Paragraph(
                "Texten innehåller antal under "
                f"{settings.SMALL_COUNT_THRESHOLD} och visas därför inte i den offentliga "
                "versionen. Skriv om den eller skriv ett nytt utkast ur uppgifterna.",
                "warning",
            )
        )
    blocks = _blocks(state.text) if state.text.strip() else []
    section.add(*(blocks or [Paragraph("Texten är tom.", "note")]))


def _intelligence_tables(
    section: Section, partnership: Partnership, edition: str, user: Any
) -> None:
    rows = _cause_rows(partnership, edition, user)
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


def _intervention_tables(
    section: Section, partnership: Partnership, edition: str, user: Any
) -> None:
    rows = []
    for m in _measures(partnership):
        if _may_see(m, user, edition):
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
            rows.append((str(m.number), _withheld(m), "–", str(m.responsible_party), "–", "–"))
    if rows:
        section.sub(
            "Åtgärder",
            Table(
                "Åtgärder, orsaker de riktas mot och hur de ska verka",
                ("Nr", "Åtgärd", "Orsak", "Ansvarig", "Så ska den verka", "Kunskapsläge"),
                tuple(rows),
                SOURCE_STEP3,
            ),
        )


def _implementation_tables(
    section: Section, partnership: Partnership, edition: str, user: Any
) -> None:
    from samverkan.followup import services as follow
    from samverkan.implementation.models import ActivityEntry

    process = follow.process_followup(partnership)
    if not process.states:
        return
    rows = []
    for state in process.states:
        m = state.measure
        planned = f"{_date(m.starts_on)} – {_date(m.ends_on)}" if m.starts_on else "–"
        status = state.progress.get_status_display() + (" (försenad)" if state.overdue else "")
        if _may_see(m, user, edition):
            rows.append((str(m.number), m.title, planned, status, str(state.entries)))
        else:
            rows.append((str(m.number), _withheld(m), planned, status, "–"))
    section.sub(
        "Status per åtgärd",
        Table(
            "Åtgärder: planerat mot genomfört",
            ("Nr", "Åtgärd", "Planerat", "Status", "Loggposter"),
            tuple(rows),
            SOURCE_STEP4,
        ),
    )
    if edition == PUBLIC:
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
        if _may_see(e.measure, user, edition)
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


def _involvement_tables(
    section: Section, partnership: Partnership, edition: str, user: Any
) -> None:
    from samverkan.partnerships.choices import PartyKind

    measures = _measures(partnership)
    rows = []
    parties = sorted(
        partnership.parties.select_related("organisation").prefetch_related("group_seats__group"),
        key=lambda p: (p.kind != PartyKind.SIGNATORY, p.pk),
    )
    for party in parties:
        own = [str(m.number) for m in measures if m.responsible_party_id == party.pk]
        joint = [
            str(m.number)
            for m in measures
            if party in m.co_parties.all() and _may_see(m, user, edition)
        ]
        groups = sorted({seat.group.name for seat in party.group_seats.all()})
        row = [
            str(party),
            party.get_kind_display(),
            ", ".join(own) or "–",
            ", ".join(joint) or "–",
            ", ".join(groups) or "–",
        ]
        if edition != PUBLIC:
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
    if edition != PUBLIC:
        headers += ("Samordnare",)
    if rows:
        section.sub(
            "Parter och roller",
            Table("Parterna och deras roller", headers, tuple(rows), SOURCE_STEP1),
        )


def _impact_tables(section: Section, partnership: Partnership, edition: str) -> None:
    from samverkan.followup.models import EffectEvaluation

    evaluations = EffectEvaluation.objects.filter(partnership=partnership).select_related("goal")
    for ev in evaluations:
        section.sub(f"{ev.indicator}, {ev.treated_area}", *evaluation_blocks(ev, edition))


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


__all__ = ["fem_i"]
