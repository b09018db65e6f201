"""Accounts' objects in every test world: an open invitation into the municipality's party."""

from __future__ import annotations

import datetime
import secrets

from django.utils import timezone

from samverkan.accounts import membership
from samverkan.accounts.choices import Role
from samverkan.accounts.models import Invitation


def build(world) -> dict[str, int]:
    invitation = Invitation.objects.create(
        party=world.kommun,
        username="invited.person",
        role=Role.MEMBER,
        token_hash=membership.token_hash(secrets.token_urlsafe(32)),
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    return {"invitation_id": invitation.pk}
