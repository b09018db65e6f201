"""Read a CSV or XLSX file as a stream of (line number, cells), whatever its quirks."""

from __future__ import annotations

import codecs
import csv
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samverkan.mapping.importers.parse import Bad

CHUNK = 1 << 20
Row = tuple[int, list[Any]]


@dataclass(frozen=True)
class FileFacts:
    """What one pass over the bytes tells: checksum, encoding, line count."""

    sha256: str
    encoding: str
    lines: int
    is_xlsx: bool


def inspect(path: Path) -> FileFacts:
    """Checksum the file and decide its text encoding in one streaming pass.

    UTF-8 is tried first (a BOM is skipped); if any byte sequence is not valid UTF-8 the file
    is read as Windows-1252, which is what Excel on Swedish Windows writes.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        is_xlsx = head == b"PK\x03\x04"
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            lines += chunk.count(b"\n")
            if utf8 and not is_xlsx:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8 and not is_xlsx:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    encoding = "utf-8-sig" if utf8 else "cp1252"
    return FileFacts(digest.hexdigest(), encoding, lines, is_xlsx)


def _sniff_delimiter(sample: str) -> str:
    """The separator that splits the first lines most consistently (";" wins ties)."""
    lines = [line for line in sample.splitlines()[:30] if line.strip()]
    best, best_score = ";", -1
    for delimiter in (";", ",", "\t"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        # Title rows above the table have few separators; score the most common width.
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def delimiter_of(path: Path, encoding: str) -> str:
    """The separator of a CSV file, judged from its first 64 KiB."""
    with open(path, encoding=encoding, newline="", errors="replace") as fh:
        return _sniff_delimiter(fh.read(64 * 1024))


def csv_rows(path: Path, encoding: str) -> Iterator[Row]:
    delimiter = delimiter_of(path, encoding)
    with open(path, encoding=encoding, newline="") as fh:
        if encoding == "utf-8-sig":
            # seek(0) re-reads the BOM in a fresh decoder state only on some Pythons.
            first = fh.read(1)
            if first != "\ufeff":
                fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        line = 0
        for cells in reader:
            line += 1
            start = line
            line = reader.line_num  # a quoted cell may span lines
            yield start, cells


def xlsx_rows(path: Path) -> Iterator[Row]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Bad(
            "filen ser ut som Excel men kan inte öppnas; spara den på nytt som .xlsx",
            f"the file looks like Excel but cannot be opened ({exc})",
        ) from None
    try:
        sheet = book.active
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        book.close()


def rows(path: Path, facts: FileFacts) -> Iterator[Row]:
    if facts.is_xlsx:
        return xlsx_rows(path)
    return csv_rows(path, facts.encoding)


def read_text(path: Path, facts: FileFacts) -> str:
    with open(path, encoding=facts.encoding) as fh:
        return fh.read()
