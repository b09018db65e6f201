"""The weekly picture (veckolägesbild) from the field reports, for one ISO week.

The same numbers as the page (fieldwork.services.weekly_picture). Neither edition carries free
text or typed places: an issued internal version is read by members who may not see a
held-back report, and places are the listed ones or "Annan plats". The internal edition built
by a coordinator (or at the command line) shows every count and lists the notable reports
(time, listed place, category, people); built for anyone else, small counts are suppressed and
the notable reports are given as category counts only. The public edition suppresses small
counts, names a focus place only when nothing in the suggestion gives a suppressed count away
(fieldwork.services._focus), and holds no report-level detail and no map points.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from samverkan.documents.data import INTERNAL, PUBLIC, _base
from samverkan.documents.structure import BulletList, Document, Paragraph, Table
from samverkan.partnerships.models import Partnership

SOURCE = "Källa: samverkans fältrapporter i Samverkan"


def vecka(partnership: Partnership, edition: str, user: Any, week: str | None = None) -> Document:
    """Build the weekly picture of ``week`` ("2026-W48"); without it, the last complete week
    (``default_week``)."""
    from django.utils import timezone
    from django.utils.formats import date_format

    from samverkan.fieldwork import services

    if week:
        year, number = services.parse_week(week)
    else:
        year, number = default_week(partnership)
    full = edition == INTERNAL and services.may_see_full_counts(user, partnership)
    picture = services.weekly_picture(partnership, year, number, full=full, viewer=user)

    doc = _base("vecka", partnership, edition, f"{picture.title} ({picture.period})")
    doc.toc = False
    doc.meta["week"] = picture.label
    threshold = settings.SMALL_COUNT_THRESHOLD
    basis = (
        f"Fältrapporter från samverkans fältpersonal vecka {picture.label}, jämförda med snittet "
        f"för veckorna {', '.join(picture.previous_weeks)} och med samma vecka året innan "
        f"({picture.last_year_label})."
    )
    if not full:
        basis += f" Antal under {threshold} redovisas inte (visas som ”..”)."
    doc.section(
        "Underlag", Paragraph(basis), Paragraph(f"Totalt denna vecka: {picture.total} rapporter.")
    )

    if picture.focus:
        doc.section(
            "Förslag på platser att fokusera på nästa vecka",
            BulletList(tuple(f"{f.place}: {f.reason}" for f in picture.focus)),
            Paragraph(
                "Regeln: minst två rapporter och fler än snittet för de fyra veckorna innan, "
                "eller någon rapport om hot, våld eller narkotikaförsäljning. Ett förslag, inte "
                "ett beslut.",
                "note",
            ),
        )
    else:
        doc.section(
            "Förslag på platser att fokusera på nästa vecka",
            Paragraph("Inga platser sticker ut denna vecka."),
        )

    headers = (
        "Denna vecka",
        "Snitt fyra veckor innan",
        "Förändring",
        f"Samma vecka i fjol ({picture.last_year_label})",
    )
    counts = doc.section("Antal rapporter")
    if picture.empty and not picture.categories:
        counts.add(Paragraph("Inga fältrapporter denna vecka eller veckorna innan.", "note"))
    else:
        for caption, first, rows in (
            ("Rapporter per kategori", "Kategori", picture.categories),
            ("Rapporter per plats", "Plats", picture.places),
        ):
            counts.add(
                Table(
                    caption=f"{caption}, vecka {picture.label}",
                    headers=(first, *headers),
                    rows=tuple(
                        (r.label, r.this_week, r.previous_mean, r.change or "–", r.last_year)
                        for r in rows
                    ),
                    source=f"{SOURCE}. Antal rapporter, inte antal händelser eller personer.",
                )
            )

    if edition == PUBLIC:
        doc.section(
            "Om rapporterna",
            Paragraph(
                "Enskilda rapporter, deras fritext och platser som rapportörerna skrivit själva "
                "redovisas inte i den offentliga versionen. En plats föreslås för fokus bara "
                "när förslaget inte avslöjar ett antal under "
                f"{threshold}.",
                "note",
            ),
        )
        return doc
    notable = doc.section("Att lägga märke till")
    if picture.notable:
        lines = []
        for r in picture.notable:
            when = date_format(timezone.localtime(r.observed_at), "l j F H:i")
            people = f" ({r.people} personer)" if r.people else ""
            lines.append(f"{when}, {r.place}: {r.category}{people}.")
        notable.add(BulletList(tuple(lines)))
        notable.add(
            Paragraph(
                "Rapporter om hot eller våld, narkotikaförsäljning, många personer (tio eller "
                "fler) och positiva iakttagelser. Platser som rapportören skrev själv står som "
                "”Annan plats”; rapporternas fritext finns inte i dokumentet.",
                "note",
            )
        )
    elif picture.notable_counts:
        notable.add(BulletList(tuple(f"{name}: {count}" for name, count in picture.notable_counts)))
        notable.add(
            Paragraph(
                "Kategorier med rapporter att lägga märke till, med kategorins antal denna "
                "vecka. Enskilda rapporter redovisas bara för samordnarna.",
                "note",
            )
        )
    else:
        notable.add(Paragraph("Inget särskilt denna vecka."))
    return doc


def default_week(partnership: Partnership) -> tuple[int, int]:
    """The last complete week, or the latest week with reports before it: never the week
    under way (on a Monday morning that is a week two hours old)."""
    from samverkan.fieldwork import services

    last_complete = services.shift_week(*services.current_week(), -1)
    latest = services.latest_week_with_reports(partnership)
    return min(latest, last_complete) if latest else last_complete
