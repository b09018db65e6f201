import time
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from samverkan.analysis.timeprofile import aoristic_weekday_hour, weekday_hour_matrix

# 2024-01-01 was a Monday.
MONDAY = datetime(2024, 1, 1)


def test_weekday_hour_matrix_puts_monday_midnight_in_the_first_cell():
    m = weekday_hour_matrix([MONDAY + timedelta(minutes=30), datetime(2024, 1, 7, 23, 59)])
    assert m.shape == (7, 24)
    assert m[0, 0] == 1
    assert m[6, 23] == 1
    assert m.sum() == 2


def test_weekday_hour_matrix_reads_aware_datetimes_as_wall_clock_time():
    aware = datetime(2024, 1, 3, 14, 5, tzinfo=timezone(timedelta(hours=1)))
    assert weekday_hour_matrix([aware])[2, 14] == 1


def test_aoristic_span_across_midnight_is_split_by_minutes():
    a = aoristic_weekday_hour([datetime(2024, 1, 7, 23, 30)], [datetime(2024, 1, 8, 1, 0)])
    assert a[6, 23] == pytest.approx(1 / 3)
    assert a[0, 0] == pytest.approx(2 / 3)
    assert a.sum() == pytest.approx(1)


def test_aoristic_span_within_a_day_is_split_proportionally():
    wed = datetime(2024, 1, 3)
    a = aoristic_weekday_hour([wed.replace(hour=10, minute=15)], [wed.replace(hour=12, minute=45)])
    assert a[2, 10] == pytest.approx(0.3)
    assert a[2, 11] == pytest.approx(0.4)
    assert a[2, 12] == pytest.approx(0.3)


def test_aoristic_point_events_and_missing_ends_count_fully_at_the_start():
    start = np.array(["2024-01-02T08:10", "2024-01-02T09:20"], dtype="datetime64[m]")
    end = np.array(["2024-01-02T08:10", "NaT"], dtype="datetime64[m]")
    a = aoristic_weekday_hour(start, end)
    assert a[1, 8] == 1 and a[1, 9] == 1


def test_aoristic_span_of_a_week_or_more_is_spread_uniformly():
    a = aoristic_weekday_hour([MONDAY], [MONDAY + timedelta(days=9)])
    assert np.allclose(a, 1 / 168)


def test_aoristic_rejects_end_before_start():
    with pytest.raises(ValueError, match="after its start"):
        aoristic_weekday_hour([MONDAY], [MONDAY - timedelta(hours=1)])


def test_aoristic_handles_a_million_events_quickly_and_keeps_the_total():
    rng = np.random.default_rng(7)
    n = 1_000_000
    start = np.datetime64("2024-01-01T00:00") + rng.integers(0, 525_600, n).astype("timedelta64[m]")
    end = start + rng.integers(0, 12_000, n).astype("timedelta64[m]")
    t0 = time.perf_counter()
    a = aoristic_weekday_hour(start, end)
    elapsed = time.perf_counter() - t0
    assert a.sum() == pytest.approx(n, rel=1e-9)
    assert elapsed < 5
