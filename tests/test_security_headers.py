"""Security headers: a Content-Security-Policy without inline script on every page, and
no-store on partnership pages and document downloads (issue 11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

import samverkan
from samverkan.lib.security import tile_source
from tests.downloads import get_document

TEMPLATES = sorted(Path(samverkan.__file__).parent.rglob("templates/**/*.html"))


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_login_page_has_a_policy_without_inline_script(client, db):
    directives = _csp(client.get(reverse("accounts:login")))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-eval'" not in " ".join(sum(directives.values(), []))


def test_partnership_pages_have_the_policy_and_are_not_stored(client, world):
    client.force_login(world.alice)
    for url in (
        reverse("process:dashboard", kwargs={"pk": world.ours.partnership.pk}),
        reverse("partnerships:members", kwargs={"pk": world.ours.partnership.pk}),
        reverse("partnerships:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert _csp(response)["script-src"] == ["'self'"], url


def test_invitation_pages_are_not_stored(client, db):
    gone = client.get(reverse("accounts:invitation_link", kwargs={"token": "x" * 43}))
    assert "no-store" in gone["Cache-Control"]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_document_downloads_are_not_stored(client, world, fmt):
    client.force_login(world.alice)
    url = reverse(
        "documents:download",
        kwargs={
            "pk": world.ours.partnership.pk,
            "kind": "medborgarlofte",
            "edition": "public",
            "fmt": fmt,
        },
    )
    response = get_document(client, url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_tile_host_is_the_only_foreign_image_source(client, db, settings):
    settings.MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Exempel"
    images = _csp(client.get(reverse("accounts:login")))["img-src"]
    assert images == ["'self'", "data:", "blob:", "https://*.tile.example.org"]


def test_tile_source_of_templates():
    assert tile_source("") == ""
    assert tile_source("http://127.0.0.1:8081/t?z={z}&x={x}&y={y}") == "http://127.0.0.1:8081"
    assert tile_source("https://{r}x.example.org/{z}/{x}/{y}.png") == ""


def test_templates_hold_no_inline_script_or_event_handler():
    assert len(TEMPLATES) > 20
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        assert not inline_script.search(text), template
        assert not handler.search(text), template
        assert "javascript:" not in text, template
        assert "hx-on" not in text, template
