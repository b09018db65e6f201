"""A JSON file read whole, within the bounds of an import (size and depth).

Kolada's and SCB's answers are a few levels deep and a few megabytes large; anything much
deeper or larger is refused before Python's parser recurses or fills the memory.
Pure: no Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from samverkan.lib.lazy import lazy
from samverkan.mapping.importers.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH
from samverkan.mapping.importers.parse import Bad

if TYPE_CHECKING:
    import numpy as np
else:  # imported on first use: app loading stays small (samverkan.lib.lazy)
    np = lazy("numpy")

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def read_text(
    path: Path, encoding: str = "utf-8-sig", is_xlsx: bool = False, limit: int | None = None
) -> str:
    """The text of a JSON file (a BOM is skipped), checked for size and depth."""
    limit = MAX_JSON_BYTES if limit is None else limit
    if is_xlsx:
        raise Bad(
            "filen är en Excel-fil, inte JSON; hämta svaret från API:t som JSON",
            "the file is an Excel workbook, not JSON",
        )
    if path.stat().st_size > limit:
        raise Bad(
            f"JSON-filen är större än {limit // 2**20} MB; hämta färre år eller kommuner per fil",
            f"the JSON file is larger than {limit // 2**20} MB",
        )
    if encoding.startswith("utf-8"):
        encoding = "utf-8-sig"
    try:
        # Bytes, then text: a text-mode read() of a large file peaks at several times its size.
        text = path.read_bytes().decode(encoding)
    except UnicodeDecodeError:
        raise Bad(
            "filen är inte text i UTF-8 och kan inte läsas som JSON",
            "the file is not UTF-8 text and cannot be read as JSON",
        ) from None
    check_depth(text)
    return text


def load_json(
    path: Path, encoding: str = "utf-8-sig", is_xlsx: bool = False, limit: int | None = None
) -> Any:
    """The JSON document in a file, whole; Bad when it is no JSON, too large or too deep."""
    text = read_text(path, encoding, is_xlsx, limit)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid(exc) from None
    except RecursionError:
        raise _too_deep() from None


def _invalid(exc: json.JSONDecodeError) -> Bad:
    return Bad(
        f"filen är inte giltig JSON (rad {exc.lineno}, tecken {exc.colno})",
        f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
        line=exc.lineno,
    )


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class NoArray(Exception):
    """The top-level object has no array under the key asked for."""


def array_items(text: str, key: str) -> Iterator[Any]:
    """The items of the array under ``key`` in the document's top-level object, decoded one
    at a time, so that a large answer (Kolada's) never exists as Python objects all at once.
    The rest of the document is checked as it is passed. Raises NoArray (before the first
    item) when there is no such array, Bad when the JSON is broken."""
    try:
        yield from _array_items(text, key)
    except json.JSONDecodeError as exc:
        raise _invalid(exc) from None
    except RecursionError:
        raise _too_deep() from None


def _skip(text: str, pos: int) -> int:
    """The position after the JSON whitespace at ``pos``."""
    # The pattern matches the empty string too: it always matches, never None.
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


def _expect(text: str, pos: int, char: str) -> int:
    pos = _skip(text, pos)
    if not text.startswith(char, pos):
        raise json.JSONDecodeError(f"Expecting {char!r}", text, pos)
    return _skip(text, pos + 1)


def _array_items(text: str, key: str) -> Iterator[Any]:
    pos = _skip(text, 0)
    if not text.startswith("{", pos):
        _DECODER.raw_decode(text, pos)  # valid JSON, but no object: NoArray; else the error
        raise NoArray
    pos = _skip(text, pos + 1)
    found = False
    while not text.startswith("}", pos):
        name, pos = _DECODER.raw_decode(text, pos)
        if not isinstance(name, str):
            raise json.JSONDecodeError("Expecting property name", text, pos)
        pos = _expect(text, pos, ":")
        if name == key and not found and text.startswith("[", pos):
            found = True
            pos = _skip(text, pos + 1)
            while not text.startswith("]", pos):
                item, pos = _DECODER.raw_decode(text, pos)
                yield item
                pos = _skip(text, pos)
                if text.startswith(",", pos):
                    pos = _skip(text, pos + 1)
                elif not text.startswith("]", pos):
                    raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            pos += 1
        else:
            _value, pos = _DECODER.raw_decode(text, pos)
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif not text.startswith("}", pos):
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
    if _skip(text, pos + 1) != len(text):
        raise json.JSONDecodeError("Extra data", text, pos + 1)
    if not found:
        raise NoArray


def _too_deep() -> Bad:
    return Bad(
        f"JSON-filen är nästlad djupare än {MAX_JSON_DEPTH} nivåer; så ser inget svar från "
        "Kolada eller SCB ut",
        f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels",
    )


def check_depth(text: str) -> None:
    """Bad when brackets nest deeper than MAX_JSON_DEPTH (brackets inside strings ignored).

    Checked before parsing, since the parser recurses once per level; vectorised, since a
    large Kolada answer has millions of tokens."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return
    # First all brackets, strings included: an upper bound, cheap in time and memory (only the
    # brackets are kept, as bytes). Only a file over the bound is looked at again without
    # its strings, which costs several times the file's size.
    if _depth(text.encode("utf-8", "replace")) <= MAX_JSON_DEPTH:
        return
    if _depth(_STRING.sub("", text).encode("utf-8", "replace")) > MAX_JSON_DEPTH:
        raise _too_deep()


def _depth(data: bytes) -> int:
    kept = np.frombuffer(data.translate(None, _NOT_BRACKETS), dtype=np.uint8)
    if not len(kept):
        return 0
    steps = np.where((kept == ord("[")) | (kept == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
