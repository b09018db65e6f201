"""Read a CSV or XLSX file as a stream of (line number, cells), whatever its quirks."""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samverkan.lib import numbers
from samverkan.mapping.importers.limits import (
    EMPTY_RUN,
    MAX_CELL_CHARS,
    MAX_XLSX_SHARED_STRINGS,
    MAX_XLSX_UNPACKED,
)
from samverkan.mapping.importers.parse import Bad

CHUNK = 1 << 20
Row = tuple[int, list[Any]]


@dataclass(frozen=True)
class FileFacts:
    """What one pass over the bytes tells: checksum, encoding, line count.

    ``problem`` is set when the text cannot be decoded faithfully (mixed or unknown
    encodings): the import is then refused with that reason, naming the line.
    """

    sha256: str
    encoding: str
    lines: int
    is_xlsx: bool
    problem: Bad | None = None


# Bytes Windows-1252 leaves undefined: a file holding one is in some other encoding.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# A byte 0x80-0x9F between two letters ("G\x9ateborg") is a letter in Mac Roman or CP437 (DOS),
# but punctuation in Windows-1252 ("Š", "”", "†"): such a file would import garbled.
# The apostrophe ’ (0x92) between letters is ordinary Windows-1252.
_FOREIGN_LETTER = re.compile(rb"[A-Za-z][\x80-\x91\x93-\x9f][A-Za-z]")
# Well-formed UTF-8 sequences: in a file that is not valid UTF-8 they mean mixed encodings.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")


def _utf16(head: bytes) -> str | None:
    """UTF-16 by its byte order mark, or by NUL bytes beside ASCII (Excel's "Unicode text")."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:64]
    if len(sample) >= 8 and sample[1::2].count(0) == len(sample[1::2]) and 0 not in sample[::2]:
        return "utf-16-le"
    if len(sample) >= 8 and sample[0::2].count(0) == len(sample[0::2]) and 0 not in sample[1::2]:
        return "utf-16-be"
    return None


def inspect(path: Path) -> FileFacts:
    """Checksum the file and decide its text encoding in one streaming pass.

    UTF-16 is known by its byte order mark. Otherwise UTF-8 is tried first (a BOM is
    skipped); if any byte sequence is not valid UTF-8 the file is read as Windows-1252,
    which is what Excel on Swedish Windows writes, unless its bytes show that it is not:
    UTF-8 and Windows-1252 mixed, a byte Windows-1252 does not define, or letters in the
    places Mac Roman and CP437 (DOS) put å, ä and ö. Those files are refused, with the line.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    lines = 0
    first_bad = undefined = foreign = 0  # line numbers (0: none seen)
    utf8_seen = False
    with open(path, "rb") as fh:
        head = fh.read(4096)
        fh.seek(0)
        is_xlsx = head[:4] == b"PK\x03\x04"
        wide = None if is_xlsx else _utf16(head)
        text = not is_xlsx and wide is None
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            if text:
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        utf8 = False
                        first_bad = lines + chunk.count(b"\n", 0, max(exc.start, 0)) + 1
                if not utf8:
                    if not undefined and (m := _CP1252_UNDEFINED.search(chunk)):
                        undefined = lines + chunk.count(b"\n", 0, m.start()) + 1
                    if not foreign and (m := _FOREIGN_LETTER.search(chunk)):
                        foreign = lines + chunk.count(b"\n", 0, m.start()) + 1
                utf8_seen = utf8_seen or bool(_UTF8_SEQUENCE.search(chunk))
            lines += chunk.count(b"\n")
    if text and utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8, first_bad = False, lines
    if wide:
        return FileFacts(digest.hexdigest(), wide, lines, False)
    encoding = "utf-8-sig" if utf8 or is_xlsx else "cp1252"
    problem = None
    if text and not utf8:
        problem = _encoding_problem(first_bad, undefined, foreign, utf8_seen)
    return FileFacts(digest.hexdigest(), encoding, lines, is_xlsx, problem)


def _encoding_problem(first_bad: int, undefined: int, foreign: int, utf8_seen: bool) -> Bad | None:
    advice_sv = "öppna filen och spara den på nytt som CSV (UTF-8)"
    advice_en = "open the file and save it again as CSV (UTF-8)"
    if utf8_seen:
        return Bad(
            f"rad {first_bad}: filen blandar teckenkodningar (UTF-8 och Windows-1252), så å, ä "
            f"och ö skulle bli fel; {advice_sv}",
            f"line {first_bad}: the file mixes encodings (UTF-8 and Windows-1252); {advice_en}",
            line=first_bad,
        )
    if undefined:
        return Bad(
            f"rad {undefined}: ett tecken finns varken i UTF-8 eller Windows-1252; filen har "
            f"en annan teckenkodning; {advice_sv}",
            f"line {undefined}: a byte is neither UTF-8 nor Windows-1252; {advice_en}",
            line=undefined,
        )
    if foreign:
        return Bad(
            f"rad {foreign}: filen verkar sparad som Mac Roman eller DOS (CP437), så å, ä och ö "
            f"skulle bli fel; {advice_sv}",
            f"line {foreign}: the file seems to be Mac Roman or DOS (CP437); {advice_en}",
            line=foreign,
        )
    return None


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
    """The rows of a CSV file with the line each starts on; unreadable rows raise Bad."""
    delimiter = delimiter_of(path, encoding)
    with open(path, encoding=encoding, newline="") as fh:
        if encoding in ("utf-8-sig", "utf-16-le", "utf-16-be"):
            # seek(0) re-reads the BOM in a fresh decoder state only on some Pythons.
            first = fh.read(1)
            if first != "\ufeff":
                fh.seek(0)
        taken: list[str] = []  # the lines of the row being read, to check an unclosed quote

        def lines() -> Iterator[str]:
            for text in fh:
                taken.append(text)
                yield text

        reader = csv.reader(lines(), delimiter=delimiter)
        line = 0
        while True:
            taken.clear()
            start = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise _csv_problem(str(exc), start) from None
            except UnicodeDecodeError:
                raise Bad(
                    f"rad {start}: texten går inte att avkoda som {encoding}; spara filen på "
                    "nytt som CSV (UTF-8)",
                    f"line {start}: the text cannot be decoded as {encoding}",
                    line=start,
                ) from None
            line = reader.line_num  # a quoted cell may span lines
            if line - start >= 1 and _unclosed(taken, delimiter):
                raise _csv_problem("unexpected end of data", start)
            yield start, cells


def _unclosed(taken: list[str], delimiter: str) -> bool:
    """True when the lines of a row spanning lines end inside a quoted cell (end of file)."""
    try:
        for _ in csv.reader(taken, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _csv_problem(message: str, line: int) -> Bad:
    """The csv module's complaint as a reason a person can act on."""
    if "field larger than field limit" in message:
        return Bad(
            f"rad {line}: en cell är längre än {numbers.number(MAX_CELL_CHARS)} tecken; oftast "
            'beror det på ett citattecken (") som öppnar en cell men aldrig stängs',
            f"line {line}: a cell is longer than {MAX_CELL_CHARS} characters (often an "
            "unclosed quote)",
            line=line,
        )
    if "NUL" in message:
        return Bad(
            f"rad {line} innehåller NUL-tecken; filen är inte en textfil (CSV) – spara den som "
            "CSV eller .xlsx",
            f"line {line} contains NUL characters; the file is not CSV text",
            line=line,
        )
    if "end of data" in message or "new-line" in message:
        return Bad(
            f'rad {line}: ett citattecken (") öppnar en cell som aldrig stängs, så resten av '
            "filen blir en enda cell; lägg till det avslutande citattecknet eller ta bort det "
            "inledande",
            f'line {line}: a quote (") opens a cell that is never closed',
            line=line,
        )
    return Bad(
        f"rad {line} kan inte läsas som CSV ({message})",
        f"line {line} cannot be read as CSV ({message})",
        line=line,
    )


def _check_zip(path: Path) -> None:
    """Refuse an XLSX that would unpack into far more than any real workbook (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception as exc:  # noqa: BLE001 - zipfile raises many kinds on a hostile file
        raise _damaged(exc) from None
    unpacked = sum(m.file_size for m in members)
    strings = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    if unpacked > MAX_XLSX_UNPACKED or strings > MAX_XLSX_SHARED_STRINGS:
        raise Bad(
            f"Excel-filen packas upp till {unpacked // 2**20} MB, mer än en import tar emot; "
            "dela upp den eller spara den som CSV",
            f"the workbook unpacks to {unpacked // 2**20} MB, more than an import takes",
        )


def _damaged(exc: BaseException) -> Bad:
    return Bad(
        "filen ser ut som Excel men kan inte öppnas; spara den på nytt som .xlsx",
        f"the file looks like Excel but cannot be opened ({type(exc).__name__}: {exc})"[:300],
    )


def _value(cell: Any, line: int) -> Any:
    """A cell's value; a number shown as a percentage is the percentage (23,5 % is 23.5)."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "%" in (getattr(cell, "number_format", "") or ""):
            return round(value * 100, 10)
    elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise Bad(
            f"rad {line}: en cell är längre än {numbers.number(MAX_CELL_CHARS)} tecken",
            f"line {line}: a cell is longer than {MAX_CELL_CHARS} characters",
            line=line,
        )
    return value


def xlsx_rows(path: Path) -> Iterator[Row]:
    """The rows of the workbook's active sheet, streamed.

    The sheet's declared size is not trusted (a sheet may claim A1:XFD1048576 for one cell,
    and openpyxl would pad every row to it), trailing empty cells are dropped, and a run of
    EMPTY_RUN empty rows ends the table. Any failure of the parser (a damaged zip stream, an
    unsupported compression, broken XML) is a Bad file, never an exception.
    """
    import openpyxl

    _check_zip(path)
    # Opened as a file object: given a path, openpyxl refuses a workbook named .csv or .txt.
    handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises anything on a hostile file
        handle.close()
        raise _damaged(exc) from None
    try:
        sheet = book.active
        if sheet is None or not hasattr(sheet, "reset_dimensions"):
            raise Bad(
                "Excel-filen har inget kalkylblad med celler",
                "the workbook has no worksheet with cells",
            )
        sheet.reset_dimensions()
        stream = sheet.iter_rows()
        number = empty = 0
        while True:
            try:
                cells = next(stream, None)
            except Exception as exc:  # noqa: BLE001 - as above, while the sheet streams
                bad = _damaged(exc)
                raise Bad(f"rad {number + 1}: {bad.sv}", bad.en, line=number + 1) from None
            if cells is None:
                return
            number += 1
            values = [_value(cell, number) for cell in cells]
            while values and values[-1] in (None, ""):
                values.pop()
            if values:
                empty = 0
            else:
                empty += 1
                if empty >= EMPTY_RUN:
                    return  # a far-away formatted cell, not more table
            yield number, values
    finally:
        book.close()
        handle.close()


def rows(path: Path, facts: FileFacts) -> Iterator[Row]:
    if facts.is_xlsx:
        return xlsx_rows(path)
    return csv_rows(path, facts.encoding)


def read_text(path: Path, facts: FileFacts) -> str:
    with open(path, encoding=facts.encoding) as fh:
        return fh.read()
