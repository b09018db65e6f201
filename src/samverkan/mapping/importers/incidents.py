"""One reported offence per row (police exports): the row parser and the columnar fast path."""

from __future__ import annotations

import contextlib
import datetime
import functools
import hashlib
import heapq
import zoneinfo
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.lib import numbers
from samverkan.lib.lazy import lazy
from samverkan.mapping.importers import pgcopy
from samverkan.mapping.importers.base import Column, Importer, ImportResult, Reading, row_issue
from samverkan.mapping.importers.columns import (
    IncidentColumns,
    NotColumnar,
    Parsed,
    batches,
    to_arrow,
)
from samverkan.mapping.importers.common import (
    _text,
    categorise,
)
from samverkan.mapping.importers.limits import MAX_ROWS
from samverkan.mapping.importers.parse import (
    Bad,
    check_text,
    parse_datetime,
    parse_float,
    parse_time,
)
from samverkan.mapping.importers.reader import delimiter_of
from samverkan.mapping.models import (
    Incident,
)

if TYPE_CHECKING:
    import numpy as np
    import psycopg.errors as psycopg_errors
    import pyarrow as pa
    import pyarrow.compute as pc
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")
    psycopg_errors = lazy("psycopg.errors")
    pa = lazy("pyarrow")
    pc = lazy("pyarrow.compute")


def incident_key(case: str, offence: str) -> str:
    """The key of a row with a case number: the case and the offence, since police exports
    list each offence of a case on its own row ("K123|Rån", "K123|Misshandel")."""
    return f"{case[:64]}|{offence[:200]}"


SWEDEN_EASTING = (180_000.0, 1_000_000.0)
SWEDEN_NORTHING = (6_100_000.0, 7_700_000.0)


class IncidentImporter(Importer):
    """One reported offence per row: date and time (or a span), offence, place, coordinates."""

    kind = "incidents"
    mappable = True
    columns = (
        Column("external_id", "Ärendenummer", ("ärendenummer", "diarienummer", "anmälningsnummer",
                                               "id", "händelse id", "k nummer", "external id")),
        Column("date", "Datum (från)", ("datum", "brottsdatum", "från datum", "fr o m datum",
                                        "startdatum", "datum från", "date", "date from"), True),
        Column("time", "Klockslag (från)", ("tid", "klockslag", "från tid", "fr o m tid",
                                            "starttid", "tid från", "time", "time from")),
        Column("date_to", "Datum (till)", ("till datum", "t o m datum", "slutdatum", "datum till",
                                           "date to")),
        Column("time_to", "Klockslag (till)", ("till tid", "t o m tid", "sluttid", "tid till",
                                               "time to")),
        Column("offence", "Brott", ("brott", "brottstyp", "brottskod", "rubricering",
                                    "brottsbenämning", "offence"), True),
        Column("place", "Plats", ("plats", "platsnamn", "adress", "gata", "brottsplats",
                                  "place")),
        Column("area", "Område", ("område", "stadsdel", "kommundel", "områdesnamn", "area")),
        Column("x", "Östlig koordinat (SWEREF 99 TM)", ("x", "e", "easting", "x koordinat",
                                                        "sweref x", "östlig", "x sweref99tm")),
        Column("y", "Nordlig koordinat (SWEREF 99 TM)", ("y", "n", "northing", "y koordinat",
                                                         "sweref y", "nordlig", "y sweref99tm")),
        Column("lat", "Latitud (WGS 84)", ("lat", "latitud", "latitude")),
        Column("lon", "Longitud (WGS 84)", ("lon", "long", "lng", "longitud", "longitude")),
    )  # fmt: skip

    columnar = True

    def prepare(self) -> None:
        self.zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            # Django's SQLite format (UTC, naive text) without its per-call checks.
            self.adapt = lambda dt: (dt - dt.utcoffset()).replace(tzinfo=None).isoformat(" ")
        else:
            self.adapt = connection.ops.adapt_datetimefield_value
        self.party_id = self.party.pk
        self.import_id = self.source_import.pk if self.source_import else None
        # Rows that exist already, by case number or derived key, are skipped: importing the
        # same file twice adds nothing. SQLite skips them itself (ON CONFLICT DO NOTHING);
        # PostgreSQL's COPY cannot, so there the keys are checked here, before it.
        self.known: set[str] | None = (
            None
            if self.sqlite
            else set(Incident.objects.filter(party=self.party).values_list("key", flat=True))
        )
        q = connection.ops.quote_name
        self.columns_sql = ", ".join(q(n) for n in INCIDENT_COLUMNS)
        self.table_name = q(Incident._meta.db_table)
        self.stream: Any = None  # the import's COPY on PostgreSQL while read_columns runs
        self.copy_sql = (
            f"COPY {self.table_name} ({self.columns_sql}) FROM STDIN WITH (FORMAT binary)"
        )
        self.sql = (
            f"INSERT INTO {self.table_name} ({self.columns_sql}) "
            f"VALUES ({', '.join(['%s'] * len(INCIDENT_COLUMNS))}) "
            f"ON CONFLICT ({q('party_id')}, {q('key')}) DO NOTHING"
        )

    def _moment(self, date: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(date, time, tzinfo=self.zone)

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        offence = _text(cells["offence"])
        if not offence:
            raise Bad("brott saknas", "offence is missing")
        date, time_in_date = parse_datetime(cells["date"])
        time = parse_time(cells.get("time")) or time_in_date
        if time is None:
            # Only the day is known: spread it over the whole day (aoristic), never 00:00.
            start = self._moment(date, datetime.time())
            end: datetime.datetime | None = start + datetime.timedelta(days=1)
        else:
            start = self._moment(date, time)
            end = None
        if _text(cells.get("date_to")) or _text(cells.get("time_to")):
            if _text(cells.get("date_to")):
                date_to, time_to_in_date = parse_datetime(cells["date_to"])
            else:
                date_to, time_to_in_date = date, None
            time_to = parse_time(cells.get("time_to")) or time_to_in_date
            if time_to is None:
                end = self._moment(date_to, datetime.time()) + datetime.timedelta(days=1)
            else:
                end = self._moment(date_to, time_to)
                if not _text(cells.get("date_to")) and end < start:
                    end += datetime.timedelta(days=1)  # 22:00–02:00 crosses midnight
            if end < start:
                raise Bad(
                    "sluttiden ligger före starttiden; kontrollera datum och klockslag (till)",
                    "the end is before the start; check date and time (to)",
                )
        x, y = self._coordinates(cells)
        # Long names are cut to their columns (both readers do the same); control characters
        # are refused (PostgreSQL takes no NUL, and no place name holds one).
        check_text(offence, "brottet", "the offence", 10**6)
        place = check_text(_text(cells.get("place")), "platsen", "the place", 10**6)[:200]
        area = check_text(_text(cells.get("area")), "området", "the area", 10**6)[:200]
        case = check_text(_text(cells.get("external_id")), "ärendenumret", "the case", 10**6)
        if case:
            key = incident_key(case, offence)
        else:
            raw = f"{start.isoformat()}|{end}|{offence}|{place}|{area}|{x}|{y}"
            key = "h:" + hashlib.sha1(raw.encode()).hexdigest()[:40]
        group, _interpretation = categorise(offence)
        return (
            (
                self.party_id,
                self.import_id,
                key,
                self.adapt(start),
                self.adapt(end) if end is not None else None,
                offence[:200],
                group,
                place,
                area,
                x,
                y,
            ),
        )

    def _coordinates(self, cells: dict[str, Any]) -> tuple[float | None, float | None]:
        if _text(cells.get("x")) or _text(cells.get("y")):
            x = parse_float(cells.get("x"), "östlig koordinat (x)", "easting (x)")
            y = parse_float(cells.get("y"), "nordlig koordinat (y)", "northing (y)")
            if SWEDEN_NORTHING[0] <= x <= SWEDEN_NORTHING[1] and y < SWEDEN_EASTING[1]:
                x, y = y, x  # Swedish practice often calls the northing X
            if not (SWEDEN_EASTING[0] <= x <= SWEDEN_EASTING[1]) or not (
                SWEDEN_NORTHING[0] <= y <= SWEDEN_NORTHING[1]
            ):
                raise Bad(
                    f"koordinaterna {x:.0f}, {y:.0f} ligger inte i Sverige i SWEREF 99 TM "
                    "(östlig 180 000–1 000 000, nordlig 6 100 000–7 700 000)",
                    f"coordinates {x:.0f}, {y:.0f} are not in Sweden in SWEREF 99 TM",
                )
            return x, y
        if _text(cells.get("lat")) or _text(cells.get("lon")):
            lat = parse_float(cells.get("lat"), "latitud", "latitude")
            lon = parse_float(cells.get("lon"), "longitud", "longitude")
            if not (55.0 <= lat <= 69.5 and 10.5 <= lon <= 24.5):
                raise Bad(
                    f"latitud {lat} och longitud {lon} ligger inte i Sverige (WGS 84)",
                    f"latitude {lat} and longitude {lon} are not in Sweden (WGS 84)",
                )
            e, n = wgs84_to_sweref99tm(lon, lat)
            return round(float(e), 1), round(float(n), 1)
        return None, None

    def _fresh(self, keys: list[str]) -> list[bool] | None:
        """Which keys are new (None: all of them), remembering them for the rest of the file.

        With ``known`` None every key is taken as new and the primary key has the last word
        (see read_columns)."""
        if self.known is None:
            return None
        new = set(keys)
        if len(new) == len(keys) and self.known.isdisjoint(new):
            self.known |= new
            return None
        keep = []
        for key in keys:
            keep.append(key not in self.known)
            self.known.add(key)
        return keep

    def flush(self, batch: list[Any], result: ImportResult) -> None:
        if self.sqlite:
            self._insert(batch, result)
            return
        keep = self._fresh([row[2] for row in batch])
        rows = batch if keep is None else [row for row, k in zip(batch, keep, strict=True) if k]
        self._write_rows(rows)
        result.rows_imported += len(rows)
        result.rows_skipped += len(batch) - len(rows)

    def _insert(self, rows: list[tuple], result: ImportResult) -> None:
        """SQLite: rows in file order; those whose key is taken (earlier in the file or by an
        earlier import) are skipped by the unique key, so the first one stays."""
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)
            inserted = cursor.rowcount
        result.rows_imported += inserted
        result.rows_skipped += len(rows) - inserted

    def _write_rows(self, rows: list[tuple]) -> None:
        """PostgreSQL: rows that parse() made, through the import's COPY."""
        if not rows:
            return
        types = column_types()
        self._copy([
            pa.array(values, type=types[name])
            for name, values in zip(INCIDENT_COLUMNS, zip(*rows, strict=True), strict=True)
        ])  # fmt: skip

    def _copy(self, columns: list[pa.Array]) -> None:
        """PostgreSQL: rows in binary COPY format, into the import's stream if it is open."""
        data = pgcopy.rows(columns)
        if self.stream is not None:
            self.stream.write(data)
            return
        with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
            copy.write(pgcopy.SIGNATURE + data + pgcopy.TRAILER)

    def read_columns(self, reading: Reading, result: ImportResult) -> None:
        if not self.sqlite and not self.known:
            # The party's first incidents: rather than remember a million keys to find repeats
            # within the file, let the primary key find them. Only if it does is the file read
            # again, remembering its keys; repeated case numbers are rare in police exports.
            self.known = None
            try:
                with transaction.atomic():
                    self._read_all(reading, result)
                return
            except (psycopg_errors.UniqueViolation, IntegrityError):
                result.rows_total = result.rows_imported = result.rows_skipped = 0
                result.error_count = 0
                result.errors.clear()
                self.known = set()
        try:
            self._read_all(reading, result)
        except (psycopg_errors.UniqueViolation, IntegrityError):
            raise Bad(
                "en annan import av händelser för parten pågick samtidigt; försök igen",
                "another incident import for this party ran at the same time; try again",
            ) from None

    def _read_all(self, reading: Reading, result: ImportResult) -> None:
        with contextlib.ExitStack() as stack:
            if not self.sqlite:
                # One COPY for the whole file, fed by a writer thread: the server stores one
                # batch while this process parses the next, one core each.
                raw = stack.enter_context(connection.cursor()).cursor
                self.stream = stack.enter_context(
                    raw.copy(self.copy_sql, writer=bounded_copy_writer()(raw))
                )
                self.stream.write(pgcopy.SIGNATURE)
            try:
                self._read_batches(reading, result)
                if self.stream is not None:
                    self.stream.write(pgcopy.TRAILER)
            finally:
                self.stream = None

    def _read_batches(self, reading: Reading, result: ImportResult) -> None:
        first_line = reading.header_line + 1
        done = 0
        for batch, parsed in _parsed_ahead(reading, IncidentColumns(
            reading.positions, self.zone, categorise
        )):  # fmt: skip
            if done == 0:
                _check_start(batch, reading, first_line)
            result.rows_total += batch.num_rows - int(parsed.blank.sum())
            if result.rows_total > MAX_ROWS:
                raise Bad(
                    f"filen har fler än {numbers.number(MAX_ROWS)} rader; dela upp den",
                    f"the file has more than {MAX_ROWS} rows; split it",
                )
            slow: list[tuple[int, tuple]] = []
            if len(parsed.slow):
                rows = batch.take(to_arrow(parsed.slow.astype(np.int64), pa.int64())).to_pylist()
                for index, row in zip(parsed.slow.tolist(), rows, strict=True):
                    line = first_line + done + index
                    values = {name: row[f"c{i}"] for name, i in reading.positions.items()}
                    try:
                        slow.extend((index, record) for record in self.parse(values, line))
                    except Bad as exc:
                        result.add(row_issue(line, exc))
            if not result.error_count:
                self._write_parsed(parsed, slow, result)
            done += batch.num_rows
            reading.report(first_line + done)

    def _write_parsed(
        self, parsed: Parsed, slow: list[tuple[int, tuple]], result: ImportResult
    ) -> None:
        """Write one batch: the columns parsed at once and the rows parse() took, in file order."""
        columns = parsed.columns
        if self.sqlite:
            values = self._values(columns)
            rows = list(zip(*(values[name].to_pylist() for name in INCIDENT_COLUMNS), strict=True))
            if slow:  # in file order, so that the first of two equal keys is the one kept
                numbered = zip(parsed.fast.tolist(), rows, strict=True)
                rows = [row for _i, row in heapq.merge(numbered, slow, key=lambda pair: pair[0])]
            self._insert(rows, result)
            return
        if self.known is None:  # the primary key finds repeats (read_columns)
            self._write_columns(columns)
            self._write_rows([record for _i, record in slow])
            result.rows_imported += len(columns["key"]) + len(slow)
            return
        keys = columns["key"].to_pylist()
        if slow:  # merge by row number so that the first of two equal keys wins, as in the file
            order = sorted(
                [(int(i), 0, j) for j, i in enumerate(parsed.fast)]
                + [(i, 1, j) for j, (i, _record) in enumerate(slow)]
            )
            keep = self._fresh([keys[j] if kind == 0 else slow[j][1][2] for _i, kind, j in order])
            keep_fast = [True] * len(keys)
            keep_slow = [True] * len(slow)
            if keep is not None:
                for (_i, kind, j), k in zip(order, keep, strict=True):
                    (keep_fast if kind == 0 else keep_slow)[j] = k
        else:
            keep_fast = self._fresh(keys) or [True] * len(keys)
            keep_slow = []
        if not all(keep_fast):
            mask = pa.array(keep_fast)
            columns = {name: pc.filter(values, mask) for name, values in columns.items()}
        rows = [record for (_i, record), k in zip(slow, keep_slow, strict=True) if k]
        taken = len(columns["key"])
        self._write_columns(columns)
        self._write_rows(rows)
        result.rows_imported += taken + len(rows)
        result.rows_skipped += len(keep_fast) - taken + len(slow) - len(rows)

    def _write_columns(self, columns: dict[str, pa.Array]) -> None:
        """PostgreSQL: the batch's columns through the import's COPY."""
        if len(columns["key"]):
            values = self._values(columns)
            self._copy([values[name] for name in INCIDENT_COLUMNS])

    def _values(self, columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
        """The table's columns for a batch: party and import added, times as the database
        takes them (SQLite: Django's UTC text "2025-03-12 20:30:00"; PostgreSQL: seconds)."""
        n = len(columns["key"])
        stamp = pa.string() if self.sqlite else pa.timestamp("s")
        return {
            "party_id": to_arrow(np.full(n, self.party_id, dtype=np.int64), pa.int64()),
            "source_import_id": to_arrow(
                np.full(n, self.import_id or 0, dtype=np.int64),
                pa.int64(),
                np.full(n, self.import_id is None),
            ),
            "key": columns["key"],
            "occurred_from": pc.cast(columns["occurred_from"], stamp),
            "occurred_to": pc.cast(columns["occurred_to"], stamp),
        } | {name: columns[name] for name in INCIDENT_COLUMNS[5:]}


@functools.cache
def bounded_copy_writer() -> type:
    """psycopg's queued COPY writer with a short queue (a function: psycopg loads on first use).

    The writer thread lets the server store one batch while this process parses the next,
    but psycopg's queue holds up to 1024 pieces of 128 KB: when the server is the slower side
    (a busy disk, a shared machine) up to 128 MB of parsed rows could wait in it. With 32
    pieces (4 MB, more than a batch of about 2–3 MB in COPY format) parsing waits for the
    server instead. (On the 2-core test machine the measured peak did not change: there the
    queue did not fill; issue 14.)
    """
    from psycopg._acompat import Queue
    from psycopg.copy import QueuedLibpqWriter

    class BoundedCopyWriter(QueuedLibpqWriter):
        QUEUE_PIECES = 32

        def __init__(self, cursor: Any) -> None:
            super().__init__(cursor)
            # psycopg's own queue class (its get() stays interruptible), with fewer places.
            self._queue = Queue(maxsize=self.QUEUE_PIECES)

    return BoundedCopyWriter


INCIDENT_COLUMNS = [
    "party_id", "source_import_id", "key", "occurred_from", "occurred_to", "offence",
    "category", "place", "area", "x", "y",
]  # fmt: skip


def column_types() -> dict[str, pa.DataType]:
    """The Arrow type of each of INCIDENT_COLUMNS (a function: pyarrow loads on first use)."""
    return {
        "party_id": pa.int64(), "source_import_id": pa.int64(), "key": pa.string(),
        "occurred_from": pa.timestamp("s", tz="UTC"), "occurred_to": pa.timestamp("s", tz="UTC"),
        "offence": pa.string(), "category": pa.string(), "place": pa.string(),
        "area": pa.string(), "x": pa.float64(), "y": pa.float64(),
    }  # fmt: skip


def _parsed_ahead(reading: Reading, reader: IncidentColumns) -> Iterator[tuple[Any, Parsed]]:
    """The file's batches with their columnar parse, one batch ahead in a second thread.

    Arrow and NumPy let go of the interpreter lock while they work, so the next batch is
    read and parsed while this one is written: on two cores the import takes about as long
    as the longer of the two, not their sum. The thread touches no database connection.
    """
    source = iter(
        batches(
            reading.path,
            reading.facts.encoding,
            delimiter_of(reading.path, reading.facts.encoding),
            reading.header_line,
            reading.width,
        )
    )

    def parse_next() -> tuple[Any, Parsed] | None:
        batch = next(source, None)
        return None if batch is None else (batch, reader.parse(batch))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="samverkan-parse") as pool:
        ahead = pool.submit(parse_next)
        while (item := ahead.result()) is not None:
            ahead = pool.submit(parse_next)
            yield item


def _check_start(batch: Any, reading: Reading, first_line: int) -> None:
    """The columnar reader must begin on the row the header search stopped before."""
    first = reading.first_row
    if first is None or batch.num_rows == 0:
        raise NotColumnar
    line, cells = first
    cells = ["" if c is None else c for c in cells]
    cells += [""] * (reading.width - len(cells))
    if line != first_line or cells != [batch.column(i)[0].as_py() for i in range(reading.width)]:
        raise NotColumnar
