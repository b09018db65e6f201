"""Personal API tokens: a secret shown once, stored only as a hash, revocable."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from samverkan.accounts.models import User

PREFIX = "sv_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal token: whoever holds it acts as its user, with that user's access only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        related_name="api_tokens",
        on_delete=models.CASCADE,
    )
    name = models.CharField(
        _("namn"), max_length=100, help_text=_("Vad nyckeln används till, t.ex. GIS-systemet.")
    )
    key_hash = models.CharField(_("kontrollsumma"), max_length=64, unique=True)
    hint = models.CharField(_("början av nyckeln"), max_length=12)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    read_only = models.BooleanField(
        _("bara läsa"),
        default=False,
        help_text=_("Nyckeln kan bara hämta uppgifter, aldrig ändra något."),
    )
    expires_at = models.DateTimeField(
        _("gäller till"),
        null=True,
        blank=True,
        help_text=_("Efter den här tidpunkten slutar nyckeln att fungera."),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(
        cls,
        user: User,
        name: str,
        *,
        read_only: bool = False,
        expires_at: datetime.datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Create a token for ``user``; the secret is returned once and never stored."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name[:100],
            key_hash=digest(secret),
            hint=secret[:10],
            read_only=read_only,
            expires_at=expires_at,
        )
        return token, secret

    @classmethod
    def find(cls, secret: str) -> ApiToken | None:
        """The active token with this secret whose user is active, or None; marks the token
        as used (at most once a minute)."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        token = cls.objects.active().select_related("user").filter(key_hash=digest(secret)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token

    @classmethod
    def user_for(cls, secret: str) -> User | None:
        """The active token's user, or None."""
        token = cls.find(secret)
        return None if token is None else token.user

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class ServiceAccount(models.Model):
    """A system's own account (a diarium, a BI tool): a user that never signs in on the pages
    (no usable password, no identity at a provider), holds one membership and API tokens.
    Its changes are its own in the history, never a person's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        related_name="service_account",
        on_delete=models.CASCADE,
    )
    system = models.CharField(
        _("system"), max_length=100, help_text=_("Vilket system kontot är till, t.ex. diariet.")
    )
    contact = models.CharField(
        _("kontaktperson"),
        max_length=200,
        blank=True,
        help_text=_("Vem som ansvarar för systemets användning av kontot."),
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("tjänstekonto")
        verbose_name_plural = _("tjänstekonton")

    def __str__(self) -> str:
        return self.system


class WebhookEvent(models.TextChoices):
    """What a webhook can be told of: the events of the document feed (api/work.py)."""

    ISSUED = "issued", _("En dokumentversion utfärdas")
    DECIDED = "decided", _("Ett beslut om lägesbild eller åtgärdsplan registreras")


class Webhook(models.Model):
    """An address that receives a signed POST when a document version is issued or a decision
    is registered in its partnership. It sends only what its owner may read: the owner is the
    coordinator who registered it, or a service account an administrator registered it for."""

    partnership = models.ForeignKey(
        "partnerships.Partnership",
        verbose_name=_("samverkan"),
        related_name="webhooks",
        on_delete=models.CASCADE,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skickar det som får läsas av"),
        related_name="webhooks",
        on_delete=models.CASCADE,
        help_text=_("Webbkroken får bara händelser som den här användaren får läsa."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrerad av"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    name = models.CharField(
        _("namn"), max_length=100, help_text=_("Vilket system som tar emot, t.ex. diariet.")
    )
    url = models.URLField(_("adress"), max_length=500)
    events = models.JSONField(_("händelser"), default=list)
    # The signing key must be at hand for every delivery, so it is kept as it is (not as a
    # hash like an API token); it is shown once, when the webhook is registered.
    secret = models.CharField(_("hemlig nyckel"), max_length=100)
    active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("webbkrok")
        verbose_name_plural = _("webbkrokar")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"

    @staticmethod
    def new_secret() -> str:
        return "whsec_" + secrets.token_urlsafe(32)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Väntar")
    SENDING = "sending", _("Skickas")
    DELIVERED = "delivered", _("Levererad")
    FAILED = "failed", _("Misslyckades")
    SKIPPED = "skipped", _("Skickades inte")


class WebhookDelivery(models.Model):
    """One event for one webhook: its body (signed as sent), its attempts and their outcome."""

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webbkrok"), related_name="deliveries", on_delete=models.CASCADE
    )
    event = models.CharField(_("händelse"), max_length=20, choices=WebhookEvent.choices)
    # The feed's cursor of the event (an audit entry's id): the same number as in
    # /documents/feed, so a receiver that missed deliveries can read on from there.
    cursor = models.PositiveBigIntegerField(_("flödets markör"))
    body = models.TextField(_("innehåll (JSON)"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("försök"), default=0)
    next_attempt_at = models.DateTimeField(_("nästa försök"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("senaste försök"), null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(_("mottagarens svar"), null=True, blank=True)
    error = models.CharField(_("fel"), max_length=300, blank=True)
    log = models.JSONField(_("försöken"), default=list, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("leverans från webbkrok")
        verbose_name_plural = _("leveranser från webbkrokar")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.webhook.name}: {self.event} #{self.cursor}"
