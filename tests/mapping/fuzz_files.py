"""Generated bad files of every kind for the import fuzz test and benchmarks/fuzz_imports.py.

``bad_file(rng)`` returns a file as a user might upload it: CSV (in several encodings,
separators and line endings), XLSX or JSON (Kolada, JSON-stat), for one of the five import
kinds, starting from a valid table and then damaged: hostile cells (huge counts, digits of
other scripts, impossible dates, control characters, very long text), broken structure
(repeated or missing headers and rows, hundreds of columns), damaged bytes (truncated,
flipped, unclosed quotes) and sometimes imported as the wrong kind. Seeded: the same
``random.Random`` gives the same files. Also ``run_one``: import one file through the
service and check what must hold (issue 10).
"""

from __future__ import annotations

import datetime
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("crime-stats", "incidents", "population", "survey", "kolada", "polisen-events")

HOSTILE: list[Any] = [
    "", " ", "1e20", "9223372036854775808", "2147483648", "-1", "²", "①", "٣", "12²", "inf",
    "-inf", "nan", "Infinity", "1e400", "0x10", "1_000", "1.234,5", "12,5 %", "9999-12-31",
    "0001-01-01", "1899-12-31", "2025-02-30", "25:61", "24:00", "31 februari 2025", "\x00",
    "a\x00b", "\x07", "\x1b[31m", "\u202e", "😀", "Ã¥", "..", "-", '"', '""', "'", ";", ",",
    "\t", "\n", "\r\n", "x" * 300, "x" * 5000, "0" * 400, "9" * 400, "1" * 25, "NULL", "None",
    "null", "true", "[]", "{}", "=SUM(A1:A2)", "2024K5", "2024M13", "2024Q0", "0180", "9999",
    "114", "G123", "Totalt", "totalt", "Region", "År", "\ufeff", "\udcff", "ÅÄÖ" * 100,
    "2025-03-12T25:00", "12/13/2025", "2025-03-12 21:30", "674032", "6580821", "59,33",
    "18,07", "-674032", "1e-400", "0,000001", "  12  ", "12 345", "1\u00a0234",
]  # fmt: skip
TYPED: list[Any] = [
    1e20, 2**63, 2**31, -1, 0.5, 1e-300, True, None, datetime.datetime(9999, 12, 31),
    datetime.datetime(1900, 1, 1), datetime.date(2024, 2, 29), datetime.time(23, 59),
    datetime.datetime(2025, 3, 12, 21, 30), 2024, 2024.0, 1.5e308,
]  # fmt: skip
OFFENCES = ["Rån", "Misshandel", "Skadegörelse", "Cykelstöld", "Inbrott i bostad", "alla_brott"]
AREAS = ["0180", "0180 Stockholm", "1280 Malmö", "Centrum", "Norr", "Söder", "Göteborg",
         "0114 Upplands Väsby", "Västerås"]  # fmt: skip


def _table(kind: str, rng: random.Random) -> list[list[Any]]:
    """A valid table of the kind, a few rows, with values varied so that files differ."""
    n = rng.randrange(1, 8)
    tag = rng.randrange(10**6)
    if kind == "crime-stats":
        if rng.random() < 0.3:
            rows: list[list[Any]] = [["Område", "Brott", "2022", "2023"]]
            rows += [[rng.choice(AREAS), f"{rng.choice(OFFENCES)} {tag}-{i}",
                      rng.randrange(100), rng.randrange(100)] for i in range(n)]  # fmt: skip
            return rows
        rows = [["Kommun", "Brott", "År", "Antal"]]
        return rows + [[rng.choice(AREAS), f"{rng.choice(OFFENCES)} {tag}-{i}",
                        rng.choice([2020, 2023, "2024K1", "2024M03"]), rng.randrange(1000)]
                       for i in range(n)]  # fmt: skip
    if kind == "incidents":
        rows = [["Ärendenummer", "Datum", "Tid", "Brott", "Plats", "X", "Y"]]
        for i in range(n):
            x, y = rng.choice([("674032", "6580821"), ("", ""), ("6580821", "674032,5")])
            day = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(700))
            rows.append(
                [
                    rng.choice([f"K{tag}-{i}", "", f"K{tag}"]),
                    day.isoformat(),
                    f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
                    rng.choice(OFFENCES),
                    rng.choice(["Torget", "Parken", ""]),
                    x,
                    y,
                ]
            )
        return rows
    if kind == "population":
        if rng.random() < 0.4:
            rows = [["region", "kön", "2022", "2023"]]
            area = f"Område {tag}"
            return rows + [[area, sex, rng.randrange(10**5), rng.randrange(10**5)]
                           for sex in ("män", "kvinnor")[: max(1, n % 3)]]  # fmt: skip
        rows = [["Region", "År", "Folkmängd"]]
        return rows + [[f"Område {tag}-{i}", 2020 + i % 5, rng.randrange(10**6)] for i in range(n)]
    rows = [["Fråga", "Område", "År", "Andel", "Antal svarande"]]
    return rows + [[f"Fråga {tag}-{i}", rng.choice(AREAS), 2023, round(rng.random() * 100, 1),
                    rng.randrange(1, 500)] for i in range(n)]  # fmt: skip


def _mutate_rows(rows: list[list[Any]], rng: random.Random, typed: bool) -> list[list[Any]]:
    rows = [list(r) for r in rows]
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        what = rng.randrange(12)
        body = len(rows) > 1
        if what <= 4 and body:  # a hostile cell
            r = rng.randrange(1, len(rows))
            if not rows[r]:
                continue
            c = rng.randrange(len(rows[r]))
            pool = HOSTILE + TYPED if typed else HOSTILE
            rows[r][c] = rng.choice(pool)
        elif what == 5 and body:
            rows.insert(rng.randrange(1, len(rows) + 1), list(rng.choice(rows[1:])))
        elif what == 6:
            rows.insert(rng.randrange(1, len(rows) + 1), list(rows[0]))
        elif what == 7 and len(rows[0]) > 1:
            c = rng.randrange(len(rows[0]))
            rows = [r[:c] + r[c + 1 :] for r in rows]
        elif what == 8:
            extra = rng.choice([1, 3, 40, 350])
            rows = [r + [f"extra{i}" if j == 0 else "" for i in range(extra)]
                    for j, r in enumerate(rows)]  # fmt: skip
        elif what == 9:
            rows[rng.randrange(len(rows))] = []
        elif what == 10:
            rows.insert(0, [rng.choice(["Anmälda brott 2024", "Källa: Brå", ""])])
        elif rows[0]:
            rows[0][rng.randrange(len(rows[0]))] = rng.choice(HOSTILE[:40])
    if rng.random() < 0.01:
        rows.append(["x" * 140_000])
    if rng.random() < 0.03:
        rows = rows[:1] if rng.random() < 0.5 else []
    return rows


def _csv(rows: list[list[Any]], rng: random.Random) -> bytes:
    sep = rng.choice([";", ";", ",", "\t"])
    end = rng.choice(["\n", "\n", "\r\n", "\r"])
    quote = rng.random() < 0.3

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        if quote or sep in text or '"' in text or "\n" in text:
            return '"' + text.replace('"', '""') + '"'
        return text

    text = "".join(sep.join(cell(v) for v in row) + end for row in rows)
    encoding = rng.choice(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16", "mac_roman",
                           "cp437", "mixed"])  # fmt: skip
    if encoding == "mixed":
        half = len(text) // 2
        data = text[:half].encode("utf-8", "replace") + text[half:].encode("cp1252", "replace")
    else:
        data = text.encode(encoding, "replace")
    return data


def _xlsx(rows: list[list[Any]], rng: random.Random) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    try:
        for row in rows:
            sheet.append(row)
        if rng.random() < 0.2 and sheet.max_row > 1:
            sheet.cell(2, rng.randrange(1, sheet.max_column + 1)).number_format = "0.0%"
        if rng.random() < 0.05:
            sheet.cell(rng.choice([1048576, 5000, 3]), rng.choice([16384, 400, 2])).value = 1
        out = io.BytesIO()
        book.save(out)
    except Exception:  # noqa: BLE001 - a value openpyxl will not write: the same rows as CSV
        return _csv(rows, rng)
    return out.getvalue()


def _kolada(rng: random.Random) -> bytes:
    tag = rng.randrange(10**6)
    entries: list[Any] = [
        {"kpi": f"N{tag % 100000:05d}", "municipality": rng.choice(["0180", "1280", "0114"]),
         "period": 2015 + i, "values": [{"gender": g, "value": round(rng.random() * 100, 2)}
                                        for g in ("T", "K", "M")[: rng.randrange(1, 4)]]}
        for i in range(rng.randrange(1, 6))
    ]  # fmt: skip
    raw_extra = ""
    for _ in range(rng.choice([0, 1, 1, 2])):
        entry = rng.choice(entries)
        if not isinstance(entry, dict):
            continue
        field = rng.choice(["kpi", "municipality", "period", "values", "gender", "value"])
        value = rng.choice(
            [
                5,
                "x",
                None,
                [],
                {},
                10**30,
                -1,
                "2024",
                "²",
                "\x00",
                [5],
                [{"gender": "X", "value": 1}],
                "N" * 40,
                float("inf"),
                1e308,
            ]
        )
        if (
            field in ("gender", "value")
            and isinstance(entry.get("values"), list)
            and entry["values"]
        ):
            target = entry["values"][0]
            if isinstance(target, dict):
                target[field] = value
        else:
            entry[field] = value
        if rng.random() < 0.1:
            entries.append(rng.choice([5, "x", None, []]))
        if rng.random() < 0.05:
            raw_extra = rng.choice(["1e400", "Infinity", "NaN", "10" * 200])
    document: Any = {"count": len(entries), "values": entries}
    if rng.random() < 0.05:
        document = rng.choice([[], "x", {"values": 5}, {"values": {}}, None])
    text = json.dumps(document)
    if raw_extra:
        text = text.replace("2015", raw_extra, 1)
    if rng.random() < 0.03:
        depth = rng.choice([100, 1000, 5000])
        text = '{"values": [' + "[" * depth + "]" * depth + "]}"
    return text.encode()


def _jsonstat(rng: random.Random) -> bytes:
    regions = ["0180", "1280", "0114"][: rng.randrange(1, 4)]
    years = ["2022", "2023"][: rng.randrange(1, 3)]
    sexes = ["1", "2"]
    values: Any = [rng.randrange(10**5) for _ in range(len(regions) * len(sexes) * len(years))]
    doc: dict[str, Any] = {
        "version": "2.0", "class": "dataset", "id": ["Region", "Kon", "Tid"],
        "size": [len(regions), len(sexes), len(years)],
        "dimension": {"Region": {"category": {"index": regions}},
                      "Kon": {"category": {"index": sexes}},
                      "Tid": {"category": {"index": years}}},
        "value": values,
    }  # fmt: skip
    for _ in range(rng.choice([0, 1, 1, 2])):
        doc = _mutate_cube(doc, values, rng)
    text = json.dumps(doc)
    if rng.random() < 0.03:
        text = '{"value": ' + "[" * 3000 + "]" * 3000 + "}"
    return text.encode()


def _mutate_cube(doc: dict[str, Any], values: list[Any], rng: random.Random) -> dict[str, Any]:
    if "dimension" not in doc:
        return doc  # already replaced by another shape
    what = rng.randrange(7)
    if what == 0 and values:
        values[rng.randrange(len(values))] = rng.choice(
            [1e20, 1.7e308, -5, "..", "x", None, 10**30, "²", [1], 0.5]
        )
    elif what == 1:
        doc["size"] = rng.choice([[1], [10**9, 10**9, 10**9], ["a", 1, 1], [-1, 1, 1]])
    elif what == 2:
        doc["value"] = rng.choice([{"0": 1, "²": 2}, {"999": 1}, 5, "x", {}])
    elif what == 3:
        doc["dimension"]["Tid"] = {"category": {"index": rng.choice([["20x2"], ["2999"], 5])}}
    elif what == 4:
        doc["id"] = rng.choice([["Region"], [], "x", [1, 2, 3]])
    elif what == 5:
        doc["dimension"]["Region"] = rng.choice([None, {}, {"category": {"index": {"a": 5}}}])
    else:
        return {"dataset": doc} if rng.random() < 0.5 else {"columns": [], "data": []}
    return doc


def _polisen(rng: random.Random) -> bytes:
    """Polisen's events feed: a list of notices, some fields made hostile."""
    tag = rng.randrange(10**6)
    places = [("Norrköping", "58.587745,16.192421"), ("Skåne län", "55.990936,13.595769"),
              ("Stockholm", "59.329324,18.068581"), ("Malmö", "55.604981,13.003822")]  # fmt: skip
    events: list[Any] = []
    for i in range(rng.randrange(1, 6)):
        place, gps = rng.choice(places)
        day = rng.randrange(1, 28)
        kind = rng.choice(["Rån", "Misshandel", "Trafikolycka", "Brand", "Inbrott",
                           "Sammanfattning natt"])  # fmt: skip
        events.append({
            "id": tag * 10 + i, "datetime": f"2026-01-{day:02d} 23:33:32 +01:00",
            "name": f"{day} januari 19.12, {kind}, {place}", "summary": "Text.",
            "url": f"/aktuellt/handelser/2026/januari/{tag}", "type": kind,
            "location": {"name": place, "gps": gps},
        })  # fmt: skip
    for _ in range(rng.choice([0, 1, 1, 2])):
        event = rng.choice(events)
        field = rng.choice(["id", "datetime", "name", "type", "location", "url", "summary"])
        event[field] = rng.choice(
            [None, 5, -1, 10**30, "", "x", [], {}, "\x00", "9999-12-31 23:59:59 +01:00",
             "31 december 23.59, Rån, Norrköping", "²", {"name": "Ödeshög", "gps": "91,181"},
             {"name": 5, "gps": "nan,inf"}, "x" * 6000, rng.choice(HOSTILE)]
        )  # fmt: skip
    document: Any = events
    if rng.random() < 0.05:
        document = rng.choice([{}, [], "x", None, [5]])
    return json.dumps(document).encode()


def _damage(data: bytes, rng: random.Random) -> bytes:
    what = rng.randrange(6)
    if not data:
        return data
    if what == 0:
        return data[: rng.randrange(len(data))]
    if what == 1:
        out = bytearray(data)
        for _ in range(rng.randrange(1, 6)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if what == 2:
        at = rng.randrange(len(data))
        return data[:at] + b'"' + data[at:]
    if what == 3:
        return b"\xff\xfe" + data if rng.random() < 0.5 else b"\xef\xbb\xbf" + data
    if what == 4:
        at = rng.randrange(len(data))
        return data[:at] + bytes(rng.randrange(256) for _ in range(20)) + data[at:]
    return data + b"\n" * rng.choice([2, 2000])


@dataclass(frozen=True)
class BadFile:
    kind: str
    name: str
    data: bytes
    label: str  # how it was made, to reproduce a failure


def bad_file(rng: random.Random) -> BadFile:
    kind = rng.choice(KINDS)
    fmt = rng.choices(["csv", "xlsx", "json"], [6, 2, 2])[0]
    if kind in ("kolada", "polisen-events") and fmt != "json" and rng.random() < 0.8:
        fmt = "json"
    if fmt == "json":
        if kind == "polisen-events":
            data = _polisen(rng)
        elif kind in ("kolada", "population") or rng.random() < 0.3:
            data = _kolada(rng) if kind == "kolada" else _jsonstat(rng)
        else:
            data = _jsonstat(rng) if rng.random() < 0.5 else _kolada(rng)
    else:
        table_kind = kind if kind in KINDS[:4] else rng.choice(KINDS[:4])
        rows = _mutate_rows(_table(table_kind, rng), rng, typed=fmt == "xlsx")
        data = _xlsx(rows, rng) if fmt == "xlsx" else _csv(rows, rng)
    damaged = rng.random() < 0.25
    if damaged:
        data = _damage(data, rng)
    if rng.random() < 0.1:
        kind = rng.choice(KINDS)  # the wrong kind chosen in the form
    name = f"f.{rng.choice([fmt] * 8 + ['csv', 'txt', 'json'])}"
    return BadFile(kind, name, data, f"{kind} {fmt}{' damaged' if damaged else ''}")


# ---- running one file through the import service ------------------------------------------

TARGETS = {
    "crime-stats": "CrimeStatistic",
    "incidents": "Incident",
    "population": "Population",
    "survey": "SurveyResult",
    "kolada": "KeyFigure",
    "polisen-events": "PoliceEvent",
}


@dataclass
class Outcome:
    status: str  # imported, rejected, crash, partial
    detail: str = ""


# Tables of the mapping app computed from other rows, not imported (mapping/figures.py).
DERIVED_TABLES = {"IncidentFigure"}


def table_counts() -> dict[str, int]:
    """Rows in every table of the mapping app, in one query (it runs twice per file)."""
    from django.apps import apps
    from django.db import connection

    models = list(apps.get_app_config("mapping").get_models())
    quote = connection.ops.quote_name
    parts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        counts = cursor.fetchone()
    return {m.__name__: int(n) for m, n in zip(models, counts, strict=True)}


def run_one(party: Any, bad: BadFile, folder: Path, rng: random.Random) -> Outcome:
    """Import one file through the service (and, when it asks for a column mapping, map
    some columns and run it again), checking that nothing escapes and nothing is half-saved.
    """
    from samverkan.mapping.choices import ImportStatus
    from samverkan.mapping.services import import_file, perform_import

    path = folder / bad.name
    path.write_bytes(bad.data)
    before = table_counts()
    try:
        record, result = import_file(party, bad.kind, path)
        if record.status == ImportStatus.NEEDS_MAPPING and result.headers:
            before = table_counts()
            record.column_mapping = _some_mapping(bad.kind, result.headers, rng)
            record.status = ImportStatus.QUEUED
            record.save(update_fields=["column_mapping", "status"])
            result = perform_import(record)
    except Exception as exc:  # noqa: BLE001 - what the fuzz test counts
        return Outcome("crash", f"{type(exc).__name__}: {exc}"[:300])
    if record.status == getattr(ImportStatus, "FAILED", None):
        return Outcome("crash", "; ".join(str(e.get("en")) for e in record.errors)[:300])
    after = table_counts()
    before.pop("Import")
    after.pop("Import")
    if getattr(result, "crashed", False):  # getattr: the script also measures older code
        return Outcome("crash", result.errors[0].en if result.errors else "")
    target = TARGETS[bad.kind]
    added = after[target] - before[target]
    others_changed = {k for k in after if k != target and after[k] != before[k]}
    if record.status == ImportStatus.DONE:
        # Figures stored from the imported rows (IncidentFigure) are derived: an import that
        # adds rows forgets and recomputes them. Anything else changed is half-saved.
        others_changed -= DERIVED_TABLES
        if added != result.rows_imported or others_changed:
            return Outcome("partial", f"{target} +{added}, reported {result.rows_imported}")
        return Outcome("imported")
    if added or others_changed:
        return Outcome("partial", f"{record.status}: {target} +{added} {others_changed}")
    return Outcome("rejected")


def _some_mapping(kind: str, headers: list[str], rng: random.Random) -> dict[str, str]:
    from samverkan.mapping.importers import IMPORTERS

    columns = IMPORTERS[kind].columns
    return {c.name: rng.choice(headers) for c in columns if c.required or rng.random() < 0.3}
