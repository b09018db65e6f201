"""Hostile files for the importers, built in code: damaged workbooks, deep JSON, and the
row counts of every step-2 table to show that a refused file left nothing behind."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

from django.apps import apps


def table_counts() -> dict[str, int]:
    """Rows in every table of the mapping app (Import rows included)."""
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("mapping").get_models()
    }


def xlsx_bytes(rows: list[list], percent: set[tuple[int, int]] | None = None) -> bytes:
    """A workbook with one sheet holding ``rows``; cells in ``percent`` (row, column, from 1)
    are formatted as percentages, as Excel shows 23,5 %."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for r, c in percent or ():
        sheet.cell(r, c).number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def rezip(data: bytes, change=None) -> bytes:
    """The workbook's members stored again (``change`` may edit name -> bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in _members(data):
            if change:
                content = change(info.filename, content)
            archive.writestr(info.filename, content)
    return out.getvalue()


def with_bad_deflate(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with the compressed stream of ``member`` damaged (a bad zlib stream)."""
    raw = bytearray(rezip(data))
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + min(info.compress_size, 40)):
        raw[i] ^= 0x5A
    return bytes(raw)


def with_unknown_compression(data: bytes, member: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The workbook with ``member`` claiming a compression method no reader supports (99)."""
    raw = bytearray(rezip(data))
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<H", raw, info.header_offset + 8, 99)
    name = member.encode()
    position = 0
    while (position := raw.find(b"PK\x01\x02", position)) != -1:
        length = struct.unpack_from("<H", raw, position + 28)[0]
        if bytes(raw[position + 46 : position + 46 + length]) == name:
            struct.pack_into("<H", raw, position + 10, 99)
        position += 4
    return bytes(raw)


def far_cell_xlsx() -> bytes:
    """A small workbook whose sheet declares A1:XFD1048576 and holds a table and one far cell."""
    data = xlsx_bytes([["Kommun", "Brott", "År", "Antal"], ["0180", "Rån", 2024, 5]])

    def change(name: str, content: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return content
        text = content.decode()
        text = text.replace('<dimension ref="A1:D2"/>', '<dimension ref="A1:XFD1048576"/>')
        far = '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
        return text.replace("</sheetData>", far).encode()

    return rezip(data, change)


def nested_json(depth: int) -> str:
    return '{"values": ' + "[" * depth + "]" * depth + "}"


def with_future_zip_version(data: bytes) -> bytes:
    """The workbook with every member needing a zip version no reader knows (11.2)."""
    raw = bytearray(rezip(data))
    position = 0
    while (position := raw.find(b"PK\x01\x02", position)) != -1:
        struct.pack_into("<H", raw, position + 6, 112)
        position += 4
    return bytes(raw)
