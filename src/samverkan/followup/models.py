"""Step 5 – Uppföljning: effect evaluations per goal and the steering group's response.

Handbook pages 87–98: process follow-up (was it done as planned) comes from step 4's data;
effect follow-up compares the indicator before and after, ideally against a control area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samverkan.lib.versioning import Versioned
from samverkan.partnerships.models import Cycle, Partnership
from samverkan.problems.models import Goal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Interpretation(models.TextChoices):
    """The handbook's three ways to read reported-crime counts (p. 48–49)."""

    WITH_INTERACTION = "victim_interaction", _("Anmäls av brottsutsatta (med kontakt)")
    WITHOUT_INTERACTION = "victim_no_interaction", _("Anmäls av brottsutsatta (utan kontakt)")
    POLICE_INITIATED = "police_initiated", _("Upptäcks främst genom polisens insatser")


def _count(label: StrOrPromise, required: bool = False) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, null=not required, blank=not required)


class EffectEvaluation(Versioned):
    """Counts before and after for the treated area, and optionally control and buffer areas."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="evaluations",
        on_delete=models.CASCADE,
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("mål"), related_name="evaluations", on_delete=models.CASCADE
    )
    indicator = models.CharField(_("indikator"), max_length=300)
    interpretation = models.CharField(
        _("hur talen ska läsas"),
        max_length=30,
        choices=Interpretation.choices,
        default=Interpretation.WITH_INTERACTION,
    )
    period_before = models.CharField(_("period före"), max_length=100)
    period_after = models.CharField(_("period efter"), max_length=100)
    treated_area = models.CharField(_("insatsområde"), max_length=200)
    treated_before = _count(_("insatsområdet före"), required=True)
    treated_after = _count(_("insatsområdet efter"), required=True)
    control_area = models.CharField(_("kontrollområde"), max_length=200, blank=True)
    control_before = _count(_("kontrollområdet före"))
    control_after = _count(_("kontrollområdet efter"))
    buffer_area = models.CharField(
        _("omgivande område"),
        max_length=200,
        blank=True,
        help_text=_("Området runt insatsområdet, för att se om brotten flyttade."),
    )
    buffer_before = _count(_("omgivande område före"))
    buffer_after = _count(_("omgivande område efter"))
    selected_for_high_level = models.BooleanField(
        _("området valdes för att brotten var ovanligt många"), default=False
    )
    survey_question = models.CharField(_("enkätfråga"), max_length=300, blank=True)
    survey_before = models.FloatField(
        _("andel före (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    survey_before_n = _count(_("svarande före"))
    survey_after = models.FloatField(
        _("andel efter (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    survey_after_n = _count(_("svarande efter"))
    source = models.CharField(_("källa"), max_length=300, blank=True)
    note = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("effektuppföljning")
        verbose_name_plural = _("effektuppföljningar")
        ordering = ["goal_id", "id"]

    def __str__(self) -> str:
        return f"{self.indicator}, {self.treated_area}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def clean(self) -> None:
        pairs = [("control", _("kontrollområdet")), ("buffer", _("det omgivande området"))]
        for prefix, label in pairs:
            values = [getattr(self, f"{prefix}_before"), getattr(self, f"{prefix}_after")]
            if any(v is not None for v in values) and None in values:
                raise ValidationError(
                    _("Ange både före- och eftervärde för %(area)s.") % {"area": label}
                )
        survey = [self.survey_before, self.survey_before_n, self.survey_after, self.survey_after_n]
        if any(v is not None for v in survey) and None in survey:
            raise ValidationError(_("Ange andel och antal svarande både före och efter."))

    def has_control(self) -> bool:
        return self.control_before is not None and self.control_after is not None

    def has_buffer(self) -> bool:
        return self.buffer_before is not None and self.buffer_after is not None


class SteeringResponse(Versioned):
    """The steering group's response to the follow-up, and what it decided next."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="steering_responses",
        on_delete=models.CASCADE,
    )
    cycle = models.ForeignKey(
        Cycle,
        verbose_name=_("omgång"),
        related_name="steering_responses",
        on_delete=models.CASCADE,
    )
    date = models.DateField(_("datum"))
    response = models.TextField(_("styrgruppens bedömning"))
    decisions = models.TextField(_("beslut"), blank=True)
    continue_next_cycle = models.BooleanField(
        _("samverkan fortsätter i en ny omgång"), default=True
    )

    class Meta:
        verbose_name = _("styrgruppens svar")
        verbose_name_plural = _("styrgruppens svar")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{_('Styrgruppens svar')} {self.date:%Y-%m-%d}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class WriteUpPart(models.TextChoices):
    """The five parts of a 5I write-up (Ekblom 2011), in their order."""

    INTELLIGENCE = "intelligence", _("Underrättelser")
    INTERVENTION = "intervention", _("Insats")
    IMPLEMENTATION = "implementation", _("Införande")
    INVOLVEMENT = "involvement", _("Involvering")
    IMPACT = "impact", _("Effekt")


# The parts' addresses in the URLs (Swedish, ASCII).
WRITE_UP_SLUGS = {
    WriteUpPart.INTELLIGENCE: "underrattelser",
    WriteUpPart.INTERVENTION: "insats",
    WriteUpPart.IMPLEMENTATION: "inforande",
    WriteUpPart.INVOLVEMENT: "involvering",
    WriteUpPart.IMPACT: "effekt",
}


class WriteUpSection(Versioned):
    """One part of the partnership's 5I write-up: the text drafted from the partnership's own
    data, as the coordinator has reviewed and edited it.

    The text is shared material: every member reads it and the public edition of the write-up
    prints it, so it holds nothing confidential and no small counts (the draft is written that
    way, the form refuses a quoted confidential item, and the document withholds a text that
    quotes one anyway). The tables beside it are built per edition and reader.
    """

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="write_up_sections",
        on_delete=models.CASCADE,
    )
    part = models.CharField(_("avsnitt"), max_length=20, choices=WriteUpPart.choices)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Tom rad mellan stycken; rader som börjar med ”- ” blir en punktlista. Texten "
            "visas för alla medlemmar och i den offentliga versionen: skriv inget som är under "
            "sekretess och inga antal under fem."
        ),
    )
    drafted_at = models.DateTimeField(_("senaste utkast ur data"), null=True, blank=True)
    edited = models.BooleanField(
        _("ändrad för hand"),
        default=False,
        help_text=_("Texten har ändrats efter att den skrevs ur data."),
    )
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    class Meta:
        verbose_name = _("avsnitt i 5I-beskrivningen")
        verbose_name_plural = _("avsnitt i 5I-beskrivningen")
        ordering = ["partnership_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "part"], name="write_up_section_once_per_part"
            )
        ]

    def __str__(self) -> str:
        return f"5I: {self.get_part_display()}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    @property
    def slug(self) -> str:
        return WRITE_UP_SLUGS[WriteUpPart(self.part)]


class WriteUpApproval(models.Model):
    """A leader's approval of one 5I part for the public edition, on behalf of a party.

    The public edition prints a part only when a leader of every party whose confidential or
    not-publishable items the part touches has approved the text as it reads now (see
    accounts/audience.py); the approval is bound to a digest of the text, so a changed part
    loses it. One approval per party and part: approving again replaces it.
    """

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="write_up_approvals",
        on_delete=models.CASCADE,
    )
    part = models.CharField(_("avsnitt"), max_length=20, choices=WriteUpPart.choices)
    party = models.ForeignKey(
        "partnerships.Party",
        verbose_name=_("part"),
        related_name="write_up_approvals",
        on_delete=models.CASCADE,
    )
    approved_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("godkänd av"),
        related_name="write_up_approvals",
        null=True,
        on_delete=models.SET_NULL,
    )
    approved_at = models.DateTimeField(_("godkänd"), auto_now=True)
    text_digest = models.CharField(
        _("textens kontrollsumma"),
        max_length=64,
        help_text=_("Godkännandet gäller texten som den löd; en ändrad text måste godkännas igen."),
    )

    class Meta:
        verbose_name = _("godkännande av 5I-avsnitt")
        verbose_name_plural = _("godkännanden av 5I-avsnitt")
        ordering = ["partnership_id", "part", "party_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "part", "party"], name="write_up_approval_once_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"5I: {self.get_part_display()} ({self.party})"

    def audit_partnership_id(self) -> int:
        return self.partnership_id
