"""Step 4 rules that span models: flags for the dashboard and the daily digest."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum

from samverkan.implementation.models import ActivityEntry, Progress, Status, progress_for
from samverkan.lib import numbers
from samverkan.partnerships.models import Partnership
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Measure


@transaction.atomic
def log_activity(entry: ActivityEntry, user: Any) -> ActivityEntry:
    """Save a piece of work on a measure. Logging work on a planned measure means it has
    started: its status becomes started, with the entry's date as the actual start."""
    entry.created_by = user if getattr(user, "is_authenticated", False) else None
    entry.save()
    progress = Progress.objects.select_for_update().get(pk=progress_for(entry.measure).pk)
    if progress.status == Status.PLANNED:
        progress.status, progress.started_on = Status.STARTED, entry.date
        progress.version += 1
        progress.save(update_fields=["status", "started_on", "version"])
    return entry


@dataclass(frozen=True)
class MeasureState:
    measure: Measure
    progress: Progress
    entries: int
    last_entry: datetime.date | None
    overdue: bool
    silent: bool


def measure_states(
    partnership: Partnership, today: datetime.date, measures: Any = None
) -> list[MeasureState]:
    """Every measure with its progress, log size and flags (overdue, no recent log entry)."""
    if measures is None:
        measures = Measure.objects.filter(partnership=partnership)
    measures = list(
        measures.select_related("responsible_party__organisation", "progress").annotate(
            entry_count=Count("activities", distinct=True), last_entry=Max("activities__date")
        )
    )
    states = []
    for measure in measures:
        try:
            progress = measure.progress
        except Progress.DoesNotExist:
            progress = Progress(measure=measure)
        states.append(
            MeasureState(
                measure=measure,
                progress=progress,
                entries=measure.entry_count,
                last_entry=measure.last_entry,
                overdue=progress.is_overdue(today),
                silent=progress.is_silent(today, measure.last_entry),
            )
        )
    return states


@dataclass(frozen=True)
class ProductionState:
    goal: Goal
    done: int
    target: float | None

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(100 * self.done / self.target)


def production(partnership: Partnership) -> list[ProductionState]:
    goals = partnership.goals.filter(kind=GoalKind.PRODUCTION).annotate(
        done=Sum("activities__count")
    )
    return [
        ProductionState(g, g.done or 0, float(g.target) if g.target is not None else None)
        for g in goals
    ]


def summary(states: list[MeasureState]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for state in states:
        counts[state.progress.status] += 1
        counts["overdue"] += state.overdue
        counts["silent"] += state.silent
    return dict(counts)


def digest_for(partnership: Partnership, today: datetime.date) -> dict[Any, list[str]]:
    """Per recipient (owner, else the responsible party's coordinator): lines to remind of."""
    lines: dict[Any, list[str]] = defaultdict(list)
    for state in measure_states(partnership, today):
        if not (state.overdue or state.silent):
            continue
        recipient = state.progress.owner
        if recipient is None:
            coordinator = state.measure.responsible_party.coordinator_or_none()
            recipient = coordinator.user if coordinator else None
        if recipient is None or not recipient.email:
            continue
        ends_on = state.measure.ends_on
        reason = (
            f"skulle vara klar {numbers.date(ends_on)}"
            if state.overdue and ends_on is not None  # overdue: it has an end date
            else "har ingen ny aktivitet på över 30 dagar"
        )
        lines[recipient].append(f"Åtgärd {state.measure.number} ({state.measure.title}) {reason}.")
    return lines


__all__ = ["MeasureState", "Status", "digest_for", "measure_states", "production", "summary"]
