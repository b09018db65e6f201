"""The 5I write-up: telling others what the partnership did and what it gave.

The 5Is (Intelligence, Intervention, Implementation, Involvement, Impact; Ekblom 2011, *Crime
Prevention, Security and Community Safety Using the 5Is Framework*) is the problem-oriented
policing format for passing on practice. Each part is drafted here from the partnership's own
data (step 3's problem picture and causes, the measures and their mechanisms, step 4's log,
the parties and groups of step 1, step 5's effect follow-up) and stored as a
``WriteUpSection`` that the coordinator reviews and edits.

The drafted text is written for every reader: it names no confidential cause or measure,
draws on no party's unreleased mapping, prints no count under SMALL_COUNT_THRESHOLD (nor
anything computed from one) and names no person. The tables that carry the details are built
with the document, per edition and reader (documents/fem_i.py).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from samverkan.analysis.suppression import disclosive
from samverkan.followup.models import (
    WRITE_UP_SLUGS,
    EffectEvaluation,
    SteeringResponse,
    WriteUpPart,
    WriteUpSection,
)
from samverkan.lib.versioning import EditConflict
from samverkan.partnerships.models import Partnership

PARTS = list(WriteUpPart)
HEADINGS = {
    WriteUpPart.INTELLIGENCE: "Underrättelser – problemet och dess orsaker",
    WriteUpPart.INTERVENTION: "Insats – åtgärderna och hur de ska verka",
    WriteUpPart.IMPLEMENTATION: "Införande – hur åtgärderna genomfördes",
    WriteUpPart.INVOLVEMENT: "Involvering – vilka som deltog och hur",
    WriteUpPart.IMPACT: "Effekt – vad arbetet gav",
}
# What each part answers, shown beside the text while it is edited.
QUESTIONS = {
    WriteUpPart.INTELLIGENCE: "Vilket problem såg ni, hur stort var det, var och när, och vilka "
    "orsaker pekade analysen ut?",
    WriteUpPart.INTERVENTION: "Vad gjorde ni, mot vilka orsaker, och varför skulle det verka?",
    WriteUpPart.IMPLEMENTATION: "Hur genomfördes åtgärderna: i tid, som planerat, och vad avvek?",
    WriteUpPart.INVOLVEMENT: "Vilka deltog, med vilken roll, och hur samarbetade de?",
    WriteUpPart.IMPACT: "Vad hände med problemet, hur säkert är det och vilka förbehåll gäller?",
}
SLUG_PARTS = {slug: part for part, slug in WRITE_UP_SLUGS.items()}


def _date(value: Any) -> str:
    return date_format(value, "j F Y") if value else "–"


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} och {names[-1]}"


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _lower_first(text: str) -> str:
    text = _one_line(text)
    return text[:1].lower() + text[1:]


# ---- the draft ---------------------------------------------------------------------------------


def draft(partnership: Partnership) -> dict[str, str]:
    """Every part's text, written from the data as it is now (shared material only)."""
    return {
        WriteUpPart.INTELLIGENCE: _intelligence(partnership),
        WriteUpPart.INTERVENTION: _intervention(partnership),
        WriteUpPart.IMPLEMENTATION: _implementation(partnership),
        WriteUpPart.INVOLVEMENT: _involvement(partnership),
        WriteUpPart.IMPACT: _impact(partnership),
    }


def _open(items: Any) -> list[Any]:
    """The items a public audience receives (the draft is written for every reader)."""
    from samverkan.accounts import audience

    return [item for item in items if audience.public().receives(item)]


def _intelligence(partnership: Partnership) -> str:
    from samverkan.accounts import access
    from samverkan.documents.lagesbild import crime_table, scope_of
    from samverkan.problems.choices import Perspective, ProblemStatus
    from samverkan.problems.models import Cause, ProblemPicture

    threshold = settings.SMALL_COUNT_THRESHOLD
    out = [
        f"Samverkan ”{partnership.name}” gäller {scope_of(partnership)} och drivs av "
        f"{partnership.municipality} och {partnership.police_area}."
    ]
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    if picture and picture.text.strip():
        out.append("Den gemensamma problembilden, som parterna har enats om:")
        out.append(picture.text.strip())
    problems = list(partnership.problems.filter(status=ProblemStatus.PRIORITISED))
    if problems:
        out.append("Parterna prioriterade:")
        out.append(
            "\n".join(
                f"- {p.title}" + (f": {_one_line(p.description)}" if p.description else "")
                for p in problems
            )
        )
    # Reported crime from the mapping the parties released (never a party's private mapping),
    # only where both years' counts may be shown.
    parties = list(access.released_mapping_parties(partnership))
    if parties and problems:
        table = crime_table(parties, str(partnership.municipality))
        facts = []
        for problem in problems:
            counts = table.by_offence.get(problem.crime_type, {}) if problem.crime_type else {}
            years = sorted(y for y in counts if counts[y])
            if len(years) >= 2 and not disclosive(
                counts[years[0]], counts[years[-1]], threshold=threshold
            ):
                a, b = counts[years[0]], counts[years[-1]]
                facts.append(
                    f"{problem.crime_type} i {table.area}: {a} anmälda brott år {years[0]} och "
                    f"{b} år {years[-1]}."
                )
        if facts:
            out.append(" ".join(facts))
    causes = list(Cause.objects.filter(partnership=partnership).select_related("problem"))
    if causes:
        # Per perspective only the causes shown here: a total over all would give the
        # perspective of a confidential cause away.
        by = {key: sum(c.perspective == key for c in _open(causes)) for key in Perspective.values}
        out.append(
            f"Orsaksanalysen pekar ut {len(causes)} orsaker: {by[Perspective.SITUATION]} i "
            f"situationen, {by[Perspective.VICTIM]} hos de brottsutsatta och "
            f"{by[Perspective.OFFENDER]} hos gärningspersonerna."
        )
        shown = _open(causes)
        if shown:
            out.append(
                "\n".join(
                    f"- Orsak {c.number}: {_one_line(c.text)} ({c.get_proximity_display().lower()})"
                    for c in shown
                )
            )
        hidden = len(causes) - len(shown)
        if hidden:
            out.append(
                f"{hidden} {'orsak är' if hidden == 1 else 'orsaker är'} under sekretess och "
                "redovisas inte här."
            )
    else:
        out.append("Ingen orsaksanalys är registrerad ännu.")
    return "\n\n".join(out)


def _intervention(partnership: Partnership) -> str:
    from samverkan.problems.models import Measure

    measures = list(
        Measure.objects.filter(partnership=partnership)
        .select_related("responsible_party__organisation")
        .prefetch_related("causes")
    )
    if not measures:
        return "Inga åtgärder är beslutade ännu."
    out = [
        f"Samverkan beslutade {len(measures)} åtgärder mot de prioriterade problemen. Varje "
        "åtgärd riktas mot namngivna orsaker i orsaksanalysen."
    ]
    lines = []
    for m in _open(measures):
        causes = sorted(c.number for c in m.causes.all())
        text = f"- Åtgärd {m.number}: {_one_line(m.title)} ({m.responsible_party})."
        if causes:
            text += f" Riktad mot orsak {_and([str(n) for n in causes])}."
        text += (
            f" Så ska den verka: {_one_line(m.mechanism)}"
            if m.mechanism.strip()
            else " Hur den ska verka är inte beskrivet."
        )
        text += f" Kunskapsläge: {m.get_evidence_display().lower()}."
        lines.append(text.replace("..", "."))
    if lines:
        out.append("\n".join(lines))
    hidden = len(measures) - len(_open(measures))
    if hidden:
        out.append(
            f"{hidden} {'åtgärd är' if hidden == 1 else 'åtgärder är'} under sekretess eller "
            "redovisas inte offentligt och beskrivs inte här."
        )
    return "\n\n".join(out)


def _implementation(partnership: Partnership) -> str:
    from samverkan.accounts import audience
    from samverkan.followup import services
    from samverkan.implementation.models import ActivityEntry

    process = services.process_followup(partnership)
    if not process.states:
        return "Inga åtgärder är beslutade ännu, så inget har genomförts."
    # Written for every reader: only what a public audience receives, also in the totals.
    public = audience.public()
    view = audience.process_view(public, process)
    out = [
        f"Av {len(view.rows) - view.withheld} åtgärder som redovisas här är {view.carried_out} "
        f"genomförda, {view.other} pågår eller väntar och {view.dropped} avbrutna; "
        f"{view.late} är försenade mot planen."
    ]
    entries = list(
        ActivityEntry.objects.filter(measure__partnership=partnership)
        .filter(public.measure_q("measure__"))
        .select_related("measure")
        .order_by("date", "id")
        .distinct()
    )
    if entries:
        out.append(
            f"Aktivitetsloggen för åtgärderna som redovisas här har {len(entries)} "
            f"poster från {_date(entries[0].date)} till {_date(entries[-1].date)}."
        )
    else:
        out.append("Aktivitetsloggen har inga poster ännu.")
    status_lines = []
    for state in process.states:
        m = state.measure
        if not public.receives(m):
            continue
        line = f"- Åtgärd {m.number}: {state.progress.get_status_display().lower()}"
        if state.last_entry:
            line += f", senast loggad {_date(state.last_entry)}"
        if state.overdue:
            line += ", försenad"
        if state.progress.reason.strip():
            line += f" ({_one_line(state.progress.reason).rstrip('.')})"
        status_lines.append(line + ".")
    if status_lines:
        out.append("\n".join(status_lines))
    # A deviation already given as the measure's reason is not repeated.
    reasons = {_one_line(s.progress.reason) for s in process.states if public.receives(s.measure)}
    deviations = [
        e for e in entries if e.deviation.strip() and _one_line(e.deviation) not in reasons
    ]
    if deviations:
        out.append("Avvikelser från planen, som de noterades i loggen:")
        out.append(
            "\n".join(
                f"- {_date(e.date)}, åtgärd {e.measure.number}: {_one_line(e.deviation)}"
                for e in deviations
            )
        )
    if process.production:
        out.append("Produktionen mot målen:")
        out.append(
            "\n".join(
                f"- {_one_line(p.goal.text)}: {p.done}"
                + (f" av {p.target:g}" if p.target is not None else "")
                + (f" {p.goal.unit}" if p.goal.unit else "")
                + "."
                for p in process.production
            )
        )
    return "\n\n".join(out)


def _involvement(partnership: Partnership) -> str:
    from django.db.models import Prefetch

    from samverkan.partnerships.choices import PartyKind
    from samverkan.partnerships.models import GroupMember

    parties = sorted(
        partnership.parties.select_related("organisation", "coordinator")
        .prefetch_related(
            "measures",
            "co_measures",
            Prefetch("group_seats", queryset=GroupMember.objects.select_related("group")),
        )
        .order_by("id"),
        key=lambda p: p.kind != PartyKind.SIGNATORY,
    )
    out = []
    signing = [str(p) for p in parties if p.kind == PartyKind.SIGNATORY]
    others = [str(p) for p in parties if p.kind != PartyKind.SIGNATORY]
    if signing:
        out.append(f"Samverkansöverenskommelsen undertecknades av {_and(signing)}.")
    if others:
        out.append(f"Övriga parter: {_and(others)}.")
    lines = []
    for party in parties:
        own = sorted(m.number for m in _open(party.measures.all()))
        joint = sorted(m.number for m in _open(party.co_measures.all()))
        groups = sorted({str(m.group.name) for m in party.group_seats.all()})
        parts = []
        if party.contribution.strip():
            parts.append(_one_line(party.contribution))
        if own:
            parts.append(f"ansvarar för åtgärd {_and([str(n) for n in own])}")
        if joint:
            parts.append(f"medverkar i åtgärd {_and([str(n) for n in joint])}")
        if groups:
            parts.append(f"finns med i {_and(groups)}")
        if party.coordinator_or_none():
            parts.append("har en samordnare")
        if parts:
            lines.append(f"- {party}: " + "; ".join(parts) + ".")
    if lines:
        out.append("Parternas roller:")
        out.append("\n".join(lines))
    all_groups = list(partnership.groups.all())
    if all_groups:
        out.append("Grupperna:")
        out.append(
            "\n".join(
                f"- {g.name} ({g.get_kind_display().lower()})"
                + (f": {_one_line(g.mandate)}" if g.mandate.strip() else "")
                + (f" Möts {_lower_first(g.meeting_frequency)}." if g.meeting_frequency else "")
                for g in all_groups
            )
        )
    return "\n\n".join(out) or "Inga parter är registrerade ännu."


def _impact(partnership: Partnership) -> str:
    from samverkan.followup import services

    threshold = settings.SMALL_COUNT_THRESHOLD
    evaluations = list(
        EffectEvaluation.objects.filter(partnership=partnership).select_related("goal")
    )
    if not evaluations:
        return "Ingen effektuppföljning är registrerad ännu, så effekten kan inte beskrivas."
    out = []
    for ev in evaluations:
        head = f"{ev.indicator} i {ev.treated_area}, {ev.period_before} mot {ev.period_after}"
        if disclosive(*services.counts_of(ev), threshold=threshold):
            out.append(
                f"{head}: antalen är så små (under {threshold}) att de inte redovisas här, och "
                "inte heller förändringen. Med så små tal går det inte att säga något säkert "
                "om effekten."
            )
            continue
        result = services.evaluate(ev)
        text = f"{head}: från {ev.treated_before} till {ev.treated_after}"
        if result.change_percent is not None:
            text += f" ({result.change_text})"
        text += "."
        if ev.has_control():
            text += (
                f" I kontrollområdet {ev.control_area}: från {ev.control_before} till "
                f"{ev.control_after}."
            )
        if result.verdict:
            text += f" {result.verdict.sentence} {result.verdict.certainty}"
        out.append(text)
        caveats = _caveats(ev)
        if caveats:
            out.append("\n".join(f"- {c}" for c in caveats))
    responses = SteeringResponse.objects.filter(partnership=partnership).order_by("-date")
    latest = responses.first()
    if latest is not None:
        out.append(f"Styrgruppens bedömning ({_date(latest.date)}): {_one_line(latest.response)}")
    return "\n\n".join(out)


def _caveats(ev: EffectEvaluation) -> list[str]:
    """The caveats that hold for this comparison (handbook p. 90–92), in plain words."""
    from samverkan.followup import services
    from samverkan.followup.models import Interpretation

    out = [services.REPORTING_CAVEAT]
    if ev.interpretation == Interpretation.POLICE_INITIATED:
        out.append(
            "Brotten upptäcks främst genom polisens egna insatser: fler eller färre anmälningar "
            "kan spegla hur mycket polisen arbetade, inte hur många brotten var."
        )
    if not ev.has_control():
        out.append(
            "Det finns inget kontrollområde, så förändringen kan inte skiljas från sådant som "
            "hände i hela kommunen samtidigt."
        )
    if not ev.has_buffer():
        out.append("Om brotten flyttade till omgivande områden är inte undersökt.")
    if ev.selected_for_high_level:
        out.append(
            "Området valdes för att brotten var ovanligt många; sådana toppar sjunker ofta av "
            "sig själva (regression mot medelvärdet)."
        )
    return out


# ---- confidential items quoted in a text --------------------------------------------------------

# Five words in a row from a confidential item are telling ("uppsökande samtal med de tre");
# four are often a place ("på gatorna L och M") that the shared problem picture names too.
_WINDOW = 5
_MIN_CHARS = 20


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", (text or "").casefold())


def _fragments(item: Any) -> set[str]:
    """The phrases of a confidential item that a shared text must not repeat: every run of
    five words in its wording (its text, or its title, what is done and its mechanism)."""
    fields = (
        [item.text, item.risk_factors, item.protective_factors]
        if hasattr(item, "risk_factors")
        else [item.title, item.how_what, item.mechanism, item.evidence_note]
    )
    out = set()
    for value in fields:
        words = _words(value)
        if len(words) < _WINDOW and len(" ".join(words)) >= _MIN_CHARS:
            out.add(" ".join(words))
        for i in range(len(words) - _WINDOW + 1):
            phrase = " ".join(words[i : i + _WINDOW])
            if len(phrase) >= _MIN_CHARS:
                out.add(phrase)
    return out


def confidential_items(partnership: Partnership) -> list[Any]:
    """The partnership's confidential causes, then its confidential measures."""
    from samverkan.problems.models import Cause, Measure

    return [
        item
        for model in (Cause, Measure)
        for item in model.objects.filter(partnership=partnership, confidential=True)
    ]


def quoted_items(
    partnership: Partnership, text: str, confidential: list[Any] | None = None
) -> list[Any]:
    """The confidential causes and measures whose wording ``text`` repeats (``confidential``:
    ``confidential_items(partnership)`` when the caller judges several texts)."""
    haystack = f" {' '.join(_words(text))} "
    if not haystack.strip():
        return []
    if confidential is None:
        confidential = confidential_items(partnership)
    return [
        item
        for item in confidential
        if any(f" {phrase} " in haystack for phrase in _fragments(item))
    ]


def may_show(partnership: Partnership, text: str, user: Any, public: bool) -> bool:
    """Whether a stored text may be shown: in public, only if it quotes no confidential item;
    to a member, only if it quotes none that the member may not see."""
    return _may_read(partnership, quoted_items(partnership, text), user, public)


def _may_read(partnership: Partnership, quoted: list[Any], user: Any, public: bool) -> bool:
    from samverkan.accounts import access

    for item in quoted:
        if public or (user is not None and not access.may_see_item(user, item, partnership)):
            return False
    return True


def small_counts_quoted(partnership: Partnership, text: str) -> list[EffectEvaluation]:
    """Effect follow-ups with a small count that a hand-written (impact) text seems to give.

    Telling: the text names the evaluation's indicator or area, and holds a number under the
    threshold or a percentage (which can give a small count back). Whether an evaluation has a
    small count is no secret (its table says so); the test never looks at the counts' values,
    so withholding a text tells nothing about them.
    """
    from samverkan.followup import services

    threshold = settings.SMALL_COUNT_THRESHOLD
    haystack = " ".join((text or "").casefold().split())
    numbers = {int(n) for n in re.findall(r"(?<![\d,.])\d{1,6}(?![\d,.])", haystack)}
    telling = "%" in haystack or any(0 < n < threshold for n in numbers)
    if not telling:
        return []
    found = []
    for ev in EffectEvaluation.objects.filter(partnership=partnership):
        if not disclosive(*services.counts_of(ev), threshold=threshold):
            continue
        if any(
            " ".join(name.casefold().split()) in haystack
            for name in (ev.indicator, ev.treated_area)
            if name.strip()
        ):
            found.append(ev)
    return found


def blocks(text: str) -> list[Any]:
    """A stored text as paragraphs and lists, the way the documents print it."""
    from samverkan.documents.data import _blocks

    return _blocks(text) if text.strip() else []


# ---- the stored sections ------------------------------------------------------------------------


@dataclass
class SectionState:
    """One part as a reader sees it: stored text (or the fresh draft) and what to say about it."""

    part: str
    number: int
    label: str
    heading: str
    question: str
    slug: str
    stored: WriteUpSection | None
    text: str  # what is shown and printed: the stored text, else the fresh draft
    fresh: str  # the draft from the data as they are now
    visible: bool = True  # False: the text quotes something the reader may not see
    public_ok: bool = True  # False: the text quotes a confidential item (withheld in public)
    small_counts: list[Any] = field(default_factory=list)
    blocks: list[Any] = field(default_factory=list)  # the text as paragraphs, for a page
    # Publication (accounts/audience.py): approval state, the text's digest, and whether the
    # reader is a leader who may approve it.
    approval: Any = None
    digest: str = ""
    may_approve: bool = False
    # audience.touch_basis of the request, for judging the text again (approval_of).
    touch_basis: Any = field(default=None, repr=False, compare=False)
    # For a public reader: every 5I approval of the partnership, read once (approval_of).
    approvals: Any = field(default=None, repr=False, compare=False)

    @property
    def reviewed(self) -> bool:
        return self.stored is not None

    @property
    def differs(self) -> bool:
        return self.stored is not None and self.stored.text.strip() != self.fresh.strip()

    @property
    def changes(self) -> list[str]:
        """What drafting again would change: removed (−) and added (+) lines."""
        before = self.stored.text.splitlines() if self.stored else []
        return line_changes(before, self.fresh.splitlines())


def line_changes(before: list[str], after: list[str]) -> list[str]:
    out = []
    for line in difflib.unified_diff(before, after, lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")) or not line[1:].strip():
            continue
        out.append(line)
    return out


def sections(
    partnership: Partnership, user: Any = None, public: bool = False
) -> list[SectionState]:
    """The five parts in order, each with its stored text or, until reviewed, the draft."""
    from samverkan.accounts import audience
    from samverkan.problems.models import Cause, Measure

    stored = {s.part: s for s in partnership.write_up_sections.all()}
    fresh = draft(partnership)
    # The five texts are judged against the same items: read them once.
    causes = list(Cause.objects.filter(partnership=partnership))
    measures = list(Measure.objects.filter(partnership=partnership))
    confidential = [c for c in causes if c.confidential] + [m for m in measures if m.confidential]
    basis = audience.touch_basis(partnership, causes, measures)
    approvals = audience.all_approvals(partnership) if public else None
    out = []
    for number, part in enumerate(PARTS, start=1):
        record = stored.get(part)
        text = record.text if record is not None else fresh[part]
        state = SectionState(
            part=part,
            number=number,
            label=str(part.label),
            heading=HEADINGS[part],
            question=QUESTIONS[part],
            slug=WRITE_UP_SLUGS[part],
            stored=record,
            text=text,
            fresh=fresh[part],
            touch_basis=basis,
            approvals=approvals,
        )
        quoted = quoted_items(partnership, text, confidential)
        state.public_ok = not quoted
        # A retelling in other words (a confidential item's distinctive word, or its number,
        # accounts/audience.touched_items) is withheld from a member who may not see the item.
        # For the public, it is what the approval of the holding party's leader is for.
        retold = [
            item
            for item in audience.touched_items(partnership, text, basis)
            if item.confidential and item not in quoted
        ]
        state.visible = _may_read(partnership, quoted + ([] if public else retold), user, public)
        if (
            part == WriteUpPart.IMPACT
            and record is not None
            and text.strip() != fresh[part].strip()
        ):
            # A draft is written without small counts; a text changed since may hold some.
            state.small_counts = small_counts_quoted(partnership, text)
        out.append(state)
    return out


def section_to_edit(partnership: Partnership, part: str) -> WriteUpSection:
    """The stored part, or (not stored yet) a new one holding the draft: saving stores it."""
    record = WriteUpSection.objects.filter(partnership=partnership, part=part).first()
    if record is None:
        record = WriteUpSection(
            partnership=partnership,
            part=part,
            text=draft(partnership)[part],
            drafted_at=timezone.now(),
        )
    return record


def save_edited(form: Any) -> WriteUpSection | None:
    """Save a part from its valid form (``WriteUpSectionForm``) as edited by hand; None, with
    the form's error, if someone else changed it, or stored it first, since it was read."""
    from samverkan.lib.versioning import save_versioned

    section = form.save(commit=False)
    section.edited = True
    try:
        with transaction.atomic():
            save_versioned(section, form.cleaned_data.get("version"))
    except (EditConflict, IntegrityError):
        # IntegrityError: someone stored this part first, while the form was open.
        form.add_error(None, EditConflict.message)
        return None
    return section


@transaction.atomic
def redraft(partnership: Partnership, chosen: dict[str, Any]) -> list[WriteUpSection]:
    """Replace the chosen parts with a fresh draft; ``chosen`` maps each part to the version
    the editor saw ("" for a part not stored when the page was shown).

    All or nothing: if any chosen part changed since the page was shown, nothing is saved
    and EditConflict is raised.
    """
    fresh = draft(partnership)
    now = timezone.now()
    saved = []
    for part, seen in chosen.items():
        if part not in fresh:
            raise ValueError(f"unknown part {part!r}")
        record = (
            WriteUpSection.objects.select_for_update()
            .filter(partnership=partnership, part=part)
            .first()
        )
        if record is None:
            if str(seen or ""):
                raise EditConflict  # it was there when the page was shown: deleted since
            try:
                with transaction.atomic():
                    record = WriteUpSection.objects.create(
                        partnership=partnership, part=part, text=fresh[part], drafted_at=now
                    )
            except IntegrityError as exc:  # someone created it in between
                raise EditConflict from exc
        else:
            if str(record.version) != str(seen or ""):
                raise EditConflict
            record.text, record.drafted_at, record.edited = fresh[part], now, False
            record.version += 1
            record.save(update_fields=["text", "drafted_at", "edited", "version", "updated_at"])
        saved.append(record)
    return saved
