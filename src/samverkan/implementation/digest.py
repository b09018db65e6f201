"""The daily digest, shared by the management command and the scheduled Celery task."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail

from samverkan.implementation.services import digest_for
from samverkan.partnerships.models import Partnership


def send_digests(today: datetime.date) -> tuple[int, int]:
    """Send one e-mail per person and partnership; returns (e-mails, measure lines)."""
    sent = lines_total = 0
    for partnership in Partnership.objects.all():
        for user, lines in digest_for(partnership, today).items():
            body = "\n".join(
                [
                    f"Hej {user.get_full_name() or user.username}!",
                    "",
                    f"I samverkan {partnership.name} behöver följande åtgärder uppmärksamhet:",
                    "",
                ]
                + [f"- {line}" for line in lines]
                + [
                    "",
                    f"Se läget i Samverkan: {settings.SITE_URL}/samverkan/{partnership.pk}/steg4/",
                ]
            )
            send_mail(
                f"Samverkan: {len(lines)} åtgärder att se över",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            sent += 1
            lines_total += len(lines)
    return sent, lines_total
