"""JSON-stat datasets as SCB's PxWebApi returns them, read into population per region and year.

JSON-stat (json-stat.org/format, Xavier Badosa) describes a data cube: ``id`` lists the
dimensions in order, ``size`` the number of categories of each, every dimension lists its
categories (``category.index`` as an array of codes or an object code -> position, and
``category.label``), and ``value`` holds the cells in row-major order: the last dimension in
``id`` changes fastest. ``value`` may also be an object {"position": value} for sparse cubes.

Two generations are read:

- version 1.0x, a bundle of named datasets (SCB's API v1 with ``"format": "json-stat"``
  answers ``{"dataset": {...}}``), where ``id``, ``size`` and ``role`` sit inside
  ``dimension``;
- version 2.0, one dataset at the root (``{"version": "2.0", "class": "dataset", ...}``,
  SCB's API v1 ``json-stat2`` and API v2), where ``id``, ``size`` and ``role`` sit at the root.

Pure: no Django. Errors are ``Bad`` with a Swedish and an English reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samverkan.mapping.importers.jsonfile import load_json
from samverkan.mapping.importers.parse import Bad

Number = int | float

# Marks statistics offices print instead of a figure (SCB: ".." not available, "-" nil).
MISSING_MARKS = {"", ".", "..", "...", "-", "–", ":", "x"}

# Dimension names (ids or labels, lower case) that identify the region and the time when the
# dataset carries no ``role``; SCB calls them "Region" and "Tid".
REGION_NAMES = {"region", "geo", "område", "kommun", "municipality", "area"}
TIME_NAMES = {"tid", "time", "år", "year", "period"}
METRIC_NAMES = {"contentscode", "tabellinnehåll", "table content", "contents"}

# The population content of a table with several contents: SCB's code for "Folkmängd" in
# BE0101N1 (BefolkningNy), or a label that says population.
POPULATION_CODES = {"be0101n1"}
POPULATION_WORDS = ("folkmängd", "befolkning", "invånare", "population")

# A category that is already the total of its dimension: taking it alone avoids counting
# everyone twice when a table lists "totalt" beside its parts (SCB: Alder "tot", Kon "1+2").
TOTAL_CODES = {"tot", "total", "totalt", "1+2", "t", "tot1"}
TOTAL_LABELS = ("totalt", "total", "samtliga", "båda könen", "alla åldrar", "both sexes")


@dataclass(frozen=True)
class Dimension:
    """One dimension of the cube: its id, label and categories in index order."""

    id: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]

    def name(self) -> str:
        return f"{self.id} ({self.label})" if self.label and self.label != self.id else self.id


@dataclass(frozen=True)
class Dataset:
    """A JSON-stat dataset: dimensions in ``id`` order, roles, and the cells that hold numbers."""

    label: str
    source: str
    updated: str
    dimensions: tuple[Dimension, ...]
    roles: dict[str, tuple[str, ...]]
    values: dict[int, Number]  # flat row-major position -> value; missing cells left out

    def coordinates(self, position: int) -> tuple[int, ...]:
        """The category index in each dimension of a flat position (row-major, last fastest)."""
        return _coordinates(self.dimensions, position)


@dataclass(frozen=True)
class RegionYear:
    """Population of one region in one year, summed over the dimensions that were summed."""

    region_code: str
    region_label: str
    year: int
    count: Number

    def area(self) -> str:
        """The region as the importers read it: "0180 Stockholm" for a municipality."""
        return _place(self.region_code, self.region_label)


def _place(code: str, label: str) -> str:
    label = label or code
    if re.fullmatch(r"\d{4}", code) and not label.startswith(code):
        return f"{code} {label}"
    return label


@dataclass(frozen=True)
class PopulationTable:
    """What a dataset says about population, and how it was read (for the import's record)."""

    label: str
    source: str
    counts: tuple[RegionYear, ...]
    chosen: dict[str, str]  # dimension -> the one category taken (contents, totals)
    summed: tuple[str, ...]  # dimensions added up (e.g. sex, age)


# ---- reading ----------------------------------------------------------------------------


def load(path: Path, encoding: str = "utf-8-sig") -> Any:
    """The JSON document in a file; a BOM (SCB's API sends one) is skipped."""
    return load_json(path, encoding)


def _not_jsonstat(document: Any) -> Bad:
    hint_sv, hint_en = (
        "hämta tabellen i formatet JSON-stat eller JSON-stat 2",
        "download the table as JSON-stat or JSON-stat 2",
    )
    if isinstance(document, dict) and "columns" in document and "data" in document:
        hint_sv = "det är PxWebs vanliga JSON-format; " + hint_sv
        hint_en = "this is PxWeb's plain JSON format; " + hint_en
    elif isinstance(document, dict) and isinstance(document.get("values"), list):
        hint_sv = "den ser ut som ett svar från Kolada; importera den som nyckeltal (Kolada)"
        hint_en = "it looks like a Kolada answer; import it as kolada"
    return Bad(
        f"filen är JSON men inte ett JSON-stat-dataset; {hint_sv}",
        f"the file is JSON but not a JSON-stat dataset; {hint_en}",
    )


def _dataset_object(document: Any) -> dict[str, Any]:
    """The one dataset in a 2.0 document or a 1.0x bundle."""
    if not isinstance(document, dict):
        raise _not_jsonstat(document)
    if document.get("class") in ("collection", "dimension"):
        raise Bad(
            f"filen är JSON-stat av klassen ”{document['class']}”, inte ett dataset med värden",
            f"the file is JSON-stat of class {document['class']}, not a dataset with values",
        )
    if "dimension" in document and "value" in document:
        return document
    found = {
        key: item
        for key, item in document.items()
        if isinstance(item, dict) and "dimension" in item and "value" in item
    }
    if not found:
        raise _not_jsonstat(document)
    if len(found) > 1:
        names = ", ".join(found)
        raise Bad(
            f"filen innehåller flera dataset ({names}); hämta ett dataset per fil",
            f"the file holds several datasets ({names}); fetch one dataset per file",
        )
    return next(iter(found.values()))


def _categories(dim_id: str, dim: Any) -> Dimension:
    if not isinstance(dim, dict) or not isinstance(dim.get("category"), dict):
        raise Bad(
            f"dimensionen ”{dim_id}” saknar kategorier (category)",
            f"dimension {dim_id!r} has no categories (category)",
        )
    category = dim["category"]
    index = category.get("index")
    labels = category.get("label") if isinstance(category.get("label"), dict) else {}
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        positions = list(index.values())
        if sorted(p for p in positions if isinstance(p, int)) != list(range(len(positions))):
            raise Bad(
                f"dimensionen ”{dim_id}” har ett index som inte numrerar kategorierna 0, 1, 2 …",
                f"dimension {dim_id!r} has an index that does not number its categories 0, 1, 2…",
            )
        codes = [str(code) for code, _ in sorted(index.items(), key=lambda item: item[1])]
    elif index is None and labels:
        codes = [str(code) for code in labels]  # index may be left out (one category)
    else:
        raise Bad(
            f"dimensionen ”{dim_id}” saknar kategoriernas index",
            f"dimension {dim_id!r} lacks the index of its categories",
        )
    if len(set(codes)) != len(codes):
        raise Bad(
            f"dimensionen ”{dim_id}” har samma kategori två gånger",
            f"dimension {dim_id!r} lists the same category twice",
        )
    return Dimension(
        id=dim_id,
        label=str(dim.get("label") or dim_id),
        codes=tuple(codes),
        labels=tuple(str(labels.get(code, code)) for code in codes),
    )


def _number(raw: Any, where: str) -> Number | None:
    """A cell's value: a number, or None for a missing cell (null or a mark such as "..")."""
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 2**53:
        return raw
    if isinstance(raw, float) and math.isfinite(raw):
        return raw
    if isinstance(raw, str):
        text = raw.strip()
        if text in MISSING_MARKS:
            return None
        try:
            number = float(text.replace(" ", "").replace("\u00a0", ""))
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return int(number) if number.is_integer() else number
    shown = _short(raw)
    raise Bad(
        f"värdet {shown} ({where}) är inget tal",
        f"the value {shown} ({where}) is not a number",
    )


def _short(raw: Any) -> str:
    """A value as a message may quote it: a type name for containers, long text cut."""
    if isinstance(raw, dict | list):
        return "en lista" if isinstance(raw, list) else "ett objekt"
    text = repr(raw) if not isinstance(raw, int) else "ett tal med fler än 15 siffror"
    return text if len(text) <= 40 else text[:40] + "…"


def parse(document: Any) -> Dataset:
    """Check a JSON-stat document (1.0x bundle or 2.0 dataset) and return its one dataset."""
    data = _dataset_object(document)
    dims = data.get("dimension")
    if not isinstance(dims, dict):
        raise Bad("datasetet saknar dimensioner (dimension)", "the dataset has no 'dimension'")
    ids = data.get("id", dims.get("id"))
    sizes = data.get("size", dims.get("size"))
    roles = data.get("role", dims.get("role")) or {}
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise Bad(
            "datasetet saknar listan ”id” med dimensionernas namn",
            "the dataset lacks the list 'id' naming its dimensions",
        )
    if not isinstance(sizes, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes
    ):
        raise Bad(
            "datasetet saknar listan ”size” med antalet kategorier per dimension",
            "the dataset lacks the list 'size' with the number of categories per dimension",
        )
    if len(sizes) != len(ids):
        raise Bad(
            f"”id” nämner {len(ids)} dimensioner men ”size” har {len(sizes)} tal",
            f"'id' names {len(ids)} dimensions but 'size' has {len(sizes)} numbers",
        )
    dimensions = []
    for dim_id, size in zip(ids, sizes, strict=True):
        if dim_id not in dims:
            raise Bad(
                f"dimensionen ”{dim_id}” står i ”id” men beskrivs inte under ”dimension”",
                f"dimension {dim_id!r} is listed in 'id' but not described under 'dimension'",
            )
        dim = _categories(dim_id, dims[dim_id])
        if len(dim.codes) != size:
            raise Bad(
                f"dimensionen ”{dim_id}” har {len(dim.codes)} kategorier men ”size” säger {size}",
                f"dimension {dim_id!r} has {len(dim.codes)} categories but 'size' says {size}",
            )
        dimensions.append(dim)
    cells = math.prod(sizes)
    raw = data.get("value")
    if isinstance(raw, list):
        if len(raw) != cells:
            raise Bad(
                f"”value” har {len(raw)} värden men dimensionerna ({' × '.join(map(str, sizes))})"
                f" ger {cells} celler",
                f"'value' has {len(raw)} values but the dimensions "
                f"({' x '.join(map(str, sizes))}) make {cells} cells",
            )
        items: Iterator[tuple[int, Any]] = enumerate(raw)
    elif isinstance(raw, dict):
        pairs = []
        for key, item in raw.items():
            if not (str(key).isascii() and str(key).isdigit() and int(key) < cells):
                raise Bad(
                    f"”value” har nyckeln ”{_short(key)}”, som inte är en cell 0–{cells - 1}",
                    f"'value' has the key {_short(key)}, which is not a cell 0-{cells - 1}",
                )
            pairs.append((int(key), item))
        items = iter(pairs)
    else:
        raise Bad(
            "datasetet saknar värden (”value” ska vara en lista)",
            "the dataset has no values ('value' must be a list)",
        )
    values: dict[int, Number] = {}
    for position, item in items:
        value = _number(item, f"cell {position}: {_describe(dimensions, position)}")
        if value is not None:
            values[position] = value
    return Dataset(
        label=str(data.get("label") or ""),
        source=str(data.get("source") or ""),
        updated=str(data.get("updated") or ""),
        dimensions=tuple(dimensions),
        roles={
            str(k): tuple(str(x) for x in v)
            for k, v in (roles.items() if isinstance(roles, dict) else ())
            if isinstance(v, list)
        },
        values=values,
    )


def _coordinates(
    dimensions: tuple[Dimension, ...] | list[Dimension], position: int
) -> tuple[int, ...]:
    """The category index in each dimension of a flat position (row-major, last fastest)."""
    out = []
    for dim in reversed(dimensions):
        position, index = divmod(position, len(dim.codes))
        out.append(index)
    return tuple(reversed(out))


def _describe(dimensions: list[Dimension], position: int) -> str:
    coords = _coordinates(dimensions, position)
    return ", ".join(f"{d.id}={d.codes[i]}" for d, i in zip(dimensions, coords, strict=True))


# ---- population -------------------------------------------------------------------------


def _find(dataset: Dataset, role: str, names: set[str]) -> int | None:
    ids = [d.id for d in dataset.dimensions]
    for dim_id in dataset.roles.get(role, ()):
        if dim_id in ids:
            return ids.index(dim_id)
    for i, dim in enumerate(dataset.dimensions):
        if dim.id.lower() in names or dim.label.lower() in names:
            return i
    return None


def _population_category(dim: Dimension) -> int:
    if len(dim.codes) == 1:
        return 0
    hits = [
        i
        for i, (code, label) in enumerate(zip(dim.codes, dim.labels, strict=True))
        if code.lower() in POPULATION_CODES or any(w in label.lower() for w in POPULATION_WORDS)
    ]
    if len(hits) != 1:
        listing = ", ".join(f"{c} ({label})" for c, label in zip(dim.codes, dim.labels,
                                                                  strict=True))  # fmt: skip
        raise Bad(
            f"tabellinnehållet {dim.name()} har flera mått ({listing}) och inget av dem är "
            "entydigt folkmängd; välj bara folkmängd (BE0101N1) när tabellen hämtas",
            f"the contents {dim.name()} hold several measures ({listing}) and none is plainly "
            "the population; select only the population (BE0101N1) when fetching the table",
        )
    return hits[0]


def _total_category(dim: Dimension) -> int | None:
    for i, (code, label) in enumerate(zip(dim.codes, dim.labels, strict=True)):
        if code.lower() in TOTAL_CODES or label.lower().startswith(TOTAL_LABELS):
            return i
    return None


def population(dataset: Dataset) -> PopulationTable:
    """Population per region and year: the region and time dimensions are kept, the contents
    dimension narrowed to the population, and every other dimension (sex, age, marital status)
    either narrowed to its total category or added up. A region and year without any figure
    is left out; one where only some of the added parts lack a figure is an error."""
    region = _find(dataset, "geo", REGION_NAMES)
    if region is None:
        names = ", ".join(d.name() for d in dataset.dimensions)
        raise Bad(
            f"datasetet har ingen regiondimension (roll ”geo” eller en dimension som heter "
            f"Region); dimensionerna är: {names}",
            f"the dataset has no region dimension (role 'geo' or a dimension named Region); "
            f"its dimensions are: {names}",
        )
    time = _find(dataset, "time", TIME_NAMES)
    if time is None or time == region:
        names = ", ".join(d.name() for d in dataset.dimensions)
        raise Bad(
            f"datasetet har ingen tidsdimension (roll ”time” eller en dimension som heter Tid); "
            f"dimensionerna är: {names}",
            f"the dataset has no time dimension (role 'time' or a dimension named Tid); "
            f"its dimensions are: {names}",
        )
    years: list[int] = []
    for code in dataset.dimensions[time].codes:
        if not re.fullmatch(r"\d{4}", code):
            raise Bad(
                f"tidsdimensionen {dataset.dimensions[time].name()} har perioden ”{code}”; "
                "befolkning läses per år (t.ex. 2024), så hämta en årstabell",
                f"the time dimension {dataset.dimensions[time].name()} has the period {code!r}; "
                "population is read per year (e.g. 2024), so fetch a yearly table",
            )
        years.append(int(code))
    metrics = set(dataset.roles.get("metric", ()))
    fixed: dict[int, int] = {}
    chosen: dict[str, str] = {}
    summed: list[str] = []
    for i, dim in enumerate(dataset.dimensions):
        if i in (region, time):
            continue
        if dim.id in metrics or dim.id.lower() in METRIC_NAMES:
            fixed[i] = _population_category(dim)
        elif len(dim.codes) > 1 and (whole := _total_category(dim)) is not None:
            fixed[i] = whole
        elif len(dim.codes) > 1:
            summed.append(dim.name())
            continue
        else:
            fixed[i] = 0
        chosen[dim.name()] = dim.labels[fixed[i]]
    totals: dict[tuple[int, int], Number] = {}
    present: dict[tuple[int, int], int] = {}
    for position, value in dataset.values.items():
        coords = dataset.coordinates(position)
        if any(coords[i] != want for i, want in fixed.items()):
            continue
        key = (coords[region], coords[time])
        totals[key] = totals.get(key, 0) + value
        present[key] = present.get(key, 0) + 1
    for (r, t), total in totals.items():
        if not math.isfinite(total):
            where = f"{_place(dataset.dimensions[region].codes[r], '')} {years[t]}"
            raise Bad(
                f"folkmängden för {where} blir oändligt stor när delarna summeras",
                f"the population of {where} adds up to infinity",
            )
    if not totals:
        raise Bad(
            "datasetet har inga värden för folkmängd (alla celler saknas)",
            "the dataset has no population figures (every cell is missing)",
        )
    regions = dataset.dimensions[region]
    parts = math.prod(
        len(d.codes) for i, d in enumerate(dataset.dimensions) if i not in (region, time, *fixed)
    )
    for (r, t), n in sorted(present.items()):
        if n < parts:
            # A sum over sex or age with a part missing would look like a real total.
            where = f"{_place(regions.codes[r], regions.labels[r])} {years[t]}"
            raise Bad(
                f"folkmängden för {where} saknas för {parts - n} av {parts} delar "
                f"({', '.join(summed)}) och kan inte summeras",
                f"the population of {where} is missing for {parts - n} of {parts} parts "
                f"({', '.join(summed)}) and cannot be added up",
            )
    counts = tuple(
        RegionYear(
            region_code=regions.codes[r],
            region_label=regions.labels[r],
            year=years[t],
            count=int(total) if float(total).is_integer() else total,
        )
        for (r, t), total in sorted(totals.items())
    )
    return PopulationTable(dataset.label, dataset.source, counts, chosen, tuple(summed))


HEADER = ["region", "år", "folkmängd"]


def population_rows(path: Path, encoding: str = "utf-8-sig") -> Iterator[tuple[int, list[Any]]]:
    """The file as the population importer's rows: a header, then one row per region and
    year, numbered from 1 in that order (there are no lines to point at in JSON)."""
    table = population(parse(load(path, encoding)))
    yield 0, list(HEADER)
    for number, item in enumerate(table.counts, start=1):
        yield number, [item.area(), item.year, item.count]


def looks_like_json(path: Path) -> bool:
    """True when the first character of the file (after a BOM and blanks) opens a JSON object."""
    with open(path, "rb") as fh:
        head = fh.read(512).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{")
