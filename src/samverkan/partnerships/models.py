"""Step 1 – Initiera samverkan: the partnership, its parties, groups, decisions and meetings.

Handbook pages 30–36 (transcript): the parties decide to collaborate, set up a steering group,
a preparation (project) group and working groups, name one coordinator per party, and record
the decision, which becomes part 1 of the agreement.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.choices import OrganisationKind
from samverkan.accounts.models import Organisation
from samverkan.lib.versioning import Versioned
from samverkan.partnerships.choices import DecisionKind, GroupKind, MilestoneKind, PartyKind


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user: object) -> PartnershipQuerySet:
        """Partnerships the user belongs to (see accounts.access)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(parties__memberships__user=user).distinct()


class Partnership(Versioned):
    """A local crime-prevention collaboration between a municipality and the police."""

    name = models.CharField(_("namn"), max_length=200)
    municipality = models.ForeignKey(
        Organisation,
        verbose_name=_("kommun"),
        related_name="municipal_partnerships",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": OrganisationKind.MUNICIPALITY},
    )
    police_area = models.ForeignKey(
        Organisation,
        verbose_name=_("lokalpolisområde"),
        related_name="police_partnerships",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": OrganisationKind.POLICE_AREA},
    )
    area = models.CharField(
        _("geografiskt område"),
        max_length=200,
        blank=True,
        help_text=_("Hela kommunen eller en del av den, t.ex. centrum."),
    )
    covers_whole_municipality = models.BooleanField(
        _("omfattar hela kommunen"),
        default=False,
        help_text=_(
            "Lag (2023:196) gäller hela kommunen: markera om samverkans lägesbild och "
            "åtgärdsplan täcker hela kommunen och inte bara en del av den."
        ),
    )
    forum = models.CharField(
        _("forum"),
        max_length=200,
        blank=True,
        help_text=_("Befintligt forum som samverkan utgår från, t.ex. brottsförebyggande rådet."),
    )
    purpose = models.TextField(_("syfte"), blank=True)
    started_on = models.DateField(_("startdatum"), default=datetime.date.today)
    valid_until = models.DateField(
        _("gäller till"),
        null=True,
        blank=True,
        help_text=_("Överenskommelsens giltighetstid, ofta ett till tre år."),
    )
    require_two_factor = models.BooleanField(
        _("kräv tvåstegsverifiering"),
        default=False,
        help_text=_(
            "Medlemmar måste ange en engångskod från en app (eller ha loggat in med "
            "tvåstegsverifiering hos kommunens inloggningstjänst) för att öppna samverkans sidor."
        ),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skapad av"),
        related_name="created_partnerships",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("samverkan")
        verbose_name_plural = _("samverkan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def audit_partnership_id(self) -> int:
        return self.pk

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from samverkan.accounts import audit

        with audit.suppressed():
            return super().delete(*args, **kwargs)

    def signatories(self) -> models.QuerySet[Party]:
        return self.parties.filter(kind=PartyKind.SIGNATORY)

    def municipality_party(self) -> Party | None:
        return self.parties.filter(organisation=self.municipality_id).first()

    def police_party(self) -> Party | None:
        return self.parties.filter(organisation=self.police_area_id).first()

    def current_cycle(self) -> Cycle | None:
        return self.cycles.order_by("-number").first()

    def steering_group(self) -> Group | None:
        return self.groups.filter(kind=GroupKind.STEERING).first()

    def collaboration_decision(self) -> Decision | None:
        return self.decisions.filter(kind=DecisionKind.COLLABORATE).order_by("-decided_on").first()


class Party(Versioned):
    """An organisation taking part in a partnership: signs the agreement or participates."""

    partnership_lookup = "partnership"

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="parties", on_delete=models.CASCADE
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="parties",
        on_delete=models.PROTECT,
    )
    kind = models.CharField(
        _("typ av part"), max_length=20, choices=PartyKind.choices, default=PartyKind.PARTICIPANT
    )
    signatory_title = models.CharField(
        _("undertecknare (befattning)"),
        max_length=200,
        blank=True,
        help_text=_("T.ex. kommunstyrelsens ordförande eller lokalpolisområdeschef."),
    )
    signatory_name = models.CharField(_("undertecknare (namn)"), max_length=200, blank=True)
    contribution = models.TextField(
        _("bidrag till samverkan"),
        blank=True,
        help_text=_("Vad parten bidrar med: kunskap, data, personal, lokaler."),
    )
    has_had_leader = models.BooleanField(
        _("har haft ledare"),
        default=False,
        editable=False,
        help_text=_(
            "Sätts när någon första gången blir partens administratör eller samordnare. En part "
            "som aldrig har haft en ledare kan få sin första ledare inbjuden av samverkans "
            "administratör; en part som har haft en ledare styrs bara av sig själv."
        ),
    )

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["kind", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="party_unique_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def is_signatory(self) -> bool:
        return self.kind == PartyKind.SIGNATORY

    def coordinator_or_none(self) -> Coordinator | None:
        try:
            return self.coordinator
        except Coordinator.DoesNotExist:
            return None


class Coordinator(Versioned):
    """The one person who coordinates a party's work in the partnership (handbook p. 33)."""

    partnership_lookup = "party__partnership"

    party = models.OneToOneField(
        Party, verbose_name=_("part"), related_name="coordinator", on_delete=models.CASCADE
    )
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användarkonto"),
        related_name="coordinator_roles",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("samordnare")
        verbose_name_plural = _("samordnare")

    def __str__(self) -> str:
        return f"{self.name} ({self.party})"

    def audit_partnership_id(self) -> int:
        return self.party.partnership_id


class Group(Versioned):
    """A steering, preparation or working group with its mandate."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="groups", on_delete=models.CASCADE
    )
    kind = models.CharField(_("typ av grupp"), max_length=20, choices=GroupKind.choices)
    name = models.CharField(_("namn"), max_length=200)
    mandate = models.TextField(
        _("mandat och uppdrag"),
        blank=True,
        help_text=_("Vad gruppen får besluta om och vad den ska leverera."),
    )
    meeting_frequency = models.CharField(
        _("mötesfrekvens"), max_length=100, blank=True, help_text=_("T.ex. fyra gånger per år.")
    )

    class Meta:
        verbose_name = _("grupp")
        verbose_name_plural = _("grupper")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def represented_parties(self) -> set[int]:
        return set(self.members.values_list("party_id", flat=True))


class GroupMember(Versioned):
    """A person in a group, representing one party (versioned: the page and the API change a
    member in place, and neither overwrites the other's newer change)."""

    partnership_lookup = "group__partnership"

    group = models.ForeignKey(
        Group, verbose_name=_("grupp"), related_name="members", on_delete=models.CASCADE
    )
    party = models.ForeignKey(
        Party, verbose_name=_("part"), related_name="group_seats", on_delete=models.CASCADE
    )
    name = models.CharField(_("namn"), max_length=200)
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    is_chair = models.BooleanField(_("ordförande"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användarkonto"),
        related_name="group_seats",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("gruppmedlem")
        verbose_name_plural = _("gruppmedlemmar")
        ordering = ["-is_chair", "name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name

    def audit_partnership_id(self) -> int:
        return self.group.partnership_id


def decision_upload_to(instance: Decision, filename: str) -> str:
    return f"partnerships/{instance.partnership_id}/decisions/{Path(filename).name}"


class Decision(Versioned):
    """A recorded decision; the decision to collaborate is part 1 of the agreement."""

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="decisions",
        on_delete=models.CASCADE,
    )
    kind = models.CharField(
        _("typ av beslut"), max_length=20, choices=DecisionKind.choices, default=DecisionKind.OTHER
    )
    title = models.CharField(_("rubrik"), max_length=200)
    body = models.CharField(
        _("beslutande organ"),
        max_length=200,
        help_text=_("T.ex. kommunstyrelsen, lokalpolisområdets ledning eller styrgruppen."),
    )
    decided_on = models.DateField(_("beslutsdatum"))
    reference = models.CharField(_("diarienummer"), max_length=100, blank=True)
    text = models.TextField(_("beslutstext"))
    attachment = models.FileField(
        _("bifogad fil"), upload_to=decision_upload_to, blank=True, max_length=300
    )
    meeting = models.ForeignKey(
        "Meeting",
        verbose_name=_("möte"),
        related_name="decisions",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.decided_on:%Y-%m-%d})"

    def audit_partnership_id(self) -> int:
        return self.partnership_id


class Meeting(Versioned):
    """A meeting of one group, with its minutes and attendance."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="meetings", on_delete=models.CASCADE
    )
    group = models.ForeignKey(
        Group, verbose_name=_("grupp"), related_name="meetings", on_delete=models.PROTECT
    )
    title = models.CharField(_("rubrik"), max_length=200)
    starts_at = models.DateTimeField(_("tid"))
    location = models.CharField(_("plats"), max_length=200, blank=True)
    agenda = models.TextField(_("dagordning"), blank=True)
    minutes = models.TextField(
        _("protokoll"), blank=True, help_text=_("Vad som togs upp och vad som bestämdes.")
    )
    minutes_draft = models.TextField(
        _("utkast till protokoll"),
        blank=True,
        help_text=_(
            "Anteckningar som skrivs före mötet. De blir protokollets början när mötet har ägt "
            "rum, men räknas inte som protokoll."
        ),
    )
    attendees = models.ManyToManyField(
        GroupMember, verbose_name=_("närvarande"), related_name="meetings_attended", blank=True
    )
    other_attendees = models.CharField(
        _("övriga närvarande"), max_length=500, blank=True, help_text=_("Namn, åtskilda med komma.")
    )

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    def minutes_start_text(self) -> str:
        """Where new minutes begin: the draft written before the meeting, else the agenda."""
        return self.minutes or self.minutes_draft or self.agenda

    def is_held(self) -> bool:
        """A meeting counts as held once its time has passed and minutes are recorded."""
        return self.starts_at <= timezone.now() and bool(self.minutes.strip())


class Milestone(Versioned):
    """A date in the planning calendar, set against the municipal budget process.

    The handbook (p. 35) advises timing the work so that measures can enter the budget.
    """

    partnership = models.ForeignKey(
        Partnership,
        verbose_name=_("samverkan"),
        related_name="milestones",
        on_delete=models.CASCADE,
    )
    date = models.DateField(_("datum"))
    title = models.CharField(_("rubrik"), max_length=200)
    kind = models.CharField(
        _("typ"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.OTHER
    )
    step = models.PositiveSmallIntegerField(
        _("steg"),
        null=True,
        blank=True,
        choices=[(n, str(n)) for n in range(1, 6)],
        help_text=_("Vilket av de fem stegen datumet hör till, om något."),
    )
    note = models.TextField(_("anteckning"), blank=True)
    done = models.BooleanField(_("klart"), default=False)

    class Meta:
        verbose_name = _("milstolpe")
        verbose_name_plural = _("milstolpar")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id

    def is_overdue(self) -> bool:
        return not self.done and self.date < timezone.localdate()


class Cycle(models.Model):
    """One turn of the five-step process; a partnership renews with a new cycle."""

    partnership = models.ForeignKey(
        Partnership, verbose_name=_("samverkan"), related_name="cycles", on_delete=models.CASCADE
    )
    number = models.PositiveSmallIntegerField(_("omgång"), default=1)
    starts_on = models.DateField(_("startdatum"), default=datetime.date.today)
    ends_on = models.DateField(_("slutdatum"), null=True, blank=True)
    summary = models.JSONField(
        _("sammanfattning"),
        default=dict,
        blank=True,
        help_text=_("Mål, åtgärder och resultat när omgången avslutades, för jämförelser."),
    )

    class Meta:
        verbose_name = _("omgång")
        verbose_name_plural = _("omgångar")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "number"], name="cycle_unique_number")
        ]

    # The summary holds what each goal had before the closing (for undo) and the measures of
    # the cycle; their history is the goals' and measures' own, so it is kept out of the trail.
    audit_exclude = ("summary",)

    def __str__(self) -> str:
        return f"{self.partnership} – omgång {self.number}"

    def audit_partnership_id(self) -> int:
        return self.partnership_id
