"""Population per area and year: SCB tables as CSV or XLSX, or JSON-stat."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from samverkan.mapping.importers import jsonstat
from samverkan.mapping.importers.base import Column, Importer, ImportResult
from samverkan.mapping.importers.common import (
    _area,
    _is_total,
    _text,
)
from samverkan.mapping.importers.crime_stats import CrimeStatsImporter
from samverkan.mapping.importers.parse import (
    MAX_COUNT,
    Bad,
    parse_count,
    parse_year,
)
from samverkan.mapping.importers.reader import FileFacts, Row
from samverkan.mapping.models import (
    Population,
)


class PopulationImporter(Importer):
    """Population per area and year from SCB ("0180 Stockholm"), long or with year columns,
    or as JSON-stat (v1 or 2.0) the way SCB's PxWebApi returns it (importers/jsonstat.py).

    Rows for the same area and year are added up when another column tells them apart, so
    SCB tables split by sex or age give the total population. The same area and year twice
    with nothing to tell them apart (a file pasted twice), or parts beside their total
    (män, kvinnor and totalt), would count people twice: such rows are refused.
    """

    kind = "population"
    mappable = True
    year_columns: dict[str, int]  # set by adjust_header, as for crime statistics
    asks_for_areas = True
    # An offence column: the counts are reported offences, not inhabitants.
    marks_of_other_kinds = {
        "crime-stats": ("brott", "brottstyp", "brottskategori", "brottskod", "offence",
                        "offence type", "crime type", "crime", "offense"),
    }  # fmt: skip
    columns = (
        Column("area", "Region/område", ("region", "område", "kommun", "kommunkod", "kommunnamn",
                                         "area", "municipality code", "municipality",
                                         "municipality name", "municipality id"), True),
        Column("year", "År", ("år", "year", "period"), True),
        Column("count", "Folkmängd", ("folkmängd", "folkmangd", "befolkning", "antal", "invånare",
                                      "population", "count", "value", "pop"), True),
    )  # fmt: skip

    def adjust_header(self, cells: list[Any], found: dict[str, int]) -> dict[str, int]:
        """Year columns as for crime statistics; every other column is kept as a part
        (sex, age), so that rows can be told apart."""
        # Borrowed from crime statistics: it sets year_columns, which this class has too,
        # but mypy wants a CrimeStatsImporter as its self.
        found = CrimeStatsImporter.adjust_header(self, cells, found)  # type: ignore[arg-type]
        used = set(found.values())
        found = dict(found)
        for index, cell in enumerate(cells):
            if index not in used and _text(cell):
                found[f"part:{index}"] = index
        return found

    def table(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        """SCB's API answers in JSON-stat: read it as rows of region, year and population."""
        if not facts.is_xlsx and jsonstat.looks_like_json(path):
            self.unit = "post"  # JSON has no lines: its region-years are numbered
            return jsonstat.population_rows(path, facts.encoding)
        return super().table(path, facts)

    def prepare(self) -> None:
        self.totals: dict[tuple[str, str, int], int] = {}
        # area and year -> the parts seen (their other cells) and the line of each
        self.parts: dict[tuple[str, str, int], dict[tuple[str, ...], int]] = {}
        self.total_rows: dict[tuple[str, str, int], int] = {}

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        code, area = _area(cells["area"])
        if not self.note_area(code, area):
            return ()  # another municipality, left out at the user's choice
        part = tuple(_text(cells[name]).lower() for name in cells if name.startswith("part:"))
        if self.year_columns:
            for year, _index in self.year_columns.items():
                value = cells[f"year:{year}"]
                if _text(value) in ("", ".."):
                    continue
                count = parse_count(value, "folkmängden", "population")
                self._add((code, area, parse_year(year)), part, count, line)
        else:
            key = (code, area, parse_year(cells["year"]))
            self._add(key, part, parse_count(cells["count"], "folkmängden", "population"), line)
        return ()

    def _add(self, key: tuple[str, str, int], part: tuple[str, ...], count: int, line: int) -> None:
        where = f"{key[1]} år {key[2]}"
        seen = self.parts.setdefault(key, {})
        if part in seen:
            raise Bad(
                f"samma område och år ({where}) finns redan på rad {seen[part]}; en rad per "
                "område och år (eller per kön/ålder i en egen kolumn)",
                f"the same area and year ({where}) as line {seen[part]}",
            )
        is_total = any(_is_total(cell) for cell in part)
        if seen and (is_total or key in self.total_rows):
            other = self.total_rows.get(key) or min(seen.values())
            raise Bad(
                f"rad {line} och rad {other} gäller samma område och år ({where}) och den ena är "
                "summan (totalt) av de andra; ta bort summaraden eller delarna så att ingen "
                "räknas två gånger",
                f"lines {line} and {other} are for the same area and year ({where}) and one is "
                "the total of the others",
            )
        seen[part] = line
        if is_total:
            self.total_rows[key] = line
        total = self.totals.get(key, 0) + count
        if total > MAX_COUNT:
            raise Bad(
                f"folkmängden för {where} blir orimligt stor när raderna läggs ihop",
                f"the population of {where} adds up to an implausible number",
            )
        self.totals[key] = total

    def flush(self, batch: list[Any], result: ImportResult) -> None:
        pass

    def finish(self, result: ImportResult) -> None:
        existing = set(Population.objects.filter(party=self.party).values_list("area", "year"))
        new = [
            Population(
                party=self.party,
                source_import=self.source_import,
                municipality_code=code,
                area=area,
                year=year,
                count=count,
            )
            for (code, area, year), count in self.totals.items()
            if (area, year) not in existing
        ]
        Population.objects.bulk_create(new, batch_size=5000)
        result.rows_imported = len(new)
        result.rows_skipped = len(self.totals) - len(new)
