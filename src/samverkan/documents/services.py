"""Issuing documents: build, render, store as an immutable version, and say what changed."""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from samverkan.documents import data, render
from samverkan.documents.models import IssuedDocument
from samverkan.documents.structure import Document
from samverkan.partnerships.models import Partnership

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def formats_of(edition: str) -> tuple[str, ...]:
    """The formats an edition is issued in: the public edition also as an accessible HTML
    page, to publish beside its PDF (the same document, for the same audience)."""
    return ("pdf", "docx", "html") if edition == data.PUBLIC else ("pdf", "docx")


def render_as(doc: Document, fmt: str) -> bytes:
    if fmt == "pdf":
        return render.to_pdf(doc)
    if fmt == "docx":
        # python-docx (and lxml) load with the first Word file, not with the app.
        from samverkan.documents.docx_builder import to_docx

        return to_docx(doc)
    if fmt == "html":
        return render.to_html(doc).encode()
    raise ValueError(f"unknown format {fmt!r}; choose pdf, docx or html")


# File names in Swedish, in ASCII (å, ä and ö become a, a and o) so that every mail client,
# file share and Content-Disposition header keeps them as they are.
_FILE_KINDS = {
    "agreement": "overenskommelse",
    "lagesbild": "lagesbild",
    "vecka": "veckolagesbild",
    "atgardsplan": "atgardsplan",
    "medborgarlofte": "medborgarlofte",
    "followup": "uppfoljningsrapport",
    "fem-i": "5i-beskrivning",
}
_FILE_EDITIONS = {"internal": "intern", "public": "offentlig"}


def name_part(text: str, fallback: str, limit: int = 60) -> str:
    """Text as part of a file name: "Trygg i Exempelby" -> "trygg-i-exempelby"."""
    # Punctuation between words ("Åby–Östra") separates them rather than joining them.
    part = slugify(re.sub(r"[^\w\s-]", " ", text))[:limit].strip("-")
    return part or fallback


def file_name(partnership: Partnership, kind: str, edition: str, fmt: str, number: int = 0) -> str:
    """ "overenskommelse-intern-trygg-i-exempelby-v3.pdf" for an issued version; a document
    built on the spot carries the day instead ("…-exempelby-2026-12-01.pdf")."""
    name = _FILE_KINDS.get(kind, kind)
    edition_name = _FILE_EDITIONS.get(edition, edition)
    who = name_part(partnership.name, f"samverkan-{partnership.pk}")
    when = f"v{number}" if number else timezone.localdate().isoformat()
    return f"{name}-{edition_name}-{who}-{when}.{fmt}"


def signed_file_name(signed: Any) -> str:
    """ "overenskommelse-undertecknad-trygg-i-exempelby-2026-11-30.pdf"."""
    partnership = signed.partnership
    who = name_part(partnership.name, f"samverkan-{partnership.pk}")
    suffix = Path(signed.file.name).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,5}", suffix):
        suffix = ""
    return f"overenskommelse-undertecknad-{who}-{signed.signed_on.isoformat()}{suffix}"


def confidential_access(partnership: Partnership, edition: str, user: Any) -> list[list[int]]:
    """Allowed-party groups of the confidential items an internal edition shows in full."""
    from samverkan.problems.models import Cause, Measure

    if edition == data.PUBLIC:
        return []
    groups = []
    for model in (Cause, Measure):
        items = model.objects.filter(partnership=partnership, confidential=True)
        if user is not None:
            items = items.visible_to(user)
        for item in items.prefetch_related("allowed_parties"):
            groups.append(sorted(p.pk for p in item.allowed_parties.all()))
    return groups


def changes_since(previous: list[str], current: list[str]) -> list[str]:
    """Lines added (+) and removed (−) since the previous version, in reading order."""
    out = []
    for line in difflib.unified_diff(previous, current, lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        out.append(line)
    return out[:500]


def changes_for_reader(version: IssuedDocument, user: Any) -> tuple[IssuedDocument | None, list]:
    """What changed in ``version`` as ``user`` may see it: the diff against the latest earlier
    version the reader may download, with that version (None when there is none).

    A diff line comes from two versions, so it inherits both restrictions: the stored diff is
    against the version just before, and an internal version built by another party may hold
    confidential lines the reader must not see (even as removed lines).
    """
    from samverkan.accounts import access

    earlier = IssuedDocument.objects.filter(
        partnership_id=version.partnership_id,
        kind=version.kind,
        edition=version.edition,
        format=version.format,
        number__lt=version.number,
    ).order_by("-number")
    for candidate in earlier:
        if access.may_download_issued(user, candidate):
            if candidate.number == version.number - 1:
                return candidate, list(version.changes)
            return candidate, changes_since(candidate.source_lines, version.source_lines)
    return None, []


@transaction.atomic
def issue(
    partnership: Partnership, kind: str, edition: str, user: Any = None, progress: Any = None
) -> list[IssuedDocument]:
    """Issue the next version of ``kind`` in ``edition``, as PDF and Word (and the public
    edition as an HTML page too), from one build."""
    doc = data.build(kind, partnership, edition, user)
    lines = doc.text_lines()
    issued = []
    formats = formats_of(edition)
    for step, fmt in enumerate(formats):
        if progress:
            progress(10 + 90 * step // len(formats), f"{fmt}")
        latest = (
            IssuedDocument.objects.filter(
                partnership=partnership, kind=kind, edition=edition, format=fmt
            )
            .order_by("-number")
            .first()
        )
        number = (latest.number if latest else 0) + 1
        content = render_as(doc, fmt)
        record = IssuedDocument(
            partnership=partnership,
            kind=kind,
            edition=edition,
            format=fmt,
            number=number,
            sha256=hashlib.sha256(content).hexdigest(),
            source_lines=lines,
            changes=changes_since(latest.source_lines, lines) if latest else [],
            created_by=user if getattr(user, "is_authenticated", False) else None,
            confidential_access=confidential_access(partnership, edition, user),
        )
        record.file.save(
            file_name(partnership, kind, edition, fmt, number), ContentFile(content), save=False
        )
        record.save()
        issued.append(record)
    return issued


def latest_versions(partnership: Partnership) -> dict[tuple[str, str], int]:
    rows = (
        IssuedDocument.objects.filter(partnership=partnership)
        .values("kind", "edition")
        .annotate(top=Max("number"))
    )
    return {(r["kind"], r["edition"]): r["top"] for r in rows}
