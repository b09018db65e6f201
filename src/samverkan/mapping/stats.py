"""The old home of step 2's figures, kept so that code written against it still runs.

The figures live in ``samverkan.mapping.subjects``, one module per subject (crime,
rates, incidents, surveys, costs, field reports); new code imports from there and reads
them inside ``subjects.one_build()``.
"""

from __future__ import annotations

from samverkan.analysis.categories import is_total_offence
from samverkan.analysis.rates import Trend
from samverkan.mapping.subjects.costs import CostTotals, cost_totals
from samverkan.mapping.subjects.crime import (
    MIN_TREND_YEARS,
    UNCATEGORISED,
    CategoryChange,
    CategoryTrend,
    CrimeTable,
    InterpretationRow,
    InterpretationTrend,
    category_changes,
    category_trend,
    comparison_codes,
    crime_table,
    interpretation_trend,
    one_reading,
    own_municipality_code,
    own_statistics,
)
from samverkan.mapping.subjects.incidents import (
    HOTSPOT_CELL_METRES,
    HOTSPOT_MAX_CELLS,
    HOTSPOT_MIN_EVENTS,
    HOTSPOT_PLACE_METRES,
    PLACE_COUNTS,
    HotCell,
    Hotspots,
    Places,
    hotspots,
    incident_count,
    peak_times,
    top_places,
    weekday_hour,
)
from samverkan.mapping.subjects.rates import (
    Comparison,
    Rate,
    RateComparison,
    RateGap,
    UnitRate,
    comparison,
    latest_rate,
    population_elsewhere,
    rate_gaps,
    rate_trend,
    rates_by_year,
)
from samverkan.mapping.subjects.surveys import SurveySeries, survey_series

__all__ = [
    "HOTSPOT_CELL_METRES", "HOTSPOT_MAX_CELLS", "HOTSPOT_MIN_EVENTS", "HOTSPOT_PLACE_METRES",
    "MIN_TREND_YEARS", "PLACE_COUNTS", "UNCATEGORISED", "CategoryChange", "CategoryTrend",
    "Comparison", "CostTotals", "CrimeTable", "HotCell", "Hotspots", "InterpretationRow",
    "InterpretationTrend", "Places", "Rate", "RateComparison", "RateGap", "SurveySeries",
    "Trend", "UnitRate", "category_changes", "category_trend", "comparison",
    "comparison_codes", "cost_totals", "crime_table", "hotspots", "incident_count",
    "interpretation_trend", "is_total_offence", "latest_rate", "one_reading",
    "own_municipality_code", "own_statistics", "peak_times", "population_elsewhere",
    "rate_gaps", "rate_trend", "rates_by_year", "survey_series", "top_places", "weekday_hour",
]  # fmt: skip
