"""The webhooks' deliveries as a background job (api/webhooks.py)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from samverkan.api import webhooks
from samverkan.jobs.models import Job
from samverkan.jobs.registry import JobText, Progress, describes, job


@job(webhooks.JOB)
def deliver_webhooks(
    record: Job, progress: Progress, deliveries: list[int] | None = None
) -> dict[str, Any]:
    """Send the due deliveries among ``deliveries`` (all due ones when None), once each."""
    return webhooks.deliver(deliveries)


@describes(webhooks.JOB)
def describe_delivery(record: Job) -> JobText:
    return JobText(_("Händelser skickas till samverkans webbkrokar."))
