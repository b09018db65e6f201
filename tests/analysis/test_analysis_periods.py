"""Periods and time zones in the analysis library (moved from the Django app: no settings)."""

import zoneinfo

import numpy as np
import pytest

from samverkan.analysis.categories import is_total_offence
from samverkan.analysis.periods import ALL_MONTHS, months_label, months_of
from samverkan.analysis.timeprofile import to_local_minutes


def test_months_of_a_row_and_their_names():
    assert months_of(None, None) == ALL_MONTHS and months_label(ALL_MONTHS) == ""
    assert months_of(2, None) == {4, 5, 6} and months_label(months_of(2, None)) == "april–juni"
    assert months_label({1, 3}) == "januari, mars" and months_label({5}) == "maj"
    with pytest.raises(ValueError):
        months_of(5, None)
    with pytest.raises(ValueError):
        months_of(None, 13)


def test_totals_in_any_spacing_or_case():
    assert is_total_offence("Samtliga  brott") and is_total_offence("TOTALT")
    assert not is_total_offence("Misshandel")


def test_local_minutes_in_any_zone_without_django():
    utc = np.array(["2024-07-01T12:00", "2024-12-01T12:00"], dtype="datetime64[m]")
    local = to_local_minutes(utc, zoneinfo.ZoneInfo("Europe/Stockholm"))
    assert [str(t) for t in local] == ["2024-07-01T14:00", "2024-12-01T13:00"]
    helsinki = to_local_minutes(utc, zoneinfo.ZoneInfo("Europe/Helsinki"))
    assert str(helsinki[0]) == "2024-07-01T15:00"
