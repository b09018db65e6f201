"""Does a free text seem to name a person? A warning, not a verdict.

Field reports are shared with the whole partnership and go into the weekly picture, so a
name or a personnummer in the free text spreads further than the writer may think. The form
warns and lets the writer confirm (a place named after a person, "Gustav Adolfs torg", is
fine); it never silently accepts or silently refuses.
"""

from __future__ import annotations

import re

# Personnummer or samordningsnummer: (yy)yymmdd, optional - or +, four digits.
_PERSONNUMMER = re.compile(r"(?<!\d)(?:19|20)?\d{2}[01]\d[0-9]\d[-+ ]?\d{4}(?!\d)")
_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéüß]{1,}(?:-[A-ZÅÄÖ][a-zåäöé]+)?"
# Two (or three) capitalised words in a row: "Anna Svensson", "Ali Hassan Omar".
_NAME = re.compile(rf"\b({_WORD})\s+({_WORD})\b")

# Capitalised words that begin sentences or name institutions, not people.
_NOT_NAMES = frozenset(
    """
    Vi Jag Det Den De Där Här En Ett Två Tre Fyra Fem Flera Många Några Inga Ingen Alla
    Vid Efter Före Under Över Mellan Kl Klockan Runt Utanför Innanför På Till Från Med Mot
    Polisen Polis Kommunen Kommun Väktare Väktarna Fältassistent Fältassistenter Socialtjänsten
    Räddningstjänsten Ambulans Skolan Biblioteket Centrum Torget Stationen Parken Gatan
    Måndag Tisdag Onsdag Torsdag Fredag Lördag Söndag Ungdomar Personer Grupp Gruppen
    Samtal Ingen Inget Lugnt Bra Mycket Ganska Stökigt Klotter Skadegörelse Nedskräpning
    Sedan Senare Tidigare Igår Idag Ikväll Inatt Även Också Men Och Eller Som Om
    """.split()
)


def personnummer_in(text: str) -> list[str]:
    return _PERSONNUMMER.findall(text or "")


def names_in(text: str, known: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Word pairs that look like a first and last name, minus known place/category words."""
    known_words = {w.lower() for phrase in known for w in phrase.split()}
    found = []
    for first, last in _NAME.findall(text or ""):
        if first in _NOT_NAMES or last in _NOT_NAMES:
            continue
        if first.lower() in known_words or last.lower() in known_words:
            continue
        found.append(f"{first} {last}")
    return found


def seems_to_name_people(text: str, known: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """What in ``text`` looks like a person's name or personnummer (empty: nothing)."""
    return personnummer_in(text) + names_in(text, known)
