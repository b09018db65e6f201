"""Content walk: every page, preview, download and export a role can reach, searched for what
that role must not read (issue 11).

The demo partnership holds one confidential cause (10) and one confidential measure (9), both
readable only by the police party. Before the walk, the ordinary work that spreads text around
is done through the pages: the police log activity on measure 9, change its status, tie a
meeting task to it, and issue the internal agreement; the municipality issues the internal
agreement after them (without the confidential items) and exports the partnership. Then each
role follows every link it is offered, and no response may contain a confidential text unless
the role belongs to the police party.
"""

from __future__ import annotations

import html
import io
import json
import re
from unittest import mock
from urllib.parse import urldefrag, urlsplit

import docx
import pytest
from django.test import Client
from django.urls import reverse

from samverkan.accounts.audit import acting_as
from samverkan.accounts.models import AuditEntry, User
from samverkan.documents import render
from samverkan.documents import services as documents
from samverkan.jobs import registry
from samverkan.jobs.models import Job
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Cause, Measure
from tests.downloads import get_document
from tests.factories import load_demo
from tests.pdf_text import pdf_text

# Written by the police during the setup below, on the confidential measure.
ACTIVITY = "Samtal med socialtjänsten om hembesök Q7X"
STATUS_REASON = "Pausad i väntan på utredning Q7Y"
TASK = "Sammanställ underrättelse Q7Z"
MAX_PAGES = 600


def _spread():
    partnership = load_demo()
    client = Client()
    police = User.objects.get(username="demo.polis")
    municipal = User.objects.get(username="demo.kommun")
    measure = Measure.objects.get(partnership=partnership, confidential=True)
    cause = Cause.objects.get(partnership=partnership, confidential=True)
    pk = partnership.pk

    client.force_login(police)
    ok = (200, 302)
    url = reverse("implementation:activity", kwargs={"pk": pk, "measure_id": measure.pk})
    assert client.post(url, {"date": "2026-05-02", "what": ACTIVITY}).status_code in ok
    progress = measure.progress
    url = reverse("implementation:progress", kwargs={"pk": pk, "measure_id": measure.pk})
    response = client.post(
        url,
        {"status": "paused", "reason": STATUS_REASON, "version": progress.version},
    )
    assert response.status_code in ok, response.content.decode()[:2000]
    measure.progress.refresh_from_db()
    assert measure.progress.status == "paused"
    meeting = partnership.meetings.first()
    url = reverse("implementation:action_item", kwargs={"pk": pk, "meeting_id": meeting.pk})
    response = client.post(url, {"text": TASK, "responsible": "Polisen", "measure": measure.pk})
    assert response.status_code in ok
    # The issued PDFs carry the HTML WeasyPrint would print (see ``pdf_as_its_html``): the walk
    # reads every word of them, without laying out two agreements per worker.
    with mock.patch.object(render, "html_to_pdf", _html_as_pdf):
        with acting_as(police):
            documents.issue(partnership, "agreement", "internal", police)
        with acting_as(municipal):
            documents.issue(partnership, "agreement", "internal", municipal)
        export = Job.objects.create(
            partnership=partnership, kind="partnerships.export", created_by=municipal
        )
        registry.run_job(export.pk)
    client.logout()
    secrets = [cause.text, measure.title, ACTIVITY, STATUS_REASON, TASK]
    # The history really holds the derived entries: the walk must have something to find.
    assert AuditEntry.objects.filter(changes__icontains="Q7X").exists()
    return partnership, secrets, export


# One setup for the module (it loads the demo, issues documents and runs an export); each walk
# is a test of its own, so that the two workers of `make test` share them (each worker builds
# the setup once: the walks take far longer than the setup).
SHARE_ACROSS_WORKERS = True


@pytest.fixture(scope="module")
def kept_spread(kept):
    return kept(_spread)


@pytest.fixture
def spread(kept_spread, db):
    partnership, secrets, export = kept_spread
    return Partnership.objects.get(pk=partnership.pk), secrets, Job.objects.get(pk=export.pk)


# A PDF built on request in the walk carries the HTML that WeasyPrint would lay out (see
# ``pdf_as_its_html``): the walk reads every word of it without paying seconds per layout.
_PDF_HTML = b"<!-- the HTML of a PDF built on request -->"


def _html_as_pdf(html: str) -> bytes:
    return _PDF_HTML + html.encode("utf-8")


@pytest.fixture
def pdf_as_its_html(monkeypatch):
    """PDFs built on request are answered with the exact HTML given to WeasyPrint.

    The text a PDF shows is the text of that HTML (render.html_to_pdf lays it out and nothing
    else); the tests under tests/documents print real PDFs and read them back."""
    monkeypatch.setattr(render, "html_to_pdf", _html_as_pdf)


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf") and content.startswith(_PDF_HTML):
        body = content[len(_PDF_HTML) :].decode("utf-8")
        body = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", body)
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    if kind.startswith("application/pdf"):
        return pdf_text(content)
    if "wordprocessingml" in kind:
        document = docx.Document(io.BytesIO(content))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.extend(cell.text for cell in row.cells)
        return " ".join(" ".join(parts).split())
    text = content.decode("utf-8", errors="replace")
    if "json" in kind or text.lstrip().startswith("{"):
        try:  # JSON escapes non-ASCII text: read it back
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return " ".join(html.unescape(text).split())


_LINK = re.compile(r'(?:href|hx-get|action)="([^"]+)"')


def walk(client, partnership, extra=(), *, live_pdf=True):
    """Every URL of the partnership that the pages link to, with each response's text.

    ``live_pdf=False`` leaves out the PDFs built on request: they are built from the same
    document as the preview page and the Word file, which the walk reads, and cost seconds."""
    prefix = f"/samverkan/{partnership.pk}/"
    queue = [prefix, *extra]
    seen = set(queue)
    found = {}
    while queue and len(found) < MAX_PAGES:
        url = queue.pop(0)
        # A PDF or Word file is rendered in a job the first time: follow it to the file.
        response = get_document(client, url)
        if response.status_code != 200:
            found[url] = ""
            continue
        text = _text(response)
        found[url] = text
        if "html" not in response.get("Content-Type", ""):
            continue
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        for link in _LINK.findall(raw.decode("utf-8", errors="replace")):
            link = urldefrag(html.unescape(link))[0]
            path = urlsplit(link).path
            if not path.startswith(prefix) or link in seen:
                continue
            if not live_pdf and path.endswith("/fil/pdf/") and "/versioner/" not in path:
                continue
            seen.add(link)
            queue.append(link)
    return found


def _leaks(found, secrets):
    return [(url, s) for url, text in found.items() for s in secrets if s in text]


def _extra(partnership, export):
    """The export's file and the Word files of documents no page links to by that name."""
    download = reverse("jobs:download", kwargs={"pk": partnership.pk, "job_id": export.pk})
    return [download] + [
        reverse(
            "documents:download",
            kwargs={"pk": partnership.pk, "kind": kind, "edition": edition, "fmt": "docx"},
        )
        for kind in ("agreement", "followup")
        for edition in ("internal", "public")
    ]


@pytest.mark.slow(reason="follows every link a role is offered: hundreds of pages and files")
@pytest.mark.parametrize("username", ["demo.kyrkan", "demo.styrgrupp", "demo.kommun"])
def test_content_walk_of_a_role_outside_the_police_finds_no_secret(
    client, spread, username, pdf_as_its_html
):
    partnership, secrets, export = spread
    client.force_login(User.objects.get(username=username))
    # Every PDF for the member with the least access; previews and Word files for all.
    found = walk(
        client, partnership, _extra(partnership, export), live_pdf=username == "demo.kyrkan"
    )
    assert len(found) > 60, (username, sorted(found))  # the walk reached the pages
    assert any("/historik/" in url for url in found), username
    assert any("/versioner/" in url for url in found), username
    assert not _leaks(found, secrets), username


@pytest.mark.slow(reason="follows every link the field reporter is offered")
def test_field_reporter_reaches_only_the_form_and_the_weekly_picture(client, spread):
    """The field reporter reaches the report form and the weekly picture, and nothing else: no
    page of hers links further into the partnership, and none holds a confidential text."""
    partnership, secrets, _export = spread
    client.force_login(User.objects.get(username="demo.falt"))
    from samverkan.fieldwork.services import latest_week_with_reports, week_label

    week = week_label(*latest_week_with_reports(partnership))
    start = [
        f"/samverkan/{partnership.pk}/faltrapporter/ny/",
        f"/samverkan/{partnership.pk}/vecka/{week}/",
    ]
    found = walk(client, partnership, start)
    reached = sorted(url for url, text in found.items() if text)
    assert any("/faltrapporter/ny/" in url for url in reached), reached
    assert any("/vecka/" in url for url in reached), reached
    allowed = (
        f"/samverkan/{partnership.pk}/faltrapporter/ny/",
        f"/samverkan/{partnership.pk}/vecka/",
    )
    assert all(urlsplit(url).path.startswith(allowed) for url in reached), reached
    assert not _leaks(found, secrets)
    assert client.get(f"/samverkan/{partnership.pk}/").status_code == 403


@pytest.mark.slow(reason="follows every link the police are offered: hundreds of pages")
def test_content_walk_of_the_police_finds_their_own_secrets(client, spread):
    """The police party reads its own confidential items everywhere: the walk can find them."""
    partnership, secrets, _export = spread
    client.force_login(User.objects.get(username="demo.polis"))
    found = walk(client, partnership, live_pdf=False)
    assert {s for _url, s in _leaks(found, secrets)} == set(secrets)
    history = next(text for url, text in found.items() if url.endswith("/historik/"))
    assert ACTIVITY in history and STATUS_REASON in history


def test_the_export_is_its_starters_and_holds_no_secret(client, spread):
    """Leak 2: the export is its starter's and holds no confidential text."""
    partnership, secrets, export = spread
    download = reverse("jobs:download", kwargs={"pk": partnership.pk, "job_id": export.pk})
    client.force_login(User.objects.get(username="demo.kyrkan"))
    assert client.get(download).status_code == 404
    detail = reverse("jobs:detail", kwargs={"pk": partnership.pk, "job_id": export.pk})
    assert client.get(detail).status_code == 404
    client.force_login(User.objects.get(username="demo.kommun"))
    text = _text(client.get(download))
    assert '"history"' in text
    assert not [s for s in secrets if s in text]
    assert "source_lines" not in text  # issued documents are in the history without their text


def test_a_later_version_hides_removed_confidential_lines_from_a_third_party(client, spread):
    """Leak 3: the police issued the internal agreement with the confidential items, the
    municipality after them without; the later version's page must not show the removed
    confidential lines to a member of a third party."""
    partnership, secrets, _export = spread
    versions = partnership.issued_documents.filter(kind="agreement", format="pdf").order_by(
        "number"
    )
    police_version, municipal_version = list(versions)[-2:]
    assert police_version.confidential_access and not municipal_version.confidential_access
    assert any(secrets[0] in line for line in municipal_version.changes)  # stored, full diff
    url = reverse(
        "documents:version", kwargs={"pk": partnership.pk, "issued_id": municipal_version.pk}
    )
    client.force_login(User.objects.get(username="demo.kyrkan"))
    page = _text(client.get(url))
    assert not [s for s in secrets if s in page]
    assert "behörighet" in page
    client.force_login(User.objects.get(username="demo.polis"))
    assert secrets[0] in _text(client.get(url))  # the police may open both: the full diff


def _walk_region(client, start, prefixes):
    """Every URL under ``prefixes`` that the pages from ``start`` link to, with its text (a
    PDF or Word summary is followed through its job to the file)."""
    queue = list(start)
    seen = set(queue)
    found = {}
    while queue and len(found) < MAX_PAGES:
        url = queue.pop(0)
        response = get_document(client, url)
        if response.status_code != 200:
            found[url] = ""
            continue
        found[url] = _text(response)
        if "html" not in response.get("Content-Type", ""):
            continue
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        for link in _LINK.findall(raw.decode("utf-8", errors="replace")):
            link = urldefrag(html.unescape(link))[0]
            if not urlsplit(link).path.startswith(prefixes) or link in seen:
                continue
            seen.add(link)
            queue.append(link)
    return found


@pytest.mark.slow(reason="walks the regional reader's pages and renders its summaries")
def test_content_walk_of_the_regional_reader_finds_nothing_beyond_public_editions(
    client, spread, pdf_as_its_html
):
    """The regional reader (issue 24: a länsstyrelse reading its kommuner side by side) walks
    every page and download it is offered: the regional view and its CSV, PDF and Word
    summaries, the evidence bank and the open data the demo partnership publishes. None holds
    a confidential text, and no page of the partnership opens to it."""
    from django.utils import timezone

    from samverkan.learning.models import OpenDataPublication, RegionalScope

    partnership, secrets, export = spread
    OpenDataPublication.objects.create(
        partnership=partnership,
        published=True,
        published_at=timezone.now(),
        contact_name="Trygghetssamordnaren",
        contact_email="trygg@example.se",
    )
    scope = RegionalScope.objects.create(name="Länsstyrelsen (walk)", kind="lansstyrelse")
    scope.municipalities.add(partnership.municipality)
    reader = User.objects.create_user("lans.lasare")
    scope.readers.add(reader)
    client.force_login(reader)
    open_data = [
        reverse("learning:catalogue"),
        reverse("learning:dataset_json", kwargs={"pk": partnership.pk}),
        reverse("learning:dataset_csv", kwargs={"pk": partnership.pk}),
    ]
    found = _walk_region(
        client,
        [reverse("learning:regions"), reverse("learning:evidence"), *open_data],
        ("/region/", "/kunskapsbank/", "/oppna-data/"),
    )
    reached = {url for url, text in found.items() if text}
    region = reverse("learning:region", kwargs={"scope_id": scope.pk})
    assert region in reached, sorted(found)
    for fmt in ("pdf", "docx"):
        url = reverse("learning:region_document", kwargs={"scope_id": scope.pk, "fmt": fmt})
        assert url in reached, sorted(found)
        assert "Regional sammanställning" in found[url]
    assert reverse("learning:region_csv", kwargs={"scope_id": scope.pk}) in reached
    # The walk reads what the partnership publishes: its public measures are there.
    assert str(partnership.municipality) in found[region]
    public = Measure.objects.filter(
        partnership=partnership, confidential=False, publishable=True
    ).first()
    assert public is not None and public.title in found[open_data[1]]
    assert not _leaks(found, secrets)
    # Not one page of the partnership, nor its jobs, opens to the reader.
    inside = walk(client, partnership, _extra(partnership, export), live_pdf=False)
    assert not [url for url, text in inside.items() if text], sorted(inside)
