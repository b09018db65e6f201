"""The import run shared by every kind: find the header, validate every row, write in batches.

One transaction per file: rows are written in batches while the file streams, and if any row
is bad the whole transaction is rolled back at the end, so nothing of a bad file remains
while every bad row is still reported (not just the first).
"""

from __future__ import annotations

import csv
import itertools
import logging
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from samverkan.lib import numbers
from samverkan.mapping.importers.columns import NotColumnar
from samverkan.mapping.importers.limits import MAX_COLUMNS, MAX_ROWS
from samverkan.mapping.importers.parse import CONTROL, Bad, printable
from samverkan.mapping.importers.reader import FileFacts, Row, inspect, rows

logger = logging.getLogger(__name__)

BATCH = 5000
MAX_REPORTED = 500  # errors kept in detail; the count is always complete
HEADER_SCAN = 30  # title rows above the table are common in Brå and Excel exports


@dataclass(frozen=True)
class Issue:
    """One bad row (line 0: the file as a whole).

    ``whole_file``: the file was refused as a whole (at ``line`` if known), not row by row.
    ``unit``: what ``line`` counts, "rad" or "post" (entries of a JSON file).
    """

    line: int
    sv: str
    en: str
    whole_file: bool = False
    unit: str = "rad"

    def __post_init__(self) -> None:
        # Messages quote the file's cells, which may hold anything.
        object.__setattr__(self, "sv", printable(self.sv))
        object.__setattr__(self, "en", printable(self.en))

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {"line": self.line, "sv": self.sv, "en": self.en}
        if self.whole_file:
            found["file"] = True
        if self.unit != "rad":
            found["unit"] = self.unit
        return found


def file_issue(exc: Bad) -> Issue:
    """A Bad that refuses the whole file (its text names the line if there is one)."""
    return Issue(exc.line, exc.sv, exc.en, whole_file=True)


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
    crashed: bool = False  # an unforeseen exception, logged; the file is refused
    # The areas the file holds (see Importer.note_area), and whether the user must first say
    # if areas outside the partnership's own and comparison municipalities are imported.
    areas: list[dict[str, Any]] = field(default_factory=list)
    needs_areas: bool = False
    rows_left_out: int = 0  # rows of other municipalities left out at the user's choice
    looks_like: str = ""  # the kind the file looks like when its headers did not fit
    # Footnote lines after the table ("Källa: Brå, …", "Uppgifterna är preliminära"), kept
    # as the file's source note (Importer.keeps_footnotes)
    source_note: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and not self.needs_mapping and not self.needs_areas

    def add(self, issue: Issue) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(issue)


class _Rollback(Exception):
    pass


def normalise_header(text: Any) -> str:
    """Lower case, punctuation and units dropped: "Antal brott (st)" -> "antal brott",
    "municipality_code" -> "municipality code"."""
    value = unicodedata.normalize("NFC", str(text or "")).strip().lower().replace("_", " ")
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


class AreaRole:
    """What an area of a file is to the partnership importing it."""

    OWN = "own"  # the partnership's own municipality
    PART = "part"  # an area without a municipality code: a part of the municipality
    COMPARISON = "comparison"  # one of the party's comparison municipalities
    OTHER = "other"  # another municipality: imported only if the user says so
    UNKNOWN = "unknown"  # a municipality, when the partnership's own code is not known
    COUNTY = "county"  # the own municipality's county (Polisen names some events only so)


class AreaChoice:
    """The user's answer when a file holds other municipalities ("" when not asked yet)."""

    OWN = "own"  # only the own municipality, its parts and the comparison municipalities
    ALL = "all"  # every area in the file


class Importer(ABC):
    """Base of one kind of import. Subclasses define columns, ``parse`` and ``flush``."""

    kind = ""
    unit = "rad"  # what a row number counts in messages: "rad", or "post" for JSON entries
    columns: tuple[Column, ...] = ()
    mappable = False  # offers the column-mapping screen when headers are not recognised
    columnar = False  # has read_columns(), a faster reader of whole CSV batches
    # Kinds whose rows name municipalities: a file with others than the partnership's own and
    # its comparison municipalities stops before anything is kept, and the user chooses.
    asks_for_areas = False
    # Kinds whose published tables end in footnote lines (Brå's "Källa: …"): lines after the
    # last row that read as a note are kept as the source note instead of refused as rows.
    keeps_footnotes = False

    def __init__(self, party: Any, source_import: Any = None) -> None:
        self.party = party
        self.source_import = source_import
        # An upload (an Import record) asks before other municipalities are imported; a run
        # without one (scripts, tests of the readers) takes every area, as it always did.
        self.area_choice = (
            AreaChoice.ALL if source_import is None else (source_import.area_choice or "")
        )
        self.areas_seen: dict[tuple[str, str], int] = {}
        self.rows_left_out = 0
        self._area_codes: tuple[str, set[str]] | None = None

    # -- areas ---------------------------------------------------------------------------

    def area_role(self, code: str) -> str:
        """What an area is to the partnership, by its code: a municipality's four digits,
        a county's two (Polisen's events name some places only by their county), or none."""
        if not code:
            return AreaRole.PART
        if self._area_codes is None:
            from samverkan.mapping.subjects import crime

            self._area_codes = (
                crime.own_municipality_code(self.party),
                set(crime.comparison_codes(self.party)),
            )
        own, comparison = self._area_codes
        if code == own:
            return AreaRole.OWN
        if len(code) == 2 and own.startswith(code):
            return AreaRole.COUNTY
        if code in comparison:
            return AreaRole.COMPARISON
        # Without the partnership's own code nobody can tell which municipality is foreign.
        return AreaRole.OTHER if own else AreaRole.UNKNOWN

    def note_area(self, code: str, name: str) -> bool:
        """Count one row of an area; False when the row is left out at the user's choice."""
        key = (code, name)
        self.areas_seen[key] = self.areas_seen.get(key, 0) + 1
        if self.area_choice == AreaChoice.OWN and self.area_role(code) == AreaRole.OTHER:
            self.rows_left_out += 1
            return False
        return True

    def review_areas(self, result: ImportResult) -> None:
        """Put the areas seen on the result; ask first when another municipality is among
        them and the user has not yet chosen."""
        result.areas = [
            {"code": code, "name": name, "rows": rows, "role": self.area_role(code)}
            for (code, name), rows in sorted(
                self.areas_seen.items(), key=lambda item: (item[0][0] == "", item[0])
            )
        ]
        result.rows_left_out = self.rows_left_out
        if (
            self.asks_for_areas
            and not self.area_choice
            and any(a["role"] == AreaRole.OTHER for a in result.areas)
        ):
            result.needs_areas = True

    # Headers that mark a file as another kind even when this kind's columns are all there
    # (a crime-statistics table has area, year and a count, like a population table).
    marks_of_other_kinds: dict[str, tuple[str, ...]] = {}

    def other_kind(self, cells: list[Any]) -> str:
        names = {normalise_header(c) for c in cells}
        for kind, marks in self.marks_of_other_kinds.items():
            if names & set(marks):
                return kind
        return ""

    def looks_like(self, cells: list[Any]) -> str:
        """The kind of file whose columns a header row has, when it is not this kind's."""
        from samverkan.mapping.importers.kinds import IMPORTERS

        for kind, cls in IMPORTERS.items():
            if kind == self.kind or not any(c.required for c in cls.columns):
                continue
            other = cls(self.party)
            found = other.adjust_header(cells, other.match_header(cells))
            if not other.missing(found):
                return kind
        return ""

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
        # The names as stored for the mapping page (_headers), so that they compare equal.
        names = [printable(str(c), 200).strip() if c is not None else "" for c in cells]
        chosen = {canon: str(header).strip() for canon, header in chosen.items()}
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
                other = "" if chosen else self.other_kind(cells)
                if other:
                    # Every column this kind needs is there, and one that marks another kind
                    # too: read as this kind the file would give wrong numbers.
                    result.looks_like = other
                    result.headers = _headers(cells)
                    result.add(
                        Issue(
                            line,
                            "filen ser ut att vara en annan typ av data än den valda; ladda upp "
                            "den igen med rätt typ",
                            f"the file looks like another kind of data ({other})",
                            whole_file=True,
                        )
                    )
                    return None
                return found, cells, line
            if best is None or len(found) > best[0]:
                best = (len(found), found, cells, line)
        if best is None:
            result.add(Issue(0, "filen är tom", "the file is empty", whole_file=True))
            return None
        _, found, cells, line = best
        result.headers = _headers(cells)
        if not chosen:
            result.looks_like = self.looks_like(cells)
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
                whole_file=True,
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

    Every file ends as an import or a rejection with reasons: an exception nobody foresaw
    is logged and the file refused (``result.crashed``), with nothing kept.

    ``progress`` is called while the import holds the database connection (inside its
    transaction, on PostgreSQL in the middle of a COPY): it must not use that connection.
    The jobs' progress writer keeps its own (jobs.registry).
    """
    result = ImportResult()
    try:
        facts = facts or inspect(path)
        result.sha256 = facts.sha256
        _run(importer, path, column_mapping, progress, facts, result)
        if result.rows_imported:
            # New rows are in: the figures pages read are forgotten and made again.
            from samverkan.mapping import figures

            figures.changed(importer.party.pk)
    except Exception:  # noqa: BLE001 - the last guard: a file never ends in a traceback
        logger.exception("import of %s (%s) failed", path.name, importer.kind)
        result.rows_imported = result.rows_skipped = 0
        result.needs_mapping = False
        result.crashed = True
        result.add(
            Issue(
                0,
                "filen kunde inte läsas på grund av ett fel i Samverkan; ingenting har sparats. "
                "Felet är loggat – kontakta förvaltaren om det upprepas",
                "the file could not be read because of an internal error (logged); nothing "
                "was saved",
                whole_file=True,
            )
        )
    return result


_UNREADABLE = (
    "filen kan inte läsas som CSV eller Excel (.xlsx)",
    "the file cannot be read as CSV or XLSX",
)


def _run(
    importer: Importer,
    path: Path,
    column_mapping: dict[str, str] | None,
    progress: Callable[[int, str], None] | None,
    facts: FileFacts,
    result: ImportResult,
) -> None:
    if facts.problem is not None:
        result.add(file_issue(facts.problem))
        return
    try:
        stream = _bounded(iter(importer.table(path, facts)), importer.unit)
        header = importer.find_header(stream, column_mapping or None, result)
        if header is None:
            return
        first = next(stream, None)  # the columnar reader checks that it starts on the same row
    except Bad as exc:
        result.needs_mapping = False
        result.add(file_issue(exc))
        return
    except (UnicodeDecodeError, csv.Error) as exc:
        result.needs_mapping = False
        result.add(Issue(0, _UNREADABLE[0], f"{_UNREADABLE[1]} ({exc})", whole_file=True))
        return
    positions, header_cells, header_line = header
    result.headers = _headers(header_cells)
    stream = itertools.chain([first] if first else [], stream)
    reading = Reading(
        path, facts, positions, header_line, len(header_cells), progress, first, header_cells
    )
    try:
        with transaction.atomic():
            importer.prepare()
            if not _read_columns(importer, reading, result):
                _read_rows(importer, reading, stream, result)
            if not result.error_count:
                importer.review_areas(result)
                if result.needs_areas:
                    raise _Rollback  # nothing is kept until the user has chosen
                importer.finish(result)
            if result.rows_total == 0 and not result.error_count:
                result.add(
                    Issue(
                        header_line,
                        "filen har inga rader under rubrikraden",
                        "the file has no rows below the header",
                        whole_file=True,
                    )
                )
            if result.error_count:
                raise _Rollback
    except _Rollback:
        result.rows_imported = result.rows_skipped = 0
    except Bad as exc:  # the file broke off in the middle (e.g. a damaged XLSX)
        result.add(file_issue(exc))
        result.rows_imported = result.rows_skipped = 0
    except (UnicodeDecodeError, csv.Error) as exc:
        result.add(
            Issue(
                0,
                "filen kan inte läsas till slut; spara den på nytt som CSV (UTF-8)",
                f"the file cannot be read to the end ({exc})",
                whole_file=True,
            )
        )
        result.rows_imported = result.rows_skipped = 0


def _headers(cells: list[Any]) -> list[str]:
    """The header cells as they are stored and offered on the column-mapping page."""
    return [printable(str(c), 200) for c in cells if c not in (None, "")]


def _bounded(stream: Iterator[Row], unit: str) -> Iterator[Row]:
    """The rows of a file within the bounds of an import: a row wider than MAX_COLUMNS or
    more than MAX_ROWS rows refuse the file (at that line), before any page shows them."""
    count = 0
    for line, cells in stream:
        if len(cells) > MAX_COLUMNS and any(c not in (None, "") for c in cells[MAX_COLUMNS:]):
            raise Bad(
                f"{unit} {line} har fler än {MAX_COLUMNS} kolumner; en import tar högst "
                f"{MAX_COLUMNS} – ta bort kolumner som inte behövs",
                f"{'line' if unit == 'rad' else 'entry'} {line} has more than {MAX_COLUMNS} "
                "columns",
                line=line,
            )
        count += 1
        if count > MAX_ROWS:
            raise Bad(
                f"filen har fler än {numbers.number(MAX_ROWS)} rader; dela upp den",
                f"the file has more than {MAX_ROWS} rows; split it",
                line=line,
            )
        yield line, cells


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
    header_cells: list[Any] | None = None

    def report(self, line: int) -> None:
        if not self.progress:
            return
        if self.facts.is_xlsx:
            # An XLSX has no line count to measure against (its declared size is not
            # trusted): the rows read are shown, the bar creeps towards 95 %.
            self.progress(min(95, 5 + line // 2000), f"rad {line}")
        else:
            self.progress(min(95, int(95 * line / max(self.facts.lines, 1))), f"rad {line}")


def row_issue(line: int, exc: Bad, unit: str = "rad") -> Issue:
    en = "line" if unit == "rad" else "entry"
    return Issue(line, f"{unit} {line}: {exc.sv}", f"{en} {line}: {exc.en}", unit=unit)


def _same_cells(cells: list[Any], header: list[Any]) -> bool:
    """True for a row that repeats the header (a file pasted twice, or a page break)."""

    def norm(values: list[Any]) -> list[str]:
        out = [str(v).strip().lower() if v is not None else "" for v in values]
        while out and not out[-1]:
            out.pop()
        return out

    return norm(cells) == norm(header)


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


# How a footnote begins: its label ("Källa:", "Anm.", "Not 1", "Fotnot") or the words of
# Brå's and SCB's usual notes ("Uppgifterna är preliminära", "Preliminära uppgifter",
# "Senast uppdaterad …"), or a footnote mark ("*", "¹", "(1)").
_FOOTNOTE_START = re.compile(
    r"(källa|källor|anm|anmärkning|anmärkningar|not|noter|fotnot|fotnoter|kommentar|"
    r"observera|obs|uppgifterna|uppgiften|preliminär|preliminära|definitiva|senast|source|"
    r"sources|note|notes)\b|[*¹²³⁴⁵⁶⁷⁸⁹†]|\(\d{1,2}\)",
    re.IGNORECASE,
)
MAX_FOOTNOTE_CHARS = 1000
MAX_FOOTNOTES = 20


def footnote_of(cells: list[Any]) -> str | None:
    """The text of a footnote line: one text cell (the others empty) that begins as a note
    does, or is a sentence of at least four words. A row with a name alone ("Malmö") is a
    row with its other cells missing, not a note."""
    filled = [c for c in cells if c not in (None, "") and str(c).strip()]
    if len(filled) != 1 or not isinstance(filled[0], str):
        return None
    text = " ".join(filled[0].split())
    if _FOOTNOTE_START.match(text) or len(text.split()) >= 4:
        return text
    return None


def _check_footnote(text: str, line: int, unit: str) -> Issue | None:
    """A footnote is stored and shown: no control characters, no spreadsheet formula, and
    the length of a note rather than of a smuggled document."""
    problem = None
    if CONTROL.search(text):
        problem = ("innehåller ett styrtecken", "holds a control character")
    elif text[:1] in ("=", "+", "-", "@"):
        problem = (
            "börjar som en kalkylbladsformel (=, +, - eller @)",
            "begins like a spreadsheet formula",
        )
    elif len(text) > MAX_FOOTNOTE_CHARS:
        problem = (
            f"är {len(text)} tecken lång; en fotnot får vara högst {MAX_FOOTNOTE_CHARS} tecken",
            f"is {len(text)} characters long; a footnote may have {MAX_FOOTNOTE_CHARS}",
        )
    if problem is None:
        return None
    return Issue(
        line,
        f"{unit} {line}: fotnoten under tabellen {problem[0]}; rätta eller ta bort raden",
        f"line {line}: the footnote below the table {problem[1]}",
        unit=unit,
    )


def _read_rows(
    importer: Importer, reading: Reading, stream: Iterator[Row], result: ImportResult
) -> None:
    """Validate row by row, writing in batches while no row has been bad.

    For kinds that keep footnotes, a line that reads as a note waits: if only notes and
    blank lines follow it to the end, the notes are the file's source note; if a row
    follows, the waiting lines are read as rows after all (and refused if they are not).
    """
    waiting: list[Row] = []

    def table_rows() -> Iterator[Row]:
        for line, cells in stream:
            if not any(c not in (None, "") for c in cells):
                continue
            if importer.keeps_footnotes and footnote_of(cells) is not None:
                waiting.append((line, cells))
                continue
            yield from waiting
            waiting.clear()
            yield line, cells

    _read_table(importer, reading, table_rows(), result)
    if len(waiting) > MAX_FOOTNOTES:
        line = waiting[MAX_FOOTNOTES][0]
        result.add(
            Issue(
                line,
                f"{importer.unit} {line}: tabellen följs av fler än {MAX_FOOTNOTES} rader "
                "text; ta bort det som inte är fotnoter",
                f"line {line}: more than {MAX_FOOTNOTES} lines of text follow the table",
                unit=importer.unit,
            )
        )
        return
    for line, cells in waiting:
        text = footnote_of(cells) or ""
        issue = _check_footnote(text, line, importer.unit)
        if issue is not None:
            result.add(issue)
        else:
            result.source_note.append(text)


def _read_table(
    importer: Importer, reading: Reading, stream: Iterator[Row], result: ImportResult
) -> None:
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
                    f"{importer.unit} {line}: raden har {len(cells)} kolumner men rubrikraden "
                    f"{width}",
                    f"line {line}: the row has {len(cells)} columns but the header {width}",
                    unit=importer.unit,
                )
            )
            continue
        if reading.header_cells is not None and _same_cells(cells, reading.header_cells):
            result.add(
                Issue(
                    line,
                    f"{importer.unit} {line} upprepar rubrikraden; ta bort den (filen kan vara "
                    "inklistrad två gånger)",
                    f"line {line} repeats the header row",
                    unit=importer.unit,
                )
            )
            continue
        values = {
            name: (cells[i] if i < len(cells) else None) for name, i in reading.positions.items()
        }
        try:
            records = importer.parse(values, line)
        except Bad as exc:
            result.add(row_issue(line, exc, importer.unit))
            continue
        if result.error_count:
            continue  # keep validating, stop writing: it will all be rolled back
        batch.extend(records)
        if len(batch) >= BATCH:
            importer.flush(batch, result)
            batch = []
            reading.report(line)
        elif reading.facts.is_xlsx and result.rows_total % BATCH == 0:
            reading.report(line)
    if not result.error_count:
        importer.flush(batch, result)
