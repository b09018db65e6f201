"""An import with another municipality asks in the browser before anything is kept."""

from __future__ import annotations

import re

import pytest

from samverkan.accounts.choices import Role
from samverkan.mapping.models import CrimeStatistic
from tests import factories
from tests.e2e.test_coordinator_flow import login

pytestmark = pytest.mark.django_db(transaction=True)

MIXED = (
    "Kommun;Brott;År;Antal\n1281 Lund;Misshandel;2024;410\n0180 Stockholm;Misshandel;2024;5200\n"
)


def test_file_with_another_municipality_asks_and_imports_only_ours(page, axe, shots, tmp_path):
    world = factories.make_partnership()
    org = world.partnership.municipality
    org.code = "1281"
    org.save()
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    login(page, axe, "anna")
    page.goto(f"/samverkan/{world.partnership.pk}/kartlaggning/parter/{world.kommun.pk}/")
    path = tmp_path / "brott.csv"
    path.write_text(MIXED, encoding="utf-8")
    page.locator("select[name=kind]").select_option("crime-stats")
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.get_by_role("button", name="Ladda upp och importera").click()
    page.wait_for_url(re.compile(r".*/import/\d+/$"))
    page.get_by_text("Ingenting är sparat än").wait_for()
    content = page.content()
    assert "Stockholm" in content and "annan kommun" in content
    assert not CrimeStatistic.objects.filter(
        party=world.kommun, source_import__isnull=False
    ).exists()
    axe(page)
    shots(page, "import-areas-question")
    page.get_by_label(re.compile("Bara samverkans kommun")).check()
    page.get_by_role("button", name="Importera").click()
    page.get_by_text("importerades inte, så som du valde").wait_for()
    imported = CrimeStatistic.objects.filter(party=world.kommun, source_import__isnull=False)
    assert list(imported.values_list("area", flat=True)) == ["Lund"]
    axe(page)
    shots(page, "import-areas-done")
