"""A coordinator builds a small chain problem → cause → goal → measure in the browser."""

from __future__ import annotations

import pytest

from samverkan.accounts.choices import Role
from samverkan.problems.models import Measure
from tests.e2e.test_coordinator_flow import field, login
from tests.factories import join, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_builds_a_chain_and_sees_it_traced(page, axe):
    world = make_partnership()
    join(make_user("cecilia"), world.kommun, Role.COORDINATOR)
    login(page, axe, "cecilia")
    page.goto(f"/samverkan/{world.partnership.pk}/steg3/")
    axe(page)

    page.get_by_role("link", name="Nytt problem").click()
    field(page, "Problem").fill("Inbrott i källarförråd")
    field(page, "Omfattning (0–5)").fill("9")
    page.get_by_role("button", name="Spara").click()
    assert "Kontrollera att detta värde är mindre än eller lika med 5." in page.content()
    axe(page)
    field(page, "Omfattning (0–5)").fill("4")
    page.get_by_role("button", name="Spara").click()
    assert "Problemet är sparat." in page.content()
    axe(page)

    page.get_by_role("link", name="Ny orsak").click()
    field(page, "Orsak").fill("Källardörrar står uppställda")
    page.get_by_role("button", name="Spara").click()
    assert "Orsaken är sparad." in page.content()

    page.get_by_role("link", name="Nytt mål").click()
    field(page, "Typ av mål").select_option("sub")
    field(page, "Mål").fill("Dörrarna hålls stängda")
    page.get_by_role("checkbox", name="2. Källardörrar står uppställda").check()
    field(page, "Indikator").fill("Andel stängda dörrar vid kontroll")
    page.get_by_role("button", name="Spara").click()
    assert "Målet är sparat." in page.content()

    page.get_by_role("link", name="Ny åtgärd").click()
    axe(page)
    field(page, "Åtgärd").fill("Dörrstängare och information till boende")
    page.get_by_role("button", name="Spara").click()
    assert "Välj minst en orsak som åtgärden riktas mot" in page.content()
    page.get_by_role("checkbox", name="2. Källardörrar står uppställda").check()
    page.get_by_role("button", name="Spara").click()
    assert "Åtgärden är sparad." in page.content()
    axe(page)
    measure = Measure.objects.get(title="Dörrstängare och information till boende")
    assert measure.causes_answered() == [2]

    page.get_by_role("link", name="Spårbarhet").click()
    tree = page.locator("section", has_text="Inbrott i källarförråd").first
    assert "Dörrstängare och information till boende" in tree.inner_text()
    assert "Åtgärder som valdes innan den gemensamma problembilden var bekräftad" in page.content()
    axe(page)
    for link in ("Gemensam problembild", "Begrepp", "Prioritering", "Åtgärder"):
        page.get_by_role("navigation", name="Steg 3").get_by_role("link", name=link).click()
        axe(page)
    page.get_by_role("link", name="Åtgärdsbiblioteket").click()
    axe(page)
