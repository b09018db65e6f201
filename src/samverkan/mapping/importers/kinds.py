"""The importers, one per kind of file (crime statistics, incidents, Kolada, SCB, surveys)."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import heapq
import math
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import psycopg.errors
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from psycopg.copy import QueuedLibpqWriter

from samverkan.analysis.categories import classify
from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.mapping.importers import jsonstat, pgcopy
from samverkan.mapping.importers.base import Column, Importer, ImportResult, Reading, row_issue
from samverkan.mapping.importers.columns import (
    IncidentColumns,
    NotColumnar,
    Parsed,
    batches,
    to_arrow,
)
from samverkan.mapping.importers.jsonfile import load_json
from samverkan.mapping.importers.limits import MAX_ROWS
from samverkan.mapping.importers.parse import (
    MAX_COUNT,
    MONTHS,
    Bad,
    check_text,
    parse_count,
    parse_datetime,
    parse_float,
    parse_time,
    parse_year,
)
from samverkan.mapping.importers.reader import FileFacts, Row, delimiter_of
from samverkan.mapping.models import (
    CrimeStatistic,
    Incident,
    KeyFigure,
    Population,
    SurveyResult,
)
from samverkan.mapping.municipalities import NAMES, county_of, municipality_code


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if "  " not in text and "\n" not in text and "\t" not in text:
            return text
    return " ".join(str(value).split())


def _code_text(value: Any) -> str:
    """A cell that may hold a municipality code, as text: Excel stores 0114 as 114 (or 114.0),
    and a re-saved CSV loses the zero too; 114 is 0114 when that is a municipality."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    if m := re.match(r"^(\d{3})(\s.*)?$", text):
        if "0" + m[1] in NAMES:
            return "0" + m[1] + (m[2] or "")
    return text


def _area(value: Any) -> tuple[str, str]:
    """(municipality code or "", area name): "0180", "Stockholms kommun", "Centrum".

    A number that is no municipality code, and a county or the whole country, are refused
    rather than stored as an area of that name."""
    text = check_text(_code_text(value), "området", "the area", 200)
    if not text:
        raise Bad("område saknas", "area is missing")
    code = municipality_code(text)
    if code:
        return code, NAMES[code]
    if county := county_of(text):
        raise Bad(
            f"”{text}” är ett län ({county}), inte en kommun eller ett område i den; ta bort "
            "länsraderna (importera länets siffror i en egen fil om de behövs)",
            f"{text!r} is a county ({county}), not a municipality or an area in one",
        )
    if re.fullmatch(r"\d{1,4}(\s.*)?", text):
        raise Bad(
            f"kommunkoden i ”{text}” finns inte; ange SCB:s fyrsiffriga kod, t.ex. 0180",
            f"the municipality code in {text!r} does not exist; use SCB's four digits, e.g. 0180",
        )
    return "", text


_YEAR_COLUMN = re.compile(
    r"(?:(?:pop|population|folkmängd|folkmangd|befolkning|invånare|antal|count|value|värde|år|"
    r"year)[ _-]?)?((?:19|20)\d\d)"
)
_PERIOD = re.compile(r"^(\d{4})\s*(?:([KQkq])([1-4])|[Mm-]?(\d{1,2}))?$")


def _period(value: Any) -> tuple[int, int | None, int | None]:
    """Year with optional quarter or month: 2024, 2024K1, 2024Q1, 2024M03, 2024-03."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_year(value), None, None
    text = _text(value)
    m = _PERIOD.match(text)
    if not m:
        return parse_year(text), None, None
    year = parse_year(m[1])
    if m[3]:
        return year, int(m[3]), None
    if m[4]:
        month = int(m[4])
        if not 1 <= month <= 12:
            raise Bad(f"månaden i ”{text}” ska vara 1–12", f"month in {text!r} must be 1-12")
        return year, None, month
    return year, None, None


def _month(value: Any) -> int | None:
    text = _text(value).lower()
    if not text:
        return None
    if text in MONTHS:
        return MONTHS[text]
    month = parse_count(text, "månaden", "month")
    if not 1 <= month <= 12:
        raise Bad(f"månaden ”{text}” ska vara 1–12", f"month {text!r} must be 1-12")
    return month


_CATEGORY_CACHE: dict[str, tuple[str, str]] = {}


def categorise(offence: str) -> tuple[str, str]:
    """The handbook group and interpretation category of an offence ("" when unknown)."""
    if offence not in _CATEGORY_CACHE:
        found = classify(offence)
        _CATEGORY_CACHE[offence] = (found.group, found.interpretation) if found else ("", "")
    return _CATEGORY_CACHE[offence]


class KeyedImporter(Importer):
    """An importer whose records have a natural key within the party.

    A key twice in one file is a bad row that names the first one; a key the party has
    already (an earlier import) is skipped, so importing the same file twice adds nothing.
    """

    model: type[Any]
    key_fields: tuple[str, ...] = ()
    twice_sv = "samma {what} finns redan på rad {line}"
    twice_en = "same {what_en} as line {line}"
    what = what_en = ""

    def prepare(self) -> None:
        self.seen: dict[tuple, int] = {}
        self.existing = set(
            self.model.objects.filter(party=self.party).values_list(*self.key_fields)
        )
        self.skipped = 0

    def is_new(self, key: tuple, line: int) -> bool:
        """False for a key the party has; Bad for a key seen earlier in this file."""
        if key in self.seen:
            first = self.seen[key]
            raise Bad(
                self.twice_sv.format(what=self.what, line=first),
                self.twice_en.format(what_en=self.what_en, line=first),
            )
        self.seen[key] = line
        if key in self.existing:
            self.skipped += 1
            return False
        return True

    def flush(self, batch: list[Any], result: ImportResult) -> None:
        self.model.objects.bulk_create(batch, batch_size=5000)
        result.rows_imported += len(batch)

    def finish(self, result: ImportResult) -> None:
        result.rows_skipped = self.skipped


class CrimeStatsImporter(KeyedImporter):
    """Reported offences per area, offence and period, long or wide (years as columns)."""

    kind = "crime-stats"
    mappable = True
    model = CrimeStatistic
    key_fields = ("area", "offence", "year", "quarter", "month")
    what, what_en = "område, brott och period", "area, offence and period"
    columns = (
        Column("area", "Område/kommun", ("område", "kommun", "region", "kommundel", "stadsdel",
                                        "stadsområde", "kommunkod", "kommunnamn", "area",
                                        "municipality code", "municipality", "municipality name",
                                        "municipality id"), True),
        Column("offence", "Brott", ("brott", "brottstyp", "brottskategori", "brottskod",
                                    "offence", "offence type", "crime type", "crime", "offense"),
               True),
        Column("year", "År", ("år", "period", "year", "tid"), True),
        Column("quarter", "Kvartal", ("kvartal", "quarter")),
        Column("month", "Månad", ("månad", "month")),
        Column("count", "Antal", ("antal", "antal brott", "anmälda brott", "antal anmälda brott",
                                  "count", "värde", "value", "number"), True),
        Column("population", "Befolkning", ("befolkning", "folkmängd", "invånare",
                                            "population")),
    )  # fmt: skip

    def adjust_header(self, cells: list[Any], found: dict[str, int]) -> dict[str, int]:
        """Brå's tables often put the years in the columns: read each year column as a count."""
        self.year_columns: dict[str, int] = {}
        if "year" in found:
            return found
        for index, cell in enumerate(cells):
            text = _text(cell)
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                text = str(int(cell)) if math.isfinite(cell) else ""
            # "2018", or the year in the column's name: pop2018, folkmangd_2018, antal 2018
            if m := _YEAR_COLUMN.fullmatch(text.lower()):
                self.year_columns.setdefault(m[1], index)
        if self.year_columns:
            found = dict(found)
            for year, index in self.year_columns.items():
                found[f"year:{year}"] = index
            found["year"] = found["count"] = next(iter(self.year_columns.values()))
        return found

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        code, area = _area(cells["area"])
        # Re-shared tables write "alla_brott": the words are the offence.
        offence = check_text(_text(str(cells["offence"] or "").replace("_", " ")), "brottet",
                             "the offence", 200)  # fmt: skip
        if not offence:
            raise Bad("brott saknas", "offence is missing")
        population = None
        if _text(cells.get("population")):
            population = parse_count(cells["population"], "befolkningen", "population")
        if self.year_columns:
            entries = []
            for year in self.year_columns:
                value = cells[f"year:{year}"]
                if _text(value) in ("", "..", "-"):
                    continue  # Brå prints ".." where a figure is withheld
                count = parse_count(value, "antalet", "count")
                entries.append((parse_year(year), None, None, count))
        else:
            year, quarter, month = _period(cells["year"])
            if _text(cells.get("quarter")):
                quarter = parse_count(cells["quarter"], "kvartalet", "quarter")
                if not 1 <= quarter <= 4:
                    raise Bad("kvartalet ska vara 1–4", "quarter must be 1-4")
            if cells.get("month") is not None:
                month = _month(cells["month"]) or month
            entries = [(year, quarter, month, parse_count(cells["count"], "antalet", "count"))]
        group, interpretation = categorise(offence)
        records = []
        for year, quarter, month, count in entries:
            if not self.is_new((area, offence, year, quarter, month), line):
                continue
            records.append(
                CrimeStatistic(
                    party=self.party,
                    source_import=self.source_import,
                    municipality_code=code,
                    area=area,
                    offence=offence,
                    category=group,
                    interpretation=interpretation,
                    year=year,
                    quarter=quarter,
                    month=month,
                    count=count,
                    population=population,
                )
            )
        return records


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
        self.table = q(Incident._meta.db_table)
        self.stream: Any = None  # the import's COPY on PostgreSQL while read_columns runs
        self.copy_sql = f"COPY {self.table} ({self.columns_sql}) FROM STDIN WITH (FORMAT binary)"
        self.sql = (
            f"INSERT INTO {self.table} ({self.columns_sql}) "
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
        self._copy([
            pa.array(values, type=COLUMN_TYPES[name])
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
            except (psycopg.errors.UniqueViolation, IntegrityError):
                result.rows_total = result.rows_imported = result.rows_skipped = 0
                result.error_count = 0
                result.errors.clear()
                self.known = set()
        try:
            self._read_all(reading, result)
        except (psycopg.errors.UniqueViolation, IntegrityError):
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
                    raw.copy(self.copy_sql, writer=QueuedLibpqWriter(raw))
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
                    f"filen har fler än {MAX_ROWS:,} rader; dela upp den".replace(",", " "),
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


INCIDENT_COLUMNS = [
    "party_id", "source_import_id", "key", "occurred_from", "occurred_to", "offence",
    "category", "place", "area", "x", "y",
]  # fmt: skip
COLUMN_TYPES = {
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


class PopulationImporter(Importer):
    """Population per area and year from SCB ("0180 Stockholm"), long or with year columns,
    or as JSON-stat (v1 or 2.0) the way SCB's PxWebApi returns it (importers/jsonstat.py).

    Rows for the same area and year are added up when another column tells them apart, so
    SCB tables split by sex or age give the total population. The same area and year twice
    with nothing to tell them apart (a file pasted twice), or parts beside their total
    (män, kvinnor and totalt), would count people twice: such rows are refused.
    """

    kind = "population"
    mappable = True
    columns = (
        Column("area", "Region/område", ("region", "område", "kommun", "kommunkod", "kommunnamn",
                                         "area", "municipality code", "municipality",
                                         "municipality name", "municipality id"), True),
        Column("year", "År", ("år", "year", "period"), True),
        Column("count", "Folkmängd", ("folkmängd", "folkmangd", "befolkning", "antal", "invånare",
                                      "population", "count", "value", "pop"), True),
    )  # fmt: skip

    def adjust_header(self, cells: list[Any], found: dict[str, int]) -> dict[str, int]:
        """Year columns as for crime statistics; every other column is kept as a part
        (sex, age), so that rows can be told apart."""
        found = CrimeStatsImporter.adjust_header(self, cells, found)  # type: ignore[arg-type]
        used = set(found.values())
        found = dict(found)
        for index, cell in enumerate(cells):
            if index not in used and _text(cell):
                found[f"part:{index}"] = index
        return found

    def table(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        """SCB's API answers in JSON-stat: read it as rows of region, year and population."""
        if not facts.is_xlsx and jsonstat.looks_like_json(path):
            self.unit = "post"  # JSON has no lines: its region-years are numbered
            return jsonstat.population_rows(path, facts.encoding)
        return super().table(path, facts)

    def prepare(self) -> None:
        self.totals: dict[tuple[str, str, int], int] = {}
        # area and year -> the parts seen (their other cells) and the line of each
        self.parts: dict[tuple[str, str, int], dict[tuple[str, ...], int]] = {}
        self.total_rows: dict[tuple[str, str, int], int] = {}

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        code, area = _area(cells["area"])
        part = tuple(_text(cells[name]).lower() for name in cells if name.startswith("part:"))
        if self.year_columns:
            for year, _index in self.year_columns.items():
                value = cells[f"year:{year}"]
                if _text(value) in ("", ".."):
                    continue
                count = parse_count(value, "folkmängden", "population")
                self._add((code, area, parse_year(year)), part, count, line)
        else:
            key = (code, area, parse_year(cells["year"]))
            self._add(key, part, parse_count(cells["count"], "folkmängden", "population"), line)
        return ()

    def _add(self, key: tuple[str, str, int], part: tuple[str, ...], count: int, line: int) -> None:
        where = f"{key[1]} år {key[2]}"
        seen = self.parts.setdefault(key, {})
        if part in seen:
            raise Bad(
                f"samma område och år ({where}) finns redan på rad {seen[part]}; en rad per "
                "område och år (eller per kön/ålder i en egen kolumn)",
                f"the same area and year ({where}) as line {seen[part]}",
            )
        is_total = any(_is_total(cell) for cell in part)
        if seen and (is_total or key in self.total_rows):
            other = self.total_rows.get(key) or min(seen.values())
            raise Bad(
                f"rad {line} och rad {other} gäller samma område och år ({where}) och den ena är "
                "summan (totalt) av de andra; ta bort summaraden eller delarna så att ingen "
                "räknas två gånger",
                f"lines {line} and {other} are for the same area and year ({where}) and one is "
                "the total of the others",
            )
        seen[part] = line
        if is_total:
            self.total_rows[key] = line
        total = self.totals.get(key, 0) + count
        if total > MAX_COUNT:
            raise Bad(
                f"folkmängden för {where} blir orimligt stor när raderna läggs ihop",
                f"the population of {where} adds up to an implausible number",
            )
        self.totals[key] = total

    def flush(self, batch: list[Any], result: ImportResult) -> None:
        pass

    def finish(self, result: ImportResult) -> None:
        existing = set(Population.objects.filter(party=self.party).values_list("area", "year"))
        new = [
            Population(
                party=self.party,
                source_import=self.source_import,
                municipality_code=code,
                area=area,
                year=year,
                count=count,
            )
            for (code, area, year), count in self.totals.items()
            if (area, year) not in existing
        ]
        Population.objects.bulk_create(new, batch_size=5000)
        result.rows_imported = len(new)
        result.rows_skipped = len(self.totals) - len(new)


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


class KoladaImporter(KeyedImporter):
    """Key figures as Kolada's API (v2) returns them: one entry per kpi, municipality, period.

    Entries are numbered from 1 in the order of the file; errors name the entry.
    """

    kind = "kolada"
    model = KeyFigure
    key_fields = ("kpi", "municipality_code", "year", "gender")
    what, what_en = "nyckeltal, kommun, år och kön", "kpi, municipality, year and gender"
    twice_sv = "samma {what} finns redan i post {line}"
    twice_en = "same {what_en} as entry {line}"
    unit = "post"
    columns = (
        Column("kpi", "Nyckeltal", ("kpi", "kpi id", "nyckeltal"), True),
        Column("municipality", "Kommun", ("municipality", "municipality id", "kommun",
                                          "kommun id", "kommunkod"), True),
        Column("period", "År", ("period", "year", "år"), True),
        Column("gender", "Kön", ("gender", "kön")),
        Column("value", "Värde", ("value", "värde"), True),
    )  # fmt: skip
    mappable = True  # the CSV shape; the API's JSON always has its own names

    def table(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        """The API's JSON, entry by entry; or a table in the shape Kolada's client libraries
        write (kpi, municipality id, year or period, gender, value) as CSV or XLSX."""
        if facts.is_xlsx or not jsonstat.looks_like_json(path):
            self.unit = "rad"
            return super().table(path, facts)
        return self._entries(path, facts)

    def _entries(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        document = load_json(path, facts.encoding, facts.is_xlsx)
        values = document.get("values") if isinstance(document, dict) else None
        if not isinstance(values, list):
            raise Bad(
                "filen saknar listan ”values” som Koladas API returnerar",
                "the file lacks the list 'values' that Kolada's API returns",
            )
        yield 0, ["kpi", "municipality", "period", "gender", "value"]
        for number, entry in enumerate(values, start=1):
            if not isinstance(entry, dict):
                yield number, ["", "", "", "", ""]
                continue
            inner = entry.get("values")
            if inner is None or inner == []:
                inner = [{"gender": None, "value": None}]
            if not isinstance(inner, list):
                # A single figure where Kolada writes a list of figures per gender.
                yield number, [entry.get("kpi"), entry.get("municipality"), entry.get("period"),
                               "", _NOT_A_LIST]  # fmt: skip
                continue
            for item in inner:
                item = item if isinstance(item, dict) else {}
                yield (
                    number,
                    [
                        entry.get("kpi"),
                        entry.get("municipality"),
                        entry.get("period"),
                        item.get("gender"),
                        item.get("value"),
                    ],
                )

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        if cells.get("value") is _NOT_A_LIST:
            raise Bad(
                "”values” ska vara en lista med ett värde per kön, som i Koladas API",
                "'values' must be a list with one value per gender, as in Kolada's API",
            )
        kpi = check_text(_text(cells["kpi"]), "nyckeltalets id (kpi)", "the kpi", 20)
        if not kpi:
            raise Bad("nyckeltalets id (kpi) saknas", "kpi is missing")
        code = municipality_code(_code_text(cells["municipality"]))
        if not code:
            raise Bad(
                f"kommunen ”{_text(cells['municipality'])}” är ingen känd fyrsiffrig kommunkod",
                f"municipality {cells['municipality']!r} is not a known four-digit code",
            )
        year = parse_year(cells["period"])
        gender = _text(cells.get("gender")).upper() or "T"
        if gender not in ("T", "K", "M"):
            raise Bad(
                f"kön ”{gender}” ska vara T, K eller M", f"gender {gender!r} must be T, K or M"
            )
        value = None
        if cells["value"] is not None and _text(cells["value"]) not in ("", "..", "null"):
            value = parse_float(cells["value"], "värdet", "value")
        if not self.is_new((kpi, code, year, gender), line):
            return ()
        return (
            KeyFigure(
                party=self.party,
                source_import=self.source_import,
                kpi=kpi,
                municipality_code=code,
                year=year,
                gender=gender,
                value=value,
            ),
        )


TOTAL_WORDS = {"totalt", "total", "tot", "samtliga", "alla", "båda könen", "1+2", "t",
               "totalt män och kvinnor", "all", "both sexes"}  # fmt: skip


def _is_total(text: str) -> bool:
    """A cell naming the total of its column's categories ("totalt", "båda könen", "1+2")."""
    return text in TOTAL_WORDS or text.startswith(("totalt", "samtliga", "alla "))


_NOT_A_LIST = object()  # Kolada's "values" held something other than a list


IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (CrimeStatsImporter, IncidentImporter, KoladaImporter, PopulationImporter,
                SurveyImporter)
}  # fmt: skip


def importer_for(kind: str, party: Any, source_import: Any = None) -> Importer:
    try:
        return IMPORTERS[kind](party, source_import)
    except KeyError:
        raise ValueError(
            f"unknown import kind {kind!r}; use one of {', '.join(IMPORTERS)}"
        ) from None
