"""Each step's "klart när" checklist, computed from the data, never ticked by hand.

Step apps contribute a checklist function through ``register``; the dashboard asks for every
registered step. Step 1's items follow the handbook's list on p. 36, restated for today's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samverkan.partnerships.choices import GroupKind
from samverkan.partnerships.models import Partnership


@dataclass(frozen=True)
class ChecklistItem:
    label: Promise
    done: bool
    detail: str = ""
    url_name: str = ""  # where the user fixes it (name under the partnership)
    url: str = ""  # a full URL, preferred over url_name (steps whose pages need more than pk)


@dataclass(frozen=True)
class Checklist:
    step: int
    items: tuple[ChecklistItem, ...]
    # What the step computed on the way, for the dashboard to reuse instead of asking again.
    facts: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def done(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)


ChecklistFunction = Callable[[Partnership], Checklist]
_CHECKLISTS: dict[int, ChecklistFunction] = {}


def register(step: int) -> Callable[[ChecklistFunction], ChecklistFunction]:
    def add(func: ChecklistFunction) -> ChecklistFunction:
        _CHECKLISTS[step] = func
        return func

    return add


def checklist_for(partnership: Partnership, step: int) -> Checklist | None:
    func = _CHECKLISTS.get(step)
    return func(partnership) if func else None


def all_checklists(partnership: Partnership) -> dict[int, Checklist | None]:
    """Every step's checklist, computed once (each one runs several queries)."""
    with one_reading():
        return {step: checklist_for(partnership, step) for step in range(1, 6)}


# ---- reads that several checklists share ------------------------------------------------------

# Inside ``one_reading()``: what has been read, by (what, partnership id). Outside it every
# call reads afresh, so a caller that changes rows and asks again sees the change.
_READ: ContextVar[dict[tuple[str, int], Any] | None] = ContextVar("checklist_reads", default=None)


@contextmanager
def one_reading() -> Iterator[None]:
    """Within the block, the reads below are done once per partnership (issue 23: the
    dashboard's five checklists and the law page asked for the same parties several times).
    Only for code that reads; nesting keeps the outer block's reads."""
    if _READ.get() is not None:
        yield
        return
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def _once(what: str, partnership: Partnership, read: Callable[[], Any]) -> Any:
    memo = _READ.get()
    if memo is None:
        return read()
    key = (what, partnership.pk)
    if key not in memo:
        memo[key] = read()
    return memo[key]


def shared_parties(partnership: Partnership) -> list[Any]:
    """The partnership's parties in their usual order, with organisation and coordinator."""
    return _once(
        "parties",
        partnership,
        lambda: list(partnership.parties.select_related("organisation", "coordinator")),
    )


def shared_meetings(partnership: Partnership) -> list[Any]:
    """The partnership's meetings in their usual order (latest first), with their group."""
    return _once(
        "meetings", partnership, lambda: list(partnership.meetings.select_related("group"))
    )


def shared_goals(partnership: Partnership) -> list[Any]:
    """The partnership's goals in their usual order."""
    return _once("goals", partnership, lambda: list(partnership.goals.all()))


def current_step(
    partnership: Partnership, computed: dict[int, Checklist | None] | None = None
) -> int:
    """The first step whose checklist is not complete (steps without one count as open)."""
    computed = computed if computed is not None else all_checklists(partnership)
    for step in range(1, 6):
        checklist = computed[step]
        if checklist is None or not checklist.done:
            return step
    return 5


@register(1)
def step1(partnership: Partnership) -> Checklist:
    parties = shared_parties(partnership)
    signatories = [p for p in parties if p.is_signatory()]
    signatory_orgs = {p.organisation_id for p in signatories}
    both_signing = {partnership.municipality_id, partnership.police_area_id} <= signatory_orgs
    named_signers = bool(signatories) and all(p.signatory_title for p in signatories)

    with_coordinator = {p.pk for p in parties if p.coordinator_or_none() is not None}
    missing_coordinators = [p for p in signatories if p.pk not in with_coordinator]

    groups = list(partnership.groups.all())
    steering = next((g for g in groups if g.kind == GroupKind.STEERING), None)
    steering_parties = steering.represented_parties() if steering else set()
    missing_in_steering = [p for p in signatories if p.pk not in steering_parties]
    has_preparation = any(g.kind == GroupKind.PREPARATION for g in groups)

    decision = partnership.collaboration_decision()
    held = [m for m in shared_meetings(partnership) if m.is_held()]

    def names(items: list) -> str:
        return ", ".join(str(p) for p in items)

    items = (
        ChecklistItem(
            _("Kommunen och lokalpolisområdet är båda signerande parter"),
            both_signing,
            "" if both_signing else str(_("Lägg till båda som signerande parter.")),
            "parties",
        ),
        ChecklistItem(
            _("Varje signerande part har angett vem som undertecknar"),
            named_signers,
            "",
            "parties",
        ),
        ChecklistItem(
            _("Varje signerande part har en samordnare"),
            bool(signatories) and not missing_coordinators,
            str(_("Saknas för: %(names)s") % {"names": names(missing_coordinators)})
            if missing_coordinators
            else "",
            "parties",
        ),
        ChecklistItem(
            _("Styrgruppen har ledamöter från varje signerande part"),
            steering is not None and bool(signatories) and not missing_in_steering,
            ""
            if steering is None or not missing_in_steering
            else str(_("Saknas för: %(names)s") % {"names": names(missing_in_steering)}),
            "groups",
        ),
        ChecklistItem(_("En beredningsgrupp (projektgrupp) finns"), has_preparation, "", "groups"),
        ChecklistItem(
            _("Beslutet om samverkan är dokumenterat (överenskommelsens del 1)"),
            decision is not None,
            str(decision) if decision else "",
            "decisions",
        ),
        ChecklistItem(
            _("Ett första möte har hållits och protokollförts"),
            bool(held),
            str(held[-1]) if held else "",
            "meetings",
        ),
    )
    return Checklist(1, items)


__all__ = [
    "Checklist",
    "ChecklistItem",
    "all_checklists",
    "checklist_for",
    "current_step",
    "shared_goals",
    "shared_meetings",
    "one_reading",
    "shared_parties",
    "register",
]
