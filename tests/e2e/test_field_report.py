"""A field reporter on a phone (390 × 844) files a report and finds it in the weekly picture."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from samverkan.accounts.choices import Role
from samverkan.fieldwork.models import FieldPlace, FieldReport
from samverkan.fieldwork.services import current_week, week_label
from tests.e2e.helpers import PASSWORD
from tests.e2e.test_coordinator_flow import field
from tests.factories import join, make_partnership, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, axe) -> None:
    """A reporter of one partnership lands on its report form straight after signing in."""
    page.goto("/konto/logga-in/")
    axe(page)
    field(page, "Användarnamn").fill("rita")
    field(page, "Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/faltrapporter/ny/")


def test_reporter_files_a_report_on_a_phone_and_the_week_shows_it(page, axe, shots):
    world = make_partnership()
    FieldPlace.objects.create(
        partnership=world.partnership, name="Busstorget", latitude=59.33, longitude=18.06
    )
    join(make_user("rita", world.kommun.organisation), world.kommun, Role.REPORTER)
    page.set_viewport_size({"width": 390, "height": 844})

    started = time.monotonic()
    _sign_in(page, axe)
    axe(page)
    # No navigation of the partnership: every link in it would answer 403 for a reporter.
    assert page.locator("nav.partnership-nav").count() == 0
    page.get_by_label("Klotter").check()
    field(page, "Var: plats i listan").select_option(label="Busstorget")
    field(page, "Antal personer").fill("6")
    field(page, "Beskrivning").fill("Högljudd grupp vid busskuren, lugnade sig efter samtal.")
    assert not page.get_by_role("button", name="Skicka igen").is_visible()
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_url("**/faltrapporter/ny/?sparad=*")
    assert "Tack! Rapporten är sparad" in page.locator(".fw-saved").inner_text()
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"filing a report took {elapsed:.0f} s"
    axe(page)
    shots(page, "field-report-form")
    page.set_viewport_size({"width": 390, "height": 844})
    report = FieldReport.objects.filter(partnership=world.partnership).latest("pk")
    assert report.people == 6 and report.place.name == "Busstorget"
    # The draft kept in the phone is cleared once the server has the report.
    assert page.evaluate("Object.keys(localStorage).length") == 0

    page.get_by_role("link", name="Se veckans lägesbild").click()
    page.wait_for_url(f"**/vecka/{week_label(*current_week())}/")
    body = page.locator("main").inner_text()
    assert "Busstorget" in body
    assert "Klotter" in body
    assert "Totalt denna vecka: .." in body  # one report: suppressed beyond the coordinators
    page.wait_for_selector("#fw-week-map[data-state=ready]")
    axe(page)
    shots(page, "field-week")
    assert report.observed_at <= timezone.now()


def test_a_failed_submit_keeps_the_text_and_sends_it_again(page, axe, live_server):
    world = make_partnership()
    FieldPlace.objects.create(partnership=world.partnership, name="Busstorget")
    join(make_user("rita", world.kommun.organisation), world.kommun, Role.REPORTER)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, axe)
    before = FieldReport.objects.count()
    page.goto(f"/samverkan/{world.partnership.pk}/faltrapporter/ny/")
    _wait_for_offline_copy(page)
    page.get_by_label("Klotter").check()
    field(page, "… eller skriv platsen").fill("Porten vid Storgatan")
    field(page, "Beskrivning").fill("Nytt klotter i porten.")
    page.context.set_offline(True)
    # The phone knows it is offline before the tap (the browser tells the page a moment after
    # the network goes): nothing leaves it, so the restored draft below is plainly unsent. A
    # tap that went out and got no answer is the "may already be sent" case.
    page.wait_for_function("navigator.onLine === false")
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_selector("#fw-retry:not([hidden])")
    assert "Ingen uppkoppling" in page.locator("#fw-offline").inner_text()
    assert FieldReport.objects.count() == before
    # A reload (or a closed tab) while offline loses nothing: the form comes from the phone's
    # offline copy and the draft from its storage, plainly marked as not sent.
    page.reload()
    assert field(page, "Beskrivning").input_value() == "Nytt klotter i porten."
    status = page.locator("#fw-offline").inner_text()
    # Restored, and plainly not sent: nothing left the phone. (The old page may see the
    # network come and go while it is being left; it must not start a send then.)
    assert "återställt" in status and "inte skickat" in status, status
    page.context.set_offline(False)
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_url("**/faltrapporter/ny/?sparad=*")
    assert FieldReport.objects.count() == before + 1
    assert FieldReport.objects.latest("pk").text == "Nytt klotter i porten."
    axe(page)


def _draft_keys(page) -> list[str]:
    return page.evaluate(
        "Object.keys(localStorage).filter(function (k) { return k.indexOf('faltrapport-') === 0; })"
    )


def _wait_for_offline_copy(page) -> None:
    """The service worker controls the page and has the form page in its cache.

    Polled from here: ``wait_for_function`` would take the pending promise of an async
    check for a true answer."""
    check = """async () => {
        if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return false;
        for (const k of await caches.keys()) {
            if (k.indexOf('faltrapport-') !== 0) continue;
            const cache = await caches.open(k);
            if (await cache.match(location.pathname)) return true;
        }
        return false;
    }"""
    deadline = time.monotonic() + 15
    while not page.evaluate(check):
        assert time.monotonic() < deadline, "the form was not kept for offline use"
        page.wait_for_timeout(200)


def test_the_form_opens_with_no_network_at_all(page, axe):
    """Issue 19, finding 7: in a dead spot the browser showed its own offline page."""
    world = make_partnership()
    FieldPlace.objects.create(partnership=world.partnership, name="Busstorget")
    join(make_user("rita", world.kommun.organisation), world.kommun, Role.REPORTER)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, axe)
    # The form, once opened with a network, is kept on the phone for the next dead spot.
    form_url = f"/samverkan/{world.partnership.pk}/faltrapporter/ny/"
    page.goto(form_url)
    _wait_for_offline_copy(page)
    page.context.set_offline(True)
    page.goto(form_url)
    assert page.get_by_role("heading", name="Ny fältrapport").is_visible()
    # Typed offline, kept in the phone, sent when the network is back.
    page.get_by_label("Klotter").check()
    field(page, "Var: plats i listan").select_option(label="Busstorget")
    field(page, "Beskrivning").fill("Klotter på väggen, skrivet i ett döda-zonen-läge.")
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_selector("#fw-retry:not([hidden])")
    assert "Ingen uppkoppling" in page.locator("#fw-offline").inner_text()
    before = FieldReport.objects.count()
    # Back in coverage, the report goes by itself.
    page.context.set_offline(False)
    page.wait_for_url("**/faltrapporter/ny/?sparad=*")
    assert FieldReport.objects.count() == before + 1
    assert _draft_keys(page) == []
    axe(page)


def test_a_restored_text_already_sent_says_so_and_a_new_text_is_a_new_report(page, axe):
    """Issue 19, finding 7: the server saved the report but the answer never reached the
    phone; the restored draft with its old token swallowed the next report."""
    world = make_partnership()
    FieldPlace.objects.create(partnership=world.partnership, name="Busstorget")
    join(make_user("rita", world.kommun.organisation), world.kommun, Role.REPORTER)
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, axe)
    form_url = f"/samverkan/{world.partnership.pk}/faltrapporter/ny/"
    before = FieldReport.objects.count()

    def lose_the_answer(route) -> None:
        if route.request.method == "POST":
            route.fetch()  # the server gets it and saves it …
            route.abort()  # … but the answer never reaches the phone
        else:
            route.continue_()

    page.route(f"**{form_url}", lose_the_answer)
    page.get_by_label("Klotter").check()
    field(page, "Var: plats i listan").select_option(label="Busstorget")
    field(page, "Beskrivning").fill("Första rapporten: klotter på busskuren.")
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_selector("#fw-retry:not([hidden])")
    assert FieldReport.objects.count() == before + 1
    page.unroute(f"**{form_url}")

    page.goto(form_url)
    page.wait_for_selector("#fw-restart:not([hidden])")
    status = page.locator("#fw-offline").inner_text()
    assert "redan skickad och sparad" in status
    assert not page.get_by_role("button", name="Skicka rapporten").is_visible()
    axe(page)
    # Writing a new report over the restored one makes it a new report, never a lost one.
    field(page, "Beskrivning").fill("Andra rapporten: nu är rutan krossad.")
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_url("**/faltrapporter/ny/?sparad=*")
    assert FieldReport.objects.count() == before + 2
    assert set(FieldReport.objects.values_list("text", flat=True)) >= {
        "Första rapporten: klotter på busskuren.",
        "Andra rapporten: nu är rutan krossad.",
    }
    assert _draft_keys(page) == []


def test_start_over_clears_a_restored_text(page, axe):
    world = make_partnership()
    join(make_user("rita", world.kommun.organisation), world.kommun, Role.REPORTER)
    _sign_in(page, axe)
    form_url = f"/samverkan/{world.partnership.pk}/faltrapporter/ny/"

    def lose_the_answer(route) -> None:
        if route.request.method == "POST":
            route.fetch()
            route.abort()
        else:
            route.continue_()

    page.route(f"**{form_url}", lose_the_answer)
    page.get_by_label("Klotter").check()
    field(page, "… eller skriv platsen").fill("Porten vid Storgatan")
    field(page, "Beskrivning").fill("Klotter i porten.")
    page.get_by_role("button", name="Skicka rapporten").click()
    page.wait_for_selector("#fw-retry:not([hidden])")
    page.unroute(f"**{form_url}")
    page.goto(form_url)
    page.get_by_role("button", name="Börja om").click()
    assert field(page, "Beskrivning").input_value() == ""
    assert field(page, "… eller skriv platsen").input_value() == ""
    assert page.get_by_role("button", name="Skicka rapporten").is_visible()
    assert _draft_keys(page) == []


def test_logging_out_takes_the_draft_off_the_phone(page, axe):
    """Issue 19, finding 7: drafts stayed in a shared phone's storage after logout."""
    world = make_partnership()
    join(make_user("rita", world.kommun.organisation), world.kommun, Role.REPORTER)
    _sign_in(page, axe)
    field(page, "Beskrivning").fill("Utkast som inte ska finnas kvar.")
    assert _draft_keys(page) != []
    page.locator("form[action*='logga-ut'] button").first.click()
    page.wait_for_url("**/konto/logga-in/**")
    assert _draft_keys(page) == []
    assert (
        page.evaluate(
            "caches.keys().then(ks => ks.filter(k => k.indexOf('faltrapport-') === 0).length)"
        )
        == 0
    )
