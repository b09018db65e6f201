"""Step 4 – Genomförande: each measure's status, its activity log and meeting action items.

Handbook pages 79–86: document the work as it happens, so the follow-up can show what was
done, when and by whom, and explain every deviation from the plan.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.lib.versioning import Versioned
from samverkan.partnerships.models import Meeting
from samverkan.problems.models import Goal, Measure


class Status(models.TextChoices):
    PLANNED = "planned", _("Planerad")
    STARTED = "started", _("Påbörjad")
    DONE = "done", _("Genomförd")
    PAUSED = "paused", _("Pausad")
    CANCELLED = "cancelled", _("Avbruten")


# A started measure without a log entry for this long is flagged on the dashboard.
SILENCE_DAYS = 30


class Progress(Versioned):
    """How a measure is going: status, owner, actual dates and the reason for any deviation."""

    partnership_lookup = "measure__partnership"
    visibility_parent = "measure"  # a confidential measure's status is confidential too

    measure = models.OneToOneField(
        Measure, verbose_name=_("åtgärd"), related_name="progress", on_delete=models.CASCADE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    reason = models.TextField(
        _("skäl"),
        blank=True,
        help_text=_("Obligatoriskt när åtgärden pausas eller avbryts."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig användare"),
        related_name="owned_measures",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Får påminnelser om åtgärden."),
    )
    started_on = models.DateField(_("startade"), null=True, blank=True)
    finished_on = models.DateField(_("avslutades"), null=True, blank=True)

    class Meta:
        verbose_name = _("genomförande")
        verbose_name_plural = _("genomföranden")

    def __str__(self) -> str:
        return f"{self.measure} – {self.get_status_display()}"

    def audit_partnership_id(self) -> int:
        return self.measure.partnership_id

    def is_open(self) -> bool:
        return self.status not in (Status.DONE, Status.CANCELLED)

    def is_overdue(self, today: datetime.date) -> bool:
        end = self.measure.ends_on
        return self.is_open() and end is not None and end < today

    def is_silent(self, today: datetime.date, last_entry: datetime.date | None) -> bool:
        if self.status != Status.STARTED:
            return False
        since = last_entry or self.started_on or self.measure.starts_on
        return since is not None and (today - since).days > SILENCE_DAYS


class ActivityEntry(models.Model):
    """One piece of work on a measure, with production counted toward a production goal."""

    partnership_lookup = "measure__partnership"
    visibility_parent = "measure"  # so is its activity log

    measure = models.ForeignKey(
        Measure, verbose_name=_("åtgärd"), related_name="activities", on_delete=models.CASCADE
    )
    date = models.DateField(_("datum"), default=timezone.localdate)
    what = models.TextField(_("vad som gjordes"))
    by_whom = models.CharField(_("av vem"), max_length=200, blank=True)
    production_goal = models.ForeignKey(
        Goal,
        verbose_name=_("produktionsmål"),
        related_name="activities",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    count = models.PositiveIntegerField(
        _("antal"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Hur mycket som räknas mot produktionsmålet, t.ex. 3 tillsynsbesök."),
    )
    deviation = models.TextField(
        _("avvikelse från planen"), blank=True, help_text=_("Vad som avvek och varför.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrerad av"),
        related_name="activity_entries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktivitetslogg")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.what[:60]}"

    def audit_partnership_id(self) -> int:
        return self.measure.partnership_id


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ActionItemQuerySet:
        """Tasks tied to a confidential measure only for those who may see the measure."""
        from samverkan.accounts.access import confidential_q

        return self.filter(
            models.Q(measure__isnull=True) | confidential_q(user, "measure__")
        ).distinct()


class ActionItem(models.Model):
    """A task decided at a meeting, optionally tied to a measure."""

    partnership_lookup = "meeting__partnership"
    visibility_parent = "measure"  # a task tied to a confidential measure

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("möte"), related_name="action_items", on_delete=models.CASCADE
    )
    text = models.CharField(_("uppgift"), max_length=300)
    responsible = models.CharField(_("ansvarig"), max_length=200)
    due = models.DateField(_("klart senast"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("åtgärd"),
        related_name="action_items",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    done = models.BooleanField(_("klar"), default=False)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("uppgift från möte")
        verbose_name_plural = _("uppgifter från möten")
        ordering = ["done", "due", "id"]

    def __str__(self) -> str:
        return self.text

    def audit_partnership_id(self) -> int:
        return self.meeting.partnership_id


def current_progress(measure: Measure) -> Progress:
    """The measure's progress, or an unsaved "planned" one: reading a page writes nothing."""
    try:
        return Progress.objects.get(measure=measure)
    except Progress.DoesNotExist:
        return Progress(measure=measure)


def progress_for(measure: Measure) -> Progress:
    """The measure's saved progress, created when a change needs a row to change.

    Every measure starts as planned, so creating that row is no news for the history: only
    what changes it afterwards is recorded.
    """
    from samverkan.accounts import audit

    with audit.suppressed():
        progress, _created = Progress.objects.get_or_create(measure=measure)
    return progress
