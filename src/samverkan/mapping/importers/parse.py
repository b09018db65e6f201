"""Cell parsers for Swedish files: dates with month names, times, numbers with decimal comma.

Each parser raises ``Bad`` with a Swedish and an English reason, naming what would be right.
"""

from __future__ import annotations

import datetime
import re

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4,
    "apr": 4, "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip


class Bad(ValueError):
    """A cell that cannot be read: ``sv`` for the pages, ``en`` for the command line."""

    def __init__(self, sv: str, en: str) -> None:
        super().__init__(en)
        self.sv = sv
        self.en = en


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ tT](\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SLASH_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")
_NAMED = re.compile(
    r"^(\d{1,2})\s+([a-zåäö]+)\.?\s+(\d{4})(?:\s+(?:kl\.?\s*)?(\d{1,2})[:.](\d{2}))?$"
)
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?(?::\d{2}(?:\.\d+)?)?$")


def _date(y: int, m: int, d: int, text: str) -> datetime.date:
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise Bad(
            f"datumet ”{text}” finns inte i kalendern",
            f"date {text!r} does not exist",
        ) from None


def parse_datetime(value: object) -> tuple[datetime.date, datetime.time | None]:
    """A date, with the time if the cell carries one.

    Accepts 2025-03-12, 20250312, 2025/03/12, 12/3/2025 and 12.3.2025 (day first, as in
    Sweden), "12 mars 2025", Excel date cells, and any of these followed by a time.
    """
    if isinstance(value, datetime.datetime):
        t = value.time()
        return value.date(), (t if (t.hour or t.minute) else None)
    if isinstance(value, datetime.date):
        return value, None
    text = str(value).strip().lower() if value is not None else ""
    if not text:
        raise Bad("datum saknas", "date is missing")
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # fast path: 2025-03-12
        try:
            return datetime.date(int(text[:4]), int(text[5:7]), int(text[8:])), None
        except ValueError:
            pass  # fall through to the full parser and its message
    if m := _ISO.match(text):
        y, mo, d, hh, mm = m.groups()
        return _date(int(y), int(mo), int(d), text), _time(hh, mm, text) if hh else None
    if m := _COMPACT.match(text) or _SLASH_YMD.match(text):
        return _date(int(m[1]), int(m[2]), int(m[3]), text), None
    if m := _DMY.match(text):
        d, mo, y, hh, mm = m.groups()
        return _date(int(y), int(mo), int(d), text), _time(hh, mm, text) if hh else None
    if m := _NAMED.match(text):
        d, name, y, hh, mm = m.groups()
        if name not in MONTHS:
            raise Bad(
                f"okänt månadsnamn ”{name}” i datumet ”{text}”",
                f"unknown month name {name!r} in date {text!r}",
            )
        return _date(int(y), MONTHS[name], int(d), text), _time(hh, mm, text) if hh else None
    raise Bad(
        f"datumet ”{text}” kan inte läsas; skriv t.ex. 2025-03-12 eller 12 mars 2025",
        f"cannot read date {text!r}; use e.g. 2025-03-12 or 12 mars 2025",
    )


def _time(hh: str, mm: str | None, text: str) -> datetime.time:
    h, m = int(hh), int(mm or 0)
    if h > 23 or m > 59:
        raise Bad(
            f"klockslaget ”{text}” finns inte; använd 00:00–23:59",
            f"time {text!r} does not exist; use 00:00-23:59",
        )
    return datetime.time(h, m)


def parse_time(value: object) -> datetime.time | None:
    """A time of day: 21:30, 21.30, 2130, 21:30:00, or an Excel time cell; empty is None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, datetime.time):
        return value.replace(second=0, microsecond=0)
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 5 and text[2] == ":" and text[:2].isdigit() and text[3:].isdigit():
        return _time(text[:2], text[3:], text)  # fast path: 21:30
    m = _TIME.match(text)
    if m and len(m[1]) <= 2:
        return _time(m[1], m[2], text)
    if text.isdigit() and len(text) in (3, 4):  # 930, 2130
        return _time(text[:-2], text[-2:], text)
    raise Bad(
        f"klockslaget ”{text}” kan inte läsas; skriv t.ex. 21:30 eller 2130",
        f"cannot read time {text!r}; use e.g. 21:30 or 2130",
    )


_SPACES = str.maketrans("", "", " \u00a0\u202f'")


def parse_float(value: object, what: str, what_en: str) -> float:
    """A number with decimal comma or point and optional thousands spaces ("1 234,5")."""
    if isinstance(value, bool):
        raise Bad(f"{what} ska vara ett tal", f"{what_en} must be a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.isdigit():  # fast path: 674129
        return float(value)
    text = str(value if value is not None else "").translate(_SPACES).rstrip("%")
    if not text:
        raise Bad(f"{what} saknas", f"{what_en} is missing")
    if "," in text and "." in text:  # 1.234,5 (thousands point) or 1,234.5
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    else:
        text = text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise Bad(
            f"{what} ”{value}” är inte ett tal; skriv t.ex. 12,5",
            f"{what_en} {value!r} is not a number; write e.g. 12.5",
        ) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise Bad(f"{what} ”{value}” är inte ett tal", f"{what_en} {value!r} is not a number")
    return number


def parse_count(value: object, what: str, what_en: str) -> int:
    """A non-negative whole number ("1 234" allowed)."""
    number = parse_float(value, what, what_en)
    if number < 0 or number != int(number):
        raise Bad(
            f"{what} ”{value}” ska vara ett heltal som är 0 eller större",
            f"{what_en} {value!r} must be a whole number of at least 0",
        )
    return int(number)


def parse_year(value: object) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2100:
        raise Bad(
            f"året ”{text}” ska vara fyra siffror, t.ex. 2024",
            f"year {text!r} must be four digits, e.g. 2024",
        )
    return int(text)
