"""With the worked example: log work, read the follow-up, download documents (steps 4–5)."""

from __future__ import annotations

import io
import re
from io import StringIO

import docx
import pytest
from django.core.management import call_command

from samverkan.partnerships.models import Partnership
from tests.e2e.test_coordinator_flow import field

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_logs_work_reads_followup_and_downloads_documents(page, axe, shots):
    call_command("load_demo", "--quiet", stdout=StringIO())
    partnership = Partnership.objects.get()
    page.goto("/konto/logga-in/")
    field(page, "Användarnamn").fill("demo.polis")
    field(page, "Lösenord").fill("samverkan-demo")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/samverkan/")
    page.goto(f"/samverkan/{partnership.pk}/")
    axe(page)

    nav = page.get_by_role("navigation", name="Samverkan")
    nav.get_by_role("link", name="Genomförande").click()
    axe(page)
    page.get_by_role("link", name="Riktad spaning mot försäljning av smuggelsprit").click()
    axe(page)
    field(page, "Vad som gjordes").fill("Ny spaningsinsats vid parkeringsplats N.")
    page.get_by_role("button", name="Registrera").click()
    assert "Aktiviteten är registrerad." in page.content()

    nav.get_by_role("link", name="Uppföljning").click()
    content = page.content()
    assert "Jämförelse med kontrollområde" in content
    assert "kan bero på slumpen" in content
    axe(page)
    page.get_by_role("link", name="Omgångar").click()
    axe(page)

    nav.get_by_role("link", name="Dokument").click()
    axe(page)
    documents = page.url
    section = page.get_by_role("region", name="Uppföljningsrapport")
    word_link = section.get_by_role("link", name=re.compile("Ladda ned Word.*Offentlig"))
    with page.expect_download() as download_info:
        word_link.click()
    first = open(download_info.value.path(), "rb").read()
    word = docx.Document(io.BytesIO(first))
    text = " ".join(p.text for p in word.paragraphs)
    assert "Effektuppföljning" in text
    assert "LVM" not in text
    if "/jobb/" in page.url:  # rendered in a job: its page followed it and started the download
        assert "Word-filen är klar" in page.get_by_role("status").inner_text()
        axe(page)
        shots(page, "rendered-file")
    # Asked for again, the unchanged file comes from its stored rendering: no job page between.
    page.goto(documents)
    with page.expect_download() as again:
        word_link.click()
    assert page.url == documents
    assert open(again.value.path(), "rb").read() == first
