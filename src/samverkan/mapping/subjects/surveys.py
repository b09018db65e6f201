"""Safety surveys: each question's share of respondents per area and year."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from samverkan.mapping.models import SurveyResult
from samverkan.mapping.subjects import per_party
from samverkan.partnerships.models import Party


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


@per_party
def survey_series(party: Party) -> list[SurveySeries]:
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
