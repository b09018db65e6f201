"""Key figures from Kolada: the API's JSON (entry by entry) or the CSV its clients write."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from samverkan.mapping.importers import jsonstat
from samverkan.mapping.importers.base import Column
from samverkan.mapping.importers.common import (
    KeyedImporter,
    _code_text,
    _text,
)
from samverkan.mapping.importers.jsonfile import NoArray, array_items, read_text
from samverkan.mapping.importers.parse import (
    Bad,
    check_text,
    parse_float,
    parse_year,
)
from samverkan.mapping.importers.reader import FileFacts, Row
from samverkan.mapping.models import (
    KeyFigure,
)
from samverkan.mapping.municipalities import municipality_code


class KoladaImporter(KeyedImporter):
    """Key figures as Kolada's API (v2) returns them: one entry per kpi, municipality, period.

    Entries are numbered from 1 in the order of the file; errors name the entry.
    """

    kind = "kolada"
    model = KeyFigure
    key_fields = ("kpi", "municipality_code", "year", "gender")
    what, what_en = "nyckeltal, kommun, år och kön", "kpi, municipality, year and gender"
    twice_sv = "samma {what} finns redan i post {line}"
    twice_en = "same {what_en} as entry {line}"
    unit = "post"
    columns = (
        Column("kpi", "Nyckeltal", ("kpi", "kpi id", "nyckeltal"), True),
        Column("municipality", "Kommun", ("municipality", "municipality id", "kommun",
                                          "kommun id", "kommunkod"), True),
        Column("period", "År", ("period", "year", "år"), True),
        Column("gender", "Kön", ("gender", "kön")),
        Column("value", "Värde", ("value", "värde"), True),
    )  # fmt: skip
    mappable = True  # the CSV shape; the API's JSON always has its own names

    def table(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        """The API's JSON, entry by entry; or a table in the shape Kolada's client libraries
        write (kpi, municipality id, year or period, gender, value) as CSV or XLSX."""
        if facts.is_xlsx or not jsonstat.looks_like_json(path):
            self.unit = "rad"
            return super().table(path, facts)
        return self._entries(path, facts)

    def _entries(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        # Entry by entry: a large answer is never held as Python objects all at once.
        values = array_items(read_text(path, facts.encoding, facts.is_xlsx), "values")
        try:
            first = next(values, _END)
        except NoArray:
            raise Bad(
                "filen saknar listan ”values” som Koladas API returnerar",
                "the file lacks the list 'values' that Kolada's API returns",
            ) from None
        yield 0, ["kpi", "municipality", "period", "gender", "value"]
        entries: Iterator[Any] = itertools.chain([first], values) if first is not _END else iter(())
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                yield number, ["", "", "", "", ""]
                continue
            inner = entry.get("values")
            if inner is None or inner == []:
                inner = [{"gender": None, "value": None}]
            if not isinstance(inner, list):
                # A single figure where Kolada writes a list of figures per gender.
                yield number, [entry.get("kpi"), entry.get("municipality"), entry.get("period"),
                               "", _NOT_A_LIST]  # fmt: skip
                continue
            for item in inner:
                item = item if isinstance(item, dict) else {}
                yield (
                    number,
                    [
                        entry.get("kpi"),
                        entry.get("municipality"),
                        entry.get("period"),
                        item.get("gender"),
                        item.get("value"),
                    ],
                )

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        if cells.get("value") is _NOT_A_LIST:
            raise Bad(
                "”values” ska vara en lista med ett värde per kön, som i Koladas API",
                "'values' must be a list with one value per gender, as in Kolada's API",
            )
        kpi = check_text(_text(cells["kpi"]), "nyckeltalets id (kpi)", "the kpi", 20)
        if not kpi:
            raise Bad("nyckeltalets id (kpi) saknas", "kpi is missing")
        code = municipality_code(_code_text(cells["municipality"]))
        if not code:
            raise Bad(
                f"kommunen ”{_text(cells['municipality'])}” är ingen känd fyrsiffrig kommunkod",
                f"municipality {cells['municipality']!r} is not a known four-digit code",
            )
        year = parse_year(cells["period"])
        gender = _text(cells.get("gender")).upper() or "T"
        if gender not in ("T", "K", "M"):
            raise Bad(
                f"kön ”{gender}” ska vara T, K eller M", f"gender {gender!r} must be T, K or M"
            )
        value = None
        if cells["value"] is not None and _text(cells["value"]) not in ("", "..", "null"):
            value = parse_float(cells["value"], "värdet", "value")
        if not self.is_new((kpi, code, year, gender), line):
            return ()
        return (
            KeyFigure(
                party=self.party,
                source_import=self.source_import,
                kpi=kpi,
                municipality_code=code,
                year=year,
                gender=gender,
                value=value,
            ),
        )


_END = object()  # no entries at all
_NOT_A_LIST = object()  # Kolada's "values" held something other than a list
