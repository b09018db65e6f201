"""The pictures of the user guides (docs/guide): each role walks its main pages of the worked
example, and each page is photographed into docs/guide/img, where the guides point.

Run it after changing a page the guides show, and commit the pictures it writes. Along the
way, the 5I write-up's pages and the help page are checked with axe, and the coordinator
reviews a part of the write-up in the browser.
"""

from __future__ import annotations

import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from samverkan.implementation.models import ActivityEntry
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Measure
from tests.e2e.test_coordinator_flow import field

pytestmark = pytest.mark.django_db(transaction=True)

IMAGES = Path(
    os.environ.get("GUIDE_IMAGES") or Path(__file__).parents[2] / "docs" / "guide" / "img"
)
SIZE = {"width": 1100, "height": 720}


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/konto/logga-in/")
    field(page, "Användarnamn").fill(username)
    field(page, "Lösenord").fill("samverkan-demo")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/samverkan/")


def _shoot(page, name: str, url: str, anchor: str = "") -> Path:
    """The first screen of a page (a whole long page would make a heavy picture)."""
    page.goto(url + anchor)
    if anchor:
        page.locator(anchor).scroll_into_view_if_needed()
    path = IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_each_role_walks_its_pages_for_the_guide(page, axe):
    call_command("load_demo", "--quiet", stdout=StringIO())
    partnership = Partnership.objects.get()
    pk = partnership.pk
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(SIZE)

    def url(name: str, **kwargs) -> str:
        return reverse(name, kwargs={"pk": pk, **kwargs})

    secret = Measure.objects.get(partnership=partnership, confidential=True)
    police_measure = (
        ActivityEntry.objects.filter(
            measure__partnership=partnership,
            measure__responsible_party=partnership.police_party(),
            measure__confidential=False,
        )
        .first()
        .measure
    )
    taken = []

    # The coordinator (here the municipality's administrator, who has every coordinator right).
    _login(page, "demo.kommun")
    taken += [
        _shoot(page, "samordnare-oversikt", url("process:dashboard")),
        _shoot(page, "samordnare-problem", url("problems:home")),
        _shoot(page, "samordnare-genomforande", url("implementation:home")),
        _shoot(page, "samordnare-uppfoljning", url("followup:home")),
        _shoot(page, "samordnare-dokument", url("documents:list")),
    ]
    # Review one part of the 5I write-up, then photograph the page.
    page.goto(url("followup:write_up"))
    axe(page)
    page.get_by_role("link", name=re.compile("^Ändra Insats")).click()
    axe(page)
    text = field(page, "Text")
    text.fill(text.input_value() + "\n\nLärdom: börja med orsakerna som flest parter kan påverka.")
    page.get_by_role("button", name="Spara").click()
    assert "Avsnittet är sparat." in page.content()
    assert "Lärdom: börja med orsakerna" in page.content()
    taken.append(_shoot(page, "samordnare-fem-i", url("followup:write_up")))
    page.goto(url("followup:write_up_redraft"))
    assert "Texten är ändrad för hand." in page.content()
    axe(page)
    taken.append(_shoot(page, "samordnare-nytt-utkast", url("followup:write_up_redraft")))

    # The police: their own mapping, a confidential measure and a measure's log.
    _login(page, "demo.polis")
    taken += [
        _shoot(page, "polis-kartlaggning", url("mapping:home")),
        _shoot(page, "polis-sekretess", url("problems:measure_detail", measure_id=secret.pk)),
        _shoot(page, "polis-logg", url("implementation:log", measure_id=police_measure.pk)),
    ]

    # The steering group: where the partnership stands, priorities, follow-up and response.
    _login(page, "demo.styrgrupp")
    taken += [
        _shoot(page, "styrgrupp-oversikt", url("process:dashboard")),
        _shoot(page, "styrgrupp-prioritering", url("problems:prioritisation")),
        _shoot(page, "styrgrupp-uppfoljning", url("followup:home")),
        _shoot(page, "styrgrupp-svar", url("followup:response")),
    ]
    # The help link in the footer leads to the steering group's own guide, with its pictures.
    page.get_by_role("link", name="Hjälp: guide för din roll").click()
    assert "Det här är guiden för din roll." in page.content()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Guide för styrgruppen")
    axe(page)
    images = page.locator("article.guide img")
    assert images.count() >= 3
    assert all(
        page.evaluate(
            "(img) => img.complete && img.naturalWidth > 0", images.nth(i).element_handle()
        )
        for i in range(images.count())
    )
    page.set_viewport_size({"width": 390, "height": 844})
    axe(page)

    # The field reporter, on a phone: signing in leads straight to the report form; the week.
    page.context.clear_cookies()
    page.goto("/konto/logga-in/")
    field(page, "Användarnamn").fill("demo.falt")
    field(page, "Lösenord").fill("samverkan-demo")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/faltrapporter/ny/")
    axe(page)
    taken += [
        _shoot(page, "faltrapportor-formular", url("fieldwork:new")),
        _shoot(page, "faltrapportor-vecka", url("fieldwork:week_latest")),
    ]
    axe(page)

    for path in taken:
        assert path.stat().st_size < 400_000, f"{path.name} is too heavy for the guide"
