"""Issuing a document in the browser ends on the issued version, told in plain Swedish."""

from __future__ import annotations

import re

import pytest

from samverkan.accounts.choices import Role
from tests import factories
from tests.e2e.test_coordinator_flow import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_issuing_the_agreement_leads_to_the_issued_version(page, axe, shots):
    world = factories.make_partnership()
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    login(page, axe, "anna")
    page.goto(f"/samverkan/{world.partnership.pk}/dokument/")
    row = page.get_by_role("region", name="Samverkansöverenskommelse")
    row.get_by_role("link", name=re.compile("Utfärda.*Intern")).first.click()
    # The issue page lists what the version lacks, each linked, before the issuing button.
    page.wait_for_url(re.compile(r".*/utfarda/$"))
    assert "Dokumentet saknar" in page.content()
    axe(page)
    shots(page, "issue-page")
    page.get_by_role("button", name=re.compile(r"Utfärda version 1")).click()
    page.wait_for_url(re.compile(r".*/dokument/versioner/\d+/$|.*/jobb/\d+/$"))
    if "/jobb/" in page.url:  # the job was not done at once: the page follows it and moves on
        page.wait_for_url(re.compile(r".*/dokument/versioner/\d+/$"))
    content = page.content()
    assert "Överenskommelsen är utfärdad – version 1" in content
    assert "documents.issue" not in content and "Bakgrundsjobb" not in content
    axe(page)
    shots(page, "issued-version")
