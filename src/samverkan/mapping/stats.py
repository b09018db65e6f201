"""The numbers behind the statistics page and the lägesbild draft (GROUP BY in the database,
the statistics themselves from ``samverkan.analysis``)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from samverkan.analysis.categories import is_total_offence
from samverkan.analysis.concentration import top_share
from samverkan.analysis.periods import ALL_MONTHS, MONTHS_SV, months_label
from samverkan.analysis.periods import months_of as _months_of
from samverkan.analysis.rates import (
    Deviation,
    Trend,
    deviation_from_comparison,
    linear_trend,
    period_change,
    rate_per_100k,
)
from samverkan.analysis.timeprofile import (
    WEEKDAYS_SV,
    aoristic_weekday_hour,
    to_local_minutes,
    weekday_hour_matrix,
)
from samverkan.lib.lazy import lazy
from samverkan.mapping import figures
from samverkan.mapping.models import (
    ComparisonMunicipalities,
    CrimeStatistic,
    Incident,
    KeyFigure,
    Population,
)
from samverkan.mapping.municipalities import NAMES, municipality_code
from samverkan.partnerships.models import Party

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

UNCATEGORISED = "Okategoriserat"
MIN_TREND_YEARS = 3


def own_municipality_code(party: Party) -> str:
    """The four-digit code of the municipality the partnership (and so the party) maps.

    The municipality's organisation carries the code; failing that, its name is resolved
    ("Lunds kommun" → 1281). "" when neither says which municipality it is.
    """
    org = party.partnership.municipality
    return org.code or municipality_code(org.name) or ""


# Inside one_reading(): the party's chosen comparison municipalities, read once (by party id).
_CODES: contextvars.ContextVar[dict[int, list[str]] | None] = contextvars.ContextVar(
    "comparison_codes", default=None
)


@contextlib.contextmanager
def one_reading() -> Iterator[None]:
    """One page's reading of the statistics: the comparison municipalities, which nearly every
    figure filters by, are read once instead of once per figure (a page asked seven times)."""
    token = _CODES.set({})
    try:
        yield
    finally:
        _CODES.reset(token)


def comparison_codes(party: Party) -> list[str]:
    """The municipalities the party has chosen to compare itself with (codes, in its order)."""
    memo = _CODES.get()
    if memo is not None and party.pk in memo:
        return list(memo[party.pk])
    chosen = ComparisonMunicipalities.objects.filter(party=party).first()
    codes = list(chosen.codes) if chosen else []
    if memo is not None:
        memo[party.pk] = codes
    return list(codes)


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
        rows = own_statistics(party).values_list(
            "area", "offence", "year", "quarter", "month", "category", "interpretation", "count"
        )
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


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def category_trend(party: Party) -> CategoryTrend:
    """Reported offences per handbook category and year (statistics first, else incidents)."""
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    own = own_statistics(party)
    rows = own.values("year", "category").annotate(n=Sum("count"))
    source = "statistics"
    found: Iterable[Mapping[str, Any]] = rows
    if not rows.exists():
        source = "incidents"
        found, first, last = figures.stored(
            party, "incident_years", "", lambda: _incident_years(party)
        )
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
        complete = _complete_incident_years(years, first, last)
    return CategoryTrend(source, years, categories, dict(totals), complete)


def _complete_incident_years(
    years: list[int], first: datetime.datetime | None, last: datetime.datetime | None
) -> tuple[int, ...]:
    """Years the incident data covers from January to December (first and last: local time).

    Only the first and last year can be partial; a first incident after January or a last
    one before December marks that year as partial (an approximation: a quiet month looks
    the same as a missing one).
    """
    if first is None or last is None:
        return ()
    return tuple(
        y
        for y in years
        if not (y == first.year and first.month > 1) and not (y == last.year and last.month < 12)
    )


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
        found = figures.stored(party, "incident_changes", "", lambda: _incident_changes(party))
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


def _incident_changes(
    party: Party,
) -> tuple[int, int, str, dict[str, int], dict[str, int]] | None:
    """Incidents per category in the latest year to its latest day, and the year before to
    the same day: (previous year, latest year, period label, before, now)."""
    incidents = Incident.objects.filter(party=party)
    latest = incidents.aggregate(m=Max("occurred_from"))["m"]
    if latest is None:
        return None
    latest = latest.astimezone(_zone())
    last, prev = latest.year, latest.year - 1
    period = ""
    if (latest.month, latest.day) != (12, 31):
        period = f"1 januari–{latest.day} {MONTHS_SV[latest.month - 1]}"

    def counts(year: int) -> dict[str, int]:
        start = datetime.datetime(year, 1, 1, tzinfo=_zone())
        end = (
            latest.replace(year=year)
            if not (latest.month == 2 and latest.day == 29)
            else latest.replace(year=year, day=28)
        )
        qs = incidents.filter(occurred_from__gte=start, occurred_from__lte=end)
        return {
            r["category"] or UNCATEGORISED: r["n"]
            for r in qs.values("category").annotate(n=Count("*"))
        }

    return prev, last, period, counts(prev), counts(last)


@dataclass(frozen=True)
class Rate:
    year: int
    count: int
    population: int
    rate: float


def rates_by_year(party: Party) -> list[Rate]:
    """Reported offences per 100 000 inhabitants for every full year with a known population.

    The same reckoning as the comparison with other municipalities (``comparison``): a
    year counts only when it is complete, and every area needs its population, so a year
    with a missing population gets no rate rather than a wrong one.
    """
    return _own_rates(party)[0]


@dataclass(frozen=True)
class RateGap:
    """A year of the own statistics without a rate per 100 000, and why in words."""

    year: int
    reason: str


def rate_gaps(party: Party) -> list[RateGap]:
    """The years of the party's own statistics without a rate per 100 000, each with why:
    no population for that area and year, only part of the year, …"""
    return _own_rates(party)[1]


def population_elsewhere(party: Party) -> list[str]:
    """Municipalities the party has population for that are neither its own nor one it
    compares itself with ("Stockholm (0180)"): population there gives the own area no rate."""
    own = own_municipality_code(party)
    wanted = {own, *comparison_codes(party)}
    codes = (
        Population.objects.filter(party=party)
        .exclude(municipality_code="")
        .exclude(municipality_code__in=wanted)
        .order_by("municipality_code")
        .values_list("municipality_code", flat=True)
        .distinct()
    )
    return [f"{NAMES.get(c, c)} ({c})" for c in codes]


def _own_rates(party: Party) -> tuple[list[Rate], list[RateGap]]:
    own_code = own_municipality_code(party)
    units = _load_units(party, own_code, [])
    pops = _load_populations(party, [own_code], units)
    rates, gaps = [], []
    for year in sorted(units.get(OWN, {})):
        unit = _unit_rate(OWN, own_code, "", units, year, None, pops)
        if unit.rate is not None and unit.count is not None and unit.population is not None:
            rates.append(Rate(year, unit.count, unit.population, unit.rate))
        else:
            gaps.append(RateGap(year, unit.missing))
    return rates, gaps


def latest_rate(party: Party) -> Rate | None:
    """Reported offences per 100 000 inhabitants in the latest year with both numbers."""
    rates = rates_by_year(party)
    return rates[-1] if rates else None


def rate_trend(rates: list[Rate]) -> Trend | None:
    """The yearly change of the rate (per 100 000 per year) when there are at least three
    consecutive-or-not years; fewer points give no trend worth the name."""
    if len(rates) < MIN_TREND_YEARS:
        return None
    return linear_trend([r.year for r in rates], [r.rate for r in rates])


# ---- comparison with similar municipalities ---------------------------------------------

OWN = "own"  # key of the party's own area among the comparison units

# Kolada key figures that already are reported offences per inhabitants, with the factor that
# turns the value into "per 100 000". N07540: "Anmälda brott totalt, antal/100 000 inv"
# (source Brå). Add per-1 000 figures with factor 100.
KOLADA_TOTAL_RATE_KPIS: dict[str, float] = {"N07540": 1.0}


# Rows that already hold the total of all offences; adding them to the single offences would
# count everything twice.
@dataclass
class _UnitYear:
    """One municipality's (or the own area's) statistics for one year."""

    coded: bool  # rows of a whole municipality (its code), not of areas within it
    counts: dict[str, int]  # offence -> count over the whole year (complete offences only)
    categories: dict[str, str]  # offence -> handbook group
    areas: set[str]
    row_populations: dict[str, set[int]]  # area -> population values on the rows
    covered: set[int]  # months some row covers (to say which part of an incomplete year)


def _load_units(party: Party, own_code: str, codes: list[str]) -> dict[str, dict[int, _UnitYear]]:
    """Statistics of the own area (key OWN) and of each comparison municipality (its code),
    per year, with each offence counted only when its year is complete.

    The own area is the rows coded with the own municipality when there are any (the
    municipality as a whole, like the others), otherwise the party's uncoded rows (its
    areas, as imported). A year's count of an offence uses yearly rows, else twelve
    months, else four quarters; an offence with only part of the year is left out.
    """
    own_rows = own_statistics(party)
    fields = ("municipality_code", "area", "year", "quarter", "month", "offence", "category")
    own_coded = bool(own_code) and own_rows.filter(municipality_code=own_code).exists()
    own_rows = own_rows.filter(municipality_code=own_code if own_coded else "")
    sources: list[tuple[str | None, QuerySet]] = [(OWN, own_rows)]
    others = [c for c in codes if c != own_code]
    if others:
        sources.append(
            (None, CrimeStatistic.objects.filter(party=party, municipality_code__in=others))
        )
    grouped: dict[tuple[str, int], dict[tuple[str, str], list[dict]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key, qs in sources:
        for row in qs.values(*fields, "population").annotate(n=Sum("count")).order_by():
            unit = key or row["municipality_code"]
            grouped[(unit, row["year"])][(row["area"], row["offence"])].append(row)
    units: dict[str, dict[int, _UnitYear]] = defaultdict(dict)
    for (unit, year), by_offence in grouped.items():
        uy = _UnitYear(unit != OWN or own_coded, {}, {}, set(), defaultdict(set), set())
        incomplete: set[str] = set()
        for (area, offence), rows in by_offence.items():
            uy.areas.add(area)
            uy.categories[offence] = rows[0]["category"]
            for row in rows:
                uy.covered |= _months_of(row["quarter"], row["month"])
                if row["population"]:
                    uy.row_populations[area].add(row["population"])
            count = _full_year_count(rows)
            if count is None:
                incomplete.add(offence)
            else:
                uy.counts[offence] = uy.counts.get(offence, 0) + count
        for offence in incomplete:  # part of the year in one area: the offence is unknown
            uy.counts.pop(offence, None)
        units[unit][year] = uy
    return units


def _full_year_count(rows: list[dict]) -> int | None:
    """The year's count from one area's rows of one offence, or None if part of it is missing."""
    annual = [r["n"] for r in rows if r["quarter"] is None and r["month"] is None]
    if annual:
        return sum(annual)
    months = [r for r in rows if r["month"]]
    if {r["month"] for r in months} == ALL_MONTHS:
        return sum(r["n"] for r in months)
    quarters = [r for r in rows if r["quarter"] and not r["month"]]
    if {r["quarter"] for r in quarters} == {1, 2, 3, 4}:
        return sum(r["n"] for r in quarters)
    return None


@dataclass(frozen=True)
class _Populations:
    by_code: dict[tuple[str, int], int]
    by_area: dict[tuple[str, int], int]


def _load_populations(
    party: Party, codes: list[str], units: dict[str, dict[int, _UnitYear]]
) -> _Populations:
    areas = {a for years in units.values() for uy in years.values() for a in uy.areas}
    by_code: dict[tuple[str, int], int] = defaultdict(int)
    by_area: dict[tuple[str, int], int] = {}
    rows = Population.objects.filter(party=party).filter(
        Q(municipality_code__in=[c for c in codes if c]) | Q(area__in=areas)
    )
    for code, area, year, count in rows.values_list("municipality_code", "area", "year", "count"):
        if code:
            by_code[(code, year)] += count
        by_area[(area, year)] = count
    return _Populations(dict(by_code), by_area)


@dataclass(frozen=True)
class UnitRate:
    """One municipality's rate in one year, where it comes from, or why it is missing."""

    code: str
    name: str
    own: bool
    rate: float | None
    count: int | None = None
    population: int | None = None
    source: str = ""
    missing: str = ""


def _basis(uy: _UnitYear) -> set[str]:
    """The offences that make up the own area's total: a total row if the file has one."""
    totals = {o for o in uy.counts if is_total_offence(o)}
    if totals:
        return {sorted(totals)[0]}
    return set(uy.counts)


def _unit_rate(
    unit: str,
    code: str,
    name: str,
    units: dict[str, dict[int, _UnitYear]],
    year: int,
    offences: set[str] | None,
    pops: _Populations,
) -> UnitRate:
    """The rate of ``offences`` (None: the unit's own total) for one unit and year."""
    own = unit == OWN
    name = name or NAMES.get(code, code) or _("ert område")
    uy = units.get(unit, {}).get(year)
    values = {"name": name, "year": year}

    def missing(text: str, count: int | None = None) -> UnitRate:
        return UnitRate(code, name, own, None, count=count, missing=text % values)

    if uy is None:
        return missing(_("ingen brottsstatistik för %(name)s %(year)s bland partens importer"))
    if not uy.counts:
        values["period"] = months_label(uy.covered)
        return missing(_("bara %(period)s %(year)s finns för %(name)s, inte hela året"))
    wanted = _basis(uy) if offences is None else offences
    lacking = sorted(wanted - set(uy.counts))
    if lacking:
        values["n"] = len(lacking)
        values["list"] = ", ".join(lacking[:3]) + (" …" if len(lacking) > 3 else "")
        return missing(
            _(
                "%(name)s %(year)s saknar siffror för hela året för %(n)s av brotten i "
                "jämförelsen (%(list)s)"
            )
        )
    count = sum(uy.counts[o] for o in wanted)
    population, source, why = _unit_population(code, uy, year, pops)
    if population is None:
        return missing(why, count)
    return UnitRate(code, name, own, rate_per_100k(count, population), count, population, source)


def _unit_population(code: str, uy: _UnitYear, year: int, pops: _Populations) -> tuple:
    """(population, source, missing): imported population tables first, then the population
    column of the statistics rows. Every area needs one, or there is no rate."""
    if uy.coded:
        found = pops.by_code.get((code, year)) or pops.by_area.get((NAMES.get(code, ""), year))
        if found:
            return found, _("brottsstatistik och befolkning (partens importer)"), ""
    else:
        known = [pops.by_area.get((area, year), 0) for area in sorted(uy.areas)]
        if known and all(known):
            return sum(known), _("brottsstatistik och befolkning (partens importer)"), ""
    values = [uy.row_populations.get(area, set()) for area in sorted(uy.areas)]
    if any(len(v) > 1 for v in values):
        return None, "", _("olika befolkningstal för %(name)s %(year)s i brottsstatistiken")
    if values and all(len(v) == 1 and next(iter(v)) > 0 for v in values):
        return (
            sum(next(iter(v)) for v in values),
            _("brottsstatistik med befolkning ur samma fil"),
            "",
        )
    return None, "", _("befolkning saknas för %(year)s i %(name)s")


@dataclass(frozen=True)
class RateComparison:
    """One offence group (or all offences) in one year: the own rate against the others."""

    group: str  # the handbook offence group, "" for all offences
    year: int
    source: str  # "statistics" or "kolada"
    basis: str  # what the rate counts, in words
    own: UnitRate
    others: list[UnitRate]
    deviation: Deviation | None

    @property
    def label(self) -> str:
        return self.group or _("Alla anmälda brott")

    @property
    def compared(self) -> list[UnitRate]:
        return [u for u in self.others if u.rate is not None]

    @property
    def missing(self) -> list[UnitRate]:
        return [u for u in self.others if u.rate is None]

    @property
    def units(self) -> list[UnitRate]:
        return [self.own, *self.others]


def _compare(
    group: str, year: int, source: str, basis: str, own: UnitRate, others: list[UnitRate]
) -> RateComparison:
    rates = [u.rate for u in others if u.rate is not None]
    deviation = (
        deviation_from_comparison(own.rate, rates) if own.rate is not None and rates else None
    )
    return RateComparison(group, year, source, basis, own, others, deviation)


@dataclass(frozen=True)
class Comparison:
    """The party's reported offences per 100 000 against its comparison municipalities."""

    own_code: str
    own_name: str
    codes: list[str]
    by_year: list[RateComparison]  # all offences, oldest year first
    categories: list[RateComparison]  # per handbook group, latest year with own statistics
    own_trend: Trend | None = None
    mean_trend: Trend | None = None
    trend_years: tuple[int, ...] = ()

    @property
    def names(self) -> list[str]:
        return [NAMES.get(c, c) for c in self.codes]

    @property
    def latest(self) -> RateComparison | None:
        return self.by_year[-1] if self.by_year else None


def comparison(party: Party) -> Comparison:
    """Reported offences per 100 000 inhabitants: the party's municipality against the
    municipalities it chose as comparable, per year and per handbook offence group.

    Method: crude rates (``rate_per_100k``) compared with the unweighted mean of the group
    (``deviation_from_comparison``: per cent and standard deviations), as the handbook
    advises for step 2 (Brå, RPS & SKL 2010). Like is compared with like: in a year where
    the party has Kolada's total (N07540) for its own municipality, every municipality's
    figure comes from Kolada; otherwise from the imported statistics, counting for each
    municipality exactly the offences counted for the own area. A municipality lacking an
    offence, a full year or its population gets no rate and a note saying what is missing.
    """
    own_code = own_municipality_code(party)
    own_name = NAMES.get(own_code) or str(party.partnership.municipality)
    codes = [c for c in comparison_codes(party) if c != own_code]
    if not codes:
        return Comparison(own_code, own_name, [], [], [])
    units = _load_units(party, own_code, codes)
    pops = _load_populations(party, [own_code, *codes], units)
    kolada = _kolada_rates(party, [own_code, *codes] if own_code else codes)

    def own_unit(year: int, offences: set[str] | None) -> UnitRate:
        return _unit_rate(OWN, own_code, own_name, units, year, offences, pops)

    own_stat_years = {y for y in units.get(OWN, {}) if own_unit(y, None).rate is not None}
    own_kolada_years = {y for (c, y) in kolada if own_code and c == own_code}
    by_year: list[RateComparison] = []
    for year in sorted(own_stat_years | own_kolada_years):
        if year in own_kolada_years:
            kpi, value = kolada[(own_code, year)]
            source_text = _("Kolada %(kpi)s (Brå, anmälda brott totalt per 100 000 invånare)") % {
                "kpi": kpi
            }
            own = UnitRate(own_code, own_name, True, value, source=source_text)
            others = []
            for code in codes:
                name = NAMES.get(code, code)
                if (code, year) in kolada:
                    k, v = kolada[(code, year)]
                    source = _("Kolada %(kpi)s") % {"kpi": k}
                    others.append(UnitRate(code, name, False, v, source=source))
                    continue
                why = _("Koladas nyckeltal %(kpi)s saknas för %(name)s %(year)s") % {
                    "kpi": kpi,
                    "name": name,
                    "year": year,
                }
                others.append(UnitRate(code, name, False, None, missing=why))
            basis = _("alla anmälda brott (Kolada %(kpi)s)") % {"kpi": kpi}
            by_year.append(_compare("", year, "kolada", basis, own, others))
            continue
        wanted = _basis(units[OWN][year])
        others = [_unit_rate(code, code, "", units, year, wanted, pops) for code in codes]
        by_year.append(
            _compare(
                "",
                year,
                "statistics",
                _basis_text(wanted),
                own_unit(year, None),
                others,
            )
        )
    categories: list[RateComparison] = []
    if own_stat_years:
        year = max(own_stat_years)
        own_year = units[OWN][year]
        groups: dict[str, set[str]] = defaultdict(set)
        for offence in own_year.counts:
            category = own_year.categories.get(offence, "")
            if category and not is_total_offence(offence):
                groups[category].add(offence)
        for category in sorted(groups):
            wanted = groups[category]
            own = own_unit(year, wanted)
            if own.rate is None:
                continue
            others = [_unit_rate(code, code, "", units, year, wanted, pops) for code in codes]
            categories.append(
                _compare(category, year, "statistics", _basis_text(wanted), own, others)
            )
    own_trend = mean_trend = None
    trend_years: tuple[int, ...] = ()
    if by_year:
        latest = by_year[-1]
        alike = [c for c in by_year if c.source == latest.source and c.basis == latest.basis]
        if len(alike) >= MIN_TREND_YEARS:
            trend_years = tuple(c.year for c in alike)
            own_trend = linear_trend(trend_years, [c.own.rate or 0.0 for c in alike])
            means = {c.year: c.deviation.comparison_mean for c in alike if c.deviation}
            full = [c.year for c in alike if c.year in means and not c.missing]
            if len(full) >= MIN_TREND_YEARS:
                mean_trend = linear_trend(full, [means[y] for y in full])
    return Comparison(
        own_code, own_name, codes, by_year, categories, own_trend, mean_trend, trend_years
    )


def _basis_text(offences: set[str]) -> str:
    if len(offences) == 1:
        (offence,) = offences
        if is_total_offence(offence):
            return _("alla anmälda brott (raden ”%(offence)s” i statistiken)") % {
                "offence": offence
            }
        return _("brottet %(offence)s") % {"offence": offence}
    return _("summan av %(n)s brottstyper i den importerade statistiken") % {"n": len(offences)}


def _kolada_rates(party: Party, codes: list[str]) -> dict[tuple[str, int], tuple[str, float]]:
    """Kolada's reported offences per 100 000 per (municipality, year), total for both sexes."""
    found: dict[tuple[str, int], tuple[str, float]] = {}
    priority = list(KOLADA_TOTAL_RATE_KPIS)
    rows = KeyFigure.objects.filter(
        party=party,
        kpi__in=priority,
        gender="T",
        municipality_code__in=codes,
        value__isnull=False,
    ).values_list("kpi", "municipality_code", "year", "value")
    for kpi, code, year, value in sorted(rows, key=lambda r: priority.index(r[0])):
        if value is not None and value >= 0:  # never None here (filtered above)
            found.setdefault((code, year), (kpi, value * KOLADA_TOTAL_RATE_KPIS[kpi]))
    return found


@dataclass(frozen=True)
class Places:
    n: int
    total: int
    share: float | None
    places: tuple
    first: int | None
    last: int | None

    @property
    def share_percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


# The place lists pages and documents show (statistics page, lägesbild, step 3): computed
# ahead when the data changes (mapping.figures.refresh).
PLACE_COUNTS = (5, 8, 10)


def incident_count(party: Party) -> int:
    """How many incidents the party holds (stored: counting a million rows takes a while)."""
    return figures.stored(
        party, "incident_count", "", lambda: Incident.objects.filter(party=party).count()
    )


def top_places(party: Party, n: int = 10) -> Places:
    """The n places with most incidents and their share of all incidents with a place."""
    return figures.stored(party, "top_places", str(n), lambda: _top_places(party, n))


def _top_places(party: Party, n: int) -> Places:
    rows = (
        Incident.objects.filter(party=party)
        .exclude(place="")
        .values_list("place")
        .annotate(c=Count("*"), a=Min("occurred_from"), b=Max("occurred_from"))
        .order_by()
    )  # one pass: counts and the period they cover
    counts = {place: c for place, c, _a, _b in rows}
    if not counts:
        return Places(n, 0, None, (), None, None)
    result = top_share(counts, n)
    return Places(
        result.n,
        result.total,
        result.share,
        result.places,
        min(a for _p, _c, a, _b in rows).astimezone(_zone()).year,
        max(b for _p, _c, _a, b in rows).astimezone(_zone()).year,
    )


def weekday_hour(party: Party) -> np.ndarray:
    """7 × 24 profile of the party's incidents (stored; see ``_weekday_hour``)."""
    return figures.stored(party, "weekday_hour", "", lambda: _weekday_hour(party))


def _weekday_hour(party: Party) -> np.ndarray:
    """7 × 24 profile: exact times counted in the database, time spans spread aoristically.

    Incidents with an exact time are counted per UTC hour in SQL; spans come as (start, end)
    in UTC minutes. Both are whole numbers of the epoch, the cheapest thing either database
    can compute per row; the few thousand distinct hours then move to Swedish time in numpy
    (``_to_local``). Django's time-zone aware Extract functions would instead call Python
    once per row on SQLite.
    """
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        epoch = "date_part('epoch', {})::bigint"
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS" in UTC
        epoch = "unixepoch({})"
    start, end = epoch.format("occurred_from"), epoch.format("occurred_to")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {start} / 3600, COUNT(*) FROM {table} "
            "WHERE party_id = %s AND occurred_to IS NULL GROUP BY 1",
            [party.pk],
        )
        exact = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 2)
        matrix = np.zeros((7, 24), dtype=float)
        if len(exact):
            hours = (exact[:, 0] * 60).astype("datetime64[m]")
            matrix += weekday_hour_matrix(np.repeat(_to_local(hours), exact[:, 1]))
        cursor.execute(
            f"SELECT {start} / 60, {end} / 60 FROM {table} "
            "WHERE party_id = %s AND occurred_to IS NOT NULL",
            [party.pk],
        )
        # In bounded batches: a million spans as Python tuples at once would cost the process
        # a hundred megabytes; the profile is a sum, so batches add up to the same matrix.
        while batch := cursor.fetchmany(50_000):
            minutes = np.array(batch, dtype=np.int64).reshape(-1, 2).astype("datetime64[m]")
            matrix += aoristic_weekday_hour(_to_local(minutes[:, 0]), _to_local(minutes[:, 1]))
    return matrix


def _incident_years(
    party: Party,
) -> tuple[list[dict], datetime.datetime | None, datetime.datetime | None]:
    """Incidents per local calendar year and category, and the first and last incident.

    One pass in SQL, grouped by UTC year; only the hours around New Year, where the Swedish
    year can differ from the UTC year, are grouped by hour and moved to their local year.
    """
    table = connection.ops.quote_name(Incident._meta.db_table)
    if connection.vendor == "postgresql":
        utc = "(occurred_from AT TIME ZONE 'UTC')"
        bucket = (
            f"CASE WHEN to_char({utc}, 'MM-DD') IN ('12-31', '01-01') "
            f"THEN to_char({utc}, 'YYYY-MM-DD HH24') ELSE to_char({utc}, 'YYYY') END"
        )
    else:  # SQLite keeps "YYYY-MM-DD HH:MM:SS" in UTC
        bucket = (
            "CASE WHEN substr(occurred_from, 6, 5) IN ('12-31', '01-01') "
            "THEN substr(occurred_from, 1, 13) ELSE substr(occurred_from, 1, 4) END"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket}, category, COUNT(*), MIN(occurred_from), MAX(occurred_from) "
            f"FROM {table} WHERE party_id = %s GROUP BY 1, 2",
            [party.pk],
        )
        rows = cursor.fetchall()
    if not rows:
        return [], None, None
    totals: dict[tuple[int, str], int] = defaultdict(int)
    edges = [(b, c, n) for b, c, n, _a, _z in rows if len(b) > 4]
    for bucket_value, category, n, _a, _z in rows:
        if len(bucket_value) == 4:
            totals[(int(bucket_value), category)] += n
    if edges:
        hours = np.array([b.replace(" ", "T") for b, _c, _n in edges], dtype="datetime64[h]")
        local = _to_local(hours.astype("datetime64[m]")).astype("datetime64[Y]").astype(int)
        for (_b, category, n), year in zip(edges, local + 1970, strict=True):
            totals[(int(year), category)] += n
    zone = _zone()
    first, last = (
        (value if isinstance(value, datetime.datetime) else _utc(value)).astimezone(zone)
        for value in (min(r[3] for r in rows), max(r[4] for r in rows))
    )
    years = [{"year": y, "category": c, "n": n} for (y, c), n in totals.items() if n]
    return years, first, last


def _utc(text: str) -> datetime.datetime:
    """SQLite's stored text ("2025-03-12 20:30:00", UTC) as an aware datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def _to_local(utc: np.ndarray) -> np.ndarray:
    """UTC minutes to local wall-clock minutes in the site's time zone (analysis.timeprofile)."""
    return to_local_minutes(utc, _zone())


def peak_times(party: Party, k: int = 2) -> list[tuple[str, int]]:
    matrix = weekday_hour(party)
    if matrix.sum() == 0:
        return []
    flat = np.argsort(-matrix, axis=None, kind="stable")[:k]
    return [(WEEKDAYS_SV[i // 24], int(i % 24)) for i in flat]


@dataclass(frozen=True)
class HotCell:
    x: float
    y: float
    count: int
    z: float
    p_value: float
    # The nearest place named in the incidents, and how far its incident lies from the cell.
    place: str = ""
    place_metres: float | None = None

    @property
    def hot_by_neighbours(self) -> bool:
        """No incident of its own: the cell is hot because its neighbours have many."""
        return self.count == 0


@dataclass(frozen=True)
class Hotspots:
    cells: list[HotCell]
    settings: object | None
    points: int
    note: str = ""


HOTSPOT_CELL_METRES = 200.0
HOTSPOT_MAX_CELLS = 250_000  # a grid larger than this says the coordinates are spread too far
# Below this many located incidents Gi* mostly flags cells by chance: each cell's expected
# count is a fraction of one, the normal approximation behind z and p does not hold, and one
# or two incidents make a whole neighbourhood "significant". A rule of thumb of ours, not a
# published threshold: six incidents gave eleven "significant" cells, several of them empty.
HOTSPOT_MIN_EVENTS = 30
# A place named this far from a cell is not offered as the cell's place.
HOTSPOT_PLACE_METRES = 500.0


def hotspots(party: Party, cell_size: float = HOTSPOT_CELL_METRES) -> Hotspots:
    """Getis-Ord Gi* hot spots on a square grid of the party's incident coordinates (stored)."""
    return figures.stored(party, "hotspots", f"{cell_size:g}", lambda: _hotspots(party, cell_size))


def _hotspots(party: Party, cell_size: float) -> Hotspots:
    """Gi* on the grid of the party's located incidents.

    The grid is counted in SQL (one row per occupied cell), never by loading a million
    coordinates into the process; its origin and shape are those of
    ``analysis.hotspots.grid_counts``: snapped to the cell size.
    """
    import math

    from samverkan.analysis.hotspots import Grid, gi_star
    from samverkan.mapping.mapdata import _CellIndex

    located = Incident.objects.filter(party=party, x__isnull=False, y__isnull=False)
    agg = located.aggregate(n=Count("*"), x0=Min("x"), y0=Min("y"), x1=Max("x"), y1=Max("y"))
    points = int(agg["n"])
    if points < HOTSPOT_MIN_EVENTS:
        return Hotspots(
            [],
            None,
            points,
            f"Med {points} händelser med koordinater går det inte att bedöma hot spots: "
            f"det behövs minst {HOTSPOT_MIN_EVENTS}. Med så få händelser blir rutor "
            "”signifikanta” av en slump. Se i stället listan över platser ovan.",
        )
    spread = ((agg["x1"] - agg["x0"]) / cell_size + 1) * ((agg["y1"] - agg["y0"]) / cell_size + 1)
    if spread > HOTSPOT_MAX_CELLS:
        return Hotspots([], None, points, "Koordinaterna är för utspridda för ett rutnät.")
    x0 = math.floor(agg["x0"] / cell_size) * cell_size
    y0 = math.floor(agg["y0"] / cell_size) * cell_size
    n_cols = max(1, math.floor((agg["x1"] - x0) / cell_size) + 1)
    n_rows = max(1, math.floor((agg["y1"] - y0) / cell_size) + 1)
    counts = np.zeros((n_rows, n_cols), dtype=np.int64)
    for row, col, n in (
        located.order_by()
        .annotate(col=_CellIndex("x", x0, cell_size), row=_CellIndex("y", y0, cell_size))
        .values_list("row", "col")
        .annotate(n=Count("*"))
    ):
        counts[min(int(row), n_rows - 1), min(int(col), n_cols - 1)] += n
    grid = Grid(cell_size=float(cell_size), x0=x0, y0=y0, counts=counts)
    try:
        result = gi_star(grid)
    except ValueError as exc:
        return Hotspots([], None, points, str(exc))
    cx, cy = grid.centres()
    hot = np.argwhere(result.category == 1)
    cells = [
        HotCell(
            float(cx[r, c]),
            float(cy[r, c]),
            int(grid.counts[r, c]),
            float(result.z[r, c]),
            float(result.p_value[r, c]),
        )
        for r, c in hot
    ]
    # Cells with incidents of their own first: an empty cell next to a dense one often has the
    # highest z (its neighbours count fully) but is not where anything happens.
    cells.sort(key=lambda h: (h.hot_by_neighbours, -h.z))
    return Hotspots(_with_places(party, cells[:20]), result.settings, points)


def _with_places(party: Party, cells: list[HotCell]) -> list[HotCell]:
    """Name each cell by the nearest incident that has a place name (within 500 m)."""
    import dataclasses

    if not cells:
        return cells
    # Only incidents near the hot cells can name one: those within reach of their box.
    reach = HOTSPOT_PLACE_METRES
    named = list(
        Incident.objects.filter(
            party=party,
            x__gte=min(c.x for c in cells) - reach,
            x__lte=max(c.x for c in cells) + reach,
            y__gte=min(c.y for c in cells) - reach,
            y__lte=max(c.y for c in cells) + reach,
        )
        .exclude(place="")
        .values_list("x", "y", "place")[:200_000]
    )
    if not named:
        return cells
    xy = np.array([(x, y) for x, y, _p in named], dtype=float)
    out = []
    for cell in cells:
        distances = np.hypot(xy[:, 0] - cell.x, xy[:, 1] - cell.y)
        nearest = int(np.argmin(distances))
        if distances[nearest] <= HOTSPOT_PLACE_METRES:
            cell = dataclasses.replace(
                cell, place=named[nearest][2], place_metres=float(distances[nearest])
            )
        out.append(cell)
    return out


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


def interpretation_trend(party: Party) -> InterpretationTrend:
    from samverkan.analysis.categories import (
        INTERPRETATION_LABELS_SV,
        INTERPRETATION_MEANING_SV,
        POLICE_INITIATED,
        UNKNOWN_INTERPRETATION_SV,
    )

    table = crime_table([party], "")
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
                "percent": f"{initiative.change_percent:+.1f}".replace(".", ","),
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
                    "diff": f"{moved[0][0]:+d}",
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


@dataclass
class SurveySeries:
    """One survey question over the years, one line per area."""

    question: str
    years: list[int]
    areas: list[tuple[str, list[float | None], list[int | None]]]  # area, shares, respondents

    def chart_series(self) -> list[tuple[str, list[float]]]:
        """The areas with a share for every year (a line needs every point)."""
        return [
            (area, [s for s in shares if s is not None])
            for area, shares, _n in self.areas
            if all(s is not None for s in shares)
        ]


def survey_series(party: Party) -> list[SurveySeries]:
    from samverkan.mapping.models import SurveyResult

    found: dict[str, dict[str, dict[int, tuple[float, int]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for question, area, year, share, n in SurveyResult.objects.filter(party=party).values_list(
        "question", "area", "year", "share", "n"
    ):
        found[question][area][year] = (share, n)
    result = []
    for question in sorted(found):
        by_area = found[question]
        years = sorted({y for values in by_area.values() for y in values})
        areas = [
            (
                area,
                [by_area[area][y][0] if y in by_area[area] else None for y in years],
                [by_area[area][y][1] if y in by_area[area] else None for y in years],
            )
            for area in sorted(by_area)
        ]
        result.append(SurveySeries(question, years, areas))
    return result


@dataclass
class CostTotals:
    """What the party's recorded costs of crime add up to per year, item by item."""

    years: list[int]
    items: list[tuple[str, list[float | None]]]
    totals: list[float]
    sources: list[str]

    def change_percent(self) -> float | None:
        if len(self.totals) < 2 or not self.totals[-2]:
            return None
        return round(100 * (self.totals[-1] - self.totals[-2]) / self.totals[-2], 1)


def cost_totals(party: Party) -> CostTotals:
    from samverkan.mapping.models import CrimeCost

    by_item: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    sources: set[str] = set()
    for item, year, amount, source in CrimeCost.objects.filter(party=party).values_list(
        "item", "year", "amount", "source"
    ):
        by_item[item][year] += float(amount)
        if source:
            sources.add(source)
    years = sorted({y for values in by_item.values() for y in values})
    items = [
        (item, [by_item[item][y] if y in by_item[item] else None for y in years])
        for item in sorted(by_item)
    ]
    totals = [sum(by_item[item].get(y, 0.0) for item in by_item) for y in years]
    return CostTotals(years, items, totals, sorted(sources))
