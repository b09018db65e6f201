"""Users, organisations, memberships and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.choices import AuditAction, InvitationStatus, OrganisationKind, Role


class Organisation(models.Model):
    """A municipality, local police area, region or other body that can be a party."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    kind = models.CharField(_("typ"), max_length=20, choices=OrganisationKind.choices)
    code = models.CharField(
        _("kommunkod"),
        max_length=4,
        blank=True,
        validators=[
            RegexValidator(r"^\d{4}$", _("Kommunkoden ska vara fyra siffror, t.ex. 0180."))
        ],
        help_text=_("Fyrsiffrig kommunkod enligt SCB (endast kommuner)."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who logs in. Belongs to one home organisation; joins partnerships via parties."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="users",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    title = models.CharField(_("befattning"), max_length=200, blank=True)
    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ProviderIdentity(models.Model):
    """A person at an OpenID provider, tied to an account here: the issuer and the subject.

    The subject (``sub``, or ``OIDC_SUBJECT_CLAIM``) never changes for a person at one issuer,
    unlike names and e-mail addresses, so a sign-in finds its account by this pair alone. A
    link is made only with proof (accounts.oidc): the account's own password (and code), an
    invitation accepted through the provider, an administrator, or, when the site allows it,
    a new account made at the first sign-in.
    """

    class Method(models.TextChoices):
        PASSWORD = "password", _("med kontots lösenord")
        INVITATION = "invitation", _("genom en inbjudan")
        ADMIN = "admin", _("av en administratör")
        CREATED = "created", _("nytt konto vid inloggningen")
        LEGACY = "legacy", _("äldre koppling (granska)")

    user = models.ForeignKey(
        User,
        verbose_name=_("användare"),
        related_name="provider_identities",
        on_delete=models.CASCADE,
    )
    issuer = models.CharField(
        _("inloggningstjänst (issuer)"),
        max_length=500,
        blank=True,
        help_text=_("Tjänstens issuer, t.ex. https://login.microsoftonline.com/<tenant>/v2.0."),
    )
    subject = models.CharField(
        _("id hos inloggningstjänsten"),
        max_length=255,
        help_text=_("Personens bestående id hos tjänsten (sub, eller oid för Entra ID)."),
    )
    method = models.CharField(
        _("kopplad"), max_length=20, choices=Method.choices, default=Method.ADMIN
    )
    linked_at = models.DateTimeField(_("kopplad den"), auto_now_add=True)
    linked_by = models.ForeignKey(
        User,
        verbose_name=_("kopplad av"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)

    class Meta:
        verbose_name = _("koppling till inloggningstjänst")
        verbose_name_plural = _("kopplingar till inloggningstjänst")
        ordering = ["user__username", "issuer"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="provider_identity_unique_subject"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="provider_identity_one_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ← {self.subject} ({self.issuer or '?'})"


class Membership(models.Model):
    """A user's place in a partnership: through one party, with one role."""

    partnership_lookup = "party__partnership"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        related_name="memberships",
        on_delete=models.CASCADE,
    )
    party = models.ForeignKey(
        "partnerships.Party",
        verbose_name=_("part"),
        related_name="memberships",
        on_delete=models.CASCADE,
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("tillagd"), auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "party"], name="membership_unique_user_party")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.party} ({self.get_role_display()})"

    def audit_partnership_id(self) -> int:
        return self.party.partnership_id


class Invitation(models.Model):
    """An offer of a role in a party, waiting for the invited person to accept or decline.

    Nobody is attached to a partnership without saying yes: an existing account sees the
    invitation after logging in (matched on the user name), and a person without an account
    creates one through the invitation's link. Only a hash of the link's token is stored.
    """

    partnership_lookup = "party__partnership"

    party = models.ForeignKey(
        "partnerships.Party",
        verbose_name=_("part"),
        related_name="invitations",
        on_delete=models.CASCADE,
    )
    username = models.CharField(
        _("användarnamn"),
        max_length=150,
        help_text=_("Namnet på kontot som bjuds in; ett konto med det namnet ser inbjudan."),
    )
    email = models.EmailField(_("e-post"), blank=True)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(_("kontrollsumma för länken"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inbjuden av"),
        related_name="invitations_sent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    expires_at = models.DateTimeField(_("gäller till"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PENDING,
        db_index=True,
    )
    answered_at = models.DateTimeField(_("besvarad"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("besvarad av"),
        related_name="invitations_answered",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} → {self.party} ({self.get_role_display()})"


class LoginAttempt(models.Model):
    """A failed or refused login (site or admin), kept as a record for the operators.

    ``username`` is the name as counted by the limit (NFKC, case-folded); the limit itself is
    kept in ``LoginThrottle``.
    """

    username = models.CharField(_("användarnamn"), max_length=150, db_index=True)
    address = models.GenericIPAddressField(_("adress"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("misslyckad inloggning")
        verbose_name_plural = _("misslyckade inloggningar")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class LoginThrottle(models.Model):
    """A counter of login tries for one key (account, address or both) in the current window.

    Raised under a row lock before the password is checked (see accounts.throttle), so
    simultaneous tries cannot all slip under the limit.
    """

    key = models.CharField(_("nyckel"), max_length=400, unique=True)
    window_started_at = models.DateTimeField(_("fönstret började"), db_index=True)
    count = models.PositiveIntegerField(_("antal försök"), default=0)

    class Meta:
        verbose_name = _("inloggningsräknare")
        verbose_name_plural = _("inloggningsräknare")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class AuditEntry(models.Model):
    """One recorded change: who changed what, when, and the values before and after."""

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("samverkan"),
        related_name="audit_entries",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        related_name="audit_entries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    user_name = models.CharField(_("användarens namn"), max_length=200, blank=True)
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    action = models.CharField(_("händelse"), max_length=10, choices=AuditAction.choices)
    model_label = models.CharField(_("objekttyp"), max_length=100)
    object_id = models.CharField(_("objekt-id"), max_length=400)
    object_repr = models.CharField(_("objekt"), max_length=300)
    changes = models.JSONField(_("ändringar"), default=dict, blank=True)
    party = models.ForeignKey(
        "partnerships.Party",
        verbose_name=_("privat för part"),
        related_name="private_audit_entries",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Ändringar i en parts egen kartläggning visas bara för partens medlemmar."),
    )
    restricted_to = models.JSONField(
        _("sekretess för parter"),
        default=list,
        blank=True,
        help_text=_("Ändringar i en sekretessuppgift visas i sin helhet bara för dessa parter."),
    )
    reason = models.TextField(
        _("motivering"),
        blank=True,
        help_text=_(
            "Varför ändringen gjordes, när den krävde en motivering: t.ex. en superanvändare "
            "som tar bort eller ändrar en parts sista ledare."
        ),
    )

    class Meta:
        verbose_name = _("historikpost")
        verbose_name_plural = _("historik")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["model_label", "object_id"], name="audit_object_idx"),
            # The history page: one partnership's newest entries, without reading the other
            # partnerships' (a national deployment holds hundreds of them).
            models.Index(fields=["partnership", "-at", "-id"], name="audit_partnership_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name}: {self.object_repr}"

    def is_restricted_for(self, party_ids: set[int]) -> bool:
        """True when the entry concerns a confidential item the reader may not see."""
        return bool(self.restricted_to) and not party_ids & set(self.restricted_to)
