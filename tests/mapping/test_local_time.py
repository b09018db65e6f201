"""Stored UTC minutes become Swedish wall-clock minutes, also on the days the clocks change."""

import datetime
import zoneinfo

import numpy as np

from samverkan.mapping.subjects.incidents import _to_local

STHLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def test_to_local_agrees_with_zoneinfo_across_the_clock_changes():
    rng = np.random.default_rng(1)
    start = np.datetime64("2021-01-01T00:00", "m")
    utc = start + rng.integers(0, 4 * 525_600, 5000).astype("timedelta64[m]")
    around = [np.datetime64(f"2024-{d}T00:00", "m") for d in ("03-31", "10-27")]
    utc = np.concatenate([utc] + [np.arange(a, a + np.timedelta64(240, "m")) for a in around])
    expected = [
        np.datetime64(
            datetime.datetime.fromisoformat(f"{u}+00:00").astimezone(STHLM).replace(tzinfo=None),
            "m",
        )
        for u in utc
    ]
    assert (_to_local(utc) == np.array(expected)).all()
    # 00:59 UTC on 31 March 2024 is 01:59 winter time, 01:00 UTC already 03:00 summer time
    assert str(_to_local(np.array([around[0] + np.timedelta64(59, "m")]))[0]) == "2024-03-31T01:59"
    assert str(_to_local(np.array([around[0] + np.timedelta64(60, "m")]))[0]) == "2024-03-31T03:00"
