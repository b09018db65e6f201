"""The partnership's field reports as step 2 and step 5 count them: the places and categories
they name, and how many fall at given places in a period.

Field reports are the partnership's shared material (``fieldwork``), not one party's; the
figures here are keyed by the partnership.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import Count, Q

from samverkan.mapping.subjects import per_party
from samverkan.mapping.subjects.incidents import PLACE_NAMES, local_range


def _reports(partnership: Any) -> Any:
    from samverkan.fieldwork.models import FieldReport

    return FieldReport.objects.filter(partnership=partnership)


@per_party
def place_names(partnership: Any) -> list[str]:
    """The places the partnership's field reports name, most reports first: a place from the
    partnership's list, or the text a reporter typed. A held-back report's typed place is for
    its own party's coordinators (fieldwork) and is left out."""
    reports = _reports(partnership)
    named = reports.filter(place__isnull=False).values("place__name").annotate(n=Count("pk"))
    typed = reports.filter(place__isnull=True, held_back=False).exclude(place_text="")
    counted = Counter({row["place__name"]: row["n"] for row in named})
    counted.update(typed.values_list("place_text", flat=True))
    return [name for name, _n in counted.most_common(PLACE_NAMES)]


@per_party
def categories(partnership: Any) -> list[str]:
    """The categories the partnership's field reports carry."""
    return sorted(
        name
        for name in _reports(partnership).values_list("category__name", flat=True).distinct()
        if name
    )


@per_party
def exist(partnership: Any) -> bool:
    return _reports(partnership).exists()


def count_at(
    partnership: Any,
    places: list[str],
    categories: list[str],
    start: datetime.date,
    end: datetime.date,
) -> int:
    """The partnership's field reports at any of ``places`` (a place in its list or the text
    a reporter typed, without regard to case), of the given categories (all when empty),
    observed within ``start``–``end``."""
    if not places:
        return 0
    low, high = local_range(start, end)
    where = Q()
    for place in places:
        where |= Q(place__name__iexact=place) | Q(place__isnull=True, place_text__iexact=place)
    rows = _reports(partnership).filter(observed_at__gte=low, observed_at__lt=high)
    if categories:
        rows = rows.filter(category__name__in=categories)
    return int(rows.filter(where).count())
