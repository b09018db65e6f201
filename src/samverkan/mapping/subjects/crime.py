"""Reported offences: per handbook category and year, the change year on year, and the
handbook's interpretation categories (Brå's statistics first, else the party's incidents).

Rates per 100 000 inhabitants and the comparison with other municipalities are in ``rates``.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from samverkan.analysis.periods import ALL_MONTHS, months_label
from samverkan.analysis.periods import months_of as _months_of
from samverkan.analysis.rates import Trend, linear_trend, period_change
from samverkan.lib import numbers
from samverkan.mapping.models import ComparisonMunicipalities, CrimeStatistic
from samverkan.mapping.municipalities import municipality_code
from samverkan.mapping.subjects import incidents, memo, one_build, per_party
from samverkan.partnerships.models import Party

UNCATEGORISED = incidents.UNCATEGORISED
MIN_TREND_YEARS = 3


def own_municipality_code(party: Party) -> str:
    """The four-digit code of the municipality the partnership (and so the party) maps.

    The municipality's organisation carries the code; failing that, its name is resolved
    ("Lunds kommun" → 1281). "" when neither says which municipality it is.
    """
    org = party.partnership.municipality
    return org.code or municipality_code(org.name) or ""


@contextlib.contextmanager
def one_reading() -> Iterator[None]:
    """One page's reading of the statistics (``subjects.one_build``)."""
    with one_build():
        yield


def comparison_codes(party: Party) -> list[str]:
    """The municipalities the party has chosen to compare itself with (codes, in its order)."""
    chosen = comparison_choice(party)
    return list(chosen.codes) if chosen else []


@per_party
def comparison_choice(party: Party) -> ComparisonMunicipalities | None:
    """The party's choice of comparison municipalities (with why), if it made one. Nearly
    every figure filters by it: read once per build (a page asked seven times)."""
    return ComparisonMunicipalities.objects.filter(party=party).first()


def own_statistics(party: Party) -> QuerySet[CrimeStatistic]:
    """The party's crime statistics for its own municipality and its parts.

    Brå's exports often hold several municipalities, imported so that the party can compare
    itself with them; those rows must not be added to the party's own numbers. Rows coded
    with another municipality are left out (or, when the own code is unknown, rows of the
    chosen comparison municipalities).
    """
    rows = CrimeStatistic.objects.filter(party=party)
    own = own_municipality_code(party)
    if own:
        return rows.filter(Q(municipality_code="") | Q(municipality_code=own))
    others = comparison_codes(party)
    return rows.exclude(municipality_code__in=others) if others else rows


# The columns ``crime_table`` reads, in its order.
_TABLE_FIELDS = (
    "area", "offence", "year", "quarter", "month", "category", "interpretation", "count",
)  # fmt: skip
# The columns ``preload_statistics`` reads: the municipality code, the table's, the population.
STATISTIC_FIELDS = ("municipality_code", *_TABLE_FIELDS, "population")


def own_statistic_test(party: Party) -> Callable[[str], bool]:
    """``own_statistics`` as a test of a row's municipality code, for rows read already."""
    own = own_municipality_code(party)
    if own:
        return lambda code: code in ("", own)
    others = set(comparison_codes(party))
    return lambda code: code not in others


def preload_statistics(parties: list[Party], codes: set[str] | None = None) -> None:
    """Inside one build: every row of the parties' crime statistics in one query (a page of
    many kommuner), for ``crime_table`` and the rates (``rates.preload``) to read instead of
    querying per party. ``codes``: only rows of these municipality codes (and uncoded ones) are
    needed. Outside a build, nothing is read. Rows are in the model's order within a party,
    as each party's own query returns them."""
    found = memo()
    if found is None:
        return
    wanted = [p.pk for p in parties if ("statistics rows", p.pk) not in found]
    if not wanted:
        return
    rows = CrimeStatistic.objects.filter(party_id__in=wanted)
    if codes is not None:
        rows = rows.filter(municipality_code__in={"", *codes})
    by_party: dict[int, list[tuple]] = {pk: [] for pk in wanted}
    for row in rows.order_by("party_id", *(CrimeStatistic._meta.ordering or ())).values_list(
        "party_id", *STATISTIC_FIELDS
    ):
        by_party[row[0]].append(row[1:])
    for pk, found_rows in by_party.items():
        found[("statistics rows", pk)] = found_rows


def preloaded_statistics(party: Party) -> list[tuple] | None:
    """The party's statistics rows (``STATISTIC_FIELDS``) read by ``preload_statistics`` in
    this build, or None when they were not."""
    found = memo()
    return None if found is None else found.get(("statistics rows", party.pk))


@dataclass(frozen=True)
class CategoryTrend:
    source: str  # "statistics" or "incidents"
    years: list[int]
    categories: list[str]
    totals_by_year: dict[int, dict[str, int]]
    complete_years: tuple[int, ...] = ()

    def rows(self) -> list[tuple[str, list[int]]]:
        return [
            (c, [self.totals_by_year[y].get(c, 0) for y in self.years]) for c in self.categories
        ]

    def slopes(self) -> dict[str, Trend]:
        """Linear trend (offences per year) per category over the complete years, when there
        are at least MIN_TREND_YEARS of them; a half year at either end would bend the line."""
        years = [y for y in self.years if y in self.complete_years]
        if len(years) < MIN_TREND_YEARS:
            return {}
        return {
            c: linear_trend(years, [self.totals_by_year[y].get(c, 0) for y in years])
            for c in self.categories
        }

    def trend_rows(self) -> list[tuple[str, list[int], Trend | None]]:
        slopes = self.slopes()
        return [(c, values, slopes.get(c)) for c, values in self.rows()]

    def trend_span(self) -> tuple[int, int] | None:
        years = [y for y in self.years if y in self.complete_years]
        return (years[0], years[-1]) if len(years) >= MIN_TREND_YEARS else None


# ---- statistics by handbook category and interpretation category, whole years ------------


@dataclass
class CrimeTable:
    """Reported offences per handbook category (and per interpretation category) and year."""

    years: list[int]
    by_category: dict[str, dict[int, int]]
    by_interpretation: dict[str, dict[int, int]]
    by_offence: dict[str, dict[int, int]]
    interpretation_of: dict[str, str]  # offence → interpretation code
    area: str
    parties: list[str]


def crime_table(parties: list[Party], municipality: str) -> CrimeTable:
    """The parties' statistics for their own municipality, each row counted once.

    Two parties often import the same Brå export: a row with the same area, offence and
    period is one row, whichever party holds it (the first party's count is kept).
    """
    seen: dict[tuple, tuple[str, str, int]] = {}
    holders: list[str] = []
    areas: set[str] = set()
    for party in parties:
        read = preloaded_statistics(party)
        if read is None:
            rows: Iterable[tuple] = own_statistics(party).values_list(*_TABLE_FIELDS)
        else:
            is_own = own_statistic_test(party)
            rows = [r[1:-1] for r in read if is_own(r[0])]  # STATISTIC_FIELDS less code, population
        found = False
        for area, offence, year, quarter, month, category, interp, count in rows:
            key = (area, offence, year, quarter, month)
            found = True
            if key not in seen:
                seen[key] = (category or "Okategoriserat", interp or "", count)
                areas.add(area)
        if found:
            holders.append(str(party))
    # Only whole years are compared: a year with only some months would look like a fall.
    months: dict[int, set[tuple]] = defaultdict(set)
    for _area, _offence, year, quarter, month in seen:
        months[year].add((quarter, month))
    whole = {y for y, parts in months.items() if (None, None) in parts}
    by_category: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_interp: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_offence: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    interpretation_of: dict[str, str] = {}
    for (_area, offence, year, quarter, month), (category, interp, count) in seen.items():
        if year not in whole or quarter or month:
            continue
        by_category[category][year] += count
        by_interp[interp or ""][year] += count
        by_offence[offence][year] += count
        interpretation_of[offence] = interp
    area = ", ".join(sorted(areas)) if areas else municipality
    return CrimeTable(
        sorted(whole), by_category, by_interp, by_offence, interpretation_of, area, holders
    )


@per_party
def category_trend(party: Party) -> CategoryTrend:
    """Reported offences per handbook category and year (statistics first, else incidents)."""
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    own = own_statistics(party)
    rows = own.values("year", "category").annotate(n=Sum("count"))
    source = "statistics"
    found: Iterable[Mapping[str, Any]] = rows
    if not rows.exists():
        source = "incidents"
        found, first, last = incidents.incident_years(party)
    for row in found:
        cat = row["category"] or UNCATEGORISED
        totals[row["year"]][cat] = totals[row["year"]].get(cat, 0) + row["n"]
    years = sorted(totals)
    overall: dict[str, int] = defaultdict(int)
    for by_cat in totals.values():
        for cat, n in by_cat.items():
            overall[cat] += n
    categories = sorted(overall, key=lambda c: (-overall[c], c))
    if source == "statistics":
        covered: dict[int, set[int]] = defaultdict(set)
        for year, quarter, month in own.values_list("year", "quarter", "month").distinct():
            covered[year] |= _months_of(quarter, month)
        complete = tuple(y for y in years if covered[y] == ALL_MONTHS)
    else:
        complete = incidents.complete_years(years, first, last)
    return CategoryTrend(source, years, categories, dict(totals), complete)


@dataclass(frozen=True)
class CategoryChange:
    category: str
    previous_year: int
    year: int
    previous: int
    current: int
    change: int
    percent: float | None
    period: str = ""  # the part of the year compared, "" for whole years


@per_party
def category_changes(party: Party) -> list[CategoryChange]:
    """Change per category between the two latest years, over the same part of the year.

    Only the months present in both years are compared (monthly, quarterly or yearly rows),
    and incidents are cut to the same day of the year, so seasons do not pass for change
    (Brå's advice to compare the same period year on year).
    """
    stats = own_statistics(party)
    period = ""
    if stats.exists():
        years = sorted(set(stats.values_list("year", flat=True)))
        if len(years) < 2:
            return []
        prev, last = years[-2], years[-1]
        covered: dict[int, set[int]] = {prev: set(), last: set()}
        rows = list(
            stats.filter(year__in=(prev, last))
            .values("year", "category", "quarter", "month")
            .annotate(n=Sum("count"))
        )
        for row in rows:
            covered[row["year"]] |= _months_of(row["quarter"], row["month"])
        common = frozenset(covered[prev] & covered[last])
        if not common:
            return []
        period = months_label(common)

        def counts(year: int) -> dict[str, int]:
            out: dict[str, int] = {}
            for row in rows:
                if row["year"] == year and _months_of(row["quarter"], row["month"]) <= common:
                    cat = row["category"] or UNCATEGORISED
                    out[cat] = out.get(cat, 0) + row["n"]
            return out

        before, now = counts(prev), counts(last)
    else:
        found = incidents.changes(party)
        if found is None:
            return []
        prev, last, period, before, now = found
    if not before or not now:
        return []
    changes = []
    for cat in sorted(set(before) | set(now)):
        pc = period_change(before.get(cat, 0), now.get(cat, 0))
        changes.append(
            CategoryChange(
                cat,
                prev,
                last,
                int(pc.previous),
                int(pc.current),
                int(pc.absolute),
                pc.percent,
                period,
            )
        )
    changes.sort(key=lambda c: (-c.change, c.category))
    return changes


# ---- interpretation categories, surveys and costs for the party's statistics page ----------

# A change this large (per cent, first to last whole year) in initiative crimes gets a reading.
INITIATIVE_CHANGE_PERCENT = 20


@dataclass
class InterpretationRow:
    code: str
    label: str
    meaning: str
    counts: list[int]
    change_percent: float | None  # first to last whole year; None when the first is 0


@dataclass
class InterpretationTrend:
    """Reported offences per interpretation category and whole year, with what a change in
    each means, and the readings the figures call for (initiative crimes above all)."""

    years: list[int]
    rows: list[InterpretationRow]
    notes: list[str]


@per_party
def _signed(value: float, decimals: int | None = None) -> str:
    """ "+20,0", "−3": a change with its sign (lib.numbers writes the minus)."""
    return ("+" if value >= 0 else "") + numbers.number(value, decimals)


@per_party
def party_crime_table(party: Party) -> CrimeTable:
    """The party's own statistics by category, interpretation and offence, whole years."""
    return crime_table([party], "")


def interpretation_trend(party: Party) -> InterpretationTrend:
    from samverkan.analysis.categories import (
        INTERPRETATION_LABELS_SV,
        INTERPRETATION_MEANING_SV,
        POLICE_INITIATED,
        UNKNOWN_INTERPRETATION_SV,
    )

    table = party_crime_table(party)
    years = table.years
    rows: list[InterpretationRow] = []
    if not years:
        return InterpretationTrend([], [], [])
    for code in (*INTERPRETATION_MEANING_SV, ""):
        counts = [table.by_interpretation.get(code, {}).get(y, 0) for y in years]
        if not any(counts):
            continue
        first, last = counts[0], counts[-1]
        change = round(100 * (last - first) / first, 1) if first and len(years) > 1 else None
        rows.append(
            InterpretationRow(
                code,
                _(INTERPRETATION_LABELS_SV.get(code, UNKNOWN_INTERPRETATION_SV)),
                _(INTERPRETATION_MEANING_SV[code]) if code else "",
                counts,
                change,
            )
        )
    notes: list[str] = []
    initiative = next((r for r in rows if r.code == POLICE_INITIATED), None)
    if initiative and initiative.change_percent is not None:
        if abs(initiative.change_percent) >= INITIATIVE_CHANGE_PERCENT:
            # Name the offence that moved most, so the reader knows what to ask the police.
            moved = sorted(
                (
                    (by_year.get(years[-1], 0) - by_year.get(years[0], 0), offence)
                    for offence, by_year in table.by_offence.items()
                    if table.interpretation_of.get(offence) == POLICE_INITIATED
                ),
                key=lambda item: -abs(item[0]),
            )
            values = {
                "percent": _signed(initiative.change_percent, 1),
                "a": years[0],
                "b": years[-1],
            }
            if initiative.change_percent > 0:
                text = _(
                    "Initiativbrotten ändrades med %(percent)s %% %(a)s–%(b)s. De kommer till "
                    "polisens kännedom när polisen letar efter dem: fråga först om polisen har "
                    "arbetat mer med dem innan ökningen läses som fler brott."
                )
            else:
                text = _(
                    "Initiativbrotten ändrades med %(percent)s %% %(a)s–%(b)s. Det kan betyda "
                    "att polisen har arbetat mindre med dem, inte att brotten har blivit färre."
                )
            note = text % values
            if moved and moved[0][0]:
                note += " " + _("Mest ändrades %(offence)s (%(diff)s).") % {
                    "offence": moved[0][1],
                    "diff": _signed(moved[0][0]),
                }
            notes.append(note)
    unknown = next((r for r in rows if r.code == ""), None)
    total_last = sum(r.counts[-1] for r in rows)
    if unknown and total_last and unknown.counts[-1] / total_last >= 0.1:
        notes.append(
            _(
                "%(share)s %% av brotten %(year)s har ingen tolkningskategori: lägg till deras "
                "brottskoder i kategoritabellen för att kunna läsa trenden."
            )
            % {"share": round(100 * unknown.counts[-1] / total_last), "year": years[-1]}
        )
    return InterpretationTrend(years, rows, notes)
