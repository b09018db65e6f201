"""Reported offences per 100 000 inhabitants, and the comparison with the municipalities the
party chose as comparable (crime statistics, population and Kolada's key figures)."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from samverkan.analysis.categories import is_total_offence
from samverkan.analysis.periods import ALL_MONTHS, months_label
from samverkan.analysis.periods import months_of as _months_of
from samverkan.analysis.rates import (
    Deviation,
    Trend,
    deviation_from_comparison,
    linear_trend,
    rate_per_100k,
)
from samverkan.mapping.models import (
    ComparisonMunicipalities,
    CrimeStatistic,
    KeyFigure,
    Population,
)
from samverkan.mapping.municipalities import NAMES
from samverkan.mapping.subjects import memo, per_party, remember
from samverkan.mapping.subjects.crime import (
    MIN_TREND_YEARS,
    STATISTIC_FIELDS,
    comparison_choice,
    comparison_codes,
    own_municipality_code,
    own_statistic_test,
    own_statistics,
    preload_statistics,
    preloaded_statistics,
)
from samverkan.partnerships.models import Party


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


@per_party
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


@per_party
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
    others = [c for c in codes if c != own_code]
    read = preloaded_statistics(party)
    if read is None:
        own_rows = own_statistics(party)
        own_coded = bool(own_code) and own_rows.filter(municipality_code=own_code).exists()
        own_rows = own_rows.filter(municipality_code=own_code if own_coded else "")
        querysets: list[tuple[str | None, QuerySet]] = [(OWN, own_rows)]
        if others:
            querysets.append(
                (None, CrimeStatistic.objects.filter(party=party, municipality_code__in=others))
            )
        sources: list[tuple[str | None, Iterable[dict]]] = [
            (key, qs.values(*_UNIT_FIELDS, "population").annotate(n=Sum("count")).order_by())
            for key, qs in querysets
        ]
    else:
        own_coded, sources = _preloaded_sources(party, own_code, others, read)
    grouped: dict[tuple[str, int], dict[tuple[str, str], list[dict]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for key, found in sources:
        for row in found:
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


_UNIT_FIELDS = ("municipality_code", "area", "year", "quarter", "month", "offence", "category")


def _preloaded_sources(
    party: Party, own_code: str, others: list[str], read: list[tuple]
) -> tuple[bool, list[tuple[str | None, Iterable[dict]]]]:
    """``_load_units``' two sources from the party's rows read already: what its queries
    select and sum (the own area's rows, the comparison municipalities'), selected and summed
    here. Returns (whether the own area is the coded municipality, the sources)."""
    index = {name: i for i, name in enumerate(STATISTIC_FIELDS)}
    code_at, count_at = index["municipality_code"], index["count"]
    is_own = own_statistic_test(party)
    own = [r for r in read if is_own(r[code_at])]
    own_coded = bool(own_code) and any(r[code_at] == own_code for r in own)
    wanted = own_code if own_coded else ""
    own = [r for r in own if r[code_at] == wanted]
    other_codes = set(others)
    other = [r for r in read if r[code_at] in other_codes] if others else []
    names = (*_UNIT_FIELDS, "population")
    key_of = operator.itemgetter(*(index[f] for f in names))

    def summed(rows: list[tuple]) -> list[dict]:
        sums: dict[tuple, int] = {}
        for r in rows:
            key = key_of(r)
            sums[key] = sums.get(key, 0) + r[count_at]
        return [{**dict(zip(names, k, strict=True)), "n": n} for k, n in sums.items()]

    sources: list[tuple[str | None, Iterable[dict]]] = [(OWN, summed(own))]
    if others:
        sources.append((None, summed(other)))
    return own_coded, sources


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
    wanted = [c for c in codes if c]
    read = _preloaded(_POPULATION_ROWS, party)
    rows: Iterable[tuple[str, str, int, int]]
    if read is None:
        rows = (
            Population.objects.filter(party=party)
            .filter(Q(municipality_code__in=wanted) | Q(area__in=areas))
            .values_list("municipality_code", "area", "year", "count")
        )
    else:
        rows = [r for r in read if r[0] in wanted or r[1] in areas]
    for code, area, year, count in rows:
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


@per_party
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
    read = _preloaded(_KEY_FIGURE_ROWS, party)
    rows: Iterable[tuple[str, str, int, float | None]]
    if read is None:
        rows = (
            _key_figures()
            .filter(party=party, municipality_code__in=codes)
            .values_list("kpi", "municipality_code", "year", "value")
        )
    else:
        rows = [r for r in read if r[1] in codes]
    for kpi, code, year, value in sorted(rows, key=lambda r: priority.index(r[0])):
        if value is not None and value >= 0:  # never None here (filtered above)
            found.setdefault((code, year), (kpi, value * KOLADA_TOTAL_RATE_KPIS[kpi]))
    return found


def _key_figures() -> QuerySet[KeyFigure]:
    """Kolada's totals per 100 000 (``_kolada_rates``), of every party and municipality."""
    return KeyFigure.objects.filter(
        kpi__in=list(KOLADA_TOTAL_RATE_KPIS), gender="T", value__isnull=False
    )


# ---- many parties at once ----------------------------------------------------------------

# Memo keys of the rows ``preload`` reads (with the party's id).
_POPULATION_ROWS = "population rows"
_KEY_FIGURE_ROWS = "key figure rows"


def _preloaded(kind: str, party: Party) -> list[tuple] | None:
    found = memo()
    return None if found is None else found.get((kind, party.pk))


def preload(parties: list[Party]) -> None:
    """Inside one build: what the parties' rates and comparisons are computed from, read in
    one query per table for all of them (a page of many kommuner): their choices of
    comparison municipalities, crime statistics, populations and Kolada's totals. Then
    ``comparison``, ``rates_by_year`` and ``rate_gaps`` compute the same figures as they do
    party by party, without a query. Each party needs ``partnership.municipality`` loaded.
    Outside a build, nothing is read."""
    found = memo()
    if found is None:
        return
    parties = [p for p in parties if (_POPULATION_ROWS, p.pk) not in found]
    if not parties:
        return
    ids = [p.pk for p in parties]
    choices = {c.party_id: c for c in ComparisonMunicipalities.objects.filter(party_id__in=ids)}
    for party in parties:
        remember(comparison_choice, choices.get(party.pk), party)
    owns = {p.pk: own_municipality_code(p) for p in parties}
    codes = {c for choice in choices.values() for c in choice.codes} | set(owns.values())
    # A party without a code of its own counts every row but its comparison municipalities'.
    preload_statistics(parties, codes if all(owns.values()) else None)
    areas = {row[1] for p in parties for row in preloaded_statistics(p) or []}
    populations: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for party_id, *row in (
        Population.objects.filter(party_id__in=ids)
        .filter(Q(municipality_code__in=[c for c in codes if c]) | Q(area__in=areas))
        .order_by("party_id", *(Population._meta.ordering or ()))
        .values_list("party_id", "municipality_code", "area", "year", "count")
    ):
        populations[party_id].append(tuple(row))
    key_figures: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for party_id, *row in (
        _key_figures()
        .filter(party_id__in=ids, municipality_code__in=codes)
        .order_by("party_id", *(KeyFigure._meta.ordering or ()))
        .values_list("party_id", "kpi", "municipality_code", "year", "value")
    ):
        key_figures[party_id].append(tuple(row))
    for pk in ids:
        found[(_POPULATION_ROWS, pk)] = populations[pk]
        found[(_KEY_FIGURE_ROWS, pk)] = key_figures[pk]
