"""Background jobs: the same job runs in-process (embedded default) and on a Celery worker."""

import json

import pytest
from django.urls import reverse

from samverkan.jobs import registry
from samverkan.jobs.models import Job, JobStatus


@pytest.mark.django_db(transaction=True)
def test_export_job_runs_in_process_and_reports_progress(client, world):
    client.force_login(world.alice)
    p = world.ours.partnership
    response = client.post(reverse("partnerships:export", kwargs={"pk": p.pk}))
    job = Job.objects.filter(kind="partnerships.export", created_by=world.alice).get()
    assert response.status_code == 302
    registry.wait_for_inprocess_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.progress == 100
    data = json.loads(job.output.read())
    assert data["partnership"]["name"] == p.name
    assert len(data["parties"]) == 2
    page = client.get(reverse("jobs:detail", kwargs={"pk": p.pk, "job_id": job.pk}))
    assert "Ladda ned resultatet" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_failing_job_is_marked_failed_with_a_swedish_message(world, caplog):
    @registry.job("tests.boom")
    def boom(job, progress):
        progress(10, "halfway")
        raise RuntimeError("disk full")

    job = registry.enqueue("tests.boom", partnership=world.ours.partnership)
    registry.wait_for_inprocess_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == registry.UNEXPECTED  # the raw English text never reaches a page
    assert "disk full" not in job.error and job.finished_at is not None
    # ... but the traceback is in the log, for whoever runs the service.
    logged = [r for r in caplog.records if r.exc_info and "tests.boom" in r.getMessage()]
    assert logged and "disk full" in str(logged[0].exc_info[1])


def test_enqueue_refuses_unknown_job_name(db):
    with pytest.raises(LookupError):
        registry.enqueue("no.such.job")


def test_job_progress_partial_for_htmx(client, world):
    world.ours.job.created_by = world.carol
    world.ours.job.save(update_fields=["created_by"])
    client.force_login(world.carol)
    url = reverse(
        "jobs:detail", kwargs={"pk": world.ours.partnership.pk, "job_id": world.ours.job.pk}
    )
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="job-progress"')
    assert 'hx-trigger="every 1s"' in partial.content.decode()


@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_transaction_is_visible_to_others(world):
    """An import runs in one transaction; its progress must still reach the progress page."""
    from django.db import connection, connections, transaction

    seen = {}

    @registry.job("tests.inside")
    def inside(job, progress):
        with transaction.atomic():
            progress(40, "rad 4 000")
            seen["live"] = registry.live_progress(job.pk)
            if connection.vendor == "postgresql":  # another connection sees the row at once
                other = connections.create_connection("default")
                with other.cursor() as cursor:
                    cursor.execute("SELECT progress FROM jobs_job WHERE id = %s", [job.pk])
                    seen["other"] = cursor.fetchone()[0]
                other.close()

    job = registry.enqueue("tests.inside", partnership=world.ours.partnership)
    registry.wait_for_inprocess_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert seen["live"] == (40, "rad 4 000")
    assert seen.get("other", 40) == 40
    assert registry.live_progress(job.pk) is None  # forgotten when the job ends


def test_progress_page_shows_live_progress_of_a_running_job(client, world):
    job = world.ours.job
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=1, created_by=world.carol
    )
    client.force_login(world.carol)
    url = reverse("jobs:detail", kwargs={"pk": world.ours.partnership.pk, "job_id": job.pk})
    with registry._live_lock:
        registry._live[job.pk] = (63, "rad 630 000")
    try:
        page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    finally:
        registry._live.pop(job.pk, None)
    assert 'value="63"' in page and "rad 630 000" in page


@pytest.mark.slow(reason="issues a document through a job: a real PDF is printed")
@pytest.mark.django_db(transaction=True)
def test_issued_document_job_speaks_plainly_and_leads_to_the_version(client, world):
    client.force_login(world.alice)
    p = world.ours.partnership
    client.post(
        reverse("documents:issue", kwargs={"pk": p.pk, "kind": "agreement", "edition": "internal"})
    )
    registry.wait_for_inprocess_jobs()
    job = Job.objects.get(kind="documents.issue")
    assert job.status == JobStatus.DONE, job.error
    url = reverse("jobs:detail", kwargs={"pk": p.pk, "job_id": job.pk})
    version = reverse(
        "documents:version", kwargs={"pk": p.pk, "issued_id": job.result["versions"][0]}
    )
    response = client.get(url)
    assert response.status_code == 302 and response.url == version
    # The page that polls the job is taken to the version when the job is done.
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial["HX-Redirect"] == version
    landed = client.get(version).content.decode()
    assert "Överenskommelsen är utfärdad – version 1 (intern version)" in landed
    assert "documents.issue" not in landed


def test_running_job_headline_names_the_work(client, world):
    job = Job.objects.create(
        partnership=world.ours.partnership,
        kind="documents.issue",
        params={"kind": "followup", "edition": "public"},
        status=JobStatus.RUNNING,
        created_by=world.alice,
    )
    client.force_login(world.alice)
    page = client.get(
        reverse("jobs:detail", kwargs={"pk": world.ours.partnership.pk, "job_id": job.pk})
    ).content.decode()
    assert "Uppföljningsrapporten utfärdas … (offentlig version)" in page
    assert "<progress" in page


@pytest.mark.django_db(transaction=True)
def test_import_page_says_what_came_in_without_internals(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.alice)
    p, party = world.ours.partnership, world.ours.kommun
    text = "Datum;Tid;Brott;Plats\n2025-03-12;21:30;Rån;Torget\n2025-03-13;22:30;Rån;Torget\n"
    response = client.post(
        reverse("mapping:import_upload", kwargs={"pk": p.pk, "party_id": party.pk}),
        {"kind": "incidents", "file": SimpleUploadedFile("brott.csv", text.encode())},
    )
    registry.wait_for_inprocess_jobs()
    page = client.get(response.url).content.decode()
    assert "Importen av brott.csv är klar: 2 nya rader" in page
    assert "mapping.import" not in page
    # The checksum is folded away under the technical details.
    assert page.index("<details>") < page.index("SHA-256")
    job = Job.objects.get(kind="mapping.import")
    partial = client.get(
        reverse("jobs:detail", kwargs={"pk": p.pk, "job_id": job.pk}),
        headers={"HX-Request": "true"},
    )
    assert partial["HX-Redirect"] == response.url
