"""The weekly e-mail: last week's picture to the members who opted in, once per week.

Shared by the management command (``send_weekly_reports``, the embedded default) and the
Celery beat task (production). The e-mail leaves the system, so it carries what the public
edition may: counts with small ones suppressed, the focus places, and no free text.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from samverkan.fieldwork import services
from samverkan.fieldwork.models import WeeklyDispatch, WeeklySubscription
from samverkan.partnerships.models import Partnership


def previous_week() -> tuple[int, int]:
    return services.shift_week(*services.current_week(), -1)


def body_for(partnership: Partnership, picture: services.WeeklyPicture) -> str:
    url = settings.SITE_URL + reverse(
        "fieldwork:week", kwargs={"pk": partnership.pk, "week": picture.label}
    )
    lines = [
        f"Veckolägesbild för {partnership.name}, {picture.title.lower()} ({picture.period}).",
        "",
        f"Fältrapporter totalt: {picture.total}",
        "",
        "Förslag på platser att fokusera på nästa vecka:",
    ]
    lines += [f"- {f.place}: {f.reason}" for f in picture.focus] or ["- Inga platser sticker ut."]
    if picture.categories:
        lines += ["", "Rapporter per kategori (denna vecka / snitt fyra veckor innan):"]
        lines += [f"- {r.label}: {r.this_week} / {r.previous_mean}" for r in picture.categories]
    lines += [
        "",
        f"Antal under {picture.threshold} visas som ”..”. Hela lägesbilden: {url}",
        "",
        "Du får det här e-postmeddelandet för att du prenumererar på veckolägesbilden. Sluta "
        "prenumerera på sidan ovan.",
    ]
    return "\n".join(lines)


def send_weekly_reports(year: int, week: int, *, force: bool = False) -> tuple[int, int]:
    """Send ISO week ``year``-W``week`` to every subscriber; returns (partnerships, e-mails).

    A partnership's week is sent once: a second run (or a second beat process) finds the
    dispatch record and sends nothing, unless ``force``.
    """
    label = services.week_label(year, week)
    partnerships = sent = 0
    for partnership in Partnership.objects.filter(weekly_subscriptions__isnull=False).distinct():
        recipients = sorted(
            {
                s.user.email
                for s in WeeklySubscription.objects.filter(partnership=partnership)
                .select_related("user")
                .filter(user__is_active=True)
                if s.user.email
                and s.user.memberships.filter(party__partnership=partnership).exists()
            }
        )
        if not recipients:
            continue
        try:
            with transaction.atomic():
                if force:
                    WeeklyDispatch.objects.filter(partnership=partnership, week=label).delete()
                WeeklyDispatch.objects.create(
                    partnership=partnership, week=label, recipients=len(recipients)
                )
        except IntegrityError:
            continue  # already sent for this week
        picture = services.weekly_picture(partnership, year, week, full=False)
        body = body_for(partnership, picture)
        subject = f"Veckolägesbild {label}: {partnership.name}"
        for address in recipients:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
            sent += 1
        partnerships += 1
    return partnerships, sent
