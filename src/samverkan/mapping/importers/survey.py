"""Results of a safety survey: question, area, year, share and respondents."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from samverkan.mapping.importers.base import Column
from samverkan.mapping.importers.common import (
    KeyedImporter,
    _area,
    _text,
)
from samverkan.mapping.importers.parse import (
    Bad,
    check_text,
    parse_count,
    parse_float,
    parse_year,
)
from samverkan.mapping.models import (
    SurveyResult,
)


class SurveyImporter(KeyedImporter):
    """Results of a safety survey: question, area, year, share (per cent) and n."""

    kind = "survey"
    model = SurveyResult
    key_fields = ("question", "area", "year")
    what, what_en = "fråga, område och år", "question, area and year"
    columns = (
        Column("question", "Fråga", ("fråga", "påstående", "question"), True),
        Column("area", "Område", ("område", "kommun", "stadsdel", "area", "municipality"), True),
        Column("year", "År", ("år", "year"), True),
        Column("share", "Andel (%)", ("andel", "andel procent", "procent", "share", "percent"),
               True),
        Column("n", "Antal svarande", ("antal svarande", "svarande", "n", "antal",
                                       "respondents"), True),
    )  # fmt: skip
    mappable = True

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        question = check_text(_text(cells["question"]), "frågan", "the question", 300)
        if not question:
            raise Bad("frågan saknas", "question is missing")
        _code, area = _area(cells["area"])
        year = parse_year(cells["year"])
        share = parse_float(cells["share"], "andelen", "share")
        if not 0 <= share <= 100:
            raise Bad(
                f"andelen {share} ska anges i procent, 0–100",
                f"share {share} must be a percentage, 0-100",
            )
        n = parse_count(cells["n"], "antalet svarande", "number of respondents")
        if not self.is_new((question, area, year), line):
            return ()
        return (
            SurveyResult(
                party=self.party,
                source_import=self.source_import,
                question=question,
                area=area,
                year=year,
                share=share,
                n=n,
            ),
        )
