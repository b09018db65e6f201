"""What the importers of several kinds share: cell text, areas and periods, offence
categories, and the base class of importers with a natural key."""

from __future__ import annotations

import re
from typing import Any

from samverkan.analysis.categories import classify
from samverkan.mapping.importers.base import Importer, ImportResult
from samverkan.mapping.importers.parse import (
    MONTHS,
    Bad,
    check_text,
    parse_count,
    parse_year,
)
from samverkan.mapping.municipalities import NAMES, county_of, municipality_code


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        if "  " not in text and "\n" not in text and "\t" not in text:
            return text
    return " ".join(str(value).split())


def _code_text(value: Any) -> str:
    """A cell that may hold a municipality code, as text: Excel stores 0114 as 114 (or 114.0),
    and a re-saved CSV loses the zero too; 114 is 0114 when that is a municipality."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    if m := re.match(r"^(\d{3})(\s.*)?$", text):
        if "0" + m[1] in NAMES:
            return "0" + m[1] + (m[2] or "")
    return text


def _area(value: Any) -> tuple[str, str]:
    """(municipality code or "", area name): "0180", "Stockholms kommun", "Centrum".

    A number that is no municipality code, and a county or the whole country, are refused
    rather than stored as an area of that name."""
    text = check_text(_code_text(value), "området", "the area", 200)
    if not text:
        raise Bad("område saknas", "area is missing")
    code = municipality_code(text)
    if code:
        return code, NAMES[code]
    if county := county_of(text):
        raise Bad(
            f"”{text}” är ett län ({county}), inte en kommun eller ett område i den; ta bort "
            "länsraderna (importera länets siffror i en egen fil om de behövs)",
            f"{text!r} is a county ({county}), not a municipality or an area in one",
        )
    if re.fullmatch(r"\d{1,4}(\s.*)?", text):
        raise Bad(
            f"kommunkoden i ”{text}” finns inte; ange SCB:s fyrsiffriga kod, t.ex. 0180",
            f"the municipality code in {text!r} does not exist; use SCB's four digits, e.g. 0180",
        )
    return "", text


_YEAR_COLUMN = re.compile(
    r"(?:(?:pop|population|folkmängd|folkmangd|befolkning|invånare|antal|count|value|värde|år|"
    r"year)[ _-]?)?((?:19|20)\d\d)"
)
_PERIOD = re.compile(r"^(\d{4})\s*(?:([KQkq])([1-4])|[Mm-]?(\d{1,2}))?$")


def _period(value: Any) -> tuple[int, int | None, int | None]:
    """Year with optional quarter or month: 2024, 2024K1, 2024Q1, 2024M03, 2024-03."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return parse_year(value), None, None
    text = _text(value)
    m = _PERIOD.match(text)
    if not m:
        return parse_year(text), None, None
    year = parse_year(m[1])
    if m[3]:
        return year, int(m[3]), None
    if m[4]:
        month = int(m[4])
        if not 1 <= month <= 12:
            raise Bad(f"månaden i ”{text}” ska vara 1–12", f"month in {text!r} must be 1-12")
        return year, None, month
    return year, None, None


def _month(value: Any) -> int | None:
    text = _text(value).lower()
    if not text:
        return None
    if text in MONTHS:
        return MONTHS[text]
    month = parse_count(text, "månaden", "month")
    if not 1 <= month <= 12:
        raise Bad(f"månaden ”{text}” ska vara 1–12", f"month {text!r} must be 1-12")
    return month


_CATEGORY_CACHE: dict[str, tuple[str, str]] = {}


def categorise(offence: str) -> tuple[str, str]:
    """The handbook group and interpretation category of an offence ("" when unknown)."""
    if offence not in _CATEGORY_CACHE:
        found = classify(offence)
        _CATEGORY_CACHE[offence] = (found.group, found.interpretation) if found else ("", "")
    return _CATEGORY_CACHE[offence]


class KeyedImporter(Importer):
    """An importer whose records have a natural key within the party.

    A key twice in one file is a bad row that names the first one; a key the party has
    already (an earlier import) is skipped, so importing the same file twice adds nothing.
    """

    model: type[Any]
    key_fields: tuple[str, ...] = ()
    twice_sv = "samma {what} finns redan på rad {line}"
    twice_en = "same {what_en} as line {line}"
    what = what_en = ""

    def prepare(self) -> None:
        self.seen: dict[tuple, int] = {}
        self.existing = set(
            self.model.objects.filter(party=self.party).values_list(*self.key_fields)
        )
        self.skipped = 0

    def is_new(self, key: tuple, line: int) -> bool:
        """False for a key the party has; Bad for a key seen earlier in this file."""
        if key in self.seen:
            first = self.seen[key]
            raise Bad(
                self.twice_sv.format(what=self.what, line=first),
                self.twice_en.format(what_en=self.what_en, line=first),
            )
        self.seen[key] = line
        if key in self.existing:
            self.skipped += 1
            return False
        return True

    def flush(self, batch: list[Any], result: ImportResult) -> None:
        self.model.objects.bulk_create(batch, batch_size=5000)
        result.rows_imported += len(batch)

    def finish(self, result: ImportResult) -> None:
        result.rows_skipped = self.skipped


TOTAL_WORDS = {"totalt", "total", "tot", "samtliga", "alla", "båda könen", "1+2", "t",
               "totalt män och kvinnor", "all", "both sexes"}  # fmt: skip


def _is_total(text: str) -> bool:
    """A cell naming the total of its column's categories ("totalt", "båda könen", "1+2")."""
    return text in TOTAL_WORDS or text.startswith(("totalt", "samtliga", "alla "))
