"""A blank partnership, "Trygg i Exempelby", carried from step 1 to the end of step 5 in the
browser by the coordinators of both signing parties, through the pages only: setting up, each
party's own mapping from the example files, the joint problem picture, priorities, causes,
goals and measures, the signed agreement, the activity log, the follow-up, the steering
group's answer and the closing of the round, issuing the documents on the way.

Screenshots of every step go to ``E2E_SCREENSHOTS`` (see conftest.py)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from samverkan.accounts.choices import Role
from samverkan.partnerships.models import Partnership
from tests.e2e.helpers import (
    field,
    go_to,
    login,
    logout,
    start_and_log,
    steering_group_answers,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
KOMMUN = "Exempelby kommun"
POLIS = "Lokalpolisområde Exempelby"


def checklist(page, step: int) -> str:
    """The dashboard's "Klart när (x av y)" line for a step."""
    go_to(page, "Översikt")
    return page.locator(f"#step-{step} ~ h3").first.inner_text()


def issue(page, section: str, edition: str = "Intern") -> None:
    """Issue a document from the documents page and land on the issued version."""
    go_to(page, "Dokument")
    row = page.get_by_role("region", name=section)
    row.get_by_role("link", name=re.compile(f"Utfärda.*{edition}")).first.click()
    # The issue page lists what the version lacks before the button that issues it.
    page.get_by_role("button", name=re.compile(r"Utfärda version \d+")).click()
    page.wait_for_url(re.compile(r".*/versioner/\d+/$|.*/jobb/\d+/$"))
    if "/jobb/" in page.url:  # not done at once: the job page follows it and moves on
        page.wait_for_url(re.compile(r".*/versioner/\d+/$"), timeout=60_000)
    assert re.search(r"är utfärdad – version \d+", page.content()), page.url


def import_file(page, kind: str, name: str) -> None:
    """Upload one of the example files and wait until it has been read."""
    field(page, "Typ av data").select_option(kind)
    field(page, "Fil").set_input_files(str(EXAMPLES / name))
    page.get_by_role("button", name="Ladda upp och importera").click()
    status = page.locator("dt:text-is('Status') + dd")
    # The import runs as a job; the page follows it by itself until it is done.
    expect(status).not_to_have_text(re.compile(r"^\s*(I kö|Pågår)\s*$"), timeout=60_000)
    assert status.inner_text() == "Importerad", page.locator("main").inner_text()
    assert page.locator("dt:text-is('Nya rader') + dd").inner_text() != "0"


def own_mapping(page, party_name: str, import_kind: str, example: str, shots, tag: str) -> None:
    """One party's step 2: a file imported, a data source and a resource described, and the
    lägesbild drafted from the figures and shared with the partnership."""
    go_to(page, "Egna förberedelser")
    assert party_name in page.get_by_role("heading", level=1).inner_text()
    import_file(page, import_kind, example)
    shots(page, f"exempelby-2-{tag}-import")
    tabs = page.get_by_role("navigation", name="Kartläggningens delar")
    tabs.get_by_role("link", name="Datakällor").click()
    page.get_by_role("link", name=re.compile("^Ny|^Lägg till|^Beskriv")).first.click()
    field(page, "Namn").fill(f"Filen {example}")
    field(page, "Period").fill("2025")
    page.get_by_role("button", name="Spara").click()
    tabs.get_by_role("link", name="Resurser").click()
    page.get_by_role("link", name=re.compile("^Ny|^Lägg till")).first.click()
    field(page, "Vem").fill(party_name)
    field(page, "Vad").fill("Två fältassistenter på kvällstid")
    field(page, "Budget (kr per år)").fill("1 250 000")
    page.get_by_role("button", name="Spara").click()
    tabs.get_by_role("link", name="Lägesbild").click()
    page.get_by_role("button", name="Skapa utkast från siffrorna").click()
    page.get_by_role("button", name="Dela med samverkan").click()
    assert "delad" in page.content()
    shots(page, f"exempelby-2-{tag}-lagesbild")


def test_two_coordinators_carry_a_blank_partnership_through_all_five_steps(
    page, axe, shots, tmp_path
):
    from samverkan.partnerships.services import create_permission

    make_user("anna").user_permissions.add(create_permission())
    make_user("per")
    signed_pdf = tmp_path / "overenskommelse-undertecknad.pdf"
    signed_pdf.write_bytes(b"%PDF-1.4 signed agreement")

    # ---- Step 1, the municipality's coordinator sets everything up ----
    login(page, axe, "anna")
    page.get_by_role("link", name="Ny samverkan").click()
    field(page, "Namn").fill("Trygg i Exempelby")
    field(page, "Kommun").fill(KOMMUN)
    field(page, "Lokalpolisområde").fill(POLIS)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/samverkan/*/")
    partnership = Partnership.objects.get(name="Trygg i Exempelby")
    pk = partnership.pk
    shots(page, "exempelby-1-new")

    go_to(page, "Parter")
    for org, name in ((KOMMUN, "Anna Ek"), (POLIS, "Per Ås")):
        page.get_by_role("link", name=f"Samordnare för {org}").click()
        field(page, "Namn").fill(name)
        field(page, "E-post").fill("samordnare@example.se")
        field(page, "Telefon").fill("010-123 45 67")
        page.get_by_role("button", name="Spara").click()
        assert "Samordnaren är sparad." in page.content()

    go_to(page, "Grupper")
    page.get_by_role("link", name="Ny grupp").click()
    field(page, "Typ av grupp").select_option("steering")
    field(page, "Namn").fill("Styrgruppen")
    page.get_by_role("button", name="Spara").click()
    for party, person in ((KOMMUN, "Kommundirektören"), (POLIS, "Lokalpolisområdeschefen")):
        field(page, "Part").select_option(label=party)
        field(page, "Namn").fill(person)
        page.get_by_role("button", name="Lägg till").click()
        assert "Ledamoten är tillagd." in page.content()
    go_to(page, "Grupper")
    page.get_by_role("link", name="Ny grupp").click()
    field(page, "Typ av grupp").select_option("preparation")
    field(page, "Namn").fill("Beredningsgruppen")
    page.get_by_role("button", name="Spara").click()

    go_to(page, "Beslut")
    page.get_by_role("link", name="Nytt beslut").click()
    field(page, "Typ av beslut").select_option("collaborate")
    field(page, "Rubrik").fill("Beslut om samverkan")
    field(page, "Beslutande organ").fill("Kommunstyrelsen")
    field(page, "Beslutsdatum").fill("2026-01-20")
    field(page, "Beslutstext").fill("Kommunen och polisen samverkar enligt de fem stegen.")
    page.get_by_role("button", name="Spara").click()
    assert "Beslutet är registrerat." in page.content()

    go_to(page, "Möten")
    page.get_by_role("link", name="Nytt möte").click()
    held = timezone.localtime() - datetime.timedelta(days=2)
    field(page, "Grupp").select_option(label="Styrgruppen")
    field(page, "Rubrik").fill("Uppstartsmöte")
    field(page, "Tid").fill(held.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Skriv protokoll").click()
    field(page, "Protokoll").fill("Styrgruppen beslutade att starta arbetet.")
    page.get_by_role("checkbox", name="Kommundirektören").check()
    page.get_by_role("button", name="Spara").click()
    assert "Protokollet är sparat." in page.content()

    # The police's coordinator is invited into the police's party: nobody leads it yet, so
    # the partnership's administrator may invite its first leader.
    go_to(page, "Medlemmar")
    page.get_by_role("link", name="Bjud in medlem").click()
    field(page, "Användarnamn").fill("per")
    field(page, "Part").select_option(label=POLIS)
    field(page, "Roll").select_option("coordinator")
    page.get_by_role("button", name="Spara").click()
    assert "Inbjudan är skapad" in page.content()
    shots(page, "exempelby-1-invitation")
    assert "(7 av 7)" in checklist(page, 1)
    axe(page)
    shots(page, "exempelby-1-done")

    # ---- Step 2, the municipality's own mapping ----
    own_mapping(page, KOMMUN, "crime-stats", "brottsstatistik.csv", shots, "kommun")
    axe(page)
    logout(page, "Anna")

    # ---- Step 2, the police: accepts the invitation, maps, shares ----
    login(page, axe, "per")
    page.get_by_role("link", name="Svara på inbjudningar").click()
    page.get_by_role("button", name="Tacka ja").click()
    page.wait_for_url(f"**/samverkan/{pk}/")
    assert (
        partnership.parties.get(organisation__name=POLIS)
        .memberships.filter(user__username="per", role=Role.COORDINATOR)
        .exists()
    )
    own_mapping(page, POLIS, "incidents", "handelser.csv", shots, "polis")
    axe(page)
    assert "(4 av 4)" in checklist(page, 2)
    shots(page, "exempelby-2-done")
    logout(page, "Per")

    # ---- Step 3, the municipality: picture, glossary, problem, priority, chain, agreement ----
    login(page, axe, "anna")
    page.goto(reverse("problems:home", kwargs={"pk": pk}))
    steps3 = page.get_by_role("navigation", name="Steg 3")
    steps3.get_by_role("link", name="Gemensam problembild").click()
    page.get_by_role("button", name="Hämta in delade lägesbilder").click()
    page.get_by_role("button", name="Bekräfta för min part").click()
    shots(page, "exempelby-3-picture")
    steps3.get_by_role("link", name="Begrepp").click()
    page.get_by_role("button", name=re.compile("vanliga", re.I)).first.click()

    go_to(page, "Gemensamma förberedelser")
    page.get_by_role("link", name="Nytt problem").click()
    field(page, "Problem").fill("Våld i centrum på helgnätter")
    for label, score in (
        ("Omfattning (0–5)", "4"),
        ("Utveckling (0–5)", "3"),
        ("Avvikelse mot jämförbara kommuner (0–5)", "2"),
        ("Koncentration i tid och rum (0–5)", "5"),
        ("Kostnad (0–5)", "3"),
        ("Skada (0–5)", "4"),
        ("Invånarnas oro (0–5)", "4"),
    ):
        field(page, label).fill(score)
    page.get_by_role("button", name="Spara").click()
    assert "Problemet är sparat." in page.content()

    steps3.get_by_role("link", name="Prioritering").click()
    page.get_by_role("link", name="Registrera styrgruppens beslut").click()
    page.get_by_role("checkbox", name=re.compile("Våld i centrum")).check()
    field(page, "Beslutsdatum").fill("2026-03-10")
    field(page, "Motivering").fill("Störst skada och oro, tydligt koncentrerat i tid och rum.")
    page.get_by_role("button", name="Spara").click()
    assert "Formuläret innehåller fel" not in page.content()
    shots(page, "exempelby-3-priority")

    go_to(page, "Gemensamma förberedelser")
    page.get_by_role("link", name="Våld i centrum på helgnätter").first.click()
    page.get_by_role("link", name="Ny orsak").click()
    field(page, "Orsak").fill("Många berusade samlas vid nattbussen efter stängning")
    page.get_by_role("button", name="Spara").click()
    assert "Orsaken är sparad." in page.content()
    page.get_by_role("link", name="Nytt mål").click()
    field(page, "Typ av mål").select_option("effect")
    field(page, "Mål").fill("Färre våldsbrott i centrum")
    field(page, "Indikator").fill("Anmälda våldsbrott i centrum")
    field(page, "Utgångsvärde").fill("110")
    field(page, "Utgångsvärdets period").fill("2025")
    field(page, "Målvärde").fill("88")
    field(page, "Hur det följs upp").fill("Anmälda brott från Brå, jämförs med övriga kommunen.")
    field(page, "Hur ofta").fill("En gång per år")
    field(page, "Vem som följer upp").fill("Kommunens samordnare")
    page.get_by_role("button", name="Spara").click()
    assert "Målet är sparat." in page.content()
    page.get_by_role("link", name="Ny åtgärd").click()
    field(page, "Åtgärd").fill("Fler nattbussar")
    page.get_by_role("checkbox", name=re.compile("Många berusade")).check()
    page.get_by_role("checkbox", name=re.compile("Färre våldsbrott")).check()
    field(page, "Start").fill("2026-04-01")
    field(page, "Ansvarig part").select_option(label=KOMMUN)
    field(page, "Vad som görs").fill("Extra nattbussar fredag och lördag 01–03.")
    page.get_by_role("button", name="Spara").click()
    assert "Åtgärden är sparad." in page.content()
    axe(page)
    shots(page, "exempelby-3-measure")

    # The agreement: issued, signed on paper, the signed copy uploaded.
    issue(page, "Samverkansöverenskommelse")
    shots(page, "exempelby-3-agreement-issued")
    go_to(page, "Dokument")
    page.get_by_role("link", name="Ladda upp undertecknat exemplar").click()
    field(page, "Undertecknad").fill("2026-03-20")
    field(page, "Undertecknat exemplar").set_input_files(str(signed_pdf))
    field(page, "Utfärdad version").select_option(index=1)
    page.get_by_role("button", name=re.compile("Spara|Ladda upp")).click()
    assert "Det undertecknade exemplaret är sparat." in page.content()
    axe(page)
    logout(page, "Anna")

    # The police confirm the problem picture and add their own measure.
    login(page, axe, "per")
    page.goto(reverse("problems:picture", kwargs={"pk": pk}))
    page.get_by_role("button", name="Bekräfta för min part").click()
    assert page.get_by_role("button", name="Bekräfta för min part").count() == 0
    page.goto(reverse("problems:measure_create", kwargs={"pk": pk}))
    field(page, "Åtgärd").fill("Riktade kontroller vid stängning")
    page.get_by_role("checkbox", name=re.compile("Många berusade")).check()
    field(page, "Ansvarig part").select_option(label=POLIS)
    field(page, "Vad som görs").fill("Synlig polis vid krogarna 01–03 varannan helg.")
    page.get_by_role("button", name="Spara").click()
    assert "Åtgärden är sparad." in page.content()
    assert "(9 av 9)" in checklist(page, 3)
    shots(page, "exempelby-3-done")

    # ---- Step 4, the police log their measure ----
    go_to(page, "Åtgärder och aktivitetslogg")
    page.get_by_role("link", name="Riktade kontroller vid stängning").click()
    start_and_log(page, "Kontroller vid tre krogar på fredagskvällen.")
    axe(page)
    shots(page, "exempelby-4-police")
    logout(page, "Per")

    # ---- Step 4 and 5, the municipality ----
    login(page, axe, "anna")
    page.goto(reverse("implementation:home", kwargs={"pk": pk}))
    page.get_by_role("link", name="Fler nattbussar").click()
    start_and_log(page, "Nattbussar varje fredag och lördag.")
    assert "(2 av 4)" in checklist(page, 4) or "(3 av 4)" in checklist(page, 4)
    shots(page, "exempelby-4-done")

    go_to(page, "Uppföljning")
    page.get_by_role("link", name="Färre våldsbrott i centrum").click()
    field(page, "Period efter").fill("2026")
    field(page, "Insatsområde").fill("Centrum")
    field(page, "Insatsområdet efter").fill("92")
    page.get_by_role("button", name="Spara").click()
    assert "Effektuppföljningen är sparad." in page.content()
    assert "Målet är inte nått" in page.content()
    axe(page)
    shots(page, "exempelby-5-effect")
    steering_group_answers(page, "2026-12-01", "Fortsätt, men förstärk kvällarna.")
    issue(page, "Uppföljningsrapport")
    shots(page, "exempelby-5-report-issued")

    go_to(page, "Uppföljning")
    page.get_by_role("link", name="Avsluta omgången och starta nästa …").click()
    assert "Styrgruppen har svarat på uppföljningen för omgång 1." in page.content()
    axe(page)
    shots(page, "exempelby-5-close")
    page.get_by_label("målvärdet räknas om", exact=False).first.check()
    page.get_by_role("button", name="Avsluta omgången och starta nästa").click()
    assert "Omgång 1 är avslutad och omgång 2 är startad." in page.content()
    axe(page)
    shots(page, "exempelby-5-round-2")
