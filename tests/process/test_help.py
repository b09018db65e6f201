"""The help pages: the user guide for the reader's role, rendered from docs/guide, with its
pictures served from there and nothing loaded from outside."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from samverkan.process import help


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("process:help"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "username,guide",
    [
        ("alice", "Guide för samordnare"),  # the municipality's administrator
        ("bob", "Guide för polisen"),  # the police's coordinator
        ("steve", "Guide för styrgruppen"),
        ("carol", "Guide för samordnare"),  # a member: the guide to the whole process
    ],
)
def test_help_opens_the_guide_for_the_readers_role(client, world, username, guide):
    client.force_login(getattr(world, username))
    page = client.get(reverse("process:help")).content.decode()
    assert f"<h1>{guide}</h1>" in page
    assert "Det här är guiden för din roll." in page
    assert "English summary" in page
    for other in help.GUIDES:
        assert reverse("process:help_guide", kwargs={"slug": other.slug}) in page


def test_every_guide_renders_with_its_pictures_served_here(client, world):
    client.force_login(world.carol)
    for guide in help.GUIDES:
        page = client.get(reverse("process:help_guide", kwargs={"slug": guide.slug}))
        assert page.status_code == 200
        html = page.content.decode()
        sources = re.findall(r'<img src="([^"]*)"', html)
        for src in sources:
            assert src.startswith("/hjalp/bild/"), src
            image = client.get(src)
            assert image.status_code == 200 and image["Content-Type"] == "image/png"
        assert 'src=""' not in html  # every picture a guide names exists
        assert "http://" not in html and "https://" not in html
        # Links between the guides lead to their help pages, not to the .md files.
        assert ".md" not in html
    assert client.get(reverse("process:help_guide", kwargs={"slug": "okand"})).status_code == 404


def test_each_guide_names_only_pictures_that_exist():
    for guide in help.GUIDES:
        text = (help.GUIDE_DIR / f"{guide.slug}.md").read_text(encoding="utf-8")
        for name in re.findall(r"\]\(img/([^)]+)\)", text):
            assert help.image_path(name) is not None, f"{guide.slug}: {name}"
    # The three guides with screens have pictures; the field reporter's is short on purpose.
    for slug in ("samordnare", "polis", "styrgrupp"):
        text = (help.GUIDE_DIR / f"{slug}.md").read_text(encoding="utf-8")
        assert len(re.findall(r"\]\(img/", text)) >= 3


def test_pictures_are_served_only_from_the_guide_folder(client, world):
    client.force_login(world.carol)
    for name in ("../samordnare.md", "..%2Fsamordnare.md", "samordnare.md", "saknas.png"):
        url = reverse("process:help_image", kwargs={"name": "x.png"}).replace("x.png", name)
        assert client.get(url).status_code == 404, name
    client.logout()
    url = reverse("process:help_image", kwargs={"name": "styrgrupp-svar.png"})
    assert client.get(url).status_code == 302  # behind the login like the guides


def test_a_guide_cannot_put_raw_html_or_outside_pictures_on_the_page(tmp_path, monkeypatch):
    (tmp_path / "img").mkdir()
    (tmp_path / "samordnare.md").write_text(
        "# Prov\n\n<script>alert(1)</script>\n\n![bild](https://example.com/x.png)\n\n"
        "[polisen](polis.md#sekretess)\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(help, "GUIDE_DIR", tmp_path)
    help._render.cache_clear()
    try:
        html = help.render("samordnare")
    finally:
        help._render.cache_clear()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "example.com" not in html
    assert 'href="/hjalp/polis/#sekretess"' in html


def test_pages_link_to_help_in_the_footer(client, world):
    client.force_login(world.carol)
    page = client.get(reverse("process:dashboard", kwargs={"pk": world.ours.partnership.pk}))
    assert reverse("process:help") in page.content.decode()
