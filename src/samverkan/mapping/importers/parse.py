"""Cell parsers for Swedish files: dates with month names, times, numbers with decimal comma.

Each parser raises ``Bad`` with a Swedish and an English reason, naming what would be right.
"""

from __future__ import annotations

import datetime
import math
import re

from samverkan.lib import numbers

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "mars": 3, "mar": 3, "april": 4,
    "apr": 4, "maj": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augusti": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip


class Bad(ValueError):
    """A cell that cannot be read: ``sv`` for the pages, ``en`` for the command line.

    ``line`` is set when a whole file is refused at a known line (its text already says so).
    """

    def __init__(self, sv: str, en: str, line: int = 0) -> None:
        super().__init__(en)
        self.sv = sv
        self.en = en
        self.line = line


# re.ASCII: \d would otherwise match digits of every script ("²" is no digit, "٣" is not 3).
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ tT](\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?)?$", re.ASCII
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
_SLASH_YMD = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$", re.ASCII)
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$", re.ASCII)
_NAMED = re.compile(
    r"^([0-9]{1,2})\s+([a-zåäö]+)\.?\s+([0-9]{4})(?:\s+(?:kl\.?\s*)?([0-9]{1,2})[:.]([0-9]{2}))?$"
)
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?(?::\d{2}(?:\.\d+)?)?$", re.ASCII)


FIRST_YEAR = 1900  # older dates in a crime file are typing errors (0001-01-01, 1024)
MAX_COUNT = 2**31 - 1  # the largest count every database column takes


def last_year() -> int:
    """The latest year a date or figure may have: next year (plans and forecasts)."""
    return datetime.date.today().year + 1


def check_date(value: datetime.date, text: object) -> datetime.date:
    """A date within FIRST_YEAR and next year; 9999-12-31 or 0001-01-01 are refused."""
    if not FIRST_YEAR <= value.year <= last_year():
        raise Bad(
            f"datumet ”{text}” ligger utanför {FIRST_YEAR}–{last_year()}",
            f"date {text!s} is outside {FIRST_YEAR}-{last_year()}",
        )
    return value


def _date(y: int, m: int, d: int, text: str) -> datetime.date:
    try:
        value = datetime.date(y, m, d)
    except ValueError:
        raise Bad(
            f"datumet ”{text}” finns inte i kalendern",
            f"date {text!r} does not exist",
        ) from None
    return check_date(value, text)


def parse_datetime(value: object) -> tuple[datetime.date, datetime.time | None]:
    """A date, with the time if the cell carries one.

    Accepts 2025-03-12, 20250312, 2025/03/12, 12/3/2025 and 12.3.2025 (day first, as in
    Sweden), "12 mars 2025", Excel date cells, and any of these followed by a time.
    """
    if isinstance(value, datetime.datetime):
        t = value.time()
        check_date(value.date(), value.date().isoformat())
        return value.date(), (t if (t.hour or t.minute) else None)
    if isinstance(value, datetime.date):
        return check_date(value, value.isoformat()), None
    text = str(value).strip().lower() if value is not None else ""
    if not text:
        raise Bad("datum saknas", "date is missing")
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():  # 2025-03-12
        try:
            date = datetime.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass  # fall through to the full parser and its message
        else:
            return check_date(date, text), None
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
    if (
        len(text) == 5
        and text[2] == ":"
        and text.isascii()
        and text[:2].isdigit()
        and text[3:].isdigit()
    ):
        return _time(text[:2], text[3:], text)  # fast path: 21:30
    m = _TIME.match(text)
    if m and len(m[1]) <= 2:
        return _time(m[1], m[2], text)
    if text.isascii() and text.isdigit() and len(text) in (3, 4):  # 930, 2130
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
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float (JSON allows 10**400)
            number = math.inf
        if not math.isfinite(number):
            raise Bad(
                f"{what} ”{_short(value)}” är inte ett ändligt tal",
                f"{what_en} {_short(value)} is not a finite number",
            )
        return number
    if isinstance(value, str) and value.isascii() and value.isdigit():  # fast path: 674129
        number = float(value)  # 400 digits are infinity
        if math.isfinite(number):
            return number
    text = str(value if value is not None else "").translate(_SPACES).rstrip("%").rstrip()
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
    # float() reads digits of every script, "_" separators, "nan" and "infinity": accept
    # only what a spreadsheet writes.
    if not _PLAIN_NUMBER.match(text):
        raise Bad(
            f"{what} ”{_short(value)}” är inte ett tal; skriv t.ex. 12,5",
            f"{what_en} {_short(value)!r} is not a number; write e.g. 12.5",
        )
    number = float(text)
    if not math.isfinite(number):
        raise Bad(
            f"{what} ”{_short(value)}” är inte ett ändligt tal",
            f"{what_en} {_short(value)!r} is not a finite number",
        )
    return number


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def _short(value: object, limit: int = 40) -> str:
    """A cell as it may be quoted in a message: long cells are cut."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_count(value: object, what: str, what_en: str) -> int:
    """A non-negative whole number ("1 234" allowed)."""
    number = parse_float(value, what, what_en)
    if number < 0 or number != int(number):
        raise Bad(
            f"{what} ”{_short(value)}” ska vara ett heltal som är 0 eller större",
            f"{what_en} {_short(value)!r} must be a whole number of at least 0",
        )
    if number > MAX_COUNT:
        raise Bad(
            f"{what} ”{_short(value)}” är orimligt stort (högst {numbers.number(MAX_COUNT)})",
            f"{what_en} {_short(value)!r} is too large (at most {MAX_COUNT})",
        )
    return int(number)


def parse_year(value: object) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if not re.fullmatch(r"[0-9]{4}", text):
        raise Bad(
            f"året ”{_short(text)}” ska vara fyra siffror, t.ex. 2024",
            f"year {_short(text)!r} must be four digits, e.g. 2024",
        )
    if not FIRST_YEAR <= int(text) <= last_year():
        raise Bad(
            f"året {text} ligger utanför {FIRST_YEAR}–{last_year()}",
            f"year {text} is outside {FIRST_YEAR}-{last_year()}",
        )
    return int(text)


# Control characters (C0 other than tab and line breaks, DEL, C1): never in a real name, and
# PostgreSQL refuses NUL in text.
# Lone surrogates (JSON may write "\udcff") cannot be stored as text at all.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str, limit: int = 1000) -> str:
    """Text safe to store and show in a message: control characters and lone surrogates
    replaced by U+FFFD (PostgreSQL's JSON takes no NUL), long text cut."""
    text = CONTROL.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit] + "…"


def check_text(text: str, what: str, what_en: str, limit: int) -> str:
    """Text for a column of ``limit`` characters, without control characters."""
    if m := CONTROL.search(text):
        raise Bad(
            f"{what} innehåller ett styrtecken (U+{ord(m[0]):04X}) som inte hör hemma i text",
            f"{what_en} holds a control character (U+{ord(m[0]):04X})",
        )
    if len(text) > limit:
        raise Bad(
            f"{what} är {len(text)} tecken lång; högst {limit} tecken får plats",
            f"{what_en} is {len(text)} characters long; at most {limit} fit",
        )
    return text
