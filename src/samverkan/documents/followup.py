"""The follow-up report to the steering group: process and effect follow-up."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings

from samverkan.accounts import audience
from samverkan.analysis.reading import swedish_number as number
from samverkan.documents.data import (
    _base,
    _count_chart,
    _date,
    audience_of,
)
from samverkan.documents.structure import Block, BulletList, Document, Paragraph, Table
from samverkan.partnerships.choices import GroupKind
from samverkan.partnerships.models import Partnership


def followup(partnership: Partnership, edition: str, user: Any) -> Document:
    """The report to the steering group: process and effect follow-up with their readings."""
    from samverkan.followup import services as follow
    from samverkan.followup.models import EffectEvaluation, SteeringResponse

    doc = _base("followup", partnership, edition, "till styrgruppen")
    steering = partnership.groups.filter(kind=GroupKind.STEERING).first()
    cycle = partnership.current_cycle()
    evaluations = list(
        EffectEvaluation.objects.filter(partnership=partnership).select_related("goal")
    )
    threshold = settings.SMALL_COUNT_THRESHOLD
    to = audience_of(partnership, edition, user)
    # Counts under the threshold are withheld from the public edition, the verdict included:
    # it quotes the result.
    withheld = {ev.pk for ev in evaluations if to.withholds_counts(*follow.counts_of(ev))}
    results = {ev.pk: follow.evaluate(ev) for ev in evaluations if ev.pk not in withheld}
    # The answer first, as on the follow-up page: is each goal met, and how sure is it?
    summary = doc.section("Sammanfattning: är målen nådda?")
    for ev in evaluations:
        if ev.pk in withheld:
            summary.add(
                Paragraph(
                    f"{ev.goal.text}: antalen är så små att resultatet bara redovisas i den "
                    "interna versionen.",
                    "lead",
                )
            )
            continue
        found = results[ev.pk].verdict
        summary.add(Paragraph(f"{ev.goal.text}: {found.sentence} {found.certainty}", "lead"))
    if not evaluations:
        summary.add(
            Paragraph(
                "Ingen effektuppföljning är registrerad ännu, så det går inte att säga om "
                "målen är nådda.",
                "lead",
            )
        )
    doc.section(
        "Om rapporten",
        Paragraph(
            f"Rapporten följer upp omgång {cycle.number if cycle else 1} av samverkan för "
            f"{steering or 'styrgruppen'}: om åtgärderna blev gjorda som planerat "
            "(processuppföljning) och om problemet förändrades (effektuppföljning)."
        ),
    )
    process = audience.process_view(to, follow.process_followup(partnership))
    rows = []
    for row in process.rows:
        if row.full:
            status = row.status + (f": {row.reason}" if row.reason else "")
            planned = f"{_date(row.starts_on)} – {_date(row.ends_on)}" if row.starts_on else "–"
            rows.append((str(row.number), row.title, planned, status, row.entries))
        else:
            rows.append((str(row.number), row.title, "–", "–", "–"))
    section = doc.section("Processuppföljning", Paragraph(process.summary))
    section.add(
        Table(
            "Åtgärder: planerat mot genomfört",
            ("Nr", "Åtgärd", "Planerat", "Status", "Loggposter"),
            tuple(rows),
            "Källa: åtgärdernas aktivitetslogg i Samverkan"
            + (f". {audience.left_out_note(process.left_out)}" if process.left_out else ""),
        )
    )
    if process.production:
        section.sub(
            "Produktionsmål",
            Table(
                "Produktion mot mål",
                ("Mål", "Utfört", "Målvärde"),
                tuple(
                    (
                        p.goal.text,
                        f"{p.done} {p.goal.unit}".strip(),
                        "–" if p.target is None else f"{p.target:g} {p.goal.unit}".strip(),
                    )
                    for p in process.production
                ),
                "Källa: antal registrerade i aktivitetsloggen",
            ),
        )
    effect = doc.section("Effektuppföljning")
    methods: list[tuple[EffectEvaluation, Any]] = []
    for ev in evaluations:
        sub = effect.sub(f"{ev.indicator}, {ev.treated_area}")
        sub.add(
            Paragraph(
                f"Mål: {ev.goal.text}. Jämförelse {ev.period_before} → "
                f"{ev.period_after}. {ev.source}".strip(),
                "note",
            )
        )
        if ev.pk in withheld:
            # Every figure here (the counts, the change, the estimates and their readings)
            # would give a small count back: the public edition says only that.
            sub.add(_withheld_note(threshold))
            continue
        result = results[ev.pk]
        sub.add(Paragraph(f"{result.verdict.sentence} {result.verdict.certainty}", "lead"))
        if result.change_percent is not None:
            sub.add(
                Paragraph(
                    f"I {ev.treated_area} från {number(ev.treated_before, 0)} till "
                    f"{number(ev.treated_after, 0)} "
                    f"({result.change_text})."
                )
            )
        sub.add(_evaluation_chart(ev, edition))
        if result.findings:
            sub.add(
                Paragraph(
                    "Hur resultatet är beräknat, med metodernas namn och siffror, står i "
                    "avsnittet ”Metoder och beräkningar”.",
                    "note",
                )
            )
            methods.append((ev, result))
    if not evaluations:
        effect.add(Paragraph("Ingen effektuppföljning är registrerad ännu.", "note"))
    if methods:
        # The technical names (E-test, WDD, z, p) belong here, after the answer in words.
        technical = doc.section(
            "Metoder och beräkningar",
            Paragraph(
                "Här står de statistiska metoder som resultaten ovan bygger på, med "
                "siffrorna och hur de ska läsas. Förbehållen gäller också sammanfattningen."
            ),
        )
        for ev, result in methods:
            sub = technical.sub(f"{ev.indicator}, {ev.treated_area}")
            for finding in result.findings:
                sub.add(
                    Table(
                        finding.method,
                        ("Mått", "Värde"),
                        tuple(finding.figures),
                        f"Metod: {finding.source}",
                    ),
                    BulletList(tuple(finding.reading)),
                )
    responses = SteeringResponse.objects.filter(partnership=partnership, cycle=cycle)
    answer = doc.section("Styrgruppens svar")
    for r in responses:
        answer.add(
            Paragraph(f"{_date(r.date)}: {r.response}"),
            Paragraph(f"Beslut: {r.decisions or '–'}", "note"),
        )
    if not responses:
        answer.add(Paragraph("Styrgruppen har ännu inte svarat på uppföljningen.", "note"))
    return doc


def _withheld_note(threshold: int) -> Paragraph:
    # Every figure of the evaluation (the counts, the change, the estimates and their
    # readings) would give a small count back: the public edition says only that.
    return Paragraph(
        f"Antalen i jämförelsen är så små (under {threshold}) att de inte redovisas "
        "i den offentliga versionen, och inte heller förändringen eller de "
        "statistiska skattningarna, eftersom antalen kan räknas fram ur dem. "
        "Resultatet finns i den interna versionen.",
        "note",
    )


def _evaluation_chart(ev: Any, edition: str) -> Block:
    """The evaluation's counts before and after, the treated area's and the control's."""
    labels = [f"{ev.treated_area} {ev.period_before}", f"{ev.treated_area} {ev.period_after}"]
    values = [ev.treated_before, ev.treated_after]
    if ev.has_control():
        labels += [
            f"{ev.control_area} {ev.period_before}",
            f"{ev.control_area} {ev.period_after}",
        ]
        values += [ev.control_before, ev.control_after]
    return _count_chart(
        Counter(dict(zip(labels, values, strict=True))),
        edition,
        sensitive=True,
        caption=f"{ev.indicator} före och efter",
        source=ev.source or "Källa: effektuppföljningen i Samverkan",
        axis_label="Antal",
    )


def evaluation_blocks(ev: Any, edition: str, to: audience.Audience | None = None) -> list[Block]:
    """One effect follow-up as blocks: what was compared, the counts as a chart and each
    method's figures with its reading. In the public edition, an evaluation with a small count
    says only that (every figure here could give the count back)."""
    from samverkan.followup import services as follow

    threshold = settings.SMALL_COUNT_THRESHOLD
    to = to or audience.for_edition(edition, None, None)
    result = follow.evaluate(ev)
    blocks: list[Block] = [
        Paragraph(
            f"Mål: {ev.goal.text}. Jämförelse {ev.period_before} → "
            f"{ev.period_after}. {ev.source}".strip(),
            "note",
        )
    ]
    if to.withholds_counts(*follow.counts_of(ev)):
        # Every figure here (the counts, the change, the estimates and their readings)
        # would give a small count back: the public edition says only that.
        blocks.append(_withheld_note(threshold))
        return blocks
    blocks.append(Paragraph(f"{result.verdict.sentence} {result.verdict.certainty}", "lead"))
    blocks.append(_evaluation_chart(ev, edition))
    for finding in result.findings:
        blocks.append(
            Table(
                finding.method,
                ("Mått", "Värde"),
                tuple(finding.figures),
                f"Metod: {finding.source}",
            )
        )
        blocks.append(BulletList(tuple(finding.reading)))
    return blocks
