"""Plain-Swedish readings of the statistics page's tables, written from their numbers.

Each reading says three things, as the handbook asks of every figure shown to a steering
group: what the table says, how sure that is, and what the table cannot say. The trend
table (offences per category and year with a least-squares line), the year-on-year table
(the same part of two years) and the weekday × hour table each get one.

How sure: a change between two counts is compared with the spread chance alone gives two
Poisson counts (the standard deviation of their difference is the square root of their
sum); a trend with the p-value of its slope; a weekday × hour pattern with how many
incidents each of its 168 cells holds on average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .rates import Trend
from .reading import swedish_number

__all__ = [
    "TableReading",
    "read_category_trend",
    "read_weekday_hour",
    "read_year_on_year",
]

# Below this many incidents per cell on average, a weekday × hour pattern is mostly chance.
MIN_PER_CELL = 5
# A change larger than this many standard deviations of chance is called clear.
CLEAR_Z = 2.0
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


@dataclass(frozen=True)
class TableReading:
    """What a table says, how sure that is, and what it cannot say (one sentence or more)."""

    says: str
    sure: str
    cannot: str

    def sentences(self) -> list[str]:
        return [self.says, self.sure, self.cannot]


def _n(value: float, decimals: int = 0) -> str:
    return swedish_number(value, decimals)


def _signed_percent(value: float) -> str:
    return ("+" if value >= 0 else "−") + f"{_n(abs(value), 0)} %"


def _z(before: float, after: float) -> float:
    """The change in standard deviations of chance (two Poisson counts)."""
    total = before + after
    return 0.0 if total == 0 else (after - before) / math.sqrt(total)


def read_category_trend(
    years: Sequence[int],
    rows: Sequence[tuple[str, Sequence[int], Trend | None]],
    *,
    source: str = "statistics",
    span: tuple[int, int] | None = None,
) -> TableReading | None:
    """The trend table: the total's change, the category that grew and shrank most per year
    (over the whole years of ``span``), and whether those slopes stand out from chance."""
    if not years or not rows:
        return None
    first, last = years[0], years[-1]
    totals = [sum(values[i] for _c, values, _t in rows) for i in range(len(years))]
    says = f"Sammanlagt {_n(totals[-1])} {_what(source)} år {last}"
    if len(years) > 1 and totals[0]:
        change = _signed_percent(100 * (totals[-1] - totals[0]) / totals[0])
        says += f", mot {_n(totals[0])} år {first} ({change})."
    else:
        says += "."
    biggest = max(rows, key=lambda r: (sum(r[1]), r[0]))
    says += f" Störst kategori är {biggest[0].lower()}."
    trends = [(c, t) for c, _v, t in rows if t is not None]
    if span is None or not trends:
        sure = (
            "För en trend behövs minst tre hela år; med färre går det inte att säga om "
            "förändringen är mer än ett enstaka års svängning."
        )
    else:
        rising = max(trends, key=lambda ct: ct[1].slope)
        falling = min(trends, key=lambda ct: ct[1].slope)
        parts = []
        for category, trend in (rising, falling):
            if trend.slope == 0 or (category == falling[0] and rising[0] == falling[0]):
                continue
            word = "ökade" if trend.slope > 0 else "minskade"
            clear = trend.p_value is not None and trend.p_value < 0.05
            parts.append(
                f"{category} {word} med i genomsnitt {_n(abs(trend.slope), 1)} per år "
                + ("(en tydlig trend" if clear else "(kan vara slump")
                + (f", {_p(trend.p_value)})" if trend.p_value is not None else ")")
            )
        n_years = span[1] - span[0] + 1
        sure = (
            f"Trendlinjen bygger på {n_years} hela år ({span[0]}–{span[1]}). "
            + ("; ".join(parts) + "." if parts else "Ingen kategori ändrades över åren.")
            + " Med få år räcker ett ovanligt år för att luta linjen."
        )
    cannot = (
        "Tabellen visar anmälda brott, inte all brottslighet: fler anmälningar kan betyda att "
        "fler anmäler eller att polisen letar mer, och tabellen säger inget om varför antalet "
        "ändrades."
        if source == "statistics"
        else "Tabellen visar de händelser parten har registrerat, inte all brottslighet i "
        "området, och säger inget om varför antalet ändrades."
    )
    return TableReading(says, sure, cannot)


def _p(p_value: float) -> str:
    return "p < 0,01" if p_value < 0.01 else f"p = {_n(p_value, 2)}"


def _what(source: str) -> str:
    return "anmälda brott" if source == "statistics" else "händelser"


def read_year_on_year(
    changes: Sequence[tuple[str, int, int]],
    previous_year: int,
    year: int,
    *,
    period: str = "",
) -> TableReading | None:
    """The year-on-year table: (category, previous, current) for the same part of two years."""
    if not changes:
        return None
    before = sum(b for _c, b, _a in changes)
    after = sum(a for _c, _b, a in changes)
    when = f"{period} " if period else ""
    says = f"Sammanlagt {_n(after)} {when}{year} mot {_n(before)} samma period {previous_year}"
    says += f" ({_signed_percent(100 * (after - before) / before)})." if before else "."
    up = max(changes, key=lambda c: (c[2] - c[1], c[0]))
    down = min(changes, key=lambda c: (c[2] - c[1], c[0]))
    if up[2] > up[1]:
        says += f" Mest ökade {up[0].lower()} ({_n(up[1])} till {_n(up[2])})."
    if down[2] < down[1]:
        says += f" Mest minskade {down[0].lower()} ({_n(down[1])} till {_n(down[2])})."
    clear = [c for c, b, a in changes if abs(_z(b, a)) >= CLEAR_Z]
    total_z = _z(before, after)
    if abs(total_z) >= CLEAR_Z:
        sure = "Förändringen av summan är större än slumpen brukar ge"
    else:
        sure = "Förändringen av summan ligger inom vad slumpen kan ge"
    sure += " (mer eller mindre än två standardavvikelser för två års antal)."
    if clear:
        sure += (
            f" Bland kategorierna gäller det {_and([c.lower() for c in clear[:3]])}"
            + (" med flera" if len(clear) > 3 else "")
            + "; övriga förändringar kan vara slump."
        )
    else:
        sure += " Ingen kategori ändrades mer än slumpen kan ge."
    cannot = (
        "Två år säger inget om en trend: ett ovanligt högt år följs ofta av ett lägre även utan "
        "åtgärder (återgång mot medelvärdet). Tabellen säger inte heller varför antalet ändrades."
    )
    return TableReading(says, sure, cannot)


def read_weekday_hour(matrix: Sequence[Sequence[float]]) -> TableReading | None:
    """The weekday × hour table (7 rows from Monday, 24 hours): when incidents cluster, and
    whether there are enough of them for the pattern to be more than chance."""
    total = sum(sum(row) for row in matrix)
    if total <= 0:
        return None
    cells = [(v, d, h) for d, row in enumerate(matrix) for h, v in enumerate(row)]
    peak_value, peak_day, peak_hour = max(cells, key=lambda c: (c[0], -c[1], -c[2]))
    by_day = [sum(row) for row in matrix]
    busiest_day = max(range(7), key=lambda d: (by_day[d], -d))
    night = sum(v for v, _d, h in cells if h >= 22 or h < 6)
    weekend_nights = sum(
        v
        for v, d, h in cells
        if (d == 4 and h >= 22) or (d == 5 and (h < 6 or h >= 22)) or (d == 6 and h < 6)
    )
    says = (
        f"Flest händelser inträffar {WEEKDAYS[peak_day]} kl. {peak_hour:02d}–"
        f"{(peak_hour + 1) % 24:02d} ({_n(peak_value, 1)} av {_n(total)}). "
        f"{WEEKDAYS[busiest_day].capitalize()} är den vanligaste dagen "
        f"({_n(100 * by_day[busiest_day] / total)} %), och {_n(100 * night / total)} % "
        "sker på natten (kl. 22–06)"
        + (
            f", varav {_n(100 * weekend_nights / total)} % under fredags- och lördagsnätter."
            if weekend_nights
            else "."
        )
    )
    per_cell = total / 168
    if per_cell < MIN_PER_CELL:
        sure = (
            f"Med {_n(total)} händelser på 168 rutor blir det i snitt {_n(per_cell, 1)} per "
            "ruta, så enstaka händelser avgör vilken ruta som är mörkast: läs mönstret per dag "
            "och tid på dygnet snarare än per timme."
        )
    else:
        ratio = peak_value / per_cell
        sure = (
            f"Med i snitt {_n(per_cell, 1)} händelser per ruta är mönstret stabilt nog att "
            f"läsa; den mest utsatta timmen har {_n(ratio, 1)} gånger så många som en "
            "genomsnittlig timme."
        )
    cannot = (
        "Tabellen visar när händelserna registrerades ha inträffat, inte var eller varför. "
        "Händelser som bara är kända inom ett tidsintervall är utspridda över intervallet, "
        "så en enskild timme är osäkrare än den ser ut, och det som aldrig anmäls syns inte."
    )
    return TableReading(says, sure, cannot)


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} och {names[-1]}"
