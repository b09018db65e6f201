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
from django.utils import translation

_current_user: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_user", default=None)
# Fields whose changes say nothing to a reader of the history.
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_off", default=False)
# Why the changes in a block were made, when a rule asks for a reason (accounts.membership).
_reason: contextvars.ContextVar[str] = contextvars.ContextVar("audit_reason", default="")
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
    # Content a model keeps out of its history (e.g. an issued document's full text, which
    # would carry confidential lines into every reader's history and export).
    excluded = set(getattr(instance, "audit_exclude", ()))
    for field in instance._meta.concrete_fields:
        if field.name in _IGNORED_FIELDS or field.name in excluded or field.primary_key:
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
    """The restriction of the entry: the item's own, or the one it inherits (accounts.access).

    Allowed parties are saved after the item itself (many-to-many), so a brand-new confidential
    item falls back to the acting user's own parties until ``refresh_restrictions`` runs on the
    many-to-many change. With neither, the entry is restricted to no party: hiding a history
    line from everyone is safer than showing a secret to everyone.
    """
    from samverkan.accounts import access

    restriction = access.restriction_of(instance)
    if restriction == access.NOBODY and user is not None:
        own = sorted(access.party_ids(user, partnership_id))
        return own or restriction
    return restriction


# Models whose entries may carry a restriction (their own or inherited).
RESTRICTABLE = (
    "problems.cause",
    "problems.measure",
    "implementation.progress",
    "implementation.activityentry",
    "implementation.actionitem",
    "documents.issueddocument",
)


def restriction_for_entry(entry: Any) -> list[int] | None:
    """The restriction an existing entry should carry now, or None when it cannot be told
    (the object is gone): then the entry keeps what it has."""
    from django.apps import apps

    from samverkan.accounts import access

    model = apps.get_model(entry.model_label)
    obj = model._default_manager.filter(pk=entry.object_id).first()
    if obj is not None:
        return access.restriction_of(obj)
    parent_name = getattr(model, "visibility_parent", None)
    parent_id = (entry.changes.get(parent_name) or {}).get("new") if parent_name else None
    if parent_id is not None:
        parent_model = model._meta.get_field(parent_name).related_model
        parent = parent_model._default_manager.filter(pk=parent_id).first()
        if parent is not None:
            return access.restriction_of(parent)
    return None


def refresh_restrictions(partnership_id: int) -> int:
    """Recompute the restriction of every restrictable entry of a partnership, e.g. after an
    item became confidential or its allowed parties changed. Returns how many changed."""
    from samverkan.accounts.models import AuditEntry

    changed = 0
    entries = AuditEntry.objects.filter(partnership_id=partnership_id, model_label__in=RESTRICTABLE)
    for entry in entries.only("id", "model_label", "object_id", "changes", "restricted_to"):
        restriction = restriction_for_entry(entry)
        if restriction is not None and restriction != entry.restricted_to:
            AuditEntry.objects.filter(pk=entry.pk).update(restricted_to=restriction)
            changed += 1
    return changed


def object_id_of(instance: models.Model) -> str:
    """The object's key as text; a composite key (an incident's party and key) joined by "/"."""
    pk = instance.pk
    if isinstance(pk, tuple):
        return "/".join(str(part) for part in pk)
    return str(pk)


def _record(instance: Any, action: str, changes: dict[str, Any]) -> None:
    """One audit entry for ``instance``, an audited model (it has audit_partnership_id)."""
    from samverkan.accounts.models import AuditEntry

    user = _current_user.get()
    partnership_id = instance.audit_partnership_id()
    with translation.override("sv"):  # stored: Swedish whatever the user's language
        name = str(instance)[:300]
    AuditEntry.objects.create(
        partnership_id=partnership_id,
        party_id=_private_party_id(instance),
        restricted_to=_restricted_parties(instance, partnership_id, user),
        user=user,
        user_name=str(user) if user else "system",
        action=action,
        model_label=instance._meta.label_lower,
        object_id=object_id_of(instance),
        object_repr=name,
        changes=changes,
        reason=_reason.get(),
    )


def _before_save(sender: type[models.Model], instance: Any, raw: bool = False, **_: Any) -> None:
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
def reason(text: str) -> Iterator[None]:
    """Store ``text`` as the reason of every entry recorded inside the block."""
    token = _reason.set((text or "").strip())
    try:
        yield
    finally:
        _reason.reset(token)


def current_reason() -> str:
    return _reason.get()


def current_user() -> Any:
    return _current_user.get()


def is_suppressed() -> bool:
    return _suppressed.get()


@contextmanager
def suppressed() -> Iterator[None]:
    """Record nothing inside the block: deleting a whole partnership takes its history too."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _confidentiality_changed(sender: type, instance: Any, action: str, **_: Any) -> None:
    """Allowed parties of a confidential item changed: its history and everything derived
    from it take the new restriction."""
    if action in ("post_add", "post_remove", "post_clear") and hasattr(
        instance, "audit_partnership_id"
    ):
        refresh_restrictions(instance.audit_partnership_id())


def _after_confidential_save(sender: type, instance: Any, raw: bool = False, **_: Any) -> None:
    before = getattr(instance, "_audit_before", None)
    if raw or before is None or before.get("confidential") == instance.confidential:
        return
    refresh_restrictions(instance.audit_partnership_id())


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed

    from samverkan.problems.models import Cause, Measure

    pre_save.connect(_before_save, dispatch_uid="audit_before_save")
    post_save.connect(_after_save, dispatch_uid="audit_after_save")
    post_delete.connect(_after_delete, dispatch_uid="audit_after_delete")
    for model in (Cause, Measure):
        m2m_changed.connect(
            _confidentiality_changed,
            sender=model.allowed_parties.through,
            dispatch_uid=f"audit_allowed_{model.__name__}",
        )
        post_save.connect(
            _after_confidential_save, sender=model, dispatch_uid=f"audit_conf_{model.__name__}"
        )
