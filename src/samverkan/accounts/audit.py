"""The audit trail: every change to a partnership's data is recorded with who and what.

Any model with an ``audit_partnership_id()`` method is audited automatically through model
signals, so a new view cannot forget it. The acting user comes from a context variable that
the middleware (web requests) or a command/job sets.
"""

from __future__ import annotations

import contextvars
import datetime
import decimal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

_current_user: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_user", default=None)
# Fields whose changes say nothing to a reader of the history.
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_off", default=False)
_IGNORED_FIELDS = {"version", "updated_at", "created_at", "password", "last_login"}


def set_current_user(user: Any) -> contextvars.Token:
    return _current_user.set(user if getattr(user, "is_authenticated", False) else None)


def reset_current_user(token: contextvars.Token) -> None:
    _current_user.reset(token)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute changes made inside the block to ``user`` (commands, jobs, tests)."""
    token = set_current_user(user)
    try:
        yield
    finally:
        reset_current_user(token)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if hasattr(value, "name"):  # FieldFile
        return value.name or ""
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The instance's concrete field values as plain JSON-able data."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in _IGNORED_FIELDS or field.primary_key:
            continue
        data[field.name] = _plain(field.value_from_object(instance))
    return data


def _is_audited(sender: type) -> bool:
    return hasattr(sender, "audit_partnership_id")


def _labels(instance: models.Model) -> dict[str, str]:
    return {f.name: str(f.verbose_name) for f in instance._meta.concrete_fields}


def _private_party_id(instance: models.Model) -> int | None:
    """The party whose private material this is (step 2), or None for shared material."""
    method = getattr(instance, "audit_private_party_id", None)
    return method() if method else None


def _restricted_parties(instance: models.Model, partnership_id: int, user: Any) -> list[int]:
    """For a confidential item: the parties allowed to read its history in full.

    Allowed parties are saved after the item itself (many-to-many), so a brand-new item falls
    back to the acting user's own parties. With neither, the entry is restricted to no party
    ([-1]): hiding a history line from everyone is safer than showing a secret to everyone.
    """
    if not getattr(instance, "confidential", False):
        return []
    allowed: list[int] = []
    if instance.pk is not None and hasattr(instance, "allowed_parties"):
        allowed = list(instance.allowed_parties.values_list("pk", flat=True))
    if not allowed and user is not None:
        from samverkan.partnerships.models import Party

        allowed = list(
            Party.objects.filter(partnership_id=partnership_id, memberships__user=user).values_list(
                "pk", flat=True
            )
        )
    return allowed or [-1]


def _record(instance: models.Model, action: str, changes: dict[str, Any]) -> None:
    from samverkan.accounts.models import AuditEntry

    user = _current_user.get()
    partnership_id = instance.audit_partnership_id()
    AuditEntry.objects.create(
        partnership_id=partnership_id,
        party_id=_private_party_id(instance),
        restricted_to=_restricted_parties(instance, partnership_id, user),
        user=user,
        user_name=str(user) if user else "system",
        action=action,
        model_label=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        changes=changes,
    )


def _before_save(sender: type, instance: models.Model, raw: bool = False, **_: Any) -> None:
    if raw or not _is_audited(sender) or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old else None


def _after_save(
    sender: type, instance: models.Model, created: bool, raw: bool = False, **_: Any
) -> None:
    if raw or not _is_audited(sender) or _suppressed.get():
        return
    after = snapshot(instance)
    labels = _labels(instance)
    before = None if created else getattr(instance, "_audit_before", None)
    if before is None:
        changes = {
            k: {"label": labels[k], "old": None, "new": v}
            for k, v in after.items()
            if v not in ("", None)
        }
        _record(instance, "create", changes)
        return
    changes = {
        k: {"label": labels[k], "old": before.get(k), "new": v}
        for k, v in after.items()
        if before.get(k) != v
    }
    if changes:
        _record(instance, "update", changes)


def _after_delete(sender: type, instance: models.Model, **_: Any) -> None:
    if not _is_audited(sender) or _suppressed.get():
        return
    _record(instance, "delete", {})


@contextmanager
def suppressed() -> Iterator[None]:
    """Record nothing inside the block: deleting a whole partnership takes its history too."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def connect_signals() -> None:
    pre_save.connect(_before_save, dispatch_uid="audit_before_save")
    post_save.connect(_after_save, dispatch_uid="audit_after_save")
    post_delete.connect(_after_delete, dispatch_uid="audit_after_delete")
