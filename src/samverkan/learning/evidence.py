"""The evidence bank: every published effect result, searchable, pooled per kind of measure.

Rows are the open data's result rows (``opendata.RESULT_COLUMNS``): this instance's publishing
partnerships plus the cached results of other instances' catalogues (``harvest.py``). A kind of
measure with two or more results that carry a log rate ratio is pooled by a random-effects
model (``analysis.pooling.random_effects``, REML), drawn as a forest plot and read in plain
Swedish: how sure the average is, and why it may mislead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.html import escape

from samverkan.analysis.pooling import PooledResult, random_effects
from samverkan.analysis.reading import swedish_number
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


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def forest_svg(group: Group) -> str:
    """An accessible forest plot (inline SVG, no outside assets) of a pooled group."""
    rows = group.poolable_rows
    pooled = group.pooled
    if pooled is None or not rows:
        return ""
    items = []
    for r in rows:
        y, se = float(r["log_kvot"]), math.sqrt(float(r["varians"]))
        items.append(
            (
                f"{r.get('kommun') or ''}: {r.get('indikator') or ''}",
                y,
                y - 1.96 * se,
                y + 1.96 * se,
                1 / float(r["varians"]),
            )
        )
    lows = [i[2] for i in items] + [pooled.ci_low, math.log(0.5)]
    highs = [i[3] for i in items] + [pooled.ci_high, math.log(2)]
    lo, hi = max(min(lows), math.log(0.05)), min(max(highs), math.log(20))
    label_w, plot_w, row_h, top = 300, 360, 24, 30
    height = top + row_h * (len(items) + 2) + 30
    width = label_w + plot_w + 130

    def x(value: float) -> float:
        value = min(max(value, lo), hi)
        return label_w + (value - lo) / (hi - lo) * plot_w

    total_w = sum(i[4] for i in items)
    desc = [
        f"Skogsdiagram för {group.label}: {len(items)} utvärderingar som kvoter mot "
        "kontrollområdet på logaritmisk skala; 1 betyder ingen skillnad."
    ]
    parts = []
    for n, (label, y, low, high, w) in enumerate(items):
        cy = top + row_h * n + row_h / 2
        size = 4 + 10 * math.sqrt(w / total_w)
        ratio = f"{_n(math.exp(y))} ({_n(math.exp(low))}–{_n(math.exp(high))})"
        desc.append(f"{label}: kvot {ratio}.")
        parts.append(
            f'<text x="4" y="{_fmt(cy + 4)}">{escape(label[:48])}</text>'
            f'<line x1="{_fmt(x(low))}" x2="{_fmt(x(high))}" y1="{_fmt(cy)}" y2="{_fmt(cy)}" '
            f'stroke="currentColor" stroke-width="1.5"/>'
            f'<rect x="{_fmt(x(y) - size / 2)}" y="{_fmt(cy - size / 2)}" width="{_fmt(size)}" '
            f'height="{_fmt(size)}" fill="currentColor"/>'
            f'<text x="{label_w + plot_w + 8}" y="{_fmt(cy + 4)}">{escape(ratio)}</text>'
        )
    cy = top + row_h * (len(items) + 0.5) + row_h / 2
    est = pooled.estimate
    pooled_text = (
        f"{_n(math.exp(est))} ({_n(math.exp(pooled.ci_low))}–{_n(math.exp(pooled.ci_high))})"
    )
    desc.append(f"Sammanvägt (slumpeffektmodell): kvot {pooled_text}.")
    parts.append(
        f'<text x="4" y="{_fmt(cy + 4)}" font-weight="bold">Sammanvägt</text>'
        f'<polygon points="{_fmt(x(pooled.ci_low))},{_fmt(cy)} {_fmt(x(est))},{_fmt(cy - 8)} '
        f'{_fmt(x(pooled.ci_high))},{_fmt(cy)} {_fmt(x(est))},{_fmt(cy + 8)}" fill="currentColor"/>'
        f'<text x="{label_w + plot_w + 8}" y="{_fmt(cy + 4)}" font-weight="bold">'
        f"{escape(pooled_text)}</text>"
    )
    axis_y = top + row_h * (len(items) + 2)
    ticks = [t for t in (0.1, 0.25, 0.5, 1, 2, 4, 10) if lo <= math.log(t) <= hi]
    axis = [
        f'<line x1="{label_w}" x2="{label_w + plot_w}" y1="{axis_y}" y2="{axis_y}" '
        'stroke="currentColor"/>',
        f'<line x1="{_fmt(x(0))}" x2="{_fmt(x(0))}" y1="{top - 6}" y2="{axis_y}" '
        'stroke="currentColor" stroke-dasharray="4 3"/>',
    ]
    for t in ticks:
        tx = _fmt(x(math.log(t)))
        tick = _n(t, 2 if t < 1 else 0)
        axis.append(
            f'<line x1="{tx}" x2="{tx}" y1="{axis_y}" y2="{axis_y + 5}" stroke="currentColor"/>'
            f'<text x="{tx}" y="{axis_y + 18}" text-anchor="middle">{tick}</text>'
        )
    axis.append(
        f'<text x="{label_w}" y="{top - 12}">← färre brott än i kontrollområdet</text>'
        f'<text x="{label_w + plot_w}" y="{top - 12}" text-anchor="end">fler →</text>'
    )
    ident = f"skog-{escape(group.method)}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="forest-plot" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" font-size="12" '
        f'aria-labelledby="{ident}-titel {ident}-beskrivning">'
        f'<title id="{ident}-titel">Skogsdiagram: {escape(group.label)}</title>'
        f'<desc id="{ident}-beskrivning">{escape(" ".join(desc))}</desc>'
        + "".join(axis)
        + "".join(parts)
        + "</svg>"
    )


def groups(rows: list[dict[str, Any]]) -> list[Group]:
    """Rows by kind of measure; each kind with two or more poolable results is pooled."""
    by_method: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_method.setdefault(str(row.get("typ_av_atgard") or ""), []).append(row)
    found = []
    for method, members in by_method.items():
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
    return sorted(found, key=lambda g: (g.pooled is None, -len(g.rows), g.label))


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
