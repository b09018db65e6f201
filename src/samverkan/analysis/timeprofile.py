"""Weekday x hour profiles of offences, including aoristic spreading.

Rows are weekdays Monday (0) .. Sunday (6), columns hours 0 .. 23. Timestamps
are read as local wall-clock time: pass naive local times (Europe/Stockholm).
Timezone-aware ``datetime`` objects are reduced to their own wall-clock
reading, so convert them to Swedish time first.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from samverkan.lib.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")


__all__ = ["weekday_hour_matrix", "aoristic_weekday_hour", "to_local_minutes", "WEEKDAYS_SV"]

WEEKDAYS_SV: tuple[str, ...] = (
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
)

MINUTES_PER_HOUR = 60
HOURS_PER_WEEK = 168
MINUTES_PER_WEEK = HOURS_PER_WEEK * MINUTES_PER_HOUR
# 1970-01-01, the datetime64 epoch, was a Thursday (Monday = 0).
_EPOCH_WEEKDAY = 3

if TYPE_CHECKING:  # numpy loads on first use, so the alias exists for the type checker only
    Timestamps = np.ndarray | Sequence[datetime] | Sequence[np.datetime64] | Sequence[str]


def _to_minutes(values: Timestamps, name: str) -> np.ndarray:
    """Convert timestamps to int64 minutes since the epoch (NaT -> min int)."""
    arr = np.asarray(values)
    if arr.dtype == object:
        # Only aware datetimes need the Python-level pass; it keeps wall time.
        arr = np.array(
            [
                x.replace(tzinfo=None) if isinstance(x, datetime) and x.tzinfo else x
                for x in arr.ravel()
            ],
            dtype="datetime64[m]",
        )
    try:
        minutes = arr.astype("datetime64[m]")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be datetimes or datetime64 values") from exc
    if minutes.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return minutes.view("int64")


def _minute_of_week(minutes: np.ndarray) -> np.ndarray:
    return (minutes + _EPOCH_WEEKDAY * 24 * MINUTES_PER_HOUR) % MINUTES_PER_WEEK


def weekday_hour_matrix(timestamps: Timestamps) -> np.ndarray:
    """Count events per weekday and hour (7 x 24 integer matrix).

    Method: a plain day-of-week by hour-of-day cross-tabulation, the
    "temporal heat map" common in crime analysis; it is the exact-time
    special case of Ratcliffe's (2002) aoristic profile in
    :func:`aoristic_weekday_hour`. Row 0 is Monday, column 0 is 00:00-00:59.
    """
    minutes = _to_minutes(timestamps, "timestamps")
    if np.any(minutes == np.iinfo(np.int64).min):
        raise ValueError("timestamps must not contain missing values (NaT)")
    hour_of_week = _minute_of_week(minutes) // MINUTES_PER_HOUR
    counts = np.bincount(hour_of_week, minlength=HOURS_PER_WEEK)
    return counts.reshape(7, 24)


def aoristic_weekday_hour(starts: Timestamps, ends: Timestamps) -> np.ndarray:
    """Aoristic weekday x hour profile for events known only within a span.

    Method: aoristic analysis, Ratcliffe, J. H. (2002). "Aoristic signatures
    and the spatio-temporal analysis of high volume crime patterns".
    *Journal of Quantitative Criminology* 18(1):23-43. Each event has weight
    1, spread evenly over its span ``[start, end)`` so that each hour-of-week
    cell receives the share of the span's minutes that fall inside it
    (minute resolution; seconds are truncated).

    Special cases (documented choices):

    * ``end == start`` or a missing end (NaT): the event counts fully in the
      cell of its start, like an exact time.
    * spans of one week (10 080 minutes) or longer: every cell gets 1/168.
      Such an event says nothing about when in the week it happened.
    * ``end < start`` raises ``ValueError``.

    The sum of the matrix equals the number of events. The computation uses
    a difference array over a two-week minute axis, so it is linear in the
    number of events and suits millions of rows.
    """
    start = _to_minutes(starts, "starts")
    end = _to_minutes(ends, "ends")
    if start.shape != end.shape:
        raise ValueError(f"starts and ends differ in length ({start.size} vs {end.size})")
    nat = np.iinfo(np.int64).min
    if np.any(start == nat):
        raise ValueError("starts must not contain missing values (NaT)")
    end = np.where(end == nat, start, end)
    duration = end - start
    if np.any(duration < 0):
        raise ValueError("every end must be at or after its start")

    first = _minute_of_week(start)
    point = duration == 0
    whole_week = duration >= MINUTES_PER_WEEK
    spread = ~(point | whole_week)

    cells = np.zeros(HOURS_PER_WEEK, dtype=float)
    cells += np.bincount(first[point] // MINUTES_PER_HOUR, minlength=HOURS_PER_WEEK)
    cells += np.count_nonzero(whole_week) / HOURS_PER_WEEK

    a = first[spread]
    b = a + duration[spread]  # may run into a second week; folded back below
    density = 1.0 / duration[spread]
    size = 2 * MINUTES_PER_WEEK + 1
    delta = np.bincount(a, weights=density, minlength=size) - np.bincount(
        b, weights=density, minlength=size
    )
    per_minute = np.cumsum(delta[:-1])
    per_hour = per_minute.reshape(2 * HOURS_PER_WEEK, MINUTES_PER_HOUR).sum(axis=1)
    cells += per_hour[:HOURS_PER_WEEK] + per_hour[HOURS_PER_WEEK:]
    return cells.reshape(7, 24)


def to_local_minutes(utc: np.ndarray, zone: _dt.tzinfo) -> np.ndarray:
    """UTC minutes (``datetime64[m]``) to wall-clock minutes in ``zone``.

    One zone lookup per distinct day; only on the two days a year when the clocks change is
    each distinct hour looked up.
    """
    if not len(utc):
        return utc

    def offset(hour: np.datetime64) -> int:
        moment = _dt.datetime.fromisoformat(str(hour.astype("datetime64[h]")) + ":00+00:00")
        delta = moment.astimezone(zone).utcoffset()
        assert delta is not None  # an aware datetime always has an offset
        return delta // _dt.timedelta(minutes=1)

    hours = utc.astype("datetime64[h]")
    days, inverse = np.unique(hours.astype("datetime64[D]"), return_inverse=True)
    first = np.array([offset(d) for d in days], dtype="int64")
    last = np.array([offset(d + np.timedelta64(23, "h")) for d in days], dtype="int64")
    offsets = first[inverse]
    changing = np.flatnonzero((first != last)[inverse])
    if len(changing):
        distinct, back = np.unique(hours[changing], return_inverse=True)
        offsets[changing] = np.array([offset(h) for h in distinct], dtype="int64")[back]
    local: np.ndarray = utc + offsets.astype("timedelta64[m]")
    return local
