"""Personal API tokens: a secret shown once, stored only as a hash, revocable."""

from __future__ import annotations

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
        return self.filter(revoked_at__isnull=True)


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

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token for ``user``; the secret is returned once and never stored."""
        secret = PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name[:100], key_hash=digest(secret), hint=secret[:10]
        )
        return token, secret

    @classmethod
    def user_for(cls, secret: str) -> User | None:
        """The active token's user, or None; marks the token as used (at most once a minute)."""
        if not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        token = cls.objects.active().select_related("user").filter(key_hash=digest(secret)).first()
        if token is None or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
