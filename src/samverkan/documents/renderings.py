"""Stored renderings: a document downloaded again with unchanged content is not laid out again.

Laying out a PDF takes seconds (WeasyPrint), a Word file about one; neither belongs inside a
web request. A download (documents/views.download) builds the document for its reader, which is
quick, and asks here for a stored file with the same content. When there is none, a job
(documents.render, documents/jobs.py) renders it and stores it, and the download's address
then serves it.

A stored file is found by its slot (partnership, document, edition, format, the reader's
audience, the week of a weekly picture) and used only while its ``digest`` equals the digest of
what the reader's build gives now. The digest covers the whole built structure (every text,
table cell, chart drawing and its PNG, the logo's bytes) and the renderer (its code, templates,
fonts and library versions), so a file is never served for content that has changed since, and
never to a reader whose build differs: the audience in the slot keeps the editions for
different readers apart on top of that, so one audience's file never even competes with
another's.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
from importlib import metadata
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from samverkan.accounts import audience as audiences
from samverkan.documents.models import Rendering
from samverkan.documents.structure import Document
from samverkan.partnerships.models import Partnership

log = logging.getLogger(__name__)

# Formats laid out by a renderer that takes seconds; the HTML file is a template away.
STORED_FORMATS = ("pdf", "docx")

_HERE = Path(__file__).parent
# What turns a structure into a file: when any of it changes, every stored file is stale.
_RENDERER_PATHS = (
    _HERE / "render.py",
    _HERE / "docx_builder.py",
    _HERE / "structure.py",
    _HERE / "templatetags" / "document_text.py",
    _HERE / "templates" / "documents" / "document.html",
    _HERE / "templates" / "documents" / "_blocks.html",
    # A chart's SVG is part of the content; the painter that makes its PNG for Word is not.
    _HERE.parent / "charts" / "raster.py",
)
_RENDERER_PACKAGES = ("weasyprint", "pydyf", "python-docx", "pillow")


@functools.cache
def renderer_version() -> str:
    """A digest of the renderer: its code and templates, the fonts' names and sizes and the
    versions of the libraries that lay the files out (computed once per process)."""
    digest = hashlib.sha256()
    for path in _RENDERER_PATHS:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    fonts = _HERE / "fonts"
    for font in sorted(fonts.iterdir()) if fonts.is_dir() else ():
        digest.update(f"{font.name}:{font.stat().st_size}\0".encode())
    for package in _RENDERER_PACKAGES:
        try:
            digest.update(f"{package}=={metadata.version(package)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing\0".encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """The value as JSON: bytes (a chart's PNG) by their digest; anything else is refused, so
    that nothing whose text changes from run to run (an object's address) enters a digest."""
    if isinstance(value, bytes):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    raise TypeError(f"a document structure holds {type(value).__name__}, which has no digest")


def content_digest(doc: Document, fmt: str) -> str:
    """SHA-256 of everything a rendering of ``doc`` as ``fmt`` is made from."""
    structure = json.dumps(
        dataclasses.asdict(doc), default=_plain, ensure_ascii=False, sort_keys=True
    )
    digest = hashlib.sha256()
    digest.update(f"{fmt}\0{renderer_version()}\0".encode())
    digest.update(structure.encode("utf-8"))
    if doc.logo:
        # The logo is printed from its file, which can be replaced under the same name.
        digest.update(b"\0logo\0" + hashlib.sha256(Path(doc.logo).read_bytes()).digest())
    return digest.hexdigest()


def audience_key(partnership: Partnership, edition: str, user: Any) -> str:
    """The reader's audience for an edition, as the slot names it: "public", or the audience's
    kind with the parties whose confidential items it reads ("coordinators:3,7")."""
    audience = audiences.for_edition(edition, user, partnership)
    if audience.is_public:
        return audience.kind
    if audience.everything:
        return f"{audience.kind}:all"
    key = f"{audience.kind}:{','.join(str(pk) for pk in sorted(audience.readers))}"
    if len(key) > 100:  # a reader in very many parties: their digest keeps the slot apart
        key = f"{audience.kind}:" + hashlib.sha256(key.encode()).hexdigest()[:64]
    return key


@dataclasses.dataclass(frozen=True)
class Slot:
    """Where the rendering of one document for one audience is stored."""

    partnership: Partnership
    kind: str
    edition: str
    fmt: str
    audience: str
    variant: str = ""

    def rows(self) -> Any:
        return Rendering.objects.filter(
            partnership=self.partnership,
            kind=self.kind,
            edition=self.edition,
            format=self.fmt,
            audience=self.audience,
            variant=self.variant,
        )


def slot_for(
    partnership: Partnership, kind: str, edition: str, fmt: str, user: Any, variant: str = ""
) -> Slot:
    return Slot(partnership, kind, edition, fmt, audience_key(partnership, edition, user), variant)


def find(slot: Slot, digest: str) -> Rendering | None:
    """The stored rendering of exactly this content for this audience, if there is one whose
    file is still there."""
    stored = slot.rows().filter(digest=digest).first()
    if stored is None or not stored.file or not stored.file.storage.exists(stored.file.name):
        return None
    return stored


def store(slot: Slot, digest: str, content: bytes, name: str) -> Rendering:
    """Keep ``content`` as the slot's rendering, replacing what it held (its file is deleted
    once the change is committed)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                stored = slot.rows().select_for_update().first()
                old_name = stored.file.name if stored is not None and stored.file else ""
                if stored is None:
                    stored = Rendering(
                        partnership=slot.partnership,
                        kind=slot.kind,
                        edition=slot.edition,
                        format=slot.fmt,
                        audience=slot.audience,
                        variant=slot.variant,
                    )
                stored.digest = digest
                stored.file.save(name, ContentFile(content), save=False)
                try:
                    stored.save()
                except IntegrityError:
                    stored.file.storage.delete(stored.file.name)
                    raise
                if old_name and old_name != stored.file.name:
                    transaction.on_commit(
                        functools.partial(_delete_quietly, stored.file.storage, old_name)
                    )
                return stored
        except IntegrityError:
            # Another job filled the empty slot at the same moment: replace its file instead.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _delete_quietly(storage: Any, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        log.warning("could not delete the replaced rendering %s", name)
