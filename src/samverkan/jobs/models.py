"""Background jobs: long work (imports, document builds, exports) with visible progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kö")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Klart")
    FAILED = "failed", _("Misslyckades")


class Job(models.Model):
    """One run of a registered job function; progress is stored so any process can show it."""

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("samverkan"),
        related_name="jobs",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    kind = models.CharField(_("typ"), max_length=100)
    params = models.JSONField(_("parametrar"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("förlopp (%)"), default=0)
    message = models.CharField(_("meddelande"), max_length=300, blank=True)
    result = models.JSONField(_("resultat"), default=dict, blank=True)
    error = models.TextField(_("fel"), blank=True)
    output = models.FileField(_("resultatfil"), upload_to="jobs/", blank=True, max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("startad av"),
        related_name="jobs",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    started_at = models.DateTimeField(_("startad"), null=True, blank=True)
    finished_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    worker = models.CharField(
        _("process"),
        max_length=200,
        blank=True,
        help_text=_(
            "Processen som äger jobbet (värd/pid/start-id), så att jobb från en process som "
            "har stannat kan markeras som misslyckade."
        ),
    )

    class Meta:
        verbose_name = _("bakgrundsjobb")
        verbose_name_plural = _("bakgrundsjobb")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    def describe(self) -> Any:
        """The job's headline in plain Swedish and where what it made can be found."""
        from samverkan.jobs.registry import description_for

        return description_for(self)

    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
