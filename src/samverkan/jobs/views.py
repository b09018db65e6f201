"""Job progress pages (polled by htmx) and result downloads, scoped to the partnership."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from samverkan.accounts.decorators import job_view
from samverkan.jobs import registry
from samverkan.jobs.models import Job, JobStatus
from samverkan.lib import htmx
from samverkan.partnerships.models import Partnership


@job_view()
def job_detail(request: HttpRequest, partnership: Partnership, job: Job) -> HttpResponse:
    if not job.is_finished() and registry.reap_stale_jobs(ids=[job.pk]):
        job.refresh_from_db()
    live = registry.live_progress(job.pk) if job.status == JobStatus.RUNNING else None
    if live and live[0] > job.progress:  # the job's row waits for its transaction to end
        job.progress, job.message = live
    text = job.describe()
    context = {
        "partnership": partnership,
        "job": job,
        "own_page": "inline" not in request.GET,
        "section": "history",
    }
    if job.status == JobStatus.DONE and text.url and text.file:
        # A file: the polling page shows that it is done with its link, and starts the
        # download (js/jobs.js); a page opened anew goes straight to the file, and the browser
        # keeps showing the page the reader came from.
        if not htmx.is_partial(request):
            return HttpResponseRedirect(text.url)
    elif job.status == JobStatus.DONE and text.url:
        # Done: take the reader to what the job made (the page polling it, too).
        messages.success(request, text.headline)
        return htmx.redirect(request, text.url)
    if htmx.is_partial(request):
        return render(request, "jobs/_progress.html", context)
    return render(request, "jobs/detail.html", context)


@job_view()
def job_download(request: HttpRequest, partnership: Partnership, job: Job) -> FileResponse:
    if not job.output:
        raise Http404("Jobbet har ingen fil")
    return FileResponse(job.output.open("rb"), as_attachment=True)
