"""Steps the browser tests share: filling a labelled field, signing in and out, and finding a
page through the partnership's navigation (grouped by the five steps)."""

from __future__ import annotations

import re

from tests.factories import PASSWORD

# Pages that sit under a step in the partnership's navigation: shown once that step is open.
STEP_OF_PAGE = {
    "Parter": "Initiera",
    "Grupper": "Initiera",
    "Beslut": "Initiera",
    "Möten": "Initiera",
    "Åtgärder och aktivitetslogg": "Genomförande",
    "Milstolpar och budgetprocess": "Genomförande",
}


def field(page, label: str):
    """The form control with this label, whether or not it is marked required."""
    # Escape by hand: re.escape() also escapes spaces, which JavaScript's regex rejects.
    escaped = re.sub(r"([.*+?^${}()|\[\]\\])", r"\\\1", label)
    return page.get_by_label(re.compile(rf"^{escaped}( \(obligatoriskt\))?$"))


def login(page, axe, username: str) -> None:
    page.goto("/konto/logga-in/")
    axe(page)
    field(page, "Användarnamn").fill(username)
    field(page, "Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/samverkan/")


def logout(page, name: str) -> None:
    page.get_by_role("button", name=f"Logga ut {name}").click()


def partnership_nav(page):
    return page.get_by_role("navigation", name="Samverkan")


def go_to(page, name: str) -> None:
    """Open a page of the partnership through its navigation, opening its step first if needed.

    ``name`` is a page under a step ("Beslut"), a step ("Egna förberedelser") or one of the
    pages apart ("Översikt", "Dokument", "Medlemmar", "Historik").
    """
    nav = partnership_nav(page)
    step = STEP_OF_PAGE.get(name)
    if step is None:
        nav.get_by_role("link", name=name).first.click()
        return
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.get_by_role("link", name=step).click()
    link.click()


def start_and_log(page, what: str) -> None:
    """On a measure's step 4 page: set it started, then log what was done."""
    page.get_by_role("link", name="Ändra status").click()
    field(page, "Status").select_option("started")
    page.get_by_role("button", name="Spara").click()
    assert "Statusen är sparad." in page.content()
    log_activity(page, what)


def log_activity(page, what: str) -> None:
    """On a measure's step 4 page: register an activity."""
    field(page, "Vad som gjordes").fill(what)
    page.get_by_role("button", name="Registrera").click()
    assert "Aktiviteten är registrerad." in page.content()


def steering_group_answers(page, date: str, assessment: str) -> None:
    """On the step 5 page: register the steering group's response."""
    page.get_by_role("link", name="Registrera svar").click()
    field(page, "Datum").fill(date)
    field(page, "Styrgruppens bedömning").fill(assessment)
    page.get_by_role("button", name="Spara").click()
    assert "Styrgruppens svar är registrerat." in page.content()
