"""Reported offences per area, offence and period (Brå's tables, long or with a year per
column)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from samverkan.mapping.importers.base import Column
from samverkan.mapping.importers.common import (
    _YEAR_COLUMN,
    KeyedImporter,
    _area,
    _month,
    _period,
    _text,
    categorise,
)
from samverkan.mapping.importers.parse import (
    Bad,
    check_text,
    parse_count,
    parse_year,
)
from samverkan.mapping.models import (
    CrimeStatistic,
)


class CrimeStatsImporter(KeyedImporter):
    """Reported offences per area, offence and period, long or wide (years as columns)."""

    kind = "crime-stats"
    mappable = True
    asks_for_areas = True
    keeps_footnotes = True  # Brå's tables end in "Källa: …" and notes on preliminary figures
    model = CrimeStatistic
    key_fields = ("area", "offence", "year", "quarter", "month")
    what, what_en = "område, brott och period", "area, offence and period"
    columns = (
        Column("area", "Område/kommun", ("område", "kommun", "region", "kommundel", "stadsdel",
                                        "stadsområde", "kommunkod", "kommunnamn", "area",
                                        "municipality code", "municipality", "municipality name",
                                        "municipality id"), True),
        Column("offence", "Brott", ("brott", "brottstyp", "brottskategori", "brottskod",
                                    "offence", "offence type", "crime type", "crime", "offense"),
               True),
        Column("year", "År", ("år", "period", "year", "tid"), True),
        Column("quarter", "Kvartal", ("kvartal", "quarter")),
        Column("month", "Månad", ("månad", "month")),
        Column("count", "Antal", ("antal", "antal brott", "anmälda brott", "antal anmälda brott",
                                  "count", "värde", "value", "number"), True),
        Column("population", "Befolkning", ("befolkning", "folkmängd", "invånare",
                                            "population")),
    )  # fmt: skip

    def adjust_header(self, cells: list[Any], found: dict[str, int]) -> dict[str, int]:
        """Brå's tables often put the years in the columns: read each year column as a count."""
        self.year_columns: dict[str, int] = {}
        if "year" in found:
            return found
        for index, cell in enumerate(cells):
            text = _text(cell)
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                text = str(int(cell)) if math.isfinite(cell) else ""
            # "2018", or the year in the column's name: pop2018, folkmangd_2018, antal 2018
            if m := _YEAR_COLUMN.fullmatch(text.lower()):
                self.year_columns.setdefault(m[1], index)
        if self.year_columns:
            found = dict(found)
            for year, index in self.year_columns.items():
                found[f"year:{year}"] = index
            found["year"] = found["count"] = next(iter(self.year_columns.values()))
        return found

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        code, area = _area(cells["area"])
        if not self.note_area(code, area):
            return []  # another municipality, left out at the user's choice
        # Re-shared tables write "alla_brott": the words are the offence.
        offence = check_text(_text(str(cells["offence"] or "").replace("_", " ")), "brottet",
                             "the offence", 200)  # fmt: skip
        if not offence:
            raise Bad("brott saknas", "offence is missing")
        population = None
        if _text(cells.get("population")):
            population = parse_count(cells["population"], "befolkningen", "population")
        entries: list[tuple[int, int | None, int | None, int]]
        if self.year_columns:
            entries = []
            for column in self.year_columns:
                value = cells[f"year:{column}"]
                if _text(value) in ("", "..", "-"):
                    continue  # Brå prints ".." where a figure is withheld
                count = parse_count(value, "antalet", "count")
                entries.append((parse_year(column), None, None, count))
        else:
            year, quarter, month = _period(cells["year"])
            if _text(cells.get("quarter")):
                quarter = parse_count(cells["quarter"], "kvartalet", "quarter")
                if not 1 <= quarter <= 4:
                    raise Bad("kvartalet ska vara 1–4", "quarter must be 1-4")
            if cells.get("month") is not None:
                month = _month(cells["month"]) or month
            entries = [(year, quarter, month, parse_count(cells["count"], "antalet", "count"))]
        group, interpretation = categorise(offence)
        records = []
        for year, quarter, month, count in entries:
            if not self.is_new((area, offence, year, quarter, month), line):
                continue
            records.append(
                CrimeStatistic(
                    party=self.party,
                    source_import=self.source_import,
                    municipality_code=code,
                    area=area,
                    offence=offence,
                    category=group,
                    interpretation=interpretation,
                    year=year,
                    quarter=quarter,
                    month=month,
                    count=count,
                    population=population,
                )
            )
        return records
