"""Downloads of documents come from stored renderings or are rendered in a job, never inside
the request (issue 23); each audience has its own file (documents/renderings.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samverkan.accounts.choices import Role
from samverkan.accounts.models import User
from samverkan.documents import data, render, renderings
from samverkan.documents.models import Rendering
from samverkan.jobs import registry
from samverkan.jobs.models import Job
from samverkan.problems.models import Measure
from tests import factories
from tests.downloads import body, get_document

PDF = b"%PDF-fake\n"


@pytest.fixture
def printed(monkeypatch, settings):
    """PDFs are "printed" as the HTML WeasyPrint would lay out (the text they would show),
    and every print is counted; the process's own PDF cache is off."""
    calls: list[str] = []

    def fake_print(html: str) -> bytes:
        calls.append(html)
        return PDF + html.encode("utf-8")

    settings.DOCUMENT_PDF_CACHE_SIZE = 0
    render.clear_pdf_cache()
    monkeypatch.setattr(render, "print_pdf", fake_print)
    return calls


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _url(partnership, kind="agreement", edition="internal", fmt="pdf") -> str:
    return reverse(
        "documents:download",
        kwargs={"pk": partnership.pk, "kind": kind, "edition": edition, "fmt": fmt},
    )


def _job_of(response) -> Job:
    """The job a download sent its reader to (its page's address is the redirect)."""
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))
    assert response.url == reverse(
        "jobs:detail", kwargs={"pk": job.partnership_id, "job_id": job.pk}
    )
    return job


def test_a_first_download_is_rendered_in_a_job_and_the_next_come_from_the_stored_file(
    client, demo, printed
):
    client.force_login(_user("demo.kommun"))
    url = _url(demo)
    job = _job_of(client.get(url))
    assert job.kind == "documents.render" and job.created_by == _user("demo.kommun")
    assert printed == []  # nothing laid out inside the request
    assert registry.run_job(job.pk).status == "done"
    assert len(printed) == 1
    back = client.get(reverse("jobs:detail", kwargs={"pk": demo.pk, "job_id": job.pk}))
    assert back.status_code == 302 and back.url == url
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"].startswith('attachment; filename="overenskommelse-intern-')
    content = body(first)
    assert content.startswith(PDF) and "Samverkansöverenskommelse" in content.decode()
    again = client.get(url)
    assert body(again) == content
    assert len(printed) == 1  # served from the stored file: not laid out again
    assert Job.objects.filter(kind="documents.render").count() == 1
    stored = Rendering.objects.get(partnership=demo)
    assert (stored.kind, stored.edition, stored.format) == ("agreement", "internal", "pdf")


def test_the_polling_job_page_shows_the_finished_file_and_starts_its_download(
    client, demo, printed
):
    client.force_login(_user("demo.kommun"))
    url = _url(demo)
    job = _job_of(client.get(url))
    page = reverse("jobs:detail", kwargs={"pk": demo.pk, "job_id": job.pk})
    waiting = client.get(page).content.decode()
    assert "PDF-filen skapas: Samverkansöverenskommelse, intern version" in waiting
    assert "js/jobs.js" in waiting and 'hx-trigger="every 1s"' in waiting
    registry.run_job(job.pk)
    polled = client.get(page, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "HX-Redirect" not in polled
    panel = polled.content.decode()
    assert "PDF-filen är klar: Samverkansöverenskommelse, intern version" in panel
    assert f'href="{url}" data-job-file' in panel and "every 1s" not in panel


def test_a_second_click_follows_the_job_already_under_way(client, demo, printed):
    client.force_login(_user("demo.kommun"))
    url = _url(demo)
    first, second = _job_of(client.get(url)), _job_of(client.get(url))
    assert first == second
    assert _job_of(client.get(_url(demo, fmt="docx"))) != first  # another file, another job


def test_changed_content_is_rendered_again_and_replaces_the_stored_file(
    client, demo, printed, django_capture_on_commit_callbacks
):
    client.force_login(_user("demo.kommun"))
    url = _url(demo)
    get_document(client, url)
    old = Rendering.objects.get(partnership=demo)
    demo.purpose = "Ett nytt syfte, skrivet efter den första nedladdningen."
    demo.save()
    job = _job_of(client.get(url))  # the stored file no longer matches the document
    with django_capture_on_commit_callbacks(execute=True):
        registry.run_job(job.pk)
    new = Rendering.objects.get(partnership=demo)  # the slot holds one file: the new one
    assert new.pk == old.pk and new.digest != old.digest
    assert not old.file.storage.exists(old.file.name)
    assert "Ett nytt syfte" in body(client.get(url)).decode()
    assert len(printed) == 2


def test_each_audience_has_its_own_file_and_no_reader_gets_another_audiences(client, demo, printed):
    secret = Measure.objects.get(partnership=demo, confidential=True).title
    url = _url(demo)
    client.force_login(_user("demo.polis"))
    police_file = body(get_document(client, url)).decode()
    assert secret in police_file
    client.force_login(_user("demo.kommun"))
    response = client.get(url)
    assert _job_of(response).created_by == _user("demo.kommun")  # not the police's file
    municipal_file = body(get_document(client, url)).decode()
    assert secret not in municipal_file
    assert sorted(Rendering.objects.values_list("audience", flat=True)) == sorted(
        [
            renderings.audience_key(demo, "internal", _user("demo.polis")),
            renderings.audience_key(demo, "internal", _user("demo.kommun")),
        ]
    )
    # Another coordinator of the municipality is the same audience: the same file, at once.
    colleague = factories.make_user("kollega")
    factories.join(colleague, demo.parties.get(organisation=demo.municipality), Role.ADMIN)
    client.force_login(colleague)
    same = client.get(url)
    assert same.status_code == 200 and body(same).decode() == municipal_file
    assert len(printed) == 2


def test_the_render_job_and_the_download_are_closed_to_others(client, demo, printed):
    client.force_login(_user("demo.polis"))
    job = _job_of(client.get(_url(demo)))
    page = reverse("jobs:detail", kwargs={"pk": demo.pk, "job_id": job.pk})
    client.force_login(_user("demo.kyrkan"))
    assert client.get(page).status_code == 404
    client.force_login(factories.make_user("utomstaende"))
    assert client.get(_url(demo)).status_code == 404
    assert client.get(page).status_code == 404
    assert Job.objects.filter(kind="documents.render").count() == 1


def test_the_weekly_picture_of_a_chosen_week_comes_back_to_its_own_address(client, demo, printed):
    from samverkan.fieldwork.services import latest_week_with_reports, week_label

    week = week_label(*latest_week_with_reports(demo))
    client.force_login(_user("demo.kommun"))
    url = _url(demo, kind="vecka") + f"?vecka={week}"
    response = get_document(client, url)  # the job's page sends the reader back to this url
    assert response.status_code == 200
    assert Rendering.objects.get(partnership=demo, kind="vecka").variant == week


@pytest.mark.slow(reason="builds each document kind twice, charts included")
@pytest.mark.parametrize("kind", list(data.KINDS))
def test_a_document_built_twice_has_the_same_digest(demo, kind):
    """Otherwise a download would find no stored file and render again, every time."""
    police = _user("demo.polis")
    for edition in data.EDITIONS:
        first = renderings.content_digest(data.build(kind, demo, edition, police), "pdf")
        second = renderings.content_digest(data.build(kind, demo, edition, police), "pdf")
        assert first == second, (kind, edition)


def test_the_digest_names_the_format_and_the_renderer(demo, monkeypatch):
    doc = data.build("medborgarlofte", demo, data.PUBLIC)
    pdf = renderings.content_digest(doc, "pdf")
    assert renderings.content_digest(doc, "docx") != pdf
    monkeypatch.setattr(renderings, "renderer_version", lambda: "a newer renderer")
    assert renderings.content_digest(doc, "pdf") != pdf
