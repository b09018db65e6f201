"""The medborgarlöfte, built from the CitizenPromise records."""

from __future__ import annotations

from typing import Any

from samverkan.documents.data import (
    _base,
    _blocks,
    _date,
    _prioritised,
    _signers,
)
from samverkan.documents.structure import Document, Paragraph, Signatures
from samverkan.partnerships.models import Partnership


def medborgarlofte(partnership: Partnership, edition: str, user: Any) -> Document:
    """The promises to residents, in the public wording the partnership chose for them.

    Nothing here is generated from the measures: a measure's title is working language and may
    describe police operations. Each promise gives its period, who stands behind it, how
    residents can follow it and where they can give feedback. Both editions read the same.
    """
    from samverkan.problems.models import CitizenPromise

    doc = _base(
        "medborgarlofte",
        partnership,
        edition,
        f"från {partnership.police_area} och {partnership.municipality}",
    )
    doc.toc = False
    promises = list(
        CitizenPromise.objects.filter(partnership=partnership).prefetch_related(
            "parties__organisation"
        )
    )
    problems = _prioritised(partnership)
    topic = ", ".join(p.title.lower() for p in problems) or "tryggheten i kommunen"
    doc.section(
        "Det här har vi sett",
        Paragraph(
            "Polisen och kommunen har tillsammans gått igenom läget och kommit fram till att "
            f"vi ska arbeta särskilt med {topic}."
        ),
    )
    if not promises:
        doc.section(
            "Det här lovar vi",
            Paragraph(
                "Inga löften är formulerade ännu. Skriv dem under Steg 3, Medborgarlöften.",
                "note",
            ),
        )
        return doc
    section = doc.section("Det här lovar vi")
    for number, promise in enumerate(promises, start=1):
        behind = _and_list([str(p) for p in promise.parties.all()])
        section.sub(
            f"Löfte {number}",
            *_blocks(promise.wording),
            Paragraph(
                f"Gäller {_date(promise.starts_on)} – {_date(promise.ends_on)}. "
                f"Bakom löftet står {behind}.",
                "note",
            ),
            Paragraph(f"Så får du veta hur det går: {promise.follow_up}"),
            Paragraph(f"Synpunkter: {promise.feedback}"),
        )
    doc.section("Underskrifter", Signatures(_signers(partnership, doc)))
    return doc


def _and_list(names: list[str]) -> str:
    """ "A", "A och B", "A, B och C"."""
    if len(names) <= 1:
        return "".join(names) or "–"
    return f"{', '.join(names[:-1])} och {names[-1]}"
