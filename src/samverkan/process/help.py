"""The user guides in docs/guide/, one per role, rendered from their Markdown for the help page.

The guides are written once, as Markdown files that read well in the repository too; the help
page renders them with markdown-it (CommonMark, raw HTML off: a guide cannot put a script or
an outside resource on the page) and points their pictures and cross-links at the help
pages, so the page loads nothing from outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse

GUIDE_DIR: Path = Path(settings.BASE_DIR) / "docs" / "guide"
IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}\.png$")


@dataclass(frozen=True)
class Guide:
    slug: str  # file name without .md, and the page's address
    title: str


# In the order the help page lists them.
GUIDES = (
    Guide("samordnare", "Samordnare"),
    Guide("polis", "Polisen"),
    Guide("styrgrupp", "Styrgruppen"),
    Guide("faltrapportor", "Fältrapportör"),
)
BY_SLUG = {g.slug: g for g in GUIDES}


def guide_for(user: Any) -> Guide:
    """The guide that fits the user's part in their partnerships best.

    A field reporter who does nothing else reads the reporter's guide; anyone who takes part
    through a police area reads the police guide (the police's own material and confidential
    measures are theirs to handle); coordinators and administrators the coordinator's guide;
    steering-group members theirs. Everyone else starts with the coordinator's guide, which
    describes the whole process.
    """
    from samverkan.accounts.choices import OrganisationKind, Role
    from samverkan.accounts.models import Membership

    memberships = list(
        Membership.objects.filter(user=user).values_list("role", "party__organisation__kind")
    )
    roles = {role for role, _kind in memberships}
    if roles and roles <= {"reporter"}:
        return BY_SLUG["faltrapportor"]
    if any(kind == OrganisationKind.POLICE_AREA for _role, kind in memberships):
        return BY_SLUG["polis"]
    if roles & {Role.ADMIN, Role.COORDINATOR}:
        return BY_SLUG["samordnare"]
    if Role.STEERING in roles:
        return BY_SLUG["styrgrupp"]
    return BY_SLUG["samordnare"]


def image_path(name: str) -> Path | None:
    """A guide picture by its file name, or None: only plain names inside docs/guide/img."""
    if not IMAGE_NAME.match(name):
        return None
    path = GUIDE_DIR / "img" / name
    return path if path.is_file() else None


@lru_cache(maxsize=16)
def _render(slug: str, mtime: float) -> str:
    from markdown_it import MarkdownIt

    source = (GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    tokens = md.parse(source)
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                child.attrSet("src", _image_url(str(child.attrGet("src") or "")))
            elif child.type == "link_open":
                child.attrSet("href", _link_url(str(child.attrGet("href") or "")))
    return md.renderer.render(tokens, md.options, {})


def _image_url(src: str) -> str:
    name = src.removeprefix("img/")
    if image_path(name) is None:
        return ""  # a picture that is not there is left out rather than fetched from afar
    return reverse("process:help_image", kwargs={"name": name})


def _link_url(href: str) -> str:
    """Links between the guides go to their help pages; outside links stay as written."""
    match = re.fullmatch(r"(?:\./)?([a-z]+)\.md(#[\w-]+)?", href)
    if match and match.group(1) in BY_SLUG:
        return reverse("process:help_guide", kwargs={"slug": match.group(1)}) + (
            match.group(2) or ""
        )
    return href


def render(slug: str) -> str:
    """The guide as HTML (safe: CommonMark without raw HTML, escaped by markdown-it)."""
    path = GUIDE_DIR / f"{slug}.md"
    return _render(slug, path.stat().st_mtime)
