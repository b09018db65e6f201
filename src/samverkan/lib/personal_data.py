"""Personal data in typed text: identity numbers, names and addresses. Plain functions, no Django.

Free text typed in the field often names people, and reports about threats or drug dealing
are data about suspected offences (GDPR art. 10). Two levels:

- **Identity numbers** (personnummer, samordningsnummer; Skatteverket SKV 704 and 707) are
  refused outright. The text is normalised first (Unicode NFKC, every decimal digit of any
  script read as its value, every dash as "-", every space as " "), so an en dash, spaces
  inside the number or full-width digits do not hide it. A number counts when its date is a
  real date (a samordningsnummer has 60 added to the day) and either
  * its check digit is right (Luhn, as Skatteverket computes it over the ten-digit form), or
  * it is written the way a personnummer is written: the last four digits apart from the
    date by a dash, plus or space ("080512-1234", "20080512 1234"), or it follows a word
    such as "pnr" or "personnummer". A slip in the check digit still points to one person,
    while a bare run of ten digits with a wrong check digit is more likely a phone number.
- **Names and addresses** are only likely: a word pair that looks like a first and last name
  (in any case: "Johan Svensson", "johan svensson", "JOHAN SVENSSON"), or an apartment number
  ("lgh 1102"). These warn; the caller decides what a warning means.

Every finding carries its span in the original text, so a caller can show or mask exactly it.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MASK = "[maskerat]"

PERSONNUMMER = "personnummer"
SAMORDNINGSNUMMER = "samordningsnummer"
NAME = "name"
ADDRESS = "address"


@dataclass(frozen=True)
class Finding:
    """One piece of likely personal data: what kind, the text as typed, and where."""

    kind: str
    text: str
    start: int
    end: int


# ---- normalisation -------------------------------------------------------------------------

_DASHES = {"\u2212", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\ufe58"}


def _fold(char: str) -> str:
    """One normalised character (or several, for a compatibility ligature)."""
    folded = unicodedata.normalize("NFKC", char)
    out = []
    for c in folded:
        if c.isdecimal():
            out.append(str(unicodedata.decimal(c)))
        elif c in _DASHES or unicodedata.category(c) == "Pd":
            out.append("-")
        elif c.isspace() or unicodedata.category(c) in ("Zs", "Cf"):
            out.append(" ")
        else:
            out.append(c)
    return "".join(out)


def normalise(text: str) -> tuple[str, list[int]]:
    """The text in NFKC with ASCII digits, "-" for dashes and " " for spaces, and for each
    character of the result the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text or ""):
        for c in _fold(char):
            chars.append(c)
            origin.append(index)
    return "".join(chars), origin


def _span(origin: list[int], start: int, end: int) -> tuple[int, int]:
    return origin[start], origin[end - 1] + 1


# ---- identity numbers ----------------------------------------------------------------------

# A run of digits with single separators inside it: "080512-1234", "0805 12 12 34".
_RUN = re.compile(r"\d(?:[ .\-+]?\d)*")
_KEYWORD = re.compile(
    r"(?:pers(?:on)?\.?\s*(?:nr|nummer)|p\.?\s*-?\s*nr|pnr|personnummer|samordningsnummer|"
    r"samordningsnr|pnummer|p-nummer|födelsenummer)\.?\s*:?\s*$",
    re.IGNORECASE,
)
_CENTURIES = ("18", "19", "20")


def luhn_check_digit(nine: str) -> int:
    """The check digit of a personnummer's first nine digits (yymmddnnn): the Luhn algorithm,
    weights 2,1,2,… from the left, digits of products summed (Skatteverket SKV 704)."""
    total = 0
    for i, c in enumerate(nine):
        value = int(c) * (2 if i % 2 == 0 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def _date_kind(year: int, month: int, day: int) -> str | None:
    """PERSONNUMMER or SAMORDNINGSNUMMER if the date part is a real date, else None."""
    if not 1 <= month <= 12:
        return None
    kind = PERSONNUMMER
    if day > 60:
        day -= 60
        kind = SAMORDNINGSNUMMER
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return kind


def _ten_digit_kind(ten: str, centuries: Iterable[str]) -> str | None:
    yy, month, day = ten[0:2], int(ten[2:4]), int(ten[4:6])
    for century in centuries:
        kind = _date_kind(int(century + yy), month, day)
        if kind:
            return kind
    return None


def _looks_written(run: str, digit_at: list[int], start: int, end: int) -> bool:
    """Whether the last four digits of the window stand apart from the date by a separator."""
    before_serial = digit_at[end - 4]
    serial_whole = digit_at[end - 1] - before_serial == 3
    return serial_whole and before_serial > 0 and run[before_serial - 1] in " -+"


def identity_numbers(text: str) -> list[Finding]:
    """Personnummer and samordningsnummer in ``text`` (10 or 12 digits, any dash or space)."""
    norm, origin = normalise(text)
    found: list[Finding] = []
    for match in _RUN.finditer(norm):
        run = match.group()
        digit_at = [i for i, c in enumerate(run) if c.isdigit()]
        digits = "".join(run[i] for i in digit_at)
        # A window may start only where a group starts (the run's start, or after a separator)
        # and end where one ends: "1080512-12345" is no personnummer.
        starts = {0} | {k for k in range(1, len(digit_at)) if digit_at[k] - digit_at[k - 1] > 1}
        ends = {len(digit_at)} | {k for k in range(1, len(digit_at)) if k in starts}
        keyword = bool(_KEYWORD.search(norm[max(0, match.start() - 30) : match.start()]))
        # Every window that reads as a number, the wider first at each start. Where windows
        # overlap ("3 2 0 2 1 0 2 6 4 0 0 0 6": spaced digits start a window anywhere), one
        # whose check digit holds wins over one taken for its look or a keyword alone, then a
        # 12-digit one (its century read too) over a 10-digit one, then the earlier one.
        candidates: list[tuple[bool, int, int, str]] = []
        for first in sorted(starts):
            for width in (12, 10):
                last = first + width
                if last not in ends:
                    continue
                window = digits[first:last]
                if width == 12:
                    if window[:2] not in _CENTURIES:
                        continue
                    kind = _ten_digit_kind(window[2:], (window[:2],))
                    ten = window[2:]
                else:
                    kind = _ten_digit_kind(window, ("20", "19", "18"))
                    ten = window
                if kind is None:
                    continue
                checked = luhn_check_digit(ten[:9]) == int(ten[9])
                written = _looks_written(run, digit_at, first, last)
                if not (checked or written or (keyword and first == 0)):
                    continue
                candidates.append((not checked, first, last, kind))
                break
        chosen: list[tuple[int, int, str]] = []
        for _unchecked, first, last, kind in sorted(
            candidates, key=lambda c: (c[0], c[1] - c[2], c[1])
        ):
            if all(last <= a or first >= b for a, b, _kind in chosen):
                chosen.append((first, last, kind))
        for first, last, kind in sorted(chosen):
            s, e = match.start() + digit_at[first], match.start() + digit_at[last - 1] + 1
            start, end = _span(origin, s, e)
            found.append(Finding(kind, text[start:end], start, end))
    return found


def has_identity_number(text: str) -> bool:
    return bool(identity_numbers(text))


# ---- names -----------------------------------------------------------------------------------

# Common Swedish first names (SCB's most common names, both sexes), lower case. Names that are
# also everyday words ("per", "bo", "stig", "sten", "björn", "vilja") are left out: they would
# make every other sentence look like a name.
FIRST_NAMES = frozenset(
    """
    adam adrian agnes ahmed albin albert alexander alfred ali alice alicia alma alva amanda
    amir ana anders andreas anette angelica anita ann anna anneli annika anton arvid astrid
    axel barbro bengt benjamin berit birgitta britt camilla carina carl carlos caroline cecilia
    charlie charlotte christer christian christina claes daniel david dennis ebba edvin eira
    elias elin elisabeth ella ellen ellie elsa elvira emelie emil emilia emma erik erika
    evelina fatima felicia filip frida fredrik gabriel gunilla gunnar gustav göran hanna
    hannah hans harald hassan helena henrik hugo ibrahim ida ingrid isabella isak jacob jakob
    jan jenny jessica joakim johan johanna john jonas jonathan josef josefin julia karin karl
    kent kerstin kevin kjell krister kristina lars leo leon liam lina linda linn linnea lisa
    lucas ludvig madeleine magnus maja malin marcus maria marie markus martin mathias matilda
    mats mattias max maya mikael mohamed mohammad mohammed moa molly monica nathalie nicklas
    niklas nils noah nora nova oliver olivia olle omar oscar oskar patrik peter petra pontus
    rasmus rebecca robert robin roger sandra sara selma simon sofia sofie stefan susanne sven
    therese thomas tilda tobias tomas ulf ulla ulrika viktor viktoria vincent wilma william
    yusuf zara åsa
    """.split()
)

# Endings of Swedish surnames; a word with one of these (and long enough) is a likely surname.
SURNAME_ENDINGS = (
    "sson", "son", "berg", "ström", "strom", "gren", "qvist", "kvist", "lund", "holm", "dahl",
    "blom", "stedt", "fors", "mark", "ander", "ius", "lin", "man", "borg", "sjö", "näs",
    "vall", "quist", "hed", "ell",
)  # fmt: skip
_SURNAME_MIN = 5

# Capitalised words that begin sentences or name institutions and things, not people.
NOT_NAMES = frozenset(
    """
    vi jag det den de där här en ett två tre fyra fem flera många några inga ingen alla
    vid efter före under över mellan kl klockan runt utanför innanför på till från med mot
    polisen polis kommunen kommun väktare väktarna fältassistent fältassistenter socialtjänsten
    räddningstjänsten ambulans skolan biblioteket centrum torget stationen parken gatan
    måndag tisdag onsdag torsdag fredag lördag söndag ungdomar personer grupp gruppen
    samtal inget lugnt bra mycket ganska stökigt klotter skadegörelse nedskräpning
    sedan senare tidigare igår idag ikväll inatt även också men och eller som om
    han hon hen dom man mamma pappa kvinna kvinnan mannen killar tjejer killen tjejen
    sålde säljer stod satt sprang gick kom var är har hade blev ingen sålde igen
    person personen vakt vakten lärare rektor
    """.split()
)
# Surname-looking everyday words that are not names.
_NOT_SURNAMES = frozenset(
    """
    person personer version vision mission kommission station stationen reson säsong
    sommar vinter hellre snell modell hotell kvell mellan kapell spell strängt
    bekymmersam berg borg holm lund dahl strand norrman fiskeman kameran bilen
    ungdomsgård gården ensam enkel snabbare tillsammans mycket lugnt människan människor
    kvällen morgonen kvinnan mannen
    """.split()
)

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _surname_like(word: str) -> bool:
    low = word.lower()
    if low in _NOT_SURNAMES or low in NOT_NAMES or len(low) < _SURNAME_MIN:
        return False
    return any(low.endswith(ending) for ending in SURNAME_ENDINGS)


def _known_phrases(known: Iterable[str]) -> list[str]:
    return [" ".join(_WORD.findall(phrase.lower())) for phrase in known if phrase]


def names(text: str, known: Iterable[str] = ()) -> list[Finding]:
    """Word pairs that look like a person's first and last name, in any case.

    A pair counts when its first word is a common first name and the second is not an everyday
    word, or when both words are capitalised mid-text ("Kalle Anka"), or when the second word
    has a surname's ending ("johan svensson", "JOHAN SVENSSON"). Pairs inside a phrase of
    ``known`` (the partnership's place names: "Gustav Adolfs torg") are not names.
    """
    source = text or ""
    words = list(_WORD.finditer(source))
    phrases = _known_phrases(known)
    found: list[Finding] = []
    i = 0
    while i < len(words) - 1:
        first, last = words[i], words[i + 1]
        between = source[first.end() : last.start()]
        a, b = first.group(), last.group()
        la, lb = a.lower(), b.lower()
        if between.strip() or "\n" in between or la in NOT_NAMES or lb in NOT_NAMES:
            i += 1
            continue
        first_name = la in FIRST_NAMES
        capitals = _is_capitalised(a) and _is_capitalised(b) and len(a) > 1 and len(b) > 1
        shouting = a.isupper() and b.isupper() and len(a) > 1
        likely = (
            (first_name and (_surname_like(b) or b[:1].isupper()))
            or (capitals and (first_name or _surname_like(b) or not _sentence_start(source, first)))
            or ((first_name or shouting or capitals) and _surname_like(b))
        )
        pair = f"{la} {lb}"
        if likely and not any(pair in phrase for phrase in phrases):
            found.append(
                Finding(NAME, source[first.start() : last.end()], first.start(), last.end())
            )
            i += 2
            continue
        i += 1
    return found


def _sentence_start(text: str, word: re.Match[str]) -> bool:
    before = text[: word.start()].rstrip()
    return not before or before[-1] in ".!?:;\n"


# ---- addresses -----------------------------------------------------------------------------

_APARTMENT = re.compile(
    r"\b(?:lgh|lägenhet|lägenhetsnummer|lgh\.?\s*nr|l\.?gh)\.?\s*(?:nr\.?\s*)?\d{3,4}\b",
    re.IGNORECASE,
)
_CARE_OF = re.compile(r"\bc/o\s+\S+", re.IGNORECASE)


def address_hints(text: str) -> list[Finding]:
    """Apartment numbers ("lgh 1102") and c/o addresses: where one household lives."""
    norm, origin = normalise(text)
    found = []
    for pattern in (_APARTMENT, _CARE_OF):
        for match in pattern.finditer(norm):
            start, end = _span(origin, match.start(), match.end())
            found.append(Finding(ADDRESS, (text or "")[start:end], start, end))
    return sorted(found, key=lambda f: f.start)


# ---- together ------------------------------------------------------------------------------


def warnings(text: str, known: Iterable[str] = ()) -> list[Finding]:
    """Likely personal data that a writer should look at again: names and addresses."""
    return sorted(names(text, known) + address_hints(text), key=lambda f: f.start)


def mask(text: str, findings: Iterable[Finding], marker: str = MASK) -> str:
    """``text`` with each finding's span replaced by ``marker`` (overlaps merged)."""
    spans = sorted((f.start, f.end) for f in findings)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(text[at:start])
        out.append(marker)
        at = end
    out.append(text[at:])
    return "".join(out)


def is_masking_of(original: str, masked: str, marker: str = MASK) -> bool:
    """Whether ``masked`` is ``original`` with some parts replaced by ``marker`` and nothing
    else changed (a coordinator masks a report; they do not rewrite it)."""
    if masked == original:
        return True
    pieces = masked.split(marker)
    if len(pieces) == 1:
        return False
    if not original.startswith(pieces[0]) or not original.endswith(pieces[-1]):
        return False
    # Leftmost placement of each kept piece leaves the most room for the rest; every marker
    # hides at least one character.
    at = len(pieces[0])
    end_limit = len(original) - len(pieces[-1])
    for piece in pieces[1:-1]:
        found = original.find(piece, at + 1) if piece else at + 1
        if found == -1:
            return False
        at = found + len(piece)
    return at + 1 <= end_limit
