"""Field reports (fältrapporter): what field staff see week by week, and who wants the weekly
picture by e-mail.

Reports are the partnership's shared material, not a party's private mapping: every member
reads them through the weekly picture, and a field reporter (Role.REPORTER) may file them
without seeing anything else in the partnership (accounts.access).

Their free text and typed place are personal data more often than not (lib.personal_data):
a report saved despite the name warning is held back for the coordinators of the reporter's
party, shared outputs use the listed places and the categories only, the history keeps no free
text, and the free text is erased after the partnership's retention period (services).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.partnerships.models import Partnership, Party

MAX_PEOPLE = 500  # more than this in one observation is a typing error, not a crowd
MAX_TEXT = 2000
OTHER_PLACE = "Annan plats"  # a typed place, as shared outputs show it
POINT_PLACE = "Punkt på kartan"
DEFAULT_RETENTION_MONTHS = 12
MAX_RETENTION_MONTHS = 120


class FieldCategory(models.Model):
    """What a field report is about; the partnership's own list (with sensible defaults)."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="field_categories",
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("namn"), max_length=100)
    position = models.PositiveIntegerField(_("ordning"), default=0)
    active = models.BooleanField(
        _("används"),
        default=True,
        help_text=_("Kategorier som inte används visas inte i formuläret."),
    )

    class Meta:
        verbose_name = _("kategori för fältrapporter")
        verbose_name_plural = _("kategorier för fältrapporter")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="field_category_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class FieldPlace(models.Model):
    """A place the partnership reports on (Torget, Stationen), optionally with a map point."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="field_places",
        on_delete=models.CASCADE,
    )
    name = models.CharField(_("namn"), max_length=200)
    latitude = models.FloatField(_("latitud (WGS 84)"), null=True, blank=True)
    longitude = models.FloatField(_("longitud (WGS 84)"), null=True, blank=True)
    active = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("plats för fältrapporter")
        verbose_name_plural = _("platser för fältrapporter")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="field_place_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class FieldReportQuerySet(models.QuerySet):
    def in_week(self, year: int, week: int) -> FieldReportQuerySet:
        start, end = week_bounds(year, week)
        return self.filter(observed_at__gte=start, observed_at__lt=end)


def week_bounds(year: int, week: int) -> tuple[datetime.datetime, datetime.datetime]:
    """Monday 00:00 to the next Monday 00:00 of ISO week ``year``-W``week``, local time."""
    monday = datetime.date.fromisocalendar(year, week, 1)
    start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(monday + datetime.timedelta(days=7), datetime.time.min)
    )
    return start, end


class FieldReport(models.Model):
    """One observation in the field: when, where, what, how many people, and a free text."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="field_reports",
        on_delete=models.CASCADE,
    )
    observed_at = models.DateTimeField(_("när"), db_index=True)
    place = models.ForeignKey(
        FieldPlace,
        verbose_name=_("plats"),
        related_name="reports",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
    )
    place_text = models.CharField(_("plats (egen beskrivning)"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitud (WGS 84)"), null=True, blank=True)
    longitude = models.FloatField(_("longitud (WGS 84)"), null=True, blank=True)
    category = models.ForeignKey(
        FieldCategory,
        verbose_name=_("vad"),
        related_name="reports",
        on_delete=models.RESTRICT,
    )
    people = models.PositiveIntegerField(
        _("antal personer"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_PEOPLE)],
    )
    text = models.TextField(_("beskrivning"), max_length=MAX_TEXT, blank=True)
    names_confirmed = models.BooleanField(
        _("namn bekräftade"),
        default=False,
        help_text=_("Rapportören såg varningen om att texten kan innehålla namn och sparade ändå."),
    )
    held_back = models.BooleanField(
        _("hålls inne"),
        default=False,
        help_text=_(
            "Texten sparades trots varningen om namn: bara rapportören och samordnarna i "
            "rapportörens part ser fritexten och den skrivna platsen tills en samordnare har "
            "granskat den."
        ),
    )
    masked = models.BooleanField(
        _("maskerad"),
        default=False,
        help_text=_("En samordnare har ersatt delar av texten med [maskerat]."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granskad av"),
        related_name="reviewed_field_reports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("granskad"), null=True, blank=True)
    erased_at = models.DateTimeField(
        _("fritext raderad"),
        null=True,
        blank=True,
        help_text=_("När fritexten och den skrivna platsen raderades efter lagringstiden."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rapportör"),
        related_name="field_reports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("part"),
        related_name="field_reports",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Den part rapportören rapporterar för."),
    )
    # Written by the form's script when the report is first typed: a resubmission after a
    # lost connection carries the same token and is not saved twice.
    client_token = models.CharField(_("formulärets nyckel"), max_length=64, blank=True)
    # What the token was sent with (reporter and content, hashed): the same token with another
    # reporter or another text is a new report, never a resubmission (forms.FieldReportForm).
    fingerprint = models.CharField(_("kontrollsumma"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("rapporterad"), auto_now_add=True)

    objects = FieldReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("fältrapport")
        verbose_name_plural = _("fältrapporter")
        ordering = ["-observed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "client_token"],
                condition=~models.Q(client_token=""),
                name="field_report_token_unique",
            )
        ]

    # The history keeps who changed a report and when, never what its free text said.
    audit_exclude = ("text", "place_text", "fingerprint", "client_token")

    def __str__(self) -> str:
        # Also the history's name for the report: listed place or "Annan plats", never typed text.
        when = timezone.localtime(self.observed_at)
        return f"{when:%Y-%m-%d %H:%M} {self.category} – {self.shared_place()}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def shared_place(self) -> str:
        """The place as shared outputs show it: the listed place, else "Annan plats" for a
        typed one (until a coordinator adds it to the list), else "Punkt på kartan"."""
        if self.place_id:
            return str(self.place)
        if self.place_text:
            return OTHER_PLACE
        if self.latitude is not None and self.longitude is not None:
            return POINT_PLACE
        return "–"

    def where(self) -> str:
        """The place as a reader should see it: the listed place, the typed one, or the point."""
        if self.place_id:
            return str(self.place)
        if self.place_text:
            return self.place_text
        if self.latitude is not None and self.longitude is not None:
            return f"{self.latitude:.5f}, {self.longitude:.5f}"
        return "–"

    def iso_week(self) -> tuple[int, int]:
        year, week, _day = timezone.localtime(self.observed_at).isocalendar()
        return year, week


class FieldworkPolicy(models.Model):
    """How a partnership keeps its field reports: how long the free text lives."""

    partnership = models.OneToOneField(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="fieldwork_policy",
        on_delete=models.CASCADE,
    )
    retention_months = models.PositiveSmallIntegerField(
        _("lagringstid för fritext (månader)"),
        default=DEFAULT_RETENTION_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_MONTHS)],
        help_text=_(
            "Fritext och skrivna platser i fältrapporter raderas så här många månader efter "
            "observationen. Antalen per kategori och listad plats finns kvar."
        ),
    )

    class Meta:
        verbose_name = _("lagringsregel för fältrapporter")
        verbose_name_plural = _("lagringsregler för fältrapporter")

    def __str__(self) -> str:
        return f"{self.partnership}: {self.retention_months} mån"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    @classmethod
    def months_for(cls, partnership: Partnership) -> int:
        policy = cls.objects.filter(partnership=partnership).first()
        return policy.retention_months if policy else DEFAULT_RETENTION_MONTHS


class WeeklySubscription(models.Model):
    """A member who wants the weekly picture by e-mail (opt in, one click to stop)."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="weekly_subscriptions",
        on_delete=models.CASCADE,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        related_name="weekly_subscriptions",
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(_("sedan"), auto_now_add=True)

    class Meta:
        verbose_name = _("prenumeration på veckolägesbilden")
        verbose_name_plural = _("prenumerationer på veckolägesbilden")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user"], name="weekly_subscription_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.partnership}"


class WeeklyDispatch(models.Model):
    """That the weekly e-mail for one partnership and week has gone out (sent once only)."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="weekly_dispatches",
        on_delete=models.CASCADE,
    )
    week = models.CharField(_("vecka"), max_length=8)  # "2026-W48"
    recipients = models.PositiveIntegerField(_("mottagare"), default=0)
    sent_at = models.DateTimeField(_("skickat"), auto_now_add=True)

    class Meta:
        verbose_name = _("utskick av veckolägesbilden")
        verbose_name_plural = _("utskick av veckolägesbilden")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "week"], name="weekly_dispatch_unique")
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.week}"
