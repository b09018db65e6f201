"""A JSON file read whole, within the bounds of an import (size and depth).

Kolada's and SCB's answers are a few levels deep and a few megabytes large; anything much
deeper or larger is refused before Python's parser recurses or fills the memory.
Pure: no Django.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from samverkan.mapping.importers.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH
from samverkan.mapping.importers.parse import Bad

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def load_json(path: Path, encoding: str = "utf-8-sig", is_xlsx: bool = False) -> Any:
    """The JSON document in a file (a BOM is skipped); Bad when it is no JSON, too large or
    too deep."""
    if is_xlsx:
        raise Bad(
            "filen är en Excel-fil, inte JSON; hämta svaret från API:t som JSON",
            "the file is an Excel workbook, not JSON",
        )
    if path.stat().st_size > MAX_JSON_BYTES:
        raise Bad(
            f"JSON-filen är större än {MAX_JSON_BYTES // 2**20} MB; hämta färre år eller "
            "kommuner per fil",
            f"the JSON file is larger than {MAX_JSON_BYTES // 2**20} MB",
        )
    if encoding.startswith("utf-8"):
        encoding = "utf-8-sig"
    try:
        with open(path, encoding=encoding) as fh:
            text = fh.read()
        check_depth(text)
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Bad(
            f"filen är inte giltig JSON (rad {exc.lineno}, tecken {exc.colno})",
            f"the file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            line=exc.lineno,
        ) from None
    except UnicodeDecodeError:
        raise Bad(
            "filen är inte text i UTF-8 och kan inte läsas som JSON",
            "the file is not UTF-8 text and cannot be read as JSON",
        ) from None
    except RecursionError:
        raise _too_deep() from None


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
    data = np.frombuffer(_STRING.sub("", text).encode("utf-8", "replace"), dtype=np.uint8)
    opens = (data == ord("[")) | (data == ord("{"))
    closes = (data == ord("]")) | (data == ord("}"))
    at = np.flatnonzero(opens | closes)
    if len(at) and int(np.cumsum(np.where(opens[at], 1, -1)).max()) > MAX_JSON_DEPTH:
        raise _too_deep()
