"""One data function per document. Each returns a plain ``Document`` (see structure.py).

Editions: INTERNAL holds everything the viewer may see; PUBLIC holds no confidential cause
or measure (each is replaced by a neutral note naming the party that holds it) and no small
counts. The same function serves the page, the PDF and the Word file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from samverkan.accounts import access
from samverkan.analysis.suppression import disclosive
from samverkan.documents import charts
from samverkan.documents.structure import (
    BulletList,
    Chart,
    Document,
    Paragraph,
    Section,
    Signatures,
    Signer,
    Table,
)
from samverkan.partnerships.choices import GroupKind
from samverkan.partnerships.models import Partnership, Party
from samverkan.problems.choices import ProblemStatus
from samverkan.problems.models import Cause, Measure, ProblemPicture

INTERNAL, PUBLIC = "internal", "public"
EDITIONS = {INTERNAL: "Intern version", PUBLIC: "Offentlig version"}
KINDS = {
    "agreement": "Samverkansöverenskommelse",
    "lagesbild": "Lägesbild",
    "atgardsplan": "Åtgärdsplan",
    "medborgarlofte": "Medborgarlöfte",
    "followup": "Uppföljningsrapport",
}
SOURCE_PARTNERSHIP = "Källa: Samverkans egna uppgifter i Samverkan"


def build(kind: str, partnership: Partnership, edition: str, user: Any = None) -> Document:
    """Build document ``kind`` for the viewer ``user`` (None: an operator at the command line)."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown document kind {kind!r}; choose one of {', '.join(KINDS)}")
    if edition not in EDITIONS:
        raise ValueError(f"unknown edition {edition!r}; choose internal or public")
    doc = BUILDERS[kind](partnership, edition, user)
    if edition == INTERNAL and doc.gaps:
        _gap_section(doc)
    return doc.number()


def _date(value: Any) -> str:
    return date_format(value, "j F Y") if value else "–"


MISSING = "uppgift saknas"


def _need(doc: Document, value: Any, what: str) -> str:
    """``value`` as text, or a visible "uppgift saknas" with the gap recorded for the
    internal edition's "Saknas" page (a silent dash hides that the data is incomplete)."""
    text = str(value).strip() if value is not None else ""
    if text:
        return text
    if what not in doc.gaps:
        doc.gaps.append(what)
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


def _may_see(item: Cause | Measure, user: Any, edition: str) -> bool:
    """Whether a possibly confidential item may be shown in full in this edition."""
    if not item.confidential:
        return True
    if edition == PUBLIC:
        return False
    if user is None:
        return True
    return access.may_see_item(user, item)


def _holder(item: Cause | Measure) -> str:
    party = item.allowed_parties.select_related("organisation").first()
    if party is None and isinstance(item, Measure):
        party = item.responsible_party
    return str(party) if party else "den ansvariga parten"


def _withheld(item: Cause | Measure) -> str:
    noun = "Orsaken" if isinstance(item, Cause) else "Åtgärden"
    return (
        f"{noun} rör enskilda personer och omfattas av sekretess. Den redovisas inte här; "
        f"uppgifterna finns hos {_holder(item)}."
    )


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
            "municipality": str(partnership.municipality),
            "police_area": str(partnership.police_area),
            "edition_label": EDITIONS[edition],
        },
        sender=f"{partnership.municipality} och {partnership.police_area}",
        logo=settings.DOCUMENT_LOGO,
    )
    if decided_on:
        doc.decided = f"Fastställd av {body} den {_date(decided_on)}"
        doc.reference = reference
    elif kind in DECIDED_KINDS:
        doc.draft = True
    return doc


# The documents a decision fixes; the others (medborgarlöfte, follow-up report) are dated
# the day they are made.
DECIDED_KINDS = ("agreement", "lagesbild", "atgardsplan")


def _decision_of(kind: str, partnership: Partnership) -> tuple[str, Any, str]:
    """(body, date, diarienummer) of the decision that fixed the document, or ("", None, "")."""
    from samverkan.documents.models import DocumentDecision

    if kind == "agreement":
        decision = partnership.collaboration_decision()
        if decision:
            return decision.body, decision.decided_on, decision.reference
    elif kind in DECIDED_KINDS:
        record = DocumentDecision.objects.filter(partnership=partnership, kind=kind).first()
        if record:
            return record.body, record.decided_on, record.reference
    return "", None, ""


def _prioritised(partnership: Partnership) -> list[Any]:
    return list(partnership.problems.filter(status=ProblemStatus.PRIORITISED))


def _cause_rows(partnership: Partnership, edition: str, user: Any) -> tuple[tuple[str, ...], ...]:
    rows = []
    causes = Cause.objects.filter(partnership=partnership).select_related("problem")
    for cause in causes.prefetch_related("allowed_parties"):
        if _may_see(cause, user, edition):
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
            rows.append((str(cause.number), _withheld(cause), "–", "–", cause.problem.title))
    return tuple(rows)


def _measures(partnership: Partnership) -> list[Measure]:
    return list(
        Measure.objects.filter(partnership=partnership)
        .select_related("responsible_party__organisation", "problem")
        .prefetch_related("causes", "allowed_parties", "co_parties", "goals")
    )


def _measure_rows(partnership: Partnership, edition: str, user: Any) -> tuple[tuple[str, ...], ...]:
    rows = []
    for m in _measures(partnership):
        period = f"{_date(m.starts_on)} – {_date(m.ends_on)}" if m.starts_on else "–"
        if _may_see(m, user, edition):
            causes = ", ".join(str(n) for n in m.causes_answered())
            rows.append((str(m.number), m.title, causes, str(m.responsible_party), period))
        else:
            rows.append((str(m.number), _withheld(m), "–", str(m.responsible_party), "–"))
    return tuple(rows)


def _goal_rows(partnership: Partnership) -> tuple[tuple[str, ...], ...]:
    def number(value: Decimal | None, unit: str) -> str:
        return "–" if value is None else f"{value.normalize():f} {unit}".strip()

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
            _need(doc, "", f"Uppföljning av målet ”{short}”: hur och av vem (Steg 3, Mål)")
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
            _need(doc, "", f"Namn på {who}")
        if doc is not None and not p.signatory_title:
            _need(doc, "", f"Befattning för {who}")
        title = p.signatory_title or "Behörig företrädare"
        signers.append(Signer(title, p.signatory_name, str(p.organisation)))
    return tuple(signers)


# ---- samverkansöverenskommelse -------------------------------------------------------------


def agreement(partnership: Partnership, edition: str, user: Any) -> Document:
    doc = _base(
        "agreement",
        partnership,
        edition,
        f"mellan {partnership.municipality} och {partnership.police_area}",
    )
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
        _need(doc, "", "Beslutet om samverkan (Steg 1, Beslut)")
    if partnership.purpose:
        part1.sub("Syfte", Paragraph(partnership.purpose))
    parties = partnership.parties.select_related("organisation")
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
                    else _need(doc, "", f"Samordnare för {p.organisation} (Steg 1, Samordnare)")
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
            _measure_rows(partnership, edition, user),
            SOURCE_PARTNERSHIP,
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
        else _need(doc, "", "Slutdatum för överenskommelsens giltighet (Steg 1, Samverkan)")
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
        _need(doc, "", "Gemensam problembild (Steg 3, Problembild)")
    if picture and picture.conditions:
        appendix1.sub("Förutsättningar", *_blocks(picture.conditions))
    appendix1.sub(
        "Orsaker",
        Table(
            "Orsaksanalys",
            ("Nr", "Orsak", "Perspektiv", "Närhet", "Problem"),
            _cause_rows(partnership, edition, user),
            SOURCE_PARTNERSHIP,
        ),
    )
    perspectives = Counter(
        c.get_perspective_display() for c in Cause.objects.filter(partnership=partnership)
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
    measures = _measures(partnership)
    for party in parties:
        own = [m for m in measures if m.responsible_party_id == party.pk]
        if not own:
            continue
        rows = []
        for m in own:
            if _may_see(m, user, edition):
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
                rows.append((str(m.number), _withheld(m), "–", "–", "–", "–"))
        appendix2.sub(
            str(party),
            Table(
                f"Åtaganden för {party}",
                ("Nr", "Åtgärd", "När", "Timmar", "Kostnad", "Klart"),
                tuple(rows),
                SOURCE_PARTNERSHIP,
            ),
        )
    per_party = Counter(str(m.responsible_party) for m in measures)
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
    return "–" if value is None else f"{value.normalize():f}"


def _money(value: Decimal | None) -> str:
    return "–" if value is None else f"{int(value):,} kr".replace(",", " ")


# ---- lägesbild (Lag 2023:196, 4 §) ------------------------------------------------------------


def lagesbild(partnership: Partnership, edition: str, user: Any) -> Document:
    """See documents/lagesbild.py (one module per document; imported here when built)."""
    from samverkan.documents.lagesbild import lagesbild as build_lagesbild

    return build_lagesbild(partnership, edition, user)


# ---- åtgärdsplan (Lag 2023:196, 5 §) ----------------------------------------------------------


def atgardsplan(partnership: Partnership, edition: str, user: Any) -> Document:
    """See documents/atgardsplan.py."""
    from samverkan.documents.atgardsplan import atgardsplan as build_atgardsplan

    return build_atgardsplan(partnership, edition, user)


def _decision_block(doc: Document, partnership: Partnership, kind: str) -> None:
    """The decision and the next review, last in the document (the cover names the decision;
    until there is one, the cover marks the document as a draft)."""
    from samverkan.documents.models import DocumentDecision

    record = DocumentDecision.objects.filter(partnership=partnership, kind=kind).first()
    if record is None:
        return
    lines = [
        f"{KINDS[kind]} fastställdes av {record.body} den {_date(record.decided_on)}"
        + (f", diarienummer {record.reference}." if record.reference else ".")
    ]
    if record.next_update_due:
        lines.append(f"Nästa uppdatering senast {_date(record.next_update_due)}.")
    doc.section("Beslut och uppdatering", *[Paragraph(line, "note") for line in lines])


# ---- medborgarlöfte ---------------------------------------------------------------------------


def medborgarlofte(partnership: Partnership, edition: str, user: Any) -> Document:
    """The promises to residents, in the public wording the partnership chose for them.

    Nothing here is generated from the measures: a measure's title is working language and may
    describe police operations. Each promise gives its period, who stands behind it, how
    residents can follow it and where they can give feedback. Both editions read the same.
    """
    from samverkan.problems.models import CitizenPromise

    doc = _base(
        "medborgarlofte",
        partnership,
        edition,
        f"från {partnership.police_area} och {partnership.municipality}",
    )
    doc.toc = False
    promises = list(
        CitizenPromise.objects.filter(partnership=partnership).prefetch_related(
            "parties__organisation"
        )
    )
    problems = _prioritised(partnership)
    topic = ", ".join(p.title.lower() for p in problems) or "tryggheten i kommunen"
    doc.section(
        "Det här har vi sett",
        Paragraph(
            "Polisen och kommunen har tillsammans gått igenom läget och kommit fram till att "
            f"vi ska arbeta särskilt med {topic}."
        ),
    )
    if not promises:
        doc.section(
            "Det här lovar vi",
            Paragraph(
                "Inga löften är formulerade ännu. Skriv dem under Steg 3, Medborgarlöften.",
                "note",
            ),
        )
        return doc
    section = doc.section("Det här lovar vi")
    for number, promise in enumerate(promises, start=1):
        behind = _and_list([str(p) for p in promise.parties.all()])
        section.sub(
            f"Löfte {number}",
            *_blocks(promise.wording),
            Paragraph(
                f"Gäller {_date(promise.starts_on)} – {_date(promise.ends_on)}. "
                f"Bakom löftet står {behind}.",
                "note",
            ),
            Paragraph(f"Så får du veta hur det går: {promise.follow_up}"),
            Paragraph(f"Synpunkter: {promise.feedback}"),
        )
    doc.section("Underskrifter", Signatures(_signers(partnership)))
    return doc


def _and_list(names: list[str]) -> str:
    """ "A", "A och B", "A, B och C"."""
    if len(names) <= 1:
        return "".join(names) or "–"
    return f"{', '.join(names[:-1])} och {names[-1]}"


# ---- uppföljningsrapport ----------------------------------------------------------------------


def followup(partnership: Partnership, edition: str, user: Any) -> Document:
    """The report to the steering group: process and effect follow-up with their readings."""
    from samverkan.followup import services as follow
    from samverkan.followup.models import EffectEvaluation, SteeringResponse

    doc = _base("followup", partnership, edition, "till styrgruppen")
    steering = partnership.groups.filter(kind=GroupKind.STEERING).first()
    cycle = partnership.current_cycle()
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
    evaluations = EffectEvaluation.objects.filter(partnership=partnership).select_related("goal")
    threshold = settings.SMALL_COUNT_THRESHOLD
    for ev in evaluations:
        result = follow.evaluate(ev)
        sub = effect.sub(f"{ev.indicator}, {ev.treated_area}")
        sub.add(
            Paragraph(
                f"Mål: {ev.goal.text}. Jämförelse {ev.period_before} → "
                f"{ev.period_after}. {ev.source}".strip(),
                "note",
            )
        )
        if edition == PUBLIC and disclosive(*follow.counts_of(ev), threshold=threshold):
            # Every figure here (the counts, the change, the estimates and their readings)
            # would give a small count back: the public edition says only that.
            sub.add(
                Paragraph(
                    f"Antalen i jämförelsen är så små (under {threshold}) att de inte redovisas "
                    "i den offentliga versionen, och inte heller förändringen eller de "
                    "statistiska skattningarna, eftersom antalen kan räknas fram ur dem. "
                    "Resultatet finns i den interna versionen.",
                    "note",
                )
            )
            continue
        labels = [f"{ev.treated_area} {ev.period_before}", f"{ev.treated_area} {ev.period_after}"]
        values = [ev.treated_before, ev.treated_after]
        if ev.has_control():
            labels += [
                f"{ev.control_area} {ev.period_before}",
                f"{ev.control_area} {ev.period_after}",
            ]
            values += [ev.control_before, ev.control_after]
        sub.add(
            _count_chart(
                Counter(dict(zip(labels, values, strict=True))),
                edition,
                sensitive=True,
                caption=f"{ev.indicator} före och efter",
                source=ev.source or "Källa: effektuppföljningen i Samverkan",
                axis_label="Antal",
            )
        )
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
    if not evaluations:
        effect.add(Paragraph("Ingen effektuppföljning är registrerad ännu.", "note"))
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


def _count_chart(
    counts: Counter, edition: str, *, sensitive: bool = False, **chart: str
) -> Chart | Paragraph:
    """A bar chart of counts. Counts of people or events (``sensitive``) below the threshold
    are not shown in the public edition; counts of the partnership's own causes and measures
    point out nobody and are always shown."""
    if not counts:
        return Paragraph("Inga uppgifter ännu.", "note")
    threshold = settings.SMALL_COUNT_THRESHOLD
    if sensitive and edition == PUBLIC and disclosive(*counts.values(), threshold=threshold):
        return Paragraph(
            f"{chart['caption']}: antal under {threshold} redovisas inte i den offentliga "
            "versionen.",
            "note",
        )
    return charts.bar_chart(list(counts), list(counts.values()), **chart)


BUILDERS: dict[str, Callable[[Partnership, str, Any], Document]] = {
    "agreement": agreement,
    "lagesbild": lagesbild,
    "atgardsplan": atgardsplan,
    "medborgarlofte": medborgarlofte,
    "followup": followup,
}

__all__ = ["BUILDERS", "EDITIONS", "INTERNAL", "KINDS", "PUBLIC", "Party", "build"]
