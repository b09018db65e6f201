"""The columnar fast path for incident files: a whole batch of CSV rows read at once with Arrow.

A million-row police export is too slow row by row in Python. Here each batch is parsed with
vectorised Arrow and NumPy operations, but only cells in the common, unambiguous shapes are
accepted (2025-03-12, 21:30, 674129 or 674129,5, a case number, text without stray
whitespace). Every other row goes to ``IncidentImporter.parse``, which stays the one place
where the rules and their error messages live; so a file gives the same data and the same
errors either way, only faster. Anything this reader cannot number by line exactly (values
with line breaks, rows of the wrong width) raises ``NotColumnar`` and the caller reads the
whole file again row by row.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from samverkan.analysis.hotspots import wgs84_to_sweref99tm

BLOCK_BYTES = 4 << 20  # about 50 000 rows of a typical export per batch
DATE = r"^\d{4}-\d{2}-\d{2}$"
DATETIME = r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$"
TIME = r"^\d{2}:\d{2}(:\d{2})?$"
NUMBER = r"^-?\d+([.,]\d+)?$"
# What _text() would change beyond trimming: runs of spaces and any other whitespace.
MESSY = "[\t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|  "
DAY = 86_400


class NotColumnar(Exception):
    """The file needs the row-by-row reader (its line numbers or widths are irregular)."""


@dataclass
class Parsed:
    """One batch: the rows taken here as columns, and the row numbers left to ``parse``."""

    blank: np.ndarray  # rows with no cell at all: skipped, as the row reader does
    slow: np.ndarray  # row indices (in the batch) for IncidentImporter.parse
    fast: np.ndarray  # row indices parsed here, in file order
    columns: dict[str, pa.Array]  # key, occurred_from, occurred_to, offence, ... for `fast`


def batches(
    path: Path, encoding: str, delimiter: str, skip: int, width: int
) -> Iterator[pa.RecordBatch]:
    """The rows below the header as batches of string columns c0, c1, ...; nothing converted."""
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                skip_rows=skip,
                column_names=names,
                block_size=BLOCK_BYTES,
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
        for batch in reader:
            for column in batch.columns:
                if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
                    raise NotColumnar  # a line break inside a value shifts the line numbers
            yield batch
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise NotColumnar from exc


def _trim(values: pa.Array) -> pa.Array:
    return pc.utf8_trim(values, " ")


def _empty(values: pa.Array) -> np.ndarray:
    return pc.equal(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False)


def _matches(values: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(values, pattern).to_numpy(zero_copy_only=False)


def _digits(values: pa.Array, ok: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Integer value of characters start:stop where ``ok`` (guaranteed digits), else 0."""
    part = pc.utf8_slice_codeunits(values, start, stop)
    safe = pc.if_else(pa.array(ok), part, "0")
    return pc.cast(safe, pa.int64()).to_numpy()


def _day_numbers(values: pa.Array, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days since 1970-01-01 of "YYYY-MM-DD" prefixes; False where the date does not exist."""
    part = pc.utf8_slice_codeunits(values, 0, 10)
    parsed = pc.strptime(
        pc.if_else(pa.array(ok), part, "1970-01-01"), format="%Y-%m-%d", unit="s",
        error_is_null=True,
    )  # fmt: skip
    # strptime rolls 2025-02-30 over into March: a date exists only if it prints back the same.
    same = pc.equal(pc.strftime(parsed, format="%Y-%m-%d"), part)
    exists = ok & pc.fill_null(same, False).to_numpy(zero_copy_only=False)
    seconds = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy()
    return seconds // DAY, exists


def _clock(values: pa.Array, ok: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Seconds after midnight of "HH:MM" at ``start``; False where the time does not exist."""
    hours = _digits(values, ok, start, start + 2)
    minutes = _digits(values, ok, start + 3, start + 5)
    return hours * 3600 + minutes * 60, ok & (hours <= 23) & (minutes <= 59)


class Offsets:
    """UTC offsets per local day, in seconds; days with a clock change are left to ``parse``."""

    def __init__(self, zone: zoneinfo.ZoneInfo) -> None:
        self.zone = zone
        self.known: dict[int, int | None] = {}

    def _offset(self, day: int) -> int | None:
        if day not in self.known:
            date = datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day))
            first = datetime.datetime.combine(date, datetime.time(), tzinfo=self.zone)
            after = first + datetime.timedelta(days=1)
            offset, next_offset = first.utcoffset(), after.utcoffset()
            self.known[day] = (
                int(offset.total_seconds())
                if offset is not None and offset == next_offset
                else None
            )
        return self.known[day]

    def of(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(offset seconds, usable) for each day."""
        unique, inverse = np.unique(days, return_inverse=True)
        found = [self._offset(int(d)) for d in unique]
        offsets = np.array([o or 0 for o in found], dtype=np.int64)[inverse]
        usable = np.array([o is not None for o in found], dtype=bool)[inverse]
        return offsets, usable


class IncidentColumns:
    """Parse batches of an incident file; ``positions`` maps field names to column numbers."""

    def __init__(self, positions: dict[str, int], zone: zoneinfo.ZoneInfo, categorise: Any):
        self.positions = positions
        self.offsets = Offsets(zone)
        self.categorise = categorise
        self.categories: dict[str, str] = {}

    def _cell(self, batch: pa.RecordBatch, name: str) -> pa.Array | None:
        index = self.positions.get(name)
        return batch.column(index) if index is not None else None

    def parse(self, batch: pa.RecordBatch) -> Parsed:
        n = batch.num_rows
        blank = np.ones(n, dtype=bool)
        for column in batch.columns:
            blank &= _empty(column)
        slow = np.zeros(n, dtype=bool)

        def text(name: str, limit: int) -> pa.Array:
            raw = self._cell(batch, name)
            if raw is None:
                return pa.nulls(n, pa.string()).fill_null("")
            trimmed = _trim(raw)
            slow[:] |= _matches(trimmed, MESSY)
            return pc.utf8_slice_codeunits(trimmed, 0, limit)

        offence_full = _trim(self._cell(batch, "offence"))
        slow |= _empty(offence_full) | _matches(offence_full, MESSY)
        offence = pc.utf8_slice_codeunits(offence_full, 0, 200)
        place = text("place", 200)
        area = text("area", 200)
        key = text("external_id", 64)
        slow |= _empty(key)  # the derived key of rows without a case number: parse() makes it

        start, start_day, has_time = self._start(batch, slow)
        end, end_day = self._end(batch, slow, start, start_day, has_time)
        start_utc, end_utc = self._to_utc(start, start_day, end, end_day, slow)
        slow |= ~np.isnan(end_utc) & (end_utc < start_utc)  # parse() words the error

        x, y = self._coordinates(batch, slow)

        fast = np.flatnonzero(~slow & ~blank)
        take = pa.array(fast)
        offences = pc.take(offence_full, take)
        no_end = np.isnan(end_utc[fast])
        ends = np.where(no_end, 0, end_utc[fast]).astype("datetime64[s]")
        return Parsed(
            blank=blank,
            slow=np.flatnonzero(slow & ~blank),
            fast=fast,
            columns={
                "key": pc.take(key, take),
                "occurred_from": pa.array(start_utc[fast].astype("datetime64[s]")),
                "occurred_to": pa.array(ends, mask=no_end),
                "offence": pc.take(offence, take),
                "category": self._categories(offences),
                "place": pc.take(place, take),
                "area": pc.take(area, take),
                "x": pa.array(x[fast], mask=np.isnan(x[fast])),
                "y": pa.array(y[fast], mask=np.isnan(y[fast])),
            },
        )

    def _start(
        self, batch: pa.RecordBatch, slow: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local seconds after midnight, local day number, and whether a time was given."""
        date = _trim(self._cell(batch, "date"))
        is_date = _matches(date, DATE)
        with_time = _matches(date, DATETIME)
        day, exists = _day_numbers(date, is_date | with_time)
        slow |= ~exists
        clock, clock_ok = _clock(date, with_time, 11)
        raw_time = self._cell(batch, "time")
        has_time = with_time.copy()
        if raw_time is not None:
            time = _trim(raw_time)
            given = ~_empty(time)
            column_clock, column_ok = _clock(time, _matches(time, TIME), 0)
            slow |= given & ~column_ok
            clock = np.where(given, column_clock, clock)
            has_time |= given
        else:
            given = np.zeros(len(day), dtype=bool)
        slow |= with_time & ~clock_ok  # parse() reads the time in the date cell either way
        return np.where(has_time, clock, 0), day, has_time

    def _end(
        self,
        batch: pa.RecordBatch,
        slow: np.ndarray,
        start: np.ndarray,
        start_day: np.ndarray,
        has_time: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Local seconds after midnight and day of the end (-1: no end, the moment is known)."""
        n = len(start)
        # Only the day known: the offence lies somewhere in that day (aoristic), never at 00:00.
        end = np.zeros(n, dtype=np.int64)
        end_day = np.where(has_time, -1, start_day + 1)
        raw_date, raw_time = self._cell(batch, "date_to"), self._cell(batch, "time_to")
        date_to = _trim(raw_date) if raw_date is not None else None
        time_to = _trim(raw_time) if raw_time is not None else None
        date_given = ~_empty(date_to) if date_to is not None else np.zeros(n, dtype=bool)
        time_given = ~_empty(time_to) if time_to is not None else np.zeros(n, dtype=bool)
        if not (date_given.any() or time_given.any()):
            return end, end_day
        clock = np.zeros(n, dtype=np.int64)
        clock_known = np.zeros(n, dtype=bool)
        day = start_day.copy()
        if date_to is not None:
            is_date = _matches(date_to, DATE)
            with_time = _matches(date_to, DATETIME)
            to_day, exists = _day_numbers(date_to, is_date | with_time)
            slow |= date_given & ~exists
            day = np.where(date_given, to_day, day)
            in_date, in_date_ok = _clock(date_to, with_time, 11)
            slow |= with_time & ~in_date_ok
            clock = np.where(with_time, in_date, clock)
            clock_known |= with_time
        if time_to is not None:
            column_clock, column_ok = _clock(time_to, _matches(time_to, TIME), 0)
            slow |= time_given & ~column_ok
            clock = np.where(time_given, column_clock, clock)
            clock_known |= time_given
        given = date_given | time_given
        # 22:00 to 02:00 on the same date crosses midnight.
        wraps = given & ~date_given & (day * DAY + clock < start_day * DAY + start)
        end_day = np.where(given, np.where(clock_known, day + wraps, day + 1), end_day)
        end = np.where(given & clock_known, clock, np.where(given, 0, end))
        return end, end_day

    def _to_utc(
        self,
        start: np.ndarray,
        start_day: np.ndarray,
        end: np.ndarray,
        end_day: np.ndarray,
        slow: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """UTC seconds since 1970 (NaN: no end); rows on a day the clocks change go slow."""
        has_end = end_day >= 0
        offset, usable = self.offsets.of(np.where(slow, 0, start_day))
        end_offset, end_usable = self.offsets.of(np.where(has_end & ~slow, end_day, 0))
        slow |= ~usable | (has_end & ~end_usable)
        start_utc = (start_day * DAY + start - offset).astype(np.float64)
        end_utc = np.where(has_end, (end_day * DAY + end - end_offset).astype(np.float64), np.nan)
        return start_utc, end_utc

    def _coordinates(self, batch: pa.RecordBatch, slow: np.ndarray) -> tuple[np.ndarray, ...]:
        n = batch.num_rows
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        raw_x, raw_y = self._cell(batch, "x"), self._cell(batch, "y")
        planar = np.zeros(n, dtype=bool)
        if raw_x is not None or raw_y is not None:
            east = _trim(raw_x) if raw_x is not None else pa.nulls(n, pa.string()).fill_null("")
            north = _trim(raw_y) if raw_y is not None else pa.nulls(n, pa.string()).fill_null("")
            planar = ~_empty(east) | ~_empty(north)
            ok = _matches(east, NUMBER) & _matches(north, NUMBER)
            slow |= planar & ~ok
            e, nn = _numbers(east, ok), _numbers(north, ok)
            # Swedish practice often calls the northing X.
            swap = (e >= 6_100_000) & (e <= 7_700_000) & (nn < 1_000_000)
            e, nn = np.where(swap, nn, e), np.where(swap, e, nn)
            inside = (e >= 180_000) & (e <= 1_000_000) & (nn >= 6_100_000) & (nn <= 7_700_000)
            slow |= planar & ok & ~inside  # parse() words the error
            x, y = np.where(planar, e, x), np.where(planar, nn, y)
        raw_lat, raw_lon = self._cell(batch, "lat"), self._cell(batch, "lon")
        if raw_lat is None and raw_lon is None:
            return x, y
        lat = _trim(raw_lat) if raw_lat is not None else pa.nulls(n, pa.string()).fill_null("")
        lon = _trim(raw_lon) if raw_lon is not None else pa.nulls(n, pa.string()).fill_null("")
        spherical = ~planar & (~_empty(lat) | ~_empty(lon))
        if not spherical.any():
            return x, y
        ok = _matches(lat, NUMBER) & _matches(lon, NUMBER)
        slow |= spherical & ~ok
        la, lo = _numbers(lat, ok), _numbers(lon, ok)
        inside = (la >= 55.0) & (la <= 69.5) & (lo >= 10.5) & (lo <= 24.5)
        slow |= spherical & ok & ~inside
        use = np.flatnonzero(spherical & ok & inside)
        if len(use):
            e, nn = wgs84_to_sweref99tm(lo[use], la[use])
            # Python's round(), as parse() does, so both paths store the same numbers.
            x[use] = [round(float(v), 1) for v in e]
            y[use] = [round(float(v), 1) for v in nn]
        return x, y

    def _categories(self, offences: pa.Array) -> pa.Array:
        unique = pc.unique(offences)
        names = unique.to_pylist()
        for name in names:
            if name not in self.categories:
                self.categories[name] = self.categorise(name)[0]
        groups = pa.array([self.categories[name] for name in names], pa.string())
        return pc.take(groups, pc.index_in(offences, value_set=unique))


def _numbers(values: pa.Array, ok: np.ndarray) -> np.ndarray:
    safe = pc.if_else(pa.array(ok), pc.replace_substring(values, ",", "."), "nan")
    return pc.cast(safe, pa.float64()).to_numpy()
