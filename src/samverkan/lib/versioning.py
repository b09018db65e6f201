"""Optimistic locking: two people editing the same thing never silently overwrite each other.

Editable models carry a ``version`` integer. A form posts the version it was shown; the save
succeeds only if the row still has that version, and bumps it. Otherwise the user is told
that someone else changed it first (STYLE.md 8).
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class EditConflict(Exception):
    """The object was changed by someone else since the form was shown."""

    message = _(
        "Någon annan har ändrat detta sedan du öppnade formuläret. Dina ändringar har inte "
        "sparats: ladda om sidan, se den senaste versionen och gör om ändringen."
    )


class Versioned(models.Model):
    """Abstract base: a version counter for optimistic locking."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


@transaction.atomic
def save_versioned(instance: Versioned, expected_version: Any, **save_kwargs: Any) -> None:
    """Save ``instance`` if its row still has ``expected_version``; raise EditConflict if not."""
    if instance.pk is None:
        instance.save(**save_kwargs)
        return
    try:
        expected = int(expected_version)
    except (TypeError, ValueError) as exc:
        raise EditConflict from exc
    model = type(instance)
    # Lock-free compare-and-swap on the version column; the full save follows in the same
    # transaction so the row cannot change in between on PostgreSQL or SQLite.
    bumped = model._default_manager.filter(pk=instance.pk, version=expected).update(
        version=F("version") + 1
    )
    if bumped != 1:
        raise EditConflict
    instance.version = expected + 1
    instance.save(**save_kwargs)
