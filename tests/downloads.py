"""Downloading a document as a browser does: a PDF or Word file not rendered before for the
reader is made by a job (documents.render); its page, once the job is done, sends the reader
back to the same address, which then serves the stored file."""

from __future__ import annotations

import re
from typing import Any

from samverkan.jobs import registry

# A partnership's job page, or a regional view's (the regional summary, learning/jobs.py).
_JOB_PAGE = re.compile(r"/(?:samverkan|region)/\d+/jobb/(\d+)/$")


def get_document(client: Any, url: str) -> Any:
    """The response a reader finally gets from a document's download address.

    The job runs here, in the test's thread and transaction (in a test the job queue never
    sees a commit). Anything but a redirect to a job page is returned as it is.
    """
    response = client.get(url)
    if response.status_code != 302 or not _JOB_PAGE.search(response.url):
        return response
    job_page = response.url
    record = registry.run_job(int(_JOB_PAGE.search(job_page)[1]))
    assert record.status == "done", (record.status, record.error)
    back = client.get(job_page)
    assert back.status_code == 302 and back.url == url, (back.status_code, back.get("Location"))
    return client.get(url)


def body(response: Any) -> bytes:
    """The response's bytes, whether the file was streamed (a stored one) or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content
