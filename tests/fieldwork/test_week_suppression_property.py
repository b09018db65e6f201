"""Secondary suppression in the weekly picture: no figure shown beyond the coordinators lets
a suppressed count be worked out, e.g. from the four-week mean beside the earlier weeks'
own counts (each shown in their own pictures and in the map layer)."""

from __future__ import annotations

import datetime
import random
from types import SimpleNamespace

from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan.analysis.suppression import MARKER, is_suppressed
from samverkan.fieldwork import services

THRESHOLD = 5
LABELS = ("Stationen", "Torget", "Parken")
WEEKS = [services.shift_week(2026, 48, -n) for n in range(8, -1, -1)]  # W40 … W48


def small(n: float) -> bool:
    return is_suppressed(n, THRESHOLD)


def _reports(counts: dict[tuple[str, tuple[int, int]], int]) -> list[SimpleNamespace]:
    out = []
    for (label, (year, week)), n in counts.items():
        day = datetime.date.fromisocalendar(year, week, 3)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        out += [SimpleNamespace(label=label, observed_at=moment)] * n
    return out


def _published(counts: dict[tuple[str, tuple[int, int]], int]) -> list:
    """Every week's table, W44 … W48, as shown to a member."""
    pictures = []
    for index in range(4, len(WEEKS)):
        week = WEEKS[index]
        earlier = [WEEKS[index - n] for n in range(1, 5)]
        this = _reports({k: n for k, n in counts.items() if k[1] == week})
        before = _reports({k: n for k, n in counts.items() if k[1] in earlier})
        rows = services._rows(lambda r: r.label, this, before, [], earlier, small)
        pictures.append([vars(row) for row in rows])
    return pictures


cell = st.integers(min_value=0, max_value=9)


@settings(max_examples=40, deadline=None)
@given(st.lists(cell, min_size=len(LABELS) * len(WEEKS), max_size=len(LABELS) * len(WEEKS)),
       st.randoms(use_true_random=False))  # fmt: skip
def test_no_suppressed_weekly_count_can_be_recomputed(values, rnd: random.Random):
    keys = [(label, week) for label in LABELS for week in WEEKS]
    counts = dict(zip(keys, values, strict=True))
    # Every small cell swapped for another small value: what a member sees must not change.
    swapped = {k: (rnd.randint(1, THRESHOLD - 1) if small(n) else n) for k, n in counts.items()}
    assert _published(counts) == _published(swapped)


def test_a_mean_over_one_small_week_is_suppressed():
    week = WEEKS[-1]
    earlier = [WEEKS[-1 - n] for n in range(1, 5)]
    counts = {("Stationen", w): 8 for w in earlier}
    counts[("Stationen", earlier[2])] = 2  # the hidden cell; the sum 26 is not small
    counts[("Stationen", week)] = 9
    before = _reports({k: n for k, n in counts.items() if k[1] != week})
    this = _reports({("Stationen", week): 9})
    (row,) = services._rows(lambda r: r.label, this, before, [], earlier, small)
    assert row.this_week == "9" and row.previous_mean == MARKER and row.change == ""
    (full,) = services._rows(lambda r: r.label, this, before, [], earlier, lambda n: False)
    assert full.previous_mean == "6,5" and full.change == "+2,5"
