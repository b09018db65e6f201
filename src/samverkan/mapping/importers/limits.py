"""How much of a file an import reads: the bounds that keep a hostile file from hanging it.

Shared by every kind (and by any new importer module beside them). A file beyond a bound is
rejected with a Swedish reason naming the bound; nothing is silently cut, except that a long
run of empty rows ends the table (a spreadsheet's far-away formatted cell is not data).
"""

from __future__ import annotations

MAX_COLUMNS = 300  # Brå and SCB tables with a column per year since 1968 stay far below
MAX_ROWS = 5_000_000  # police exports of a whole county for several years
MAX_CELL_CHARS = 131_072  # the csv module's field limit; Excel's own limit is 32 767
EMPTY_RUN = 1_000  # this many empty rows in a row end the table
# A Kolada answer for every municipality and twenty years is a few MB; a 20 MB one peaks at
# about 430 MB in the importing process (text, keys, batches).
MAX_JSON_BYTES = 25 * 1024 * 1024
MAX_JSON_DEPTH = 64  # Kolada and JSON-stat are four or five levels deep
# XLSX is a zip: a small upload may unpack into gigabytes. Shared strings are held in memory
# whole, the sheets are streamed.
MAX_XLSX_SHARED_STRINGS = 100 * 1024 * 1024
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024
