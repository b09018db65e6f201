"""The evidence bank: every published effect result, searchable, pooled per kind of measure.

Rows are the open data's result rows (``opendata.RESULT_COLUMNS``): this instance's publishing
partnerships plus the cached results of other instances' catalogues (``harvest.py``). A kind of
measure with two or more results that carry a log rate ratio is pooled by a random-effects
model (``analysis.pooling.random_effects``, REML), drawn as a forest plot and read in plain
Swedish: how sure the average is, and why it may mislead.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samverkan import charts
from samverkan.analysis.pooling import PooledResult, random_effects
from samverkan.analysis.reading import swedish_number
from samverkan.documents.structure import Chart
from samverkan.learning import opendata
from samverkan.learning.models import MeasureMethod, PlaceType, RemoteCatalogue

# Fewer evaluations than this make tau2 (and so the interval) unreliable.
FEW = 5


def own_rows() -> list[dict[str, Any]]:
    name = getattr(settings, "OPEN_DATA_PUBLISHER", "Samverkan")
    rows = []
    for partnership in opendata.published_partnerships():
        for row in opendata.results(partnership):
            rows.append({**row, "kalla": name, "kalla_url": ""})
    return rows


def remote_rows() -> list[dict[str, Any]]:
    """Harvested rows, with this instance's names for known kinds of measure and place. Each
    row is checked again as harvesting checks it (``harvest.checked_row``: types, ranges,
    this instance's small-count rule), so rows stored by an older harvest are held to it too."""
    from samverkan.learning.harvest import checked_row

    rows: list[dict[str, Any]] = []
    for remote in RemoteCatalogue.objects.filter(active=True).only("results"):
        for stored in remote.results if isinstance(remote.results, list) else []:
            if not isinstance(stored, dict):
                continue
            row = checked_row(stored, stored.get("kalla"), stored.get("kalla_url"))
            if row is None:
                continue
            method, place = str(row.get("typ_av_atgard") or ""), str(row.get("typ_av_plats") or "")
            rows.append(
                {
                    **row,
                    "typ_av_atgard_namn": method_label(method, row),
                    "typ_av_plats_namn": place_label(place, row),
                }
            )
    return rows


@dataclass(frozen=True)
class Search:
    text: str = ""
    category: str = ""
    method: str = ""
    place: str = ""
    year: str = ""

    def matches(self, row: dict[str, Any]) -> bool:
        if self.text:
            haystack = " ".join(
                str(row.get(k) or "") for k in ("problem", "brottskategori", "mal", "indikator")
            ).casefold()
            if not all(word in haystack for word in self.text.casefold().split()):
                return False
        if self.category and row.get("brottskategori") != self.category:
            return False
        if self.method and row.get("typ_av_atgard") != self.method:
            return False
        if self.place and row.get("typ_av_plats") != self.place:
            return False
        if self.year:
            periods = f"{row.get('period_fore') or ''} {row.get('period_efter') or ''}"
            if self.year not in periods:
                return False
        return True


def method_label(code: str, row: dict[str, Any] | None = None) -> str:
    if code in MeasureMethod.values:
        return str(MeasureMethod(code).label)
    return str((row or {}).get("typ_av_atgard_namn") or code or "Okänd")


def place_label(code: str, row: dict[str, Any] | None = None) -> str:
    if code in PlaceType.values:
        return str(PlaceType(code).label)
    return str((row or {}).get("typ_av_plats_namn") or code or "Okänd")


def poolable(row: dict[str, Any]) -> bool:
    y, v = row.get("log_kvot"), row.get("varians")
    return (
        isinstance(y, (int, float))
        and isinstance(v, (int, float))
        and math.isfinite(y)
        and math.isfinite(v)
        and v > 0
        and not row.get("undertryckt")
    )


@dataclass
class Group:
    method: str
    label: str
    rows: list[dict[str, Any]]
    pooled: PooledResult | None = None
    reading: list[str] = field(default_factory=list)
    svg: str = ""
    total: int | None = None  # results of this kind (when ``rows`` holds the poolable only)

    @property
    def count(self) -> int:
        return len(self.rows) if self.total is None else self.total

    @property
    def poolable_rows(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if poolable(r)]

    @property
    def ratio(self) -> float | None:
        return math.exp(self.pooled.estimate) if self.pooled else None

    @property
    def ratio_low(self) -> float | None:
        return math.exp(self.pooled.ci_low) if self.pooled else None

    @property
    def ratio_high(self) -> float | None:
        return math.exp(self.pooled.ci_high) if self.pooled else None


def _n(value: float, digits: int = 2) -> str:
    return swedish_number(value, digits)


def read_pooled(result: PooledResult, label: str) -> list[str]:
    """The pooled effect in plain Swedish: what, how sure, and why it may mislead."""
    ratio = math.exp(result.estimate)
    low, high = math.exp(result.ci_low), math.exp(result.ci_high)
    change = 100 * (ratio - 1)
    direction = "minskade" if change < 0 else "ökade"
    text = [
        f"Där {label.lower()} har prövats och följts upp med kontrollområde {direction} de "
        f"anmälda brotten i genomsnitt med {_n(abs(change), 0)}\u00a0% jämfört med "
        f"kontrollområdena (kvot {_n(ratio)}, 95 % konfidensintervall {_n(low)}–{_n(high)}; "
        f"{result.k} utvärderingar)."
    ]
    if high < 1:
        text.append(
            "Hela intervallet ligger under 1: en genomsnittlig minskning är tydligare än vad "
            "slumpen brukar ge."
        )
    elif low > 1:
        text.append(
            "Hela intervallet ligger över 1: i genomsnitt ökade brotten där åtgärden prövades."
        )
    else:
        text.append(
            "Intervallet omfattar 1 (ingen skillnad): det går inte att säga att åtgärden i "
            "genomsnitt påverkar brotten."
        )
    if result.i2 >= 75:
        text.append(
            f"Resultaten skiljer sig mycket mellan platserna (I² {_n(result.i2, 0)}\u00a0%): "
            "effekten beror troligen på hur och var åtgärden görs, och medelvärdet säger lite "
            "om vad som händer hos just er."
        )
    elif result.i2 >= 25:
        text.append(
            f"Resultaten skiljer sig en del mellan platserna (I² {_n(result.i2, 0)}\u00a0%), "
            "mer än slumpen förklarar."
        )
    else:
        text.append(
            f"Resultaten skiljer sig lite mellan platserna (I² {_n(result.i2, 0)}\u00a0%), men med "
            "få utvärderingar kan skillnader finnas som inte syns."
        )
    if result.k < FEW:
        text.append(
            f"Bara {result.k} utvärderingar: skillnaden mellan platserna (τ²) skattas mycket "
            "osäkert, så intervallet kan vara för smalt. Se resultatet som en fingervisning."
        )
    text.append(
        "Kommuner publicerar oftare det som gick bra än det som inte gjorde det. Saknas "
        "misslyckade försök här ser åtgärden bättre ut än den är."
    )
    text.append(
        "Varje resultat jämför anmälda brott före och efter med ett kontrollområde. Anmälda "
        "brott speglar också hur benägna människor är att anmäla, och områden som valts för "
        "att brotten var ovanligt många brukar gå ner ändå."
    )
    return text


def _estimates(group: Group) -> tuple[list[charts.Estimate], charts.Estimate | None]:
    """The group's results (ratio, 95 % interval, inverse-variance weight) and its pooled
    ratio, as the forest plot draws them."""
    rows = []
    for r in group.poolable_rows:
        y, v = float(r["log_kvot"]), float(r["varians"])
        se = math.sqrt(v)
        rows.append(
            charts.Estimate(
                f"{r.get('kommun') or ''}: {r.get('indikator') or ''}",
                math.exp(y),
                math.exp(y - 1.96 * se),
                math.exp(y + 1.96 * se),
                1 / v,
            )
        )
    pooled = group.pooled
    if pooled is None:
        return rows, None
    return rows, charts.Estimate(
        _("Sammanvägt"),
        math.exp(pooled.estimate),
        math.exp(pooled.ci_low),
        math.exp(pooled.ci_high),
    )


def _forest(group: Group, *, document: bool) -> tuple[charts.Drawing, str] | None:
    """The group's forest plot and its alternative text, in the active language. A page
    titles it by its kind of measure and describes it by the alt text; a document (as its
    other charts) titles it by the alt text and describes it by its source."""
    rows, pooled = _estimates(group)
    if pooled is None or not rows:
        return None
    alt = charts.forest_alt(rows, pooled, subject=group.label)
    title = _("Skogsdiagram: %(label)s") % {"label": group.label}
    drawing = charts.forest_plot(
        rows,
        pooled,
        title=alt if document else title,
        desc=FOREST_SOURCE if document else alt,
        axis_label=_("Kvot mot kontrollområdet (logaritmisk skala)"),
        lower_label=_("← färre brott än i kontrollområdet"),
        upper_label=_("fler →"),
        ident=f"skog-{slugify(group.method) or 'okand'}",
    )
    return drawing, alt


FOREST_SOURCE = (
    "Källa: publicerade effektuppföljningar (öppna data). Kvot med 95 % konfidensintervall; "
    "sammanvägt med en slumpeffektmodell (REML)."
)


def forest_plot(group: Group) -> charts.Drawing | None:
    """The group's forest plot for a page, drawn by the chart engine (samverkan.charts), its
    title and description in the page's language; None without a pooled result."""
    found = _forest(group, document=False)
    return found[0] if found else None


def forest_chart(group: Group) -> Chart | None:
    """The group's forest plot for a document: Swedish whatever the reader's language, the
    engine's SVG for the PDF and the same SVG as PNG for Word (``Chart.png``)."""
    with translation.override("sv"):
        if group.method in MeasureMethod.values:  # named when the group was read: Swedish now
            group = dataclasses.replace(group, label=method_label(group.method))
        found = _forest(group, document=True)
        caption = _("Skogsdiagram: %(label)s") % {"label": group.label}
    if found is None:
        return None
    drawing, alt = found
    return Chart(caption, FOREST_SOURCE, drawing.svg, alt)


def forest_svg(group: Group) -> str:
    """An accessible forest plot (inline SVG, no outside assets) of a pooled group."""
    drawing = forest_plot(group)
    return drawing.svg if drawing else ""


def groups(
    rows: list[dict[str, Any]], totals: dict[str, tuple[str, int]] | None = None
) -> list[Group]:
    """Rows by kind of measure; each kind with two or more poolable results is pooled.

    With ``totals`` (kind of measure -> (name, number of results)), ``rows`` are the poolable
    rows only and every kind in ``totals`` gets a group, with its number of results."""
    by_method: dict[str, list[dict[str, Any]]] = {m: [] for m in totals or {}}
    for row in rows:
        by_method.setdefault(str(row.get("typ_av_atgard") or ""), []).append(row)
    found = []
    for method, members in by_method.items():
        if totals is not None and method in totals:
            name, total = totals[method]
            group = Group(method, name, members, total=total)
        else:
            group = Group(method, method_label(method, members[0]), members)
        usable = group.poolable_rows
        if len(usable) >= 2:
            group.pooled = random_effects(
                [float(r["log_kvot"]) for r in usable],
                [float(r["varians"]) for r in usable],
                method="REML",
            )
            group.reading = read_pooled(group.pooled, group.label)
            group.svg = forest_svg(group)
        found.append(group)
    return sorted(found, key=lambda g: (g.pooled is None, -g.count, g.label))


def bank(search: Search) -> tuple[list[dict[str, Any]], list[Group]]:
    rows = [r for r in own_rows() + remote_rows() if search.matches(r)]
    rows.sort(key=lambda r: (str(r.get("typ_av_atgard_namn")), str(r.get("kommun"))))
    return rows, groups(rows)


def choices(rows: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    """The search form's options, from what is published (all rows, not only the hits)."""
    categories = sorted({str(r["brottskategori"]) for r in rows if r.get("brottskategori")})
    return {
        "categories": [(c, c) for c in categories],
        "methods": [(str(v), str(label)) for v, label in MeasureMethod.choices],
        "places": [(str(v), str(label)) for v, label in PlaceType.choices],
    }


# --- The bank in the database -------------------------------------------------------------
#
# At national scale (290 kommuner, every result published) the bank must not read every row
# to show a page of them: search filters, counts, sorting and paging run in the database, over
# the effect evaluations of publishing partnerships and the indexed harvested rows
# (``HarvestedResult``). Only the page's rows are built in full; the pooled effects read the
# few columns each poolable result contributes to its forest plot.

PAGE_SIZE = 50


def index_catalogue(remote: RemoteCatalogue) -> None:
    """Rebuild the searchable rows of a harvested catalogue from its stored results, each
    checked again as harvesting checks it (``harvest.checked_row``)."""
    from samverkan.learning.harvest import checked_row
    from samverkan.learning.models import HarvestedResult

    HarvestedResult.objects.filter(catalogue=remote).delete()
    stored = remote.results if isinstance(remote.results, list) else []
    found = []
    for position, raw in enumerate(stored):
        if not isinstance(raw, dict):
            continue
        row = checked_row(raw, raw.get("kalla"), raw.get("kalla_url"))
        if row is None:
            continue
        method, place = str(row.get("typ_av_atgard") or ""), str(row.get("typ_av_plats") or "")
        row["typ_av_atgard_namn"] = method_label(method, row)
        row["typ_av_plats_namn"] = place_label(place, row)
        text = " ".join(
            str(row.get(k) or "") for k in ("problem", "brottskategori", "mal", "indikator")
        )
        found.append(
            HarvestedResult(
                catalogue=remote,
                position=position,
                method=method[:500],
                method_name=row["typ_av_atgard_namn"][:500],
                place=place[:500],
                category=str(row.get("brottskategori") or "")[:500],
                kommun=str(row.get("kommun") or "")[:500],
                periods=f"{row.get('period_fore') or ''} {row.get('period_efter') or ''}"[:1001],
                search_text=text.casefold(),
                log_kvot=row.get("log_kvot"),
                varians=row.get("varians"),
                suppressed=bool(row.get("undertryckt")),
                data=row,
            )
        )
    HarvestedResult.objects.bulk_create(found, batch_size=500)


def _categories_of_published() -> dict[tuple[str, str], str]:
    """(crime type, problem title) -> Brå category, for every problem with a published result
    (a distinct pair per problem kind, not a row per result)."""
    from samverkan.analysis.categories import classify

    pairs = (
        opendata.published_evaluations()
        .order_by()
        .values_list("goal__problem__crime_type", "goal__problem__title")
        .distinct()
    )
    found = {}
    for crime_type, title in pairs:
        try:
            category = classify(crime_type or title)
        except ValueError:
            category = None
        found[(crime_type or "", title or "")] = category.group if category else ""
    return found


def _category_q(categories: dict[tuple[str, str], str], wanted: Any) -> Any:
    """A filter for the evaluations whose problem falls in a category that ``wanted`` accepts."""
    from django.db.models import Q

    types = sorted({t for (t, _title), c in categories.items() if t and wanted(c)})
    titles = sorted({title for (t, title), c in categories.items() if not t and wanted(c)})
    q = Q(pk__in=[])
    if types:
        q |= Q(goal__problem__crime_type__in=types)
    if titles:
        q |= Q(goal__problem__crime_type="", goal__problem__title__in=titles)
    return q


def _label_q(field_name: str, code: str, other: str) -> Any:
    from django.db.models import Q

    q = Q(**{f"label__{field_name}": code})
    if code == other:  # an evaluation without a label counts as "other"
        q |= Q(label__isnull=True)
    return q


def own_queryset(search: Search, categories: dict[tuple[str, str], str]) -> Any:
    """The published effect evaluations that match ``search``, filtered in the database."""
    from django.db.models import Q

    qs = opendata.published_evaluations()
    for word in search.text.casefold().split():
        qs = qs.filter(
            Q(goal__problem__title__icontains=word)
            | Q(goal__text__icontains=word)
            | Q(indicator__icontains=word)
            | _category_q(categories, lambda c, w=word: w in c.casefold())
        )
    if search.category:
        qs = qs.filter(_category_q(categories, lambda c: c == search.category))
    if search.method:
        qs = qs.filter(_label_q("method", search.method, MeasureMethod.OTHER))
    if search.place:
        qs = qs.filter(_label_q("place_type", search.place, PlaceType.OTHER))
    if search.year:
        year = search.year
        qs = qs.filter(Q(period_before__contains=year) | Q(period_after__contains=year))
    return qs


def remote_queryset(search: Search) -> Any:
    from samverkan.learning.models import HarvestedResult

    qs = HarvestedResult.objects.filter(catalogue__active=True)
    for word in search.text.casefold().split():
        qs = qs.filter(search_text__contains=word)
    if search.category:
        qs = qs.filter(category=search.category)
    if search.method:
        qs = qs.filter(method=search.method)
    if search.place:
        qs = qs.filter(place=search.place)
    if search.year:
        qs = qs.filter(periods__contains=search.year)
    return qs


def _method_name_expression() -> Any:
    from django.db.models import Case, CharField, Value, When

    return Case(
        *(When(label__method=code, then=Value(str(name))) for code, name in MeasureMethod.choices),
        default=Value(str(MeasureMethod.OTHER.label)),
        output_field=CharField(),
    )


def page_rows(own: Any, remote: Any, offset: int, size: int) -> list[dict[str, Any]]:
    """One page of matching results, both sources together, in the bank's order (kind of
    measure by name, then kommun): the keys are sorted and sliced in the database, then only
    the page's rows are read in full."""
    from django.db.models import F, IntegerField, Value

    own_keys = (
        own.order_by()
        .annotate(
            sort_m=_method_name_expression(),
            sort_k=F("partnership__municipality__name"),
            src=Value(0, output_field=IntegerField()),
            key=F("pk"),
        )
        .values_list("sort_m", "sort_k", "src", "key")
    )
    remote_keys = (
        remote.order_by()
        .annotate(
            sort_m=F("method_name"),
            sort_k=F("kommun"),
            src=Value(1, output_field=IntegerField()),
            key=F("pk"),
        )
        .values_list("sort_m", "sort_k", "src", "key")
    )
    keys = list(
        own_keys.union(remote_keys, all=True).order_by("sort_m", "sort_k", "src", "key")[
            offset : offset + size
        ]
    )
    own_ids = [k for _m, _k, src, k in keys if src == 0]
    remote_ids = [k for _m, _k, src, k in keys if src == 1]
    name = getattr(settings, "OPEN_DATA_PUBLISHER", "Samverkan")
    built: dict[tuple[int, int], dict[str, Any]] = {}
    if own_ids:
        for ev in opendata.published_evaluations(pk__in=own_ids):
            row = opendata.result_row(ev, ev.partnership)
            built[(0, ev.pk)] = {**row, "kalla": name, "kalla_url": ""}
    if remote_ids:
        from samverkan.learning.models import HarvestedResult

        for h in HarvestedResult.objects.filter(pk__in=remote_ids):
            built[(1, h.pk)] = dict(h.data)
    return [built[(src, k)] for _m, _k, src, k in keys if (src, k) in built]


_COUNTS = (
    "treated_before",
    "treated_after",
    "control_before",
    "control_after",
    "buffer_before",
    "buffer_after",
    "survey_before_n",
    "survey_after_n",
)


def pooled_groups(own: Any, remote: Any) -> list[Group]:
    """The kinds of measure among the matching results, with the pooled effect of each kind
    that has two or more poolable results. Reads one narrow row per poolable result (what its
    forest plot draws) and a count per kind, never the other columns."""
    from django.db.models import Count

    from samverkan.accounts import audience
    from samverkan.analysis.evaluation import rate_ratio

    totals: dict[str, tuple[str, int]] = {}
    for method, n in own.order_by().values_list("label__method").annotate(n=Count("id")):
        code = method or str(MeasureMethod.OTHER)
        name, before = totals.get(code, (method_label(code), 0))
        totals[code] = (name, before + n)
    for method, name, n in (
        remote.order_by().values_list("method", "method_name").annotate(n=Count("id"))
    ):
        known, before = totals.get(method, (name, 0))
        totals[method] = (known, before + n)
    public = audience.public()
    rows: list[dict[str, Any]] = []
    fields = ("label__method", "partnership__municipality__name", "indicator", *_COUNTS)
    candidates = own.order_by().filter(control_before__gt=0, control_after__gt=0,
                                       treated_before__gt=0, treated_after__gt=0)  # fmt: skip
    for method, kommun, indicator, *counts in candidates.values_list(*fields):
        if public.withholds_counts(*counts):
            continue
        rr = rate_ratio((counts[0], counts[1]), (counts[2], counts[3]))
        rows.append(
            {
                "typ_av_atgard": method or str(MeasureMethod.OTHER),
                "kommun": kommun,
                "indikator": indicator,
                "log_kvot": math.log(rr.ratio),
                "varians": rr.se_log**2,
            }
        )
    for method, kommun, indicator, y, v in (
        remote.order_by()
        .filter(suppressed=False, log_kvot__isnull=False, varians__gt=0)
        .values_list("method", "kommun", "data__indikator", "log_kvot", "varians")
    ):
        rows.append(
            {"typ_av_atgard": method, "kommun": kommun, "indikator": indicator or "",
             "log_kvot": y, "varians": v}
        )  # fmt: skip
    return groups(rows, totals)


def form_choices() -> tuple[dict[str, list[tuple[str, str]]], dict[tuple[str, str], str]]:
    """The search form's options (distinct categories of everything published) and the
    category of each published problem kind (for the filters)."""
    from samverkan.learning.models import HarvestedResult

    categories = _categories_of_published()
    found = {c for c in categories.values() if c}
    found |= set(
        HarvestedResult.objects.filter(catalogue__active=True)
        .exclude(category="")
        .order_by()
        .values_list("category", flat=True)
        .distinct()
    )
    return (
        {
            "categories": [(c, c) for c in sorted(found)],
            "methods": [(str(v), str(label)) for v, label in MeasureMethod.choices],
            "places": [(str(v), str(label)) for v, label in PlaceType.choices],
        },
        categories,
    )


def total_published() -> int:
    from samverkan.learning.models import HarvestedResult

    return (
        opendata.published_evaluations().count()
        + HarvestedResult.objects.filter(catalogue__active=True).count()
    )
