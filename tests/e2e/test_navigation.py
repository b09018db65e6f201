"""The partnership's navigation, grouped by the five steps, on a wide screen and on a phone:
the current step and page are marked, and on a phone the menus fold behind buttons that work
from the keyboard."""

from __future__ import annotations

import pytest

from samverkan.accounts.choices import Role
from tests import factories
from tests.e2e.helpers import go_to, login, partnership_nav

pytestmark = pytest.mark.django_db(transaction=True)


def test_steps_mark_the_current_step_and_page_and_fold_on_a_phone(page, axe, shots):
    world = factories.make_partnership()
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    login(page, axe, "anna")
    page.get_by_role("link", name=world.partnership.name).first.click()
    nav = partnership_nav(page)
    assert nav.get_by_role("link", name="Översikt").get_attribute("aria-current") == "page"
    # Five steps, each a plain link; the pages of a step show only while it is the current one.
    for number, title in enumerate(
        (
            "Initiera",
            "Egna förberedelser",
            "Gemensamma förberedelser",
            "Genomförande",
            "Uppföljning",
        ),
        start=1,
    ):
        assert nav.get_by_role("link", name=f"Steg {number} {title}").is_visible()
    assert not nav.get_by_role("link", name="Beslut", exact=True).is_visible()
    # The header: the evidence bank for everyone signed in; the regional views only for
    # their readers (anna reads none).
    assert page.get_by_role("link", name="Kunskapsbank").is_visible()
    assert page.get_by_role("link", name="Regionala vyer").count() == 0
    axe(page)

    go_to(page, "Beslut")
    step = nav.get_by_role("link", name="Steg 1 Initiera")
    assert step.get_attribute("aria-current") == "true"
    assert nav.get_by_role("link", name="Beslut", exact=True).get_attribute("aria-current") == (
        "page"
    )
    assert nav.get_by_role("link", name="Parter", exact=True).is_visible()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Beslut")
    axe(page)
    shots(page, "nav-step1-decisions")

    # The budget milestones are planned in step 4, under a name that says what they are.
    go_to(page, "Milstolpar och budgetprocess")
    assert nav.get_by_role("link", name="Steg 4 Genomförande").get_attribute("aria-current") == (
        "true"
    )
    assert page.get_by_role("heading", level=1).inner_text() == "Milstolpar och budgetprocess"
    axe(page)

    # On a phone: the header links and the steps wait behind two buttons.
    page.set_viewport_size({"width": 390, "height": 844})
    header_menu = page.get_by_role("button", name="Meny")
    steps_menu = nav.get_by_role("button", name="Steg och sidor")
    assert header_menu.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("link", name="Mina samverkan").is_visible()
    assert not page.get_by_role("link", name="Kunskapsbank").is_visible()
    assert not nav.get_by_role("link", name="Steg 1 Initiera").is_visible()
    # Nothing but the name and the two buttons above the page's own heading.
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["y"] < 300, heading
    page.screenshot(path=str(shots.folder / "nav-phone-closed-390.png"))
    axe(page)

    # Keyboard: Tab to the button, Enter opens, Escape closes and returns to the button.
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")
    assert header_menu.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert header_menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Mina samverkan").is_visible()
    page.keyboard.press("Tab")
    assert page.get_by_role("link", name="Mina samverkan").evaluate(
        "el => el === document.activeElement"
    )
    page.keyboard.press("Escape")
    assert header_menu.get_attribute("aria-expanded") == "false"
    assert header_menu.evaluate("el => el === document.activeElement")
    assert not page.get_by_role("link", name="Mina samverkan").is_visible()

    steps_menu.focus()
    page.keyboard.press("Space")
    assert steps_menu.get_attribute("aria-expanded") == "true"
    # Open on a phone, every step's pages show, the current one marked.
    assert nav.get_by_role("link", name="Beslut", exact=True).is_visible()
    assert nav.get_by_role("link", name="Milstolpar och budgetprocess").get_attribute(
        "aria-current"
    ) == ("page")
    page.screenshot(path=str(shots.folder / "nav-phone-open-390.png"), full_page=True)
    axe(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert steps_menu.get_attribute("aria-expanded") == "false"
    assert steps_menu.evaluate("el => el === document.activeElement")

    # Back on a wide screen every step shows again, whatever the button said.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert nav.get_by_role("link", name="Steg 5 Uppföljning").is_visible()
    assert page.get_by_role("link", name="Mina samverkan").is_visible()
    assert not steps_menu.is_visible()


def test_without_javascript_every_link_shows_on_a_phone(browser, live_server, page, axe):
    world = factories.make_partnership()
    factories.join(factories.make_user("anna", world.kommun.organisation), world.kommun, Role.ADMIN)
    login(page, axe, "anna")
    cookies = page.context.cookies()
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 390, "height": 844},
    )
    try:
        context.add_cookies(cookies)
        tab = context.new_page()
        tab.goto(page.url)
        tab.get_by_role("link", name=world.partnership.name).first.click()
        nav = partnership_nav(tab)
        assert tab.get_by_role("link", name="Mina samverkan").is_visible()
        assert nav.get_by_role("link", name="Steg 3 Gemensamma förberedelser").is_visible()
        assert nav.get_by_role("link", name="Möten", exact=True).is_visible()
        assert tab.get_by_role("button", name="Steg och sidor").count() == 0  # hidden
    finally:
        context.close()
