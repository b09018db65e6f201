"""Plain-text hygiene shared by forms and document writers."""

from __future__ import annotations

import re
from typing import Any

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates and the two
# non-characters: none is text a person means to write, and XML (Word files, SVG) rejects
# most of them outright.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_control(text: str) -> str:
    """Remove control characters, keeping newlines (CR LF and lone CR become LF) and tabs."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection):
# "=HYPERLINK(...)" typed into a goal would run on the reader's computer.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading
    apostrophe (shown as text, not evaluated); anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
