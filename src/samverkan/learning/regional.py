"""The regional view: each kommun of a scope side by side, from public sources only.

For each kommun: its status under Lag (2023:196) (lägesbild and åtgärdsplan decided when and by
whom, whether a samordningsfunktion is named: the public record of a kommun's duty), reported
offences per 100 000 inhabitants with an exact interval against the kommuner it compares itself
with and their trend (the figures of its public lägesbild), and its published measures and effect
results (only partnerships that publish open data; the same suppression applies). Then the pooled
evidence of the region's published results.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from samverkan.accounts import audience
from samverkan.analysis.rates import Trend, linear_trend, poisson_rate_interval
from samverkan.learning import evidence, opendata
from samverkan.learning.models import RegionalScope
from samverkan.lib import numbers
from samverkan.lib.text import csv_cell
from samverkan.partnerships.models import Partnership

# Fewer shown years give no trend worth the name (as mapping.subjects.crime.MIN_TREND_YEARS).
MIN_TREND_YEARS = 3


@dataclass(frozen=True)
class RateYear:
    """One year's reported offences per 100 000 of a kommun, as its public lägesbild shows it."""

    year: int
    rate: float
    low: float | None  # exact 95 % interval; None when no count lies behind the rate (Kolada)
    high: float | None
    group_mean: float | None  # unweighted mean of the comparison kommuner with a rate
    group_n: int

    @property
    def rate_text(self) -> str:
        return numbers.number(round(self.rate))

    @property
    def interval_text(self) -> str:
        if self.low is None or self.high is None:
            return _("inget intervall (nyckeltal utan antal)")
        return f"{numbers.number(round(self.low))}–{numbers.number(round(self.high))}"

    @property
    def group_text(self) -> str:
        return "–" if self.group_mean is None else numbers.number(round(self.group_mean))

    @property
    def position(self) -> str:
        """Where the kommun stands against its comparison group, read from the interval."""
        if self.group_mean is None:
            return _("ingen jämförelsegrupp")
        if self.low is None or self.high is None:
            return _("över snittet") if self.rate > self.group_mean else _("under snittet")
        if self.low > self.group_mean:
            return _("över snittet (hela intervallet)")
        if self.high < self.group_mean:
            return _("under snittet (hela intervallet)")
        return _("inte säkert skild från snittet")


@dataclass
class CrimeRates:
    """A kommun's reported offences per 100 000 by year, or why there are none to show."""

    years: list[RateYear] = field(default_factory=list)
    missing: str = ""
    group: list[str] = field(default_factory=list)
    basis: str = ""
    source: str = ""
    own_trend: Trend | None = None
    group_trend: Trend | None = None
    withheld: int = 0  # years left out because a count behind them is small

    @property
    def latest(self) -> RateYear | None:
        return self.years[-1] if self.years else None

    @property
    def group_text(self) -> str:
        return ", ".join(self.group) if self.group else _("ingen jämförelsegrupp vald")

    @staticmethod
    def _trend_text(trend: Trend | None) -> str:
        if trend is None:
            return _("för få år")
        slope = round(trend.slope)
        if slope == 0:
            return _("oförändrad")
        return _("%(change)s per år") % {"change": numbers.number(slope, 0)}

    @property
    def own_trend_text(self) -> str:
        return self._trend_text(self.own_trend)

    @property
    def group_trend_text(self) -> str:
        return self._trend_text(self.group_trend) if self.group else "–"


def _names_here(codes: Iterable[str]) -> dict[str, str]:
    """The names of the organisations here with codes the national list lacks (one query)."""
    from samverkan.accounts.models import Organisation
    from samverkan.mapping.municipalities import NAMES

    return dict(
        Organisation.objects.filter(code__in={c for c in codes if c not in NAMES})
        .order_by("pk")
        .values_list("code", "name")
    )


def _names(codes: list[str], here: dict[str, str] | None = None) -> list[str]:
    """Kommun names for SCB codes: the national list first, then the organisations here
    (``here``: read already for these codes and maybe more)."""
    from samverkan.mapping.municipalities import NAMES

    if here is None:
        here = _names_here(codes)
    return [NAMES.get(c) or here.get(c) or c for c in codes]


def _trend(points: list[tuple[int, float]]) -> Trend | None:
    if len(points) < MIN_TREND_YEARS:
        return None
    return linear_trend([y for y, _v in points], [v for _y, v in points])


def crime_rates(partnership: Partnership) -> CrimeRates:
    """The rates of the partnership's public lägesbild (documents/lagesbild.py ``_comparison``).

    The same rows are withheld as there: a year in which any category's count is small (a rate
    with its population gives the count back, and so would the total beside a withheld cell),
    and a year whose own count is small. The trends are fitted to the shown years only, so no
    withheld rate can be worked back from a slope. The interval is exact Poisson on the count.
    """
    from samverkan.accounts import access

    parties = list(access.released_mapping_parties(partnership).select_related("organisation"))
    return _crime_rates(partnership, parties)


def crime_rates_of(partnerships: list[Partnership]) -> dict[int, CrimeRates]:
    """``crime_rates`` of many partnerships (a page of kommuner, or a whole region), by id:
    the same figures, read in a fixed number of queries however many there are (the parties
    whose mapping is released; then ``rates.preload``'s statistics, choices, populations and
    Kolada totals; the names of comparison kommuner outside the national list). Each
    partnership needs its ``municipality`` loaded."""
    from samverkan.mapping.choices import ReportStatus
    from samverkan.mapping.subjects import one_build, rates
    from samverkan.partnerships.models import Party

    if not partnerships:
        return {}
    by_id = {p.pk: p for p in partnerships}
    released: dict[int, list[Party]] = {pk: [] for pk in by_id}
    # access.released_mapping_parties, for all the partnerships at once (the same order).
    for party in (
        Party.objects.filter(partnership_id__in=by_id, situation_report__status=ReportStatus.SHARED)
        .select_related("organisation")
        .order_by("organisation__name", "pk")
    ):
        party.partnership = by_id[party.partnership_id]
        released[party.partnership_id].append(party)
    parties = [party for found in released.values() for party in found]
    with one_build():
        rates.preload(parties)
        here = _names_here(c for party in parties for c in rates.comparison(party).codes)
        return {pk: _crime_rates(by_id[pk], released[pk], here) for pk in by_id}


def _crime_rates(
    partnership: Partnership, parties: list[Any], names_here: dict[str, str] | None = None
) -> CrimeRates:
    """``crime_rates`` from the parties whose mapping is released (in their order)."""
    from samverkan.documents.lagesbild import hidden_years
    from samverkan.mapping.subjects import crime, one_build, rates

    if not parties:
        return CrimeRates(missing=_("uppgift saknas: ingen part har delat sin kartläggning"))
    table = crime.crime_table(parties, str(partnership.municipality))
    hidden = hidden_years(table, audience.PUBLIC, settings.SMALL_COUNT_THRESHOLD)
    public = audience.public()
    found = CrimeRates()
    # (year, count, population, rate, group mean, group n, basis)
    series: list[tuple[int, int | None, int | None, float, float | None, int, str]] = []
    gaps: list[str] = []
    with one_build():
        for party in parties:
            comparison = rates.comparison(party)
            if comparison.by_year:
                found.group = _names(comparison.codes, names_here)
                for rc in comparison.by_year:
                    own = rc.own
                    if own.rate is None:
                        continue
                    mean = rc.deviation.comparison_mean if rc.deviation else None
                    basis = f"{rc.source}:{rc.basis}"
                    series.append(
                        (
                            rc.year,
                            own.count,
                            own.population,
                            own.rate,
                            mean,
                            len(rc.compared),
                            basis,
                        )
                    )
                    found.source = own.source
                break
            by_year = rates.rates_by_year(party)
            if by_year:
                series = [(r.year, r.count, r.population, r.rate, None, 0, "") for r in by_year]
                found.source = _("brottsstatistik och befolkning (partens importer)")
                break
            gaps.extend(g.reason for g in rates.rate_gaps(party))
    shown: list[tuple[RateYear, str]] = []
    for year, count, population, rate, mean, n, basis in series:
        if year in hidden or public.withholds_counts(count):
            found.withheld += 1
            continue
        low = high = None
        if count is not None and population:
            interval = poisson_rate_interval(count, population)
            low, high = interval.low, interval.high
        shown.append((RateYear(year, rate, low, high, mean, n), basis))
    found.years = [r for r, _b in shown]
    if not found.years:
        if found.withheld:
            found.missing = _("uppgift saknas: antalen är för små för att visas offentligt")
        elif gaps:
            found.missing = _("uppgift saknas: %(why)s") % {"why": gaps[-1]}
        else:
            found.missing = _("uppgift saknas: ingen brottsstatistik med befolkning")
        return found
    # Like with like: only the years counted the same way as the latest make a trend.
    last_basis = shown[-1][1]
    alike = [r for r, b in shown if b == last_basis]
    found.basis = last_basis.partition(":")[2]
    found.own_trend = _trend([(r.year, r.rate) for r in alike])
    found.group_trend = _trend([(r.year, r.group_mean) for r in alike if r.group_mean is not None])
    return found


@dataclass
class KommunRow:
    name: str
    code: str
    lagesbild: Any = None  # DocumentDecision or None
    atgardsplan: Any = None
    coordinator_named: bool = False
    # The samordningsfunktion's title (a function, e.g. "Trygghetssamordnare"): never the
    # person's name or contact details, which are not part of the public record shown here.
    coordinator_title: str = ""
    publishes: bool = False
    rates: CrimeRates = field(default_factory=CrimeRates)
    measures: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    result_count: int | None = None  # on the page: a count, the rows are not read
    measure_count: int | None = None

    @property
    def measures_shown(self) -> int:
        return len(self.measures) if self.measure_count is None else self.measure_count

    @property
    def decisions(self) -> tuple[Any, Any]:
        return (self.lagesbild, self.atgardsplan)

    @property
    def results_shown(self) -> int:
        return len(self.results) if self.result_count is None else self.result_count


PAGE_SIZE = 10


def municipalities(scope: RegionalScope) -> Any:
    """The scope's kommuner in the view's order (name, then id for stable paging)."""
    return scope.municipalities.order_by("name", "pk")


def rows_for(
    scope: RegionalScope, orgs: list[Any] | None = None, *, with_results: bool = True
) -> list[KommunRow]:
    """The rows of ``orgs`` (default: every kommun of the scope). The Lag status, the
    partnerships and their publication are read for all of them in one query each; the rates
    of every publishing partnership in a fixed number more (``crime_rates_of``), the
    measures per publishing partnership. ``with_results`` False counts each kommun's
    published results in the database instead of building them (the page shows a count)."""
    from django.db.models import Count, F

    from samverkan.documents.models import DocumentDecision
    from samverkan.followup.models import EffectEvaluation
    from samverkan.partnerships.models import Coordinator
    from samverkan.problems.models import Measure

    orgs = list(municipalities(scope)) if orgs is None else orgs
    ids = [o.pk for o in orgs]
    decisions: dict[int, dict[str, Any]] = {}
    for d in (
        DocumentDecision.objects.filter(partnership__municipality__in=ids)
        .select_related("partnership")
        .order_by("decided_on", "pk")
    ):
        # The latest decision of each kind speaks for the kommun.
        decisions.setdefault(d.partnership.municipality_id, {})[d.kind] = d
    # The Lag status is the public record of the kommun's duty: it is shown for every kommun
    # of the scope, whether or not its partnership publishes open data. Only its facts are
    # read (decided when, by which body, diarienummer, due for review; whether a
    # samordningsfunktion is named and its title), never the decided document's content.
    named: dict[int, str] = {}
    for org_id, title in (
        Coordinator.objects.filter(
            party__partnership__municipality__in=ids,
            party__organisation_id=F("party__partnership__municipality_id"),
        )
        .order_by("pk")
        .values_list("party__organisation_id", "title")
    ):
        named[org_id] = named.get(org_id) or title.strip()
    partnerships: dict[int, list[Partnership]] = {}
    for p in (
        Partnership.objects.filter(municipality__in=ids)
        .select_related("municipality", "police_area", "open_data")
        .order_by("name", "pk")
    ):
        partnerships.setdefault(p.municipality_id, []).append(p)
    counts: dict[int, int] = {}
    measure_counts: dict[int, int] = {}
    if not with_results:
        counts = dict(
            EffectEvaluation.objects.filter(
                partnership__municipality__in=ids, partnership__open_data__published=True
            )
            .order_by()
            .values_list("partnership__municipality_id")
            .annotate(n=Count("id"))
        )
        # The measures a public edition shows in full (the open data's ``measures``), counted
        # in the database with the public audience's own filter.
        measure_counts = dict(
            Measure.objects.filter(
                partnership__municipality__in=ids, partnership__open_data__published=True
            )
            .filter(audience.public().measure_q())
            .order_by()
            .values_list("partnership__municipality_id")
            .annotate(n=Count("id"))
        )
    # The figures of every publishing partnership at once (a fixed number of queries).
    rates_of = crime_rates_of(
        [
            p
            for found_ps in partnerships.values()
            for p in found_ps
            if getattr(p, "open_data", None) is not None and p.open_data.published
        ]
    )
    found = []
    for org in orgs:
        row = KommunRow(str(org), org.code)
        for kind, d in decisions.get(org.pk, {}).items():
            if kind in ("lagesbild", "atgardsplan"):
                setattr(row, kind, d)
        row.coordinator_named = org.pk in named
        row.coordinator_title = named.get(org.pk, "")
        row.rates = CrimeRates(missing=_("uppgift saknas: kommunen publicerar inte öppna data"))
        for p in partnerships.get(org.pk, []):
            publication = getattr(p, "open_data", None)
            if publication is None or not publication.published:
                continue
            if not row.rates.years:
                # The first publishing partnership with figures speaks for the kommun.
                rates = rates_of[p.pk]
                if rates.years or not row.publishes:
                    row.rates = rates
            row.publishes = True
            if with_results:
                # The parts of the open data shown, from the open data's own builder.
                row.measures.extend(opendata.measures(p)["atgarder"])
                row.results.extend(opendata.results(p))
        if not with_results:
            row.result_count = counts.get(org.pk, 0)
            row.measure_count = measure_counts.get(org.pk, 0)
        found.append(row)
    return found


def region_groups(scope: RegionalScope) -> list[evidence.Group]:
    """The pooled evidence of every kommun of the scope (not only the page's), read as the
    evidence bank reads it: one narrow row per poolable result."""
    from samverkan.learning.models import HarvestedResult

    own = opendata.published_evaluations(partnership__municipality__in=scope.municipalities.all())
    return [g for g in evidence.pooled_groups(own, HarvestedResult.objects.none()) if g.pooled]


def pooled(rows: list[KommunRow]) -> list[evidence.Group]:
    return [g for g in evidence.groups([r for k in rows for r in k.results]) if g.pooled]


CSV_COLUMNS = (
    "kommun",
    "kommunkod",
    "lagesbild_beslutad",
    "lagesbild_organ",
    "atgardsplan_beslutad",
    "atgardsplan_organ",
    "lagesbild_diarienummer",
    "atgardsplan_diarienummer",
    "samordningsfunktion",
    "samordningsfunktion_befattning",
    "publicerar_oppna_data",
    "atgarder",
    "effektuppfoljningar",
    "brott_ar",
    "brott_per_100000",
    "intervall_95_lag",
    "intervall_95_hog",
    "jamforelsekommuner",
    "jamforelsekommuner_snitt",
    "trend_per_ar",
    "jamforelsekommuner_trend_per_ar",
    "brott_uppgift_saknas",
)


def _whole(value: float | None) -> int | str:
    return "" if value is None else round(value)


def as_csv(rows: list[KommunRow]) -> str:
    """The regional table for a spreadsheet: UTF-8 with a BOM and ``;`` between cells, as the
    project's other exports for people (Excel in Swedish opens it as it is); whole numbers."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        latest = r.rates.latest
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    r.name,
                    r.code,
                    r.lagesbild.decided_on.isoformat() if r.lagesbild else "",
                    r.lagesbild.body if r.lagesbild else "",
                    r.atgardsplan.decided_on.isoformat() if r.atgardsplan else "",
                    r.atgardsplan.body if r.atgardsplan else "",
                    r.lagesbild.reference if r.lagesbild else "",
                    r.atgardsplan.reference if r.atgardsplan else "",
                    "ja" if r.coordinator_named else "nej",
                    r.coordinator_title,
                    "ja" if r.publishes else "nej",
                    r.measures_shown,
                    r.results_shown,
                    latest.year if latest else "",
                    _whole(latest.rate) if latest else "",
                    _whole(latest.low) if latest else "",
                    _whole(latest.high) if latest else "",
                    ", ".join(r.rates.group),
                    _whole(latest.group_mean) if latest else "",
                    _whole(r.rates.own_trend.slope) if r.rates.own_trend else "",
                    _whole(r.rates.group_trend.slope) if r.rates.group_trend else "",
                    r.rates.missing,
                )
            ]
        )
    return out.getvalue()


def summary_document(scope: RegionalScope, rows: list[KommunRow]) -> Any:
    """The regional summary as a document (PDF and Word through the documents app's
    renderers): the same rows as the page, nothing computed beyond them, small counts withheld
    exactly as on the page (``crime_rates``)."""
    from django.conf import settings as conf
    from django.utils import timezone

    from samverkan.documents.data import _date
    from samverkan.documents.structure import BulletList, Document, Paragraph, Table

    names = [r.name for r in rows]
    doc = Document(
        kind="region",
        title="Regional sammanställning",
        subtitle=f"Kommunernas brottsförebyggande arbete: {scope.name}",
        edition="public",
        partnership=scope.name,
        date=_date(timezone.localdate()),
        meta={"edition_label": "Offentlig version", "names": [scope.name, *names]},
        sender=scope.name,
        logo=conf.DOCUMENT_LOGO,
    )
    doc.section(
        "Om sammanställningen",
        Paragraph(
            "Sammanställningen visar kommunerna sida vid sida ur offentliga uppgifter: beslut "
            "enligt lagen (2023:196) om kommuners ansvar för brottsförebyggande arbete, "
            "anmälda brott per 100 000 invånare ur kommunernas offentliga lägesbilder och det "
            "som kommunernas samverkan har publicerat som öppna data. Antal under "
            f"{conf.SMALL_COUNT_THRESHOLD} och tal som går att räkna tillbaka till dem visas inte."
        ),
    )

    def decided(d: Any) -> str:
        if not d:
            return "Inget beslut registrerat"
        text = f"{_date(d.decided_on)}, {d.body}"
        return f"{text}, dnr {d.reference}" if d.reference else text

    def function(r: KommunRow) -> str:
        if not r.coordinator_named:
            return "Inte utsedd"
        return f"Utsedd: {r.coordinator_title}" if r.coordinator_title else "Utsedd"

    doc.section(
        "Status enligt lag (2023:196)",
        Table(
            "Lägesbild, åtgärdsplan och samordningsfunktion per kommun",
            ("Kommun", "Lägesbild beslutad", "Åtgärdsplan beslutad", "Samordningsfunktion"),
            tuple(
                (
                    r.name,
                    decided(r.lagesbild),
                    decided(r.atgardsplan),
                    function(r),
                )
                for r in rows
            ),
            "Källa: kommunernas registrerade beslut i Samverkan.",
        ),
    )
    rate_rows = []
    for r in rows:
        latest = r.rates.latest
        if latest is None:
            rate_rows.append((r.name, "–", r.rates.missing.capitalize(), "–", "–", "–"))
            continue
        rate_rows.append(
            (
                r.name,
                str(latest.year),
                f"{latest.rate_text} ({latest.interval_text})",
                latest.group_text,
                latest.position,
                f"{r.rates.own_trend_text} / {r.rates.group_trend_text}",
            )
        )
    doc.section(
        "Anmälda brott per 100 000 invånare",
        Table(
            "Anmälda brott per 100 000 invånare senaste år med uppgift, med 95 % intervall",
            (
                "Kommun",
                "År",
                "Per 100 000 (95 % intervall)",
                "Jämförelsekommunernas snitt",
                "Läge",
                "Trend per år, kommunen / jämförelsekommunerna",
            ),
            tuple(rate_rows),
            "Källa: kommunernas offentliga lägesbilder (anmälda brott enligt Brå, folkmängd "
            "enligt SCB). Exakt 95 % Poisson-intervall; jämförelsekommunerna har kommunen "
            "själv valt, snittet är ovägt; trenden är en rät linje genom de visade åren.",
        ),
        BulletList(
            tuple(
                f"{r.name}: jämförelsekommuner {r.rates.group_text}." for r in rows if r.rates.years
            )
        )
        if any(r.rates.years for r in rows)
        else Paragraph("Ingen kommun har offentliga siffror per 100 000 invånare."),
    )
    doc.section(
        "Publicerade åtgärder och resultat",
        Table(
            "Publicerade åtgärder och effektuppföljningar per kommun",
            ("Kommun", "Publicerade åtgärder", "Publicerade effektuppföljningar"),
            tuple(
                (r.name, str(r.measures_shown), str(r.results_shown))
                if r.publishes
                else (r.name, "Publicerar inte", "–")
                for r in rows
            ),
            "Källa: kommunernas öppna data.",
        ),
    )
    pooled_section = doc.section("Sammanvägd kunskap i regionen")
    groups = region_groups(scope)
    for g in groups:
        part = pooled_section.sub(str(g.label), BulletList(tuple(str(s) for s in g.reading)))
        chart = evidence.forest_chart(g)
        if chart is not None:
            part.add(chart)
    if not groups:
        pooled_section.add(
            Paragraph(
                "Regionens kommuner har ännu inte publicerat två eller fler jämförbara "
                "effektuppföljningar av samma typ av åtgärd."
            )
        )
    return doc.number()
