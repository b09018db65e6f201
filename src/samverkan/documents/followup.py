"""The follow-up report to the steering group: process and effect follow-up."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings

from samverkan.analysis.reading import swedish_number as number
from samverkan.analysis.suppression import disclosive
from samverkan.documents.data import (
    PUBLIC,
    _base,
    _count_chart,
    _date,
    _may_see,
    _withheld,
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
    # Counts under the threshold are withheld from the public edition, the verdict included:
    # it quotes the result.
    withheld = {
        ev.pk
        for ev in evaluations
        if edition == PUBLIC and disclosive(*follow.counts_of(ev), threshold=threshold)
    }
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
    process = follow.process_followup(partnership)
    rows = []
    for state in process.states:
        m = state.measure
        planned = f"{_date(m.starts_on)} – {_date(m.ends_on)}" if m.starts_on else "–"
        if _may_see(m, user, edition):
            status = state.progress.get_status_display()
            if state.progress.reason:
                status += f": {state.progress.reason}"
            rows.append((str(m.number), m.title, planned, status, str(state.entries)))
        else:
            rows.append(
                (str(m.number), _withheld(m), planned, state.progress.get_status_display(), "–")
            )
    section = doc.section(
        "Processuppföljning",
        Paragraph(
            f"{process.carried_out} åtgärder är genomförda, {process.other} pågår eller väntar och "
            f"{process.dropped} är avbrutna; {process.late} är försenade."
        ),
    )
    section.add(
        Table(
            "Åtgärder: planerat mot genomfört",
            ("Nr", "Åtgärd", "Planerat", "Status", "Loggposter"),
            tuple(rows),
            "Källa: åtgärdernas aktivitetslogg i Samverkan",
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


def evaluation_blocks(ev: Any, edition: str) -> list[Block]:
    """One effect follow-up as blocks: what was compared, the counts as a chart and each
    method's figures with its reading. In the public edition, an evaluation with a small count
    says only that (every figure here could give the count back)."""
    from samverkan.followup import services as follow

    threshold = settings.SMALL_COUNT_THRESHOLD
    result = follow.evaluate(ev)
    blocks: list[Block] = [
        Paragraph(
            f"Mål: {ev.goal.text}. Jämförelse {ev.period_before} → "
            f"{ev.period_after}. {ev.source}".strip(),
            "note",
        )
    ]
    if edition == PUBLIC and disclosive(*follow.counts_of(ev), threshold=threshold):
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
