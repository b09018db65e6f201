"""The import run shared by every kind: find the header, validate every row, write in batches.

One transaction per file: rows are written in batches while the file streams, and if any row
is bad the whole transaction is rolled back at the end, so nothing of a bad file remains
while every bad row is still reported (not just the first).
"""

from __future__ import annotations

import csv
import itertools
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from samverkan.mapping.importers.columns import NotColumnar
from samverkan.mapping.importers.parse import Bad
from samverkan.mapping.importers.reader import FileFacts, Row, inspect, rows

BATCH = 5000
MAX_REPORTED = 500  # errors kept in detail; the count is always complete
HEADER_SCAN = 30  # title rows above the table are common in Brå and Excel exports


@dataclass(frozen=True)
class Issue:
    """One bad row (line 0: the file as a whole)."""

    line: int
    sv: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "sv": self.sv, "en": self.en}


@dataclass
class ImportResult:
    sha256: str = ""
    rows_total: int = 0
    rows_imported: int = 0
    rows_skipped: int = 0
    errors: list[Issue] = field(default_factory=list)
    error_count: int = 0
    headers: list[str] = field(default_factory=list)
    needs_mapping: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and not self.needs_mapping

    def add(self, issue: Issue) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(issue)


class _Rollback(Exception):
    pass


def normalise_header(text: Any) -> str:
    """Lower case, punctuation and units dropped: "Antal brott (st)" -> "antal brott"."""
    value = unicodedata.normalize("NFC", str(text or "")).strip().lower()
    value = re.sub(r"\(.*?\)", "", value)
    value = re.sub(r"[^\wåäö ]+", " ", value)
    return " ".join(value.split())


@dataclass(frozen=True)
class Column:
    """A canonical field, its Swedish label, the headers it is known by, and if it must exist."""

    name: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False


class Importer(ABC):
    """Base of one kind of import. Subclasses define columns, ``parse`` and ``flush``."""

    kind = ""
    columns: tuple[Column, ...] = ()
    mappable = False  # offers the column-mapping screen when headers are not recognised
    columnar = False  # has read_columns(), a faster reader of whole CSV batches

    def __init__(self, party: Any, source_import: Any = None) -> None:
        self.party = party
        self.source_import = source_import

    # -- header --------------------------------------------------------------------------

    def match_header(self, cells: list[Any]) -> dict[str, int]:
        names = [normalise_header(c) for c in cells]
        found: dict[str, int] = {}
        for column in self.columns:
            for alias in column.aliases:
                if alias in names and column.name not in found:
                    found[column.name] = names.index(alias)
                    break
        return found

    def mapping_from_names(self, cells: list[Any], chosen: dict[str, str]) -> dict[str, int]:
        names = [str(c).strip() if c is not None else "" for c in cells]
        return {canon: names.index(header) for canon, header in chosen.items() if header in names}

    def missing(self, found: dict[str, int]) -> list[Column]:
        return [c for c in self.columns if c.required and c.name not in found]

    def find_header(
        self, stream: Iterator[Row], chosen: dict[str, str] | None, result: ImportResult
    ) -> tuple[dict[str, int], list[Any], int] | None:
        """Scan the first rows for the header; with ``chosen`` the user's mapping decides."""
        best: tuple[int, dict[str, int], list[Any], int] | None = None
        for _ in range(HEADER_SCAN):
            try:
                line, cells = next(stream)
            except StopIteration:
                break
            if not any(c not in (None, "") for c in cells):
                continue
            if chosen:
                found = self.mapping_from_names(cells, chosen)
            else:
                found = self.match_header(cells)
            found = self.adjust_header(cells, found)
            if not self.missing(found):
                return found, cells, line
            if best is None or len(found) > best[0]:
                best = (len(found), found, cells, line)
        if best is None:
            result.add(Issue(0, "filen är tom", "the file is empty"))
            return None
        _, found, cells, line = best
        result.headers = [str(c) for c in cells if c not in (None, "")]
        if self.mappable and not chosen:
            result.needs_mapping = True
            return None
        names = ", ".join(c.label for c in self.missing(found))
        names_en = ", ".join(c.name for c in self.missing(found))
        result.add(
            Issue(
                line,
                f"rubrikraden saknar kolumnerna: {names}",
                f"the header row lacks the columns: {names_en}",
            )
        )
        return None

    def adjust_header(self, cells: list[Any], found: dict[str, int]) -> dict[str, int]:
        return found

    def table(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        """The file as rows; JSON importers override this."""
        return rows(path, facts)

    # -- rows ----------------------------------------------------------------------------

    def prepare(self) -> None:
        """Load what the run needs to skip rows that exist already (natural keys)."""
        return None  # an optional hook: most kinds need nothing

    @abstractmethod
    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        """Turn one row into zero or more records; raise Bad for a bad row."""

    @abstractmethod
    def flush(self, batch: list[Any], result: ImportResult) -> None:
        """Write one batch of valid records (inside the import's transaction)."""

    def finish(self, result: ImportResult) -> None:
        """Called inside the transaction after the last batch."""
        return None  # an optional hook

    def read_columns(self, reading: Reading, result: ImportResult) -> None:
        """Read the whole table below the header in batches of columns (``columnar`` kinds).

        Must give the same records and errors as ``parse`` row by row; raises NotColumnar
        when the file needs the row reader after all.
        """
        raise NotColumnar


def run_import(
    importer: Importer,
    path: Path,
    *,
    column_mapping: dict[str, str] | None = None,
    progress: Callable[[int, str], None] | None = None,
    facts: FileFacts | None = None,
) -> ImportResult:
    """Validate and import one file; on any bad row nothing is kept.

    ``progress`` is called while the import holds the database connection (inside its
    transaction, on PostgreSQL in the middle of a COPY): it must not use that connection.
    The jobs' progress writer keeps its own (jobs.registry).
    """
    facts = facts or inspect(path)
    result = ImportResult(sha256=facts.sha256)
    try:
        stream = iter(importer.table(path, facts))
        header = importer.find_header(stream, column_mapping or None, result)
    except Bad as exc:
        result.add(Issue(0, exc.sv, exc.en))
        return result
    except (UnicodeDecodeError, csv.Error) as exc:
        result.add(
            Issue(
                0,
                "filen kan inte läsas som CSV eller Excel (.xlsx)",
                f"the file cannot be read as CSV or XLSX ({exc})",
            )
        )
        return result
    if header is None:
        return result
    positions, header_cells, header_line = header
    result.headers = [str(c) for c in header_cells if c not in (None, "")]
    first = next(stream, None)  # the columnar reader checks that it starts on the same row
    stream = itertools.chain([first] if first else [], stream)
    reading = Reading(path, facts, positions, header_line, len(header_cells), progress, first)
    try:
        with transaction.atomic():
            importer.prepare()
            if not _read_columns(importer, reading, result):
                _read_rows(importer, reading, stream, result)
            if not result.error_count:
                importer.finish(result)
            if result.rows_total == 0:
                result.add(
                    Issue(
                        header_line,
                        "filen har inga rader under rubrikraden",
                        "the file has no rows below the header",
                    )
                )
            if result.error_count:
                raise _Rollback
    except _Rollback:
        result.rows_imported = result.rows_skipped = 0
    except Bad as exc:  # the file broke off in the middle (e.g. a damaged XLSX)
        result.add(Issue(0, exc.sv, exc.en))
        result.rows_imported = result.rows_skipped = 0
    except (UnicodeDecodeError, csv.Error) as exc:
        result.add(
            Issue(
                0,
                "filen kan inte läsas till slut; spara den på nytt som CSV (UTF-8)",
                f"the file cannot be read to the end ({exc})",
            )
        )
        result.rows_imported = result.rows_skipped = 0
    return result


@dataclass(frozen=True)
class Reading:
    """Where the table of one file is: its header, width and the columns found."""

    path: Path
    facts: FileFacts
    positions: dict[str, int]
    header_line: int
    width: int
    progress: Callable[[int, str], None] | None
    first_row: Row | None

    def report(self, line: int) -> None:
        if self.progress and not self.facts.is_xlsx:
            self.progress(min(95, int(95 * line / max(self.facts.lines, 1))), f"rad {line}")


def row_issue(line: int, exc: Bad) -> Issue:
    return Issue(line, f"rad {line}: {exc.sv}", f"line {line}: {exc.en}")


def _read_columns(importer: Importer, reading: Reading, result: ImportResult) -> bool:
    """Try the importer's columnar reader; False (with nothing kept) if the file needs rows."""
    if reading.facts.is_xlsx or not importer.columnar:
        return False
    try:
        with transaction.atomic():  # a savepoint: a fallback must leave nothing behind
            importer.read_columns(reading, result)
        return True
    except NotColumnar:
        result.rows_total = result.rows_imported = result.rows_skipped = result.error_count = 0
        result.errors.clear()
        importer.prepare()
        return False


def _read_rows(
    importer: Importer, reading: Reading, stream: Iterator[Row], result: ImportResult
) -> None:
    """Validate row by row, writing in batches while no row has been bad."""
    batch: list[Any] = []
    width = reading.width
    for line, cells in stream:
        if not any(c not in (None, "") for c in cells):
            continue
        result.rows_total += 1
        if len(cells) > width and any(c not in (None, "") for c in cells[width:]):
            result.add(
                Issue(
                    line,
                    f"raden har {len(cells)} kolumner men rubrikraden {width}",
                    f"the row has {len(cells)} columns but the header {width}",
                )
            )
            continue
        values = {
            name: (cells[i] if i < len(cells) else None) for name, i in reading.positions.items()
        }
        try:
            records = importer.parse(values, line)
        except Bad as exc:
            result.add(row_issue(line, exc))
            continue
        if result.error_count:
            continue  # keep validating, stop writing: it will all be rolled back
        batch.extend(records)
        if len(batch) >= BATCH:
            importer.flush(batch, result)
            batch = []
            reading.report(line)
    if not result.error_count:
        importer.flush(batch, result)
