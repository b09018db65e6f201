"""Jobs always end: failures get a Swedish message and a clean-up, abandoned and timed-out
jobs are failed, and a job is run by one worker only."""

import datetime
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from samverkan.jobs import registry
from samverkan.jobs.models import Job, JobStatus

cleaned: list[int] = []


def _fail_hook(job):
    cleaned.append(job.pk)


@registry.job("tests.refuses", on_failure=_fail_hook)
def refuses(job, progress):
    raise registry.JobFailed("Filen gick inte att läsa.")


@registry.job("tests.crashes", on_failure=_fail_hook)
def crashes(job, progress):
    raise ValueError("could not convert string to float: '²'")


@registry.job("tests.counts")
def counts(job, progress):
    calls.append(job.pk)
    return {"ok": True}


calls: list[int] = []


def dead_pid() -> int:
    """The pid of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def make_job(world, **fields) -> Job:
    return Job.objects.create(partnership=world.ours.partnership, kind="tests.crashes", **fields)


@pytest.fixture(autouse=True)
def _reset():
    cleaned.clear()
    calls.clear()


@pytest.mark.django_db(transaction=True)
def test_job_may_fail_with_its_own_swedish_message_and_is_cleaned_up(world):
    job = registry.enqueue("tests.refuses", partnership=world.ours.partnership)
    registry.wait_for_inprocess_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, "Filen gick inte att läsa.")
    assert cleaned == [job.pk]


@pytest.mark.django_db(transaction=True)
def test_unexpected_exception_is_cleaned_up_and_shown_in_swedish(client, world):
    # A job's page is its starter's (accounts.access.may_see_job): carol started it.
    job = registry.enqueue("tests.crashes", partnership=world.ours.partnership, user=world.carol)
    registry.wait_for_inprocess_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and cleaned == [job.pk]
    client.force_login(world.carol)
    url = reverse("jobs:detail", kwargs={"pk": world.ours.partnership.pk, "job_id": job.pk})
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "oväntat fel" in page and "could not convert" not in page
    assert "hx-trigger" not in page  # the page stops polling


@pytest.mark.django_db(transaction=True)
def test_result_that_cannot_be_stored_fails_the_job(world):
    @registry.job("tests.bad_result")
    def bad_result(job, progress):
        return {"when": object()}  # not JSON

    job = registry.enqueue("tests.bad_result", partnership=world.ours.partnership)
    registry.wait_for_inprocess_jobs()
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.FAILED, registry.UNEXPECTED)


def test_a_job_is_claimed_once(world):
    job = Job.objects.create(partnership=world.ours.partnership, kind="tests.counts")
    assert registry.claim(job.pk) is True
    assert registry.claim(job.pk) is False
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.worker == registry.worker_id()


def test_a_job_delivered_twice_runs_once(world):
    job = Job.objects.create(partnership=world.ours.partnership, kind="tests.counts")
    first = registry.run_job(job.pk)
    second = registry.run_job(job.pk)
    assert calls == [job.pk]
    assert first.status == second.status == JobStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_never_both_run_a_job(world):
    """Both read the job as queued; only the conditional update decides who runs it."""
    jobs = [
        Job.objects.create(partnership=world.ours.partnership, kind="tests.counts")
        for _ in range(5)
    ]
    barrier = threading.Barrier(2)

    def run(job_id):
        # The SQLite test database is in memory with a shared cache, where a second writer
        # gets "table is locked" at once instead of waiting out the busy timeout as it does on
        # a database file: wait here the way the file database would.
        for _attempt in range(200):
            try:
                return registry.run_job(job_id)
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                time.sleep(0.01)
        raise AssertionError(f"job {job_id} stayed locked")

    def worker():
        from django.db import connection

        try:
            for job in jobs:
                barrier.wait(timeout=10)
                run(job.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(calls) == sorted(j.pk for j in jobs)
    done = Job.objects.filter(pk__in=[j.pk for j in jobs], status=JobStatus.DONE)
    assert done.count() == len(jobs)


def test_running_job_of_a_dead_process_is_failed_and_cleaned_up(world):
    host = registry.worker_id().split("/")[0]
    gone = make_job(
        world,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        worker=f"{host}/{dead_pid()}/abc123",
    )
    assert registry.reap_stale_jobs() == 1
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and gone.error == registry.ABANDONED
    assert cleaned == [gone.pk]


def test_job_of_this_pid_before_a_restart_is_failed(world):
    """A restarted process may get its predecessor's pid back (containers): the start-id
    tells them apart."""
    host, pid, _token = registry.worker_id().split("/")
    old = make_job(world, status=JobStatus.QUEUED, worker=f"{host}/{pid}/000000")
    assert registry.reap_stale_jobs() == 1
    old.refresh_from_db()
    assert old.status == JobStatus.FAILED


def test_live_jobs_are_left_alone(world):
    ours = make_job(world, status=JobStatus.RUNNING, started_at=timezone.now(),
                    worker=registry.worker_id())  # fmt: skip
    elsewhere = make_job(world, status=JobStatus.RUNNING, started_at=timezone.now(),
                         worker="other-host/1/abc")  # fmt: skip
    queued = make_job(world)
    assert registry.reap_stale_jobs() == 0
    for job in (ours, elsewhere, queued):
        job.refresh_from_db()
        assert job.status != JobStatus.FAILED
    assert cleaned == []


def test_jobs_past_the_timeout_are_failed(world, settings):
    settings.JOBS_TIMEOUT_MINUTES = 30
    long_ago = timezone.now() - datetime.timedelta(minutes=31)
    hung = make_job(world, status=JobStatus.RUNNING, started_at=long_ago,
                    worker="other-host/1/abc")  # fmt: skip
    never_started = make_job(world)
    Job.objects.filter(pk=never_started.pk).update(created_at=long_ago)
    recent = make_job(world, status=JobStatus.RUNNING, started_at=timezone.now())
    done = make_job(world, status=JobStatus.DONE, started_at=long_ago)
    assert registry.reap_stale_jobs() == 2
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses[hung.pk] == statuses[never_started.pk] == JobStatus.FAILED
    assert statuses[recent.pk] == JobStatus.RUNNING and statuses[done.pk] == JobStatus.DONE
    hung.refresh_from_db()
    assert "30 minuter" in hung.error


def test_reap_jobs_command_fails_stale_jobs(world, capsys):
    host = registry.worker_id().split("/")[0]
    gone = make_job(world, status=JobStatus.RUNNING, started_at=timezone.now(),
                    worker=f"{host}/{dead_pid()}/abc")  # fmt: skip
    call_command("reap_jobs")
    assert "1 stale job(s) marked failed" in capsys.readouterr().out
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED


def test_progress_page_of_an_abandoned_job_fails_it_and_stops_polling(client, world):
    host = registry.worker_id().split("/")[0]
    gone = make_job(world, status=JobStatus.RUNNING, started_at=timezone.now(),
                    worker=f"{host}/{dead_pid()}/abc", created_by=world.carol)  # fmt: skip
    client.force_login(world.carol)
    url = reverse("jobs:detail", kwargs={"pk": world.ours.partnership.pk, "job_id": gone.pk})
    page = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "processen som körde det stannade" in page and "hx-trigger" not in page
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED and cleaned == [gone.pk]


def test_a_celery_worker_starting_on_this_host_fails_its_predecessors_jobs(world):
    from samverkan.celery import app
    from samverkan.jobs.tasks import _reap_at_start, reap_jobs_task

    host = registry.worker_id().split("/")[0]
    gone = make_job(world, status=JobStatus.RUNNING, started_at=timezone.now(),
                    worker=f"{host}/{dead_pid()}/abc")  # fmt: skip
    _reap_at_start()
    gone.refresh_from_db()
    assert gone.status == JobStatus.FAILED
    assert app.conf.beat_schedule["reap-stale-jobs"]["task"] == reap_jobs_task.name
