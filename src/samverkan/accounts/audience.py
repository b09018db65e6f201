"""What each audience may receive: the one place outputs ask (issue 19, DESIGN.md).

``access.py`` decides who may *open* an item. This module decides what an *output* may *say*
to the audience it is made for. Every output (page, document edition, feed, export, API
answer) names an ``Audience`` and takes its items through the functions here:

- **PUBLIC** (public editions, the public promise pages and their Atom feed): no confidential
  item beyond one neutral line naming the party that holds it; no item that is not publishable
  (``Measure.publishable``: police operations are not made public), not even as a line, only a
  neutral count of how many are left out; no count under ``SMALL_COUNT_THRESHOLD``, and no
  figure or text from which one could be worked out; free text typed by people only where a
  leader of every party whose withheld items it touches has approved it, after ``check_text``.
- **PARTNERSHIP** (a plain member's pages, the API, internal editions for a member), **PARTY**
  (one party's members) and **COORDINATORS** (a user who edits): everything except the
  confidential items of parties the audience does not belong to, which are one neutral line
  with no title, period, status, counts or place. Small counts are shown: these audiences work
  with the figures.
- **REPORTER** (a field reporter with no other role): like a member for confidential items; it
  reads only the weekly picture (access.REPORTER_ACTIONS).

A withheld item and its line: "Åtgärd under sekretess (hos Lokalpolisområde Exempel)". Naming
the holding party is deliberate (the reader knows whom to ask, DESIGN.md "Documents"); nothing
else of the item is printed, because a status with dates is operational information.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from samverkan.accounts import access
from samverkan.analysis.suppression import disclosive

if TYPE_CHECKING:
    from samverkan.partnerships.models import Partnership, Party

PUBLIC = "public"
PARTNERSHIP = "partnership"
PARTY = "party"
COORDINATORS = "coordinators"
REPORTER = "reporter"
KINDS = {
    PUBLIC: "Allmänheten",
    PARTNERSHIP: "Samverkans medlemmar",
    PARTY: "En parts medlemmar",
    COORDINATORS: "Samordnarna",
    REPORTER: "Fältrapportören",
}


@dataclass(frozen=True)
class Audience:
    """Who an output is for. ``readers`` are the parties whose confidential items it may read;
    ``everything`` is an operator building an internal edition at the command line."""

    kind: str
    readers: frozenset[int] = frozenset()
    everything: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown audience {self.kind!r}; choose one of {', '.join(KINDS)}")

    @property
    def is_public(self) -> bool:
        return self.kind == PUBLIC

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    # -- items -----------------------------------------------------------------------------------

    def receives(self, item: Any) -> bool:
        """Whether the audience receives ``item`` (a cause, a measure or anything derived from
        one through ``visibility_parent``) in full."""
        if self.is_public:
            return not _confidential(item) and _publishable(item)
        if self.everything:
            return True
        return access.may_read(self.readers, access.restriction_of(item))

    def lists(self, item: Any) -> bool:
        """Whether the item appears at all: in full, or as its neutral line. A public audience
        never sees a not-publishable item, not even as a line."""
        return not self.is_public or _publishable(item)

    def measure_q(self, prefix: str = "") -> models.Q:
        """A queryset filter keeping the measures (or rows pointing at one through ``prefix``)
        this audience receives in full."""
        open_items = models.Q(**{f"{prefix}confidential": False})
        if self.is_public:
            return open_items & models.Q(**{f"{prefix}publishable": True})
        if self.everything:
            return models.Q()
        return open_items | models.Q(**{f"{prefix}allowed_parties__in": sorted(self.readers)})

    def cause_q(self, prefix: str = "") -> models.Q:
        open_items = models.Q(**{f"{prefix}confidential": False})
        if self.is_public:
            return open_items
        if self.everything:
            return models.Q()
        return open_items | models.Q(**{f"{prefix}allowed_parties__in": sorted(self.readers)})

    # -- counts ----------------------------------------------------------------------------------

    def withholds_counts(self, *counts: Any) -> bool:
        """Whether any of ``counts`` is too small for this audience (then nothing computed
        from them, and no place or category beside them, may be shown either)."""
        return self.is_public and disclosive(*counts, threshold=settings.SMALL_COUNT_THRESHOLD)


PUBLIC_AUDIENCE = Audience(PUBLIC)
OPERATOR = Audience(COORDINATORS, everything=True)


def public() -> Audience:
    return PUBLIC_AUDIENCE


def of_party(party: Party) -> Audience:
    return Audience(PARTY, frozenset({party.pk}))


def for_user(user: Any, partnership: Partnership) -> Audience:
    """The audience a viewing user belongs to in ``partnership``."""
    if not getattr(user, "is_authenticated", False):
        return PUBLIC_AUDIENCE
    readers = access.party_ids(user, partnership)
    if access.is_reporter_only(user, partnership):
        return Audience(REPORTER, readers)
    if access.can_edit(user, partnership):
        return Audience(COORDINATORS, readers)
    return Audience(PARTNERSHIP, readers)


def for_edition(edition: str, user: Any, partnership: Partnership | None) -> Audience:
    """The audience of a document edition: "public" is the public; an internal edition is for
    its reader (``None``: an operator at the command line, who gets everything)."""
    if edition == PUBLIC:
        return PUBLIC_AUDIENCE
    if user is None or partnership is None:
        return OPERATOR
    return for_user(user, partnership)


def _confidential(item: Any) -> bool:
    if item is None:
        return False
    if access.is_confidential_item(item):
        return bool(item.confidential)
    return bool(access.restriction_of(item))


def _publishable(item: Any) -> bool:
    """Only measures carry the flag; what derives from a measure inherits it."""
    while item is not None and not hasattr(item, "publishable"):
        parent = getattr(item, "visibility_parent", None)
        if not parent:
            return True
        item = getattr(item, parent, None)
    return item is None or bool(item.publishable)


# ---- the neutral line --------------------------------------------------------------------------


def with_holders(items: models.QuerySet) -> models.QuerySet:
    """Causes or measures with their allowed parties (and those parties' organisations), so
    that ``holder`` and ``access.restriction_of`` ask no query per item."""
    from django.db.models import Prefetch

    from samverkan.partnerships.models import Party

    return items.prefetch_related(
        Prefetch("allowed_parties", queryset=Party.objects.select_related("organisation"))
    )


def holder(item: Any) -> str:
    """The party that holds a withheld item (its allowed party, else the responsible one)."""
    if not item.pk:
        party = None
    elif "allowed_parties" in getattr(item, "_prefetched_objects_cache", {}):
        # Prefetched in the parties' usual order, as the query below would give them.
        party = next(iter(item.allowed_parties.all()), None)
    else:
        party = item.allowed_parties.select_related("organisation").first()
    if party is None:
        party = getattr(item, "responsible_party", None)
    return str(party) if party else "den ansvariga parten"


def neutral_line(item: Any) -> str:
    """The one line a withheld item becomes: no title, period, status, counts or place."""
    noun = "Åtgärd" if hasattr(item, "publishable") else "Orsak"
    return f"{noun} under sekretess (hos {holder(item)})"


def left_out_note(count: int, noun: str = "åtgärd") -> str:
    """The neutral count of items a public audience does not receive at all."""
    plural = {"åtgärd": "åtgärder", "orsak": "orsaker"}[noun]
    return (
        f"{count} {noun if count == 1 else plural} ingår inte i offentliga versioner "
        "(polisens operativa arbete eller uppgifter under sekretess)."
    )


@dataclass
class Entry:
    """One item as an audience receives it: in full (``item`` set) or as ``line``."""

    number: int
    item: Any
    full: bool
    line: str

    @property
    def text(self) -> str:
        """The title (text of a cause) in full, else the neutral line."""
        if not self.full:
            return self.line
        return str(getattr(self.item, "title", None) or getattr(self.item, "text", ""))

    def value(self, value: Any, blank: str = "–") -> Any:
        """A field of the item: itself when received in full, else ``blank``."""
        return value if self.full else blank


@dataclass
class Listing:
    """Items as an audience receives them, in order, with those it does not get at all."""

    entries: list[Entry]
    left_out: int = 0
    noun: str = "åtgärd"

    @property
    def full(self) -> list[Any]:
        return [e.item for e in self.entries if e.full]

    @property
    def withheld(self) -> int:
        return sum(not e.full for e in self.entries)

    @property
    def note(self) -> str:
        return left_out_note(self.left_out, self.noun) if self.left_out else ""

    def numbers(self) -> set[int]:
        return {e.number for e in self.entries}


def listing(audience: Audience, items: Any, noun: str = "åtgärd") -> Listing:
    """Causes or measures as ``audience`` receives them."""
    entries, left_out = [], 0
    for item in items:
        if not audience.lists(item):
            left_out += 1
            continue
        full = audience.receives(item)
        entries.append(Entry(item.number, item, full, "" if full else neutral_line(item)))
    return Listing(entries, left_out, noun)


# ---- process follow-up (status per measure) ----------------------------------------------------


@dataclass
class ProcessRow:
    """A measure's status as an audience receives it; withheld rows carry only ``line``."""

    entry: Entry
    state: Any

    @property
    def full(self) -> bool:
        return self.entry.full

    @property
    def number(self) -> int:
        return self.entry.number

    @property
    def title(self) -> str:
        return self.entry.text

    @property
    def measure(self) -> Any:
        return self.entry.item if self.full else None

    @property
    def starts_on(self) -> Any:
        return self.state.measure.starts_on if self.full else None

    @property
    def ends_on(self) -> Any:
        return self.state.measure.ends_on if self.full else None

    @property
    def status(self) -> str:
        return self.state.progress.get_status_display() if self.full else "–"

    @property
    def reason(self) -> str:
        return self.state.progress.reason if self.full else ""

    @property
    def overdue(self) -> bool:
        return bool(self.full and self.state.overdue)

    @property
    def entries(self) -> str:
        return str(self.state.entries) if self.full else "–"


@dataclass
class ProcessView:
    rows: list[ProcessRow]
    carried_out: int
    other: int
    dropped: int
    late: int
    left_out: int = 0
    withheld: int = 0
    production: list[Any] = field(default_factory=list)

    @property
    def summary(self) -> str:
        text = (
            f"{self.carried_out} åtgärder är genomförda, {self.other} pågår eller väntar och "
            f"{self.dropped} är avbrutna; {self.late} är försenade."
        )
        hidden = self.withheld + self.left_out
        if hidden:
            text += (
                f" {hidden} {'åtgärd' if hidden == 1 else 'åtgärder'} som inte redovisas här "
                "ingår inte i siffrorna."
            )
        return text


def process_view(audience: Audience, process: Any) -> ProcessView:
    """The process follow-up (followup.services.process_followup) for ``audience``: withheld
    measures keep only their neutral line, and the summary counts only what is shown (a total
    over every measure would give a withheld status away)."""
    from samverkan.implementation.models import Status

    rows, left_out = [], 0
    for state in process.states:
        m = state.measure
        if not audience.lists(m):
            left_out += 1
            continue
        full = audience.receives(m)
        rows.append(ProcessRow(Entry(m.number, m, full, "" if full else neutral_line(m)), state))
    shown = [r.state for r in rows if r.full]
    done = sum(s.progress.status == Status.DONE for s in shown)
    dropped = sum(s.progress.status == Status.CANCELLED for s in shown)
    return ProcessView(
        rows,
        carried_out=done,
        other=len(shown) - done - dropped,
        dropped=dropped,
        late=sum(bool(s.overdue) for s in shown),
        left_out=left_out,
        withheld=len(rows) - len(shown),
        production=list(process.production),
    )


# ---- free text that goes public ----------------------------------------------------------------
#
# A text typed by people (a 5I part) may retell what is withheld in other words ("De sex
# männen ... LVM-utredning. 3 av dem flyttade."), which no phrase match finds. So a public
# text needs an explicit approval, per part, by a leader of every party whose confidential or
# not-publishable items the text touches; ``check_text`` shows the approver what to look at.

# Words that point at measures against identified people or at police operations.
SENSITIVE_WORDS = re.compile(
    r"\b(lvm\w*|lvu\w*|spaning\w*|spana\w*|husrannsakan\w*|gripe\w*|gripna|gripits|"
    r"häktad\w*|häktning\w*|anhållen|anhållna|omhändert\w*|lagförd\w*|åtal\w*|"
    r"orosanmäl\w*|tvångsvård\w*|livsstilskriminell\w*|underrättelse\w*|infiltrat\w*|"
    r"informatör\w*|tips\w*\s+från)",
    re.IGNORECASE,
)
_MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
# A number that is a reference or a date, not a count: "åtgärd 3", "steg 2", "§ 3", "3 maj".
_REFERENCE_BEFORE = re.compile(
    r"(?:\b(?:åtgärd|åtgärderna|orsak|orsakerna|mål|målet|omgång|steg|del|bilaga|avsnitt|"
    r"kapitel|sida|punkt|nr|kl|klockan|version|vecka|v|lgh|nummer)|§)\.?\s*$",
    re.IGNORECASE,
)
_DATE_AFTER = re.compile(rf"^\s*({_MONTHS})\b", re.IGNORECASE)
# A lone digit 1-4: not part of a larger number, a date, a time, a decimal, a range, a share
# or a thousands group ("1 000").
_DIGIT_COUNT = re.compile(
    r"(?<![\w.,:/–-])[1-4](?![\w/–-]|[.,:]\w|\s*%|\s*procent|\s\d{3}\b)", re.IGNORECASE
)
# Swedish number words used as counts. "en" and "ett" are also the indefinite article, so
# they are flagged only where they count people ("en av dem", "bara en", "en person").
_WORD_COUNT = re.compile(r"\b(två|tre|fyra)\b", re.IGNORECASE)
_ONE_COUNT = re.compile(
    r"\b((bara|endast|enbart|totalt|sammanlagt|minst|högst|ytterligare)\s+(en|ett)\b"
    r"|(en|ett)\s+av\b"
    r"|(en|ett)\s+(person|man|kvinna|ungdom|pojke|flicka|familj|hushåll|individ|elev|barn|"
    r"fall|ärende|gripande|lägenhet|bostad)\b)",
    re.IGNORECASE,
)
# List numbering at the start of a line ("1. ", "2) ") is not a count.
_NUMBERING = re.compile(r"(?m)^(\s*)\d{1,3}[.)](?=\s)")


@dataclass(frozen=True)
class Flag:
    """One thing in a text an approver must look at: what and where (a quote)."""

    kind: str  # "count" or "word"
    quote: str

    @property
    def message(self) -> str:
        if self.kind == "count":
            return f"Litet antal: ”{self.quote}”"
        return f"Känsligt ord: ”{self.quote}”"


def _quote(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 25) : end + 25].split())


def check_text(text: str) -> list[Flag]:
    """Flag small counts (the digits 1–4 and the Swedish words for them used as counts) and
    sensitive words (LVM, LVU, spaning …) in a text meant for the public.

    False positives are kept low by leaving out references and dates ("åtgärd 3", "steg 2",
    "3 maj", "2026-05-01", "1,5 %", "1 000", list numbering "1."), and by flagging "en"/"ett"
    only where they count ("en av dem", "bara en", "en person"). The approver reads every
    flag; a flag does not block, it asks for a look.
    """
    text = text or ""
    masked = _NUMBERING.sub(lambda m: " " * len(m.group(0)), text)
    found: dict[int, Flag] = {}
    for pattern in (_DIGIT_COUNT, _WORD_COUNT, _ONE_COUNT):
        for match in pattern.finditer(masked):
            before = masked[max(0, match.start() - 20) : match.start()]
            if _REFERENCE_BEFORE.search(before) or _DATE_AFTER.match(masked[match.end() :]):
                continue
            found.setdefault(match.start(), Flag("count", _quote(text, *match.span())))
    for match in SENSITIVE_WORDS.finditer(text):
        found.setdefault(match.start(), Flag("word", _quote(text, *match.span())))
    return [found[k] for k in sorted(found)]


# -- which withheld items a text touches ---------------------------------------------------------

_STOP = frozenset(
    "alla andra annan anser avses bara blir både eller efter enligt finns genom gäller hela "
    "inför inget inom inte kring mellan minst mycket några också samma sedan sina skall under "
    "utan utifrån vilka vilken vilket varje äldre över dessa detta deras deras samt särskild "
    "särskilt riktad riktade åtgärd åtgärder orsak orsaker".split()
)
_REF = re.compile(r"\b(åtgärd|orsak)(?:erna|en|er)?\s+(?:nr\.?\s*)?(\d{1,4})\b", re.IGNORECASE)


def _words(text: str) -> set[str]:
    """The distinctive words of a text: five letters or more, and acronyms (LVM, LVU)."""
    words = re.findall(r"\w+", text or "")
    return {
        w.casefold() for w in words if len(w) >= 5 or (len(w) >= 3 and w.isupper() and w.isalpha())
    }


def _wording(item: Any) -> str:
    if hasattr(item, "publishable"):
        return " ".join((item.title, item.how_what, item.how_where, item.mechanism))
    return " ".join((item.text, item.risk_factors, item.protective_factors))


def touch_basis(
    partnership: Partnership, causes: list[Any] | None = None, measures: list[Any] | None = None
) -> tuple[list[Any], set[str]]:
    """What ``touched_items`` compares a text with: the withheld causes and measures, and the
    words every reader may see (empty when nothing is withheld). Computed once, it serves any
    number of texts of the same request (a page judging five texts asks the database once).
    ``causes`` and ``measures``: all of the partnership's, when the caller has read them."""
    from samverkan.problems.models import Cause, Measure

    if causes is None:
        causes = list(Cause.objects.filter(partnership=partnership))
    if measures is None:
        measures = list(Measure.objects.filter(partnership=partnership))
    withheld = [c for c in causes if c.confidential] + [
        m for m in measures if m.confidential or not m.publishable
    ]
    if not withheld:
        return [], set()
    shared: set[str] = set(_STOP)
    for item in [c for c in causes if not c.confidential] + [
        m for m in measures if not m.confidential and m.publishable
    ]:
        shared |= _words(_wording(item))
    # The joint material every reader has (problem picture, problems, goals, parties) may be
    # repeated freely too.
    for value in _shared_material(partnership):
        shared |= _words(value)
    return withheld, shared


def touched_items(
    partnership: Partnership,
    text: str,
    basis: tuple[list[Any], set[str]] | None = None,
) -> list[Any]:
    """The confidential and not-publishable causes and measures a text touches.

    "Touches": the text names the item by number ("åtgärd 5", "orsak 10"), or shares a
    distinctive word with its wording (five letters or more, or an acronym such as LVM; not a
    common word, and not found in the shared material or in the wording of the items a public
    audience receives, which may be repeated freely). ``basis``: ``touch_basis(partnership)``
    when the caller judges several texts.
    """
    from samverkan.problems.models import Measure

    withheld, shared = basis if basis is not None else touch_basis(partnership)
    if not withheld:
        return []
    words = _words(text)
    refs = {(kind.casefold(), int(n)) for kind, n in _REF.findall(text or "")}
    out = []
    for item in withheld:
        kind = "åtgärd" if isinstance(item, Measure) else "orsak"
        if (kind, item.number) in refs or (_words(_wording(item)) - shared) & words:
            out.append(item)
    return out


def _shared_material(partnership: Partnership) -> list[str]:
    from samverkan.problems.models import ProblemPicture

    out = [partnership.name, partnership.purpose, str(partnership.municipality)]
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    if picture is not None:
        out += [picture.text, picture.conditions]
    for problem in partnership.problems.all():
        out += [problem.title, problem.description]
    out += [goal.text for goal in partnership.goals.all()]
    out += [str(party) for party in partnership.parties.select_related("organisation")]
    return out


def parties_to_approve(
    partnership: Partnership, text: str, basis: tuple[list[Any], set[str]] | None = None
) -> list[Party]:
    """The parties whose leader must approve ``text`` for the public: the holders of every
    withheld item it touches (allowed parties of a confidential item, else the responsible
    party), or, when it touches none, any one leader of the partnership (``[]``)."""
    parties: dict[int, Party] = {}
    for item in touched_items(partnership, text, basis):
        holders = list(item.allowed_parties.all()) if item.confidential else []
        if not holders and getattr(item, "responsible_party", None) is not None:
            holders = [item.responsible_party]
        for party in holders:
            parties[party.pk] = party
    return sorted(parties.values(), key=lambda p: p.pk)


def digest(text: str) -> str:
    """What an approval is bound to: a changed text (beyond spacing) loses its approval."""
    return hashlib.sha256(" ".join((text or "").split()).encode()).hexdigest()


def leader_party_ids(user: Any, partnership: Partnership) -> frozenset[int]:
    """The parties in which ``user`` is a leader (administrator or coordinator)."""
    from samverkan.accounts.membership import led_party_ids

    return frozenset(led_party_ids(user, partnership))


@dataclass
class Approval:
    """Where a public text stands: who must approve it, who has, and what the check found."""

    flags: list[Flag]
    required: list[Any]  # parties whose leader must approve; [] means any one leader
    approved_by: dict[int, Any]  # party id -> approval record (for the current text only)

    @property
    def missing(self) -> list[Any]:
        return [p for p in self.required if p.pk not in self.approved_by]

    @property
    def approved(self) -> bool:
        if self.required:
            return not self.missing
        return bool(self.approved_by)


def all_approvals(partnership: Partnership, **lookups: Any) -> list[Any]:
    """The partnership's 5I approval records (narrowed by ``lookups``), with party and user."""
    from samverkan.followup.models import WriteUpApproval

    return list(
        WriteUpApproval.objects.filter(partnership=partnership, **lookups).select_related(
            "party__organisation", "approved_by"
        )
    )


def approval_of(
    partnership: Partnership,
    part: str,
    text: str,
    basis: tuple[list[Any], set[str]] | None = None,
    approvals: list[Any] | None = None,
) -> Approval:
    """The approval state of 5I part ``part`` with its current ``text`` (``basis``: see
    ``touched_items``; ``approvals``: ``all_approvals(partnership)``, when the caller judges
    several parts)."""
    current = digest(text)
    if approvals is None:
        approvals = all_approvals(partnership, part=part, text_digest=current)
    records = [r for r in approvals if r.part == part and r.text_digest == current]
    return Approval(
        check_text(text),
        parties_to_approve(partnership, text, basis),
        {r.party_id: r for r in records},
    )


def may_publish_text(
    partnership: Partnership,
    part: str,
    text: str,
    basis: tuple[list[Any], set[str]] | None = None,
    approvals: list[Any] | None = None,
) -> bool:
    """Whether a typed text may reach a public audience: approved as it reads now."""
    return approval_of(partnership, part, text, basis, approvals).approved


WITHHELD_TEXT = (
    "Avsnittets text är inte godkänd för publicering och redovisas därför inte i den "
    "offentliga versionen."
)


class ApprovalRefused(Exception):
    """An approval that may not be given; the message says why (Swedish)."""


def approve(
    partnership: Partnership, part: str, text: str, seen_digest: str, user: Any
) -> list[Any]:
    """Record ``user``'s approval of 5I part ``part`` for the public edition, for each party
    they lead among those that must approve it (or, when the text touches no withheld item,
    for the first party they lead). ``seen_digest`` is the text the approver read: if the text
    has changed since, nothing is recorded."""
    from samverkan.followup.models import WriteUpApproval

    if seen_digest != digest(text):
        raise ApprovalRefused(
            "Texten har ändrats sedan du läste den. Läs den nya texten och godkänn den igen."
        )
    leads = leader_party_ids(user, partnership)
    state = approval_of(partnership, part, text)
    parties = (
        [p.pk for p in state.required if p.pk in leads] if state.required else sorted(leads)[:1]
    )
    if not parties:
        names = ", ".join(str(p) for p in state.required)
        raise ApprovalRefused(
            "Avsnittet berör uppgifter som bara kan godkännas av en samordnare eller "
            f"administratör hos {names}."
        )
    saved = []
    for party_id in parties:
        record, _created = WriteUpApproval.objects.update_or_create(
            partnership=partnership,
            part=part,
            party_id=party_id,
            defaults={"approved_by": user, "text_digest": digest(text)},
        )
        saved.append(record)
    return saved


# ---- pages: the items a viewing member receives --------------------------------------------------


def measures_for(user: Any, partnership: Partnership) -> models.QuerySet:
    """The measures of ``partnership`` that ``user``'s audience receives in full (pages, API)."""
    from samverkan.problems.models import Measure

    to = for_user(user, partnership)
    return Measure.objects.filter(to.measure_q(), partnership=partnership).distinct()


def causes_for(user: Any, partnership: Partnership) -> models.QuerySet:
    from samverkan.problems.models import Cause

    to = for_user(user, partnership)
    return Cause.objects.filter(to.cause_q(), partnership=partnership).distinct()
