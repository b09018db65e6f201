"""The partnership's navigation follows the five steps: each step a plain link, the current
step and page marked, the budget milestones under step 4 with a name that says what they are."""

import re

from django.urls import reverse


def _nav(client, name: str, pk: int) -> str:
    page = client.get(reverse(name, kwargs={"pk": pk})).content.decode()
    return re.search(r'<nav class="partnership-nav".*?</nav>', page, re.S).group(0)


def _current(nav: str) -> list[tuple[str, str]]:
    """(aria-current value, the link's text) for every marked link."""
    found = re.findall(r'<a href="[^"]*"[^>]*aria-current="(\w+)"[^>]*>(.*?)</a>', nav, re.S)
    return [(value, " ".join(re.sub(r"<[^>]+>", "", text).split())) for value, text in found]


def test_each_step_is_a_link_and_the_current_step_and_page_are_marked(client, world):
    pk = world.ours.partnership.pk
    client.force_login(world.alice)
    nav = _nav(client, "partnerships:decisions", pk)
    for number, title in enumerate(
        ("Initiera", "Egna förberedelser", "Gemensamma förberedelser", "Genomförande"), start=1
    ):
        assert re.search(rf"Steg </span>{number}</span> {title}", nav), title
    assert _current(nav) == [("true", "Steg 1 Initiera"), ("page", "Beslut")]
    # The pages apart from the steps.
    for url_name in ("documents:list", "partnerships:members", "partnerships:history"):
        assert f'href="{reverse(url_name, kwargs={"pk": pk})}"' in nav

    nav = _nav(client, "partnerships:calendar", pk)
    assert _current(nav) == [
        ("true", "Steg 4 Genomförande"),
        ("page", "Milstolpar och budgetprocess"),
    ]
    assert "Planering" not in nav

    nav = _nav(client, "problems:home", pk)
    assert _current(nav) == [("page", "Steg 3 Gemensamma förberedelser: problem och åtgärder")]


def test_the_menu_script_is_our_own_file(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("process:dashboard", kwargs={"pk": world.ours.partnership.pk}))
    html = page.content.decode()
    assert re.search(r'<script src="/static/js/menu\.js[^"]*" defer></script>', html)
    assert 'aria-controls="pnav-menu"' in html and 'aria-controls="top-nav"' in html
