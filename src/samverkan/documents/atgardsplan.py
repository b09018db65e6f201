"""The åtgärdsplan (Lag 2023:196, 5 §): the measures the partnership decided on the basis of
the lägesbild, each with what, where, how and how often, who carries it out, its resources
and cost, its period, the causes it answers and the goals it serves; the follow-up plan; and
the decision.

What each edition's audience receives is decided in accounts/audience.py: a withheld
measure is one neutral line naming the party that holds it (its hours and cost are left out
of the totals too, and the totals say so); a measure that is not publishable is not in the
public edition at all, only counted in a neutral note.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from samverkan.documents.data import (
    FOLLOWUP_HEADERS,
    GOAL_HEADERS,
    MISSING,
    _base,
    _blocks,
    _date,
    _followup_rows,
    _goal_rows,
    _measure_listing,
    _need,
    _prioritised,
    _with_note,
    audience_of,
)
from samverkan.documents.structure import BulletList, Document, Paragraph, Table
from samverkan.lib import numbers
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Cause, ProblemPicture

SOURCE = "Källa: åtgärderna i Samverkan (Steg 3)"


def _hours(value: Decimal) -> str:
    return numbers.number(value, 2, trim=True)


def _money(value: Decimal) -> str:
    return numbers.money(value)


def atgardsplan(partnership: Partnership, edition: str, user: Any) -> Document:
    from samverkan.accounts import access
    from samverkan.documents.lagesbild import scope_of
    from samverkan.mapping.subjects.crime import crime_table

    doc = _base(
        "atgardsplan",
        partnership,
        edition,
        f"för samverkan mellan {partnership.municipality} och {partnership.police_area}",
    )
    scope = scope_of(partnership)
    problems = _prioritised(partnership)
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    to = audience_of(partnership, edition, user)
    listing = _measure_listing(partnership, to)

    # -- background: from the lägesbild and the joint problem picture --
    background = doc.section("Bakgrund")
    background.add(
        Paragraph(
            f"Åtgärdsplanen gäller {scope}. Den bygger på lägesbilden över brottsligheten i "
            "området och på den gemensamma problembild som parterna har enats om. Enligt lagen "
            "(2023:196) om kommuners ansvar för brottsförebyggande arbete ska kommunen besluta "
            "om en åtgärdsplan utifrån lägesbilden; planen anger vilka åtgärder som ska "
            "genomföras, av vem och när, och hur de ska följas upp."
        )
    )
    table = crime_table(
        list(access.released_mapping_parties(partnership)), str(partnership.municipality)
    )
    facts = []
    for problem in problems:
        counts = table.by_offence.get(problem.crime_type, {}) if problem.crime_type else {}
        years = sorted(y for y in counts if counts[y])
        if len(years) >= 2 and min(counts[years[0]], counts[years[-1]]) >= 5:
            a, b = counts[years[0]], counts[years[-1]]
            facts.append(
                f"{problem.crime_type} i {table.area} gick från {numbers.number(a)} anmälda "
                f"brott år {years[0]} till {numbers.number(b)} år {years[-1]} "
                f"({numbers.percent(round(100 * (b - a) / a), 0, sign=True)})."
            )
    if facts:
        background.add(Paragraph(" ".join(facts)))
    if picture and picture.text:
        background.sub("Gemensam problembild", *_blocks(picture.text))
    else:
        background.add(Paragraph("Den gemensamma problembilden är inte skriven ännu.", "note"))
        _need(doc, "", "Gemensam problembild (Steg 3, Problembild)", "problems:picture_edit")
    causes = sum(to.lists(c) for c in Cause.objects.filter(partnership=partnership))
    background.add(
        Paragraph(
            f"Orsaksanalysen pekar ut {causes} orsaker. Varje åtgärd nedan anger vilka orsaker "
            "den riktar sig mot och vilka mål den ska bidra till."
        )
    )

    doc.section(
        "Prioriterade problem",
        BulletList(
            tuple(p.title + (f": {p.description}" if p.description else "") for p in problems)
            or ("Inga problem är prioriterade ännu.",)
        ),
    )
    doc.section(
        "Mål",
        Table("Mål och indikatorer", GOAL_HEADERS, _goal_rows(partnership), SOURCE),
    )

    # -- the measures: overview with totals, then each in full --
    overview = doc.section("Åtgärder: översikt, resurser och kostnad")
    rows = []
    hours, money = Decimal(0), Decimal(0)
    for entry in listing.entries:
        m = entry.item
        if not entry.full:
            rows.append((str(entry.number), entry.line, "–", "–", "–", "–"))
            continue
        period = f"{_date(m.starts_on)} – {_date(m.ends_on)}" if m.starts_on else "–"
        hours += m.hours or 0
        money += m.money or 0
        rows.append(
            (
                str(m.number),
                m.title,
                str(m.responsible_party),
                period,
                "–" if m.hours is None else _hours(m.hours),
                "–" if m.money is None else _money(m.money),
            )
        )
    rows.append(("", "Summa", "", "", _hours(hours), _money(money)))
    note = ""
    if listing.withheld:
        note = " Åtgärder under sekretess ingår inte i summan."
    elif listing.left_out:
        note = " Åtgärder som inte redovisas här ingår inte i summan."
    overview.add(
        Table(
            "Åtgärderna i sammandrag",
            ("Nr", "Åtgärd", "Ansvarig part", "Period", "Timmar", "Kostnad"),
            tuple(rows),
            _with_note(SOURCE + "." + note, listing),
        )
    )
    details = doc.section("Åtgärderna i detalj")
    for entry in listing.entries:
        if not entry.full:
            details.sub(f"Åtgärd {entry.number}", Paragraph(entry.line, "confidential"))
            continue
        m = entry.item
        details.sub(f"Åtgärd {m.number}: {m.title}", _measure_table(doc, m, to))
    if listing.note:
        details.add(Paragraph(listing.note, "note"))

    doc.section(
        "Uppföljning",
        Table(
            "Så följs åtgärdsplanen upp", FOLLOWUP_HEADERS, _followup_rows(partnership, doc), SOURCE
        ),
    )
    return doc


def _measure_table(doc: Document, m: Any, to: Any) -> Table:
    missing: list[str] = []

    def need(value: Any, field: str) -> str:
        text = str(value or "").strip()
        if not text:
            missing.append(field)
        return text or MISSING

    causes = []
    for cause in m.causes.all():
        if to.receives(cause):
            causes.append(f"{cause.number}. {cause.text}")
        else:
            causes.append(f"{cause.number}. (under sekretess)")
    goals = [
        g.text + (f" (indikator: {g.indicator})" if g.indicator else "") for g in m.goals.all()
    ]
    who = ", ".join(x for x in (str(m.responsible_party), m.responsible_person, m.how_by_whom) if x)
    co = ", ".join(str(p) for p in m.co_parties.all())
    period = f"{_date(m.starts_on)} – {_date(m.ends_on)}" if m.starts_on else need("", "period")
    rows: tuple[tuple[str, str], ...] = (
        ("Vad görs", need(m.how_what, "vad som görs")),
        ("Var", need(m.how_where, "var")),
        ("Hur och när", need(m.how_when, "när")),
        ("Hur ofta", m.how_often or "–"),
        ("Ansvarig", who if m.responsible_person else f"{who}; {need('', 'ansvarig person')}"),
        ("Medverkande", co or "–"),
        ("Period", period),
        ("Resurser", "–" if m.hours is None else f"{_hours(m.hours)} arbetstimmar"),
        ("Kostnad", "–" if m.money is None else _money(m.money)),
        ("Riktad mot orsak", "; ".join(causes) or need("", "orsak som åtgärden riktas mot")),
        ("Bidrar till mål", "; ".join(goals) or need("", "mål som åtgärden bidrar till")),
        (
            "Kunskapsläge",
            m.get_evidence_display() + (f": {m.evidence_note}" if m.evidence_note else ""),
        ),
    )
    if m.how_what.strip() == m.title.strip():
        rows = rows[1:]  # the heading already says it
    if m.mechanism:
        rows += (("Varför den bör verka", m.mechanism),)
    if missing:
        _need(
            doc,
            "",
            f"Åtgärd {m.number}: {', '.join(missing)} (Steg 3, Åtgärder)",
            "problems:measure_edit",
            measure_id=m.pk,
        )
    return Table(f"Åtgärd {m.number}", ("Uppgift", "Innehåll"), rows, SOURCE)


__all__ = ["atgardsplan"]
