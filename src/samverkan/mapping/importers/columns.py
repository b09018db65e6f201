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
import functools
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.lib.lazy import lazy
from samverkan.mapping.importers.parse import FIRST_YEAR, last_year

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")
    pa = lazy("pyarrow")
    pc = lazy("pyarrow.compute")
    pacsv = lazy("pyarrow.csv")

BLOCK_BYTES = 1 << 20  # about 11 000 rows of a typical export per batch (memory: issue 23)
# What _text() would change beyond trimming: runs of spaces and any other whitespace.
MESSY = "[\t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|  "
# Bytes that may start such whitespace in UTF-8 (control characters, U+0085/U+00A0, U+1680,
# U+2000 to U+205F, U+3000): a column without any of them needs no regular expression.
MESSY_BYTES = (9, 10, 11, 12, 13, 0x1C, 0x1D, 0x1E, 0x1F, 0xC2, 0xE1, 0xE2, 0xE3)
# Bytes that may start a control character _text() keeps (C0 other than whitespace, DEL, and
# U+0080 to U+009F, which UTF-8 writes as 0xC2 0x80-0x9F): such cells go to parse().
CONTROL = "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]"
CONTROL_BYTES = (*range(0, 9), *range(0x0E, 0x1C), 0x7F, 0xC2)
DAY = 86_400
DIGIT, DASH, COLON, SPACE, T = -2, ord("-"), ord(":"), ord(" "), ord("T")


@functools.cache
def byte_table(values: tuple[int, ...]) -> np.ndarray:
    """A lookup table over byte values: True for ``values`` (built on first use)."""
    table = np.zeros(256, dtype=bool)
    table[list(values)] = True
    return table


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
    # A Python file, not the path: given a path, Arrow reads the file ahead as fast as the
    # disk allows, and with a slower consumer (the database) it held most of a 90 MB file in
    # memory. Through a Python file it reads a block ahead. Arrow's own threads are not used
    # either: the batches are parsed in a thread of their own (incidents._parsed_ahead).
    with open(path, "rb") as source:
        try:
            reader = pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(
                    skip_rows=skip,
                    column_names=names,
                    block_size=BLOCK_BYTES,
                    use_threads=False,
                    encoding="utf8" if encoding.startswith("utf-8") else encoding,
                ),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
            for batch in reader:
                for column in batch.columns:
                    data = _bytes(column)[0]
                    if (data == 10).any() or (data == 13).any():
                        raise NotColumnar  # a line break inside a value shifts the line numbers
                yield batch
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise NotColumnar from exc


def to_arrow(values: np.ndarray, kind: pa.DataType, missing: np.ndarray | None = None) -> pa.Array:
    """A NumPy array as Arrow, sharing its memory (``missing``: True where null).

    ``pa.array`` would do the same but first asks whether the array is a pandas object,
    which imports pandas (half a second) into a process that never uses it.
    """
    count = len(values)
    if kind == pa.bool_():
        data = pa.py_buffer(np.packbits(values.astype(bool), bitorder="little"))
    else:
        data = pa.py_buffer(np.ascontiguousarray(values))
    validity = None
    if missing is not None and missing.any():
        validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    return pa.Array.from_buffers(kind, count, [validity, data])


def _blanks(count: int) -> pa.Array:
    """``count`` empty strings: the cells of a column the file does not have."""
    offsets = pa.py_buffer(np.zeros(count + 1, dtype=np.int32))
    return pa.Array.from_buffers(pa.string(), count, [None, offsets, pa.py_buffer(b"")])


def _bytes(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of a string array and its offsets into them (without copying)."""
    _validity, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[
        values.offset : values.offset + len(values) + 1
    ]
    if data_buffer is None or offsets[-1] == offsets[0]:
        return np.zeros(0, dtype=np.uint8), offsets - offsets[0]
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data, offsets - offsets[0]


def _lengths(values: pa.Array) -> np.ndarray:
    offsets = _bytes(values)[1]
    return offsets[1:] - offsets[:-1]


def _shape(values: pa.Array, *patterns: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Which cells have exactly one of the fixed-width ``patterns`` (DIGIT or a byte value).

    Returns the match mask and the digits (as numbers 0-9, uint8; 0 elsewhere) of the longest
    pattern, one column per position: a vectorised regular expression for dates and times.
    """
    data, offsets = _bytes(values)
    width = max(len(p) for p in patterns)
    starts, lengths = offsets[:-1], offsets[1:] - offsets[:-1]
    n = len(starts)
    chars = np.zeros((n, width), dtype=np.uint8)
    if n and len(data) == n * int(lengths[0]) and (lengths == lengths[0]).all():
        # Every cell as long as the first (a whole column of dates): the bytes are the rows.
        size = min(int(lengths[0]), width)
        if size:
            chars[:, :size] = data.reshape(n, int(lengths[0]))[:, :size]
    elif len(data):
        index = np.minimum(starts[:, None] + np.arange(width), len(data) - 1)
        chars[:] = data[index]
        chars[np.arange(width)[None, :] >= lengths[:, None]] = 0
    digits = chars - np.uint8(48)  # bytes below "0" wrap around to large numbers
    is_digit = digits <= 9
    ok = np.zeros(n, dtype=bool)
    for pattern in patterns:
        match = lengths == len(pattern)
        if not match.any():
            continue
        numeric = [i for i, expected in enumerate(pattern) if expected == DIGIT]
        match &= is_digit[:, numeric].all(axis=1)
        for position, expected in enumerate(pattern):
            if expected != DIGIT:
                match &= chars[:, position] == expected
        ok |= match
    digits[~is_digit] = 0
    return ok, digits


def _number(digits: np.ndarray, start: int, stop: int) -> np.ndarray:
    """The number the digits in columns ``start`` to ``stop`` spell (int64)."""
    powers = 10 ** np.arange(stop - start - 1, -1, -1, dtype=np.int64)
    return digits[:, start:stop].astype(np.int64) @ powers


_D = DIGIT
DATE = (_D, _D, _D, _D, DASH, _D, _D, DASH, _D, _D)
CLOCK = (_D, _D, COLON, _D, _D)
TIMES = (CLOCK, CLOCK + (COLON, _D, _D))


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _dates(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """ "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (or with T): day number, date exists, time given,
    seconds after midnight (valid only where the time exists: ``exists`` is False otherwise).
    """
    ok, digits = _shape(values, DATE, DATE + (SPACE,) + CLOCK, DATE + (T,) + CLOCK)
    with_time = ok & (_lengths(values) == 16)
    year, month, day = _number(digits, 0, 4), _number(digits, 5, 7), _number(digits, 8, 10)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    last = month_days[np.clip(month, 0, 12)] + ((month == 2) & leap)
    # Years outside FIRST_YEAR to next year go to parse(), which refuses them by name.
    in_range = (year >= FIRST_YEAR) & (year <= last_year())
    exists = ok & in_range & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)
    hours, minutes = _number(digits, 11, 13), _number(digits, 14, 16)
    exists &= ~with_time | ((hours <= 23) & (minutes <= 59))
    days = _days_from_civil(year, np.clip(month, 1, 12), day)
    return np.where(exists, days, 0), exists, with_time, hours * 3600 + minutes * 60


def _clock(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Seconds after midnight of "HH:MM" or "HH:MM:SS"; False where it is no such time."""
    ok, digits = _shape(values, *TIMES)
    hours, minutes = _number(digits, 0, 2), _number(digits, 3, 5)
    return hours * 3600 + minutes * 60, ok & (hours <= 23) & (minutes <= 59)


def _trim(values: pa.Array) -> pa.Array:
    """The cells without leading and trailing spaces (Arrow runs only where there are any)."""
    data, offsets = _bytes(values)
    nonempty = offsets[1:] > offsets[:-1]
    if not len(data) or not (
        (data[offsets[:-1][nonempty]] == SPACE).any()
        or (data[offsets[1:][nonempty] - 1] == SPACE).any()
    ):
        return values
    return pc.utf8_trim(values, " ")


def _cut(values: pa.Array, limit: int) -> pa.Array:
    """The cells cut to ``limit`` characters; as they are when no cell has more bytes."""
    if not len(values) or _lengths(values).max() <= limit:
        return values
    return pc.utf8_slice_codeunits(values, 0, limit)


def _empty(values: pa.Array) -> np.ndarray:
    return _lengths(values) == 0


def _matches(values: pa.Array, pattern: str) -> np.ndarray:
    found = pc.cast(pc.match_substring_regex(values, pattern), pa.uint8())
    return found.to_numpy().astype(bool)


def _plain_numbers(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Cells like 674129, -12 or 674129,5 (one decimal comma or point between digits), as
    floats; False and NaN elsewhere. What the regex ^-?\\d+([.,]\\d+)?$ says, per byte."""
    data, offsets = _bytes(values)
    starts, lengths = offsets[:-1], offsets[1:] - offsets[:-1]
    n = len(lengths)
    if not len(data):
        return np.zeros(n, dtype=bool), np.full(n, np.nan)
    digit = (data >= 48) & (data <= 57)
    sep = (data == 44) | (data == 46)
    minus = data == 45
    at = np.minimum(starts, len(data) - 1)
    nonempty = lengths > 0

    def count(flags: np.ndarray) -> np.ndarray:
        return np.where(nonempty, np.add.reduceat(flags.astype(np.int32), at), 0)

    digits, seps, minuses = count(digit), count(sep), count(minus)
    first = np.where(minus[at], 1, 0)  # where the digits start
    last = np.minimum(starts + lengths - 1, len(data) - 1)
    ok = (
        nonempty
        & (lengths > first)
        & (digits + seps + minuses == lengths)
        & (seps <= 1)
        & (minuses == first)
        & digit[np.minimum(at + first, len(data) - 1)]
        & digit[last]
    )
    numbers = np.full(n, np.nan)
    if ok.any():
        plain = pc.filter(pc.replace_substring(values, ",", "."), to_arrow(ok, pa.bool_()))
        numbers[ok] = pc.cast(plain, pa.float64()).to_numpy()
    return ok, numbers


def _control(values: pa.Array) -> np.ndarray:
    """Cells holding a control character parse() refuses; the regex runs only when it might."""
    data = _bytes(values)[0]
    if not byte_table(CONTROL_BYTES)[data].any():
        return np.zeros(len(values), dtype=bool)
    return _matches(values, CONTROL)


def _messy(values: pa.Array) -> np.ndarray:
    """Cells whose whitespace _text() would rewrite; the regex runs only when it might."""
    data = _bytes(values)[0]
    messy = byte_table(MESSY_BYTES)[data].any()
    if not (messy or ((data[:-1] == SPACE) & (data[1:] == SPACE)).any()):
        return np.zeros(len(values), dtype=bool)
    return _matches(values, MESSY)


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
                return _blanks(n)
            trimmed = _trim(raw)
            slow[:] |= _messy(trimmed) | _control(trimmed)
            return _cut(trimmed, limit)

        offence_full = _trim(self._cell(batch, "offence"))
        slow |= _empty(offence_full) | _messy(offence_full) | _control(offence_full)
        offence = _cut(offence_full, 200)
        place = text("place", 200)
        area = text("area", 200)
        case = text("external_id", 64)
        slow |= _empty(case)  # the derived key of rows without a case number: parse() makes it
        # A case may list several offences: each is its own row (incident_key()).
        key = pc.binary_join_element_wise(case, offence, "|")

        start, start_day, has_time = self._start(batch, slow)
        end, end_day = self._end(batch, slow, start, start_day, has_time)
        start_utc, end_utc = self._to_utc(start, start_day, end, end_day, slow)
        slow |= ~np.isnan(end_utc) & (end_utc < start_utc)  # parse() words the error

        x, y = self._coordinates(batch, slow)

        fast = np.flatnonzero(~slow & ~blank)
        take = to_arrow(fast.astype(np.int64), pa.int64())
        offences = pc.take(offence_full, take)
        no_end = np.isnan(end_utc[fast])
        ends = np.where(no_end, 0, end_utc[fast]).astype(np.int64)
        return Parsed(
            blank=blank,
            slow=np.flatnonzero(slow & ~blank),
            fast=fast,
            columns={
                "key": pc.take(key, take),
                "occurred_from": to_arrow(start_utc[fast].astype(np.int64), pa.timestamp("s")),
                "occurred_to": to_arrow(ends, pa.timestamp("s"), no_end),
                "offence": pc.take(offence, take),
                "category": self._categories(offences),
                "place": pc.take(place, take),
                "area": pc.take(area, take),
                "x": to_arrow(x[fast], pa.float64(), np.isnan(x[fast])),
                "y": to_arrow(y[fast], pa.float64(), np.isnan(y[fast])),
            },
        )

    def _start(
        self, batch: pa.RecordBatch, slow: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local seconds after midnight, local day number, and whether a time was given."""
        # A bad time inside the date cell is an error even beside a time column, as in parse().
        day, exists, has_time, clock = _dates(_trim(self._cell(batch, "date")))
        slow |= ~exists
        raw_time = self._cell(batch, "time")
        if raw_time is not None:
            time = _trim(raw_time)
            given = ~_empty(time)
            column_clock, column_ok = _clock(time)
            slow |= given & ~column_ok
            clock = np.where(given, column_clock, clock)
            has_time = has_time | given
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
            to_day, exists, with_time, in_date = _dates(date_to)
            slow |= date_given & ~exists
            day = np.where(date_given, to_day, day)
            clock = np.where(with_time, in_date, clock)
            clock_known |= with_time
        if time_to is not None:
            column_clock, column_ok = _clock(time_to)
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
            east = _trim(raw_x) if raw_x is not None else _blanks(n)
            north = _trim(raw_y) if raw_y is not None else _blanks(n)
            planar = ~_empty(east) | ~_empty(north)
            east_ok, e = _plain_numbers(east)
            north_ok, nn = _plain_numbers(north)
            ok = east_ok & north_ok
            slow |= planar & ~ok
            # Swedish practice often calls the northing X.
            swap = (e >= 6_100_000) & (e <= 7_700_000) & (nn < 1_000_000)
            e, nn = np.where(swap, nn, e), np.where(swap, e, nn)
            inside = (e >= 180_000) & (e <= 1_000_000) & (nn >= 6_100_000) & (nn <= 7_700_000)
            slow |= planar & ok & ~inside  # parse() words the error
            x, y = np.where(planar, e, x), np.where(planar, nn, y)
        raw_lat, raw_lon = self._cell(batch, "lat"), self._cell(batch, "lon")
        if raw_lat is None and raw_lon is None:
            return x, y
        lat = _trim(raw_lat) if raw_lat is not None else _blanks(n)
        lon = _trim(raw_lon) if raw_lon is not None else _blanks(n)
        spherical = ~planar & (~_empty(lat) | ~_empty(lon))
        if not spherical.any():
            return x, y
        lat_ok, la = _plain_numbers(lat)
        lon_ok, lo = _plain_numbers(lon)
        ok = lat_ok & lon_ok
        slow |= spherical & ~ok
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
