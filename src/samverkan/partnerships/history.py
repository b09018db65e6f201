"""The change history in words: choice labels, names, Swedish dates and numbers.

The audit trail stores raw field values (``victim_interaction``, ``True``, a foreign key's id, a
storage path, an ISO timestamp). This module turns an entry that ``accounts.access`` has
already masked into what a reader understands. A foreign key that points at a confidential
item is named only for those who may see the item.
"""

from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from samverkan.accounts import access
from samverkan.partnerships.models import Partnership

_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIMIT = 160
# What a model's str() reads from a related row, fetched with it when names are looked up.
_NAMED_BY = {"partnerships.Party": ("organisation",)}


@dataclass
class Change:
    label: str
    old: str
    new: str


class HistoryReader:
    """Words for the values of one user's history page (caches the names it looks up)."""

    def __init__(self, user: Any, partnership: Partnership) -> None:
        self.user = user
        self.partnership = partnership
        self._names: dict[tuple[type[models.Model], Any], str] = {}

    def changes(self, entry: Any) -> list[Change]:
        model = _model(entry.model_label)
        shown = []
        for key, change in (entry.changes or {}).items():
            field = _field(model, key)
            if field is not None and field.is_relation and field.related_model is Partnership:
                continue  # the page is the partnership's own history
            shown.append(
                Change(
                    # The field's name in the reader's language; the stored label (the
                    # name when the change was made) only for a field that no longer exists.
                    str(getattr(field, "verbose_name", None) or change.get("label") or key),
                    self.value(field, change.get("old")),
                    self.value(field, change.get("new")),
                )
            )
        return shown

    def value(self, field: models.Field | None, raw: Any) -> str:
        if raw is None or raw == "" or raw == [] or raw == {}:
            return "–"
        text = self._words(field, raw)
        return text if len(text) <= LIMIT else text[: LIMIT - 1] + "…"

    def _words(self, field: models.Field | None, raw: Any) -> str:
        if isinstance(field, models.JSONField) and isinstance(raw, str):
            # The trail keeps a JSON field as Python's text of it ("['Kommun', 'År']").
            raw = _literal(raw)
            if raw in ([], {}, ""):
                return "–"
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(raw, raw))
        if field is not None and field.is_relation and field.many_to_one:
            return self._name(field.related_model, raw)
        if isinstance(field, models.FileField):
            return PurePosixPath(str(raw)).name
        if isinstance(field, models.DateTimeField) or (
            isinstance(raw, str) and _ISO_DATETIME.match(raw)
        ):
            return _datetime(raw)
        if isinstance(field, models.DateField) or (isinstance(raw, str) and _ISO_DATE.match(raw)):
            return _date(raw)
        if isinstance(raw, bool):
            return _("Ja") if raw else _("Nej")
        if isinstance(field, models.DecimalField | models.FloatField | models.IntegerField):
            return _number(raw)
        if isinstance(raw, list):
            return _list(raw)
        if isinstance(raw, dict):
            return "; ".join(f"{k}: {v}" for k, v in raw.items())
        return str(raw)

    def prime(self, entries: list[Any]) -> None:
        """Look up every object the entries name, one query per model instead of one per
        object (a page of 300 entries names dozens of parties, users and measures)."""
        wanted: dict[type[models.Model], set[Any]] = {}
        for entry in entries:
            model = _model(entry.model_label)
            for key, change in (entry.changes or {}).items():
                field = _field(model, key)
                if field is None or not (field.is_relation and field.many_to_one):
                    continue
                if field.related_model is None:
                    continue
                if isinstance(field, models.JSONField) or field.choices:
                    continue
                for raw in (change.get("old"), change.get("new")):
                    if (
                        raw is not None
                        and raw != ""
                        and (field.related_model, raw) not in self._names
                    ):
                        wanted.setdefault(field.related_model, set()).add(raw)
        for model, raws in wanted.items():
            pk_field = model._meta.pk
            if isinstance(pk_field, models.CompositePrimaryKey):
                continue  # looked up one by one in _name
            keys = {}
            for raw in raws:
                try:
                    keys[raw] = pk_field.to_python(raw)
                except (TypeError, ValueError, ValidationError):
                    keys[raw] = None
            objects = model._default_manager.all()
            if _NAMED_BY.get(model._meta.label):
                objects = objects.select_related(*_NAMED_BY[model._meta.label])
            found = objects.in_bulk([k for k in keys.values() if k is not None])
            for raw, pk in keys.items():
                self._names[(model, raw)] = self._name_of(model, found.get(pk))

    def _name(self, model: type[models.Model] | None, pk: Any) -> str:
        if model is None:
            return str(pk)
        key = (model, pk)
        if key not in self._names:
            self._names[key] = self._name_of(model, model._default_manager.filter(pk=pk).first())
        return self._names[key]

    def _name_of(self, model: type[models.Model], obj: Any) -> str:
        if obj is None:
            return _("(borttagen)")
        if model is get_user_model():
            return obj.get_full_name() or obj.get_username()
        if hasattr(obj, "confidential") and not access.may_see_item(
            self.user, obj, self.partnership
        ):
            return _(access.WITHHELD_LABEL)
        return str(obj)


def readable(user: Any, partnership: Partnership, entries: list[Any]) -> list[Any]:
    """Attach ``shown_changes`` (a list of ``Change``) to each already masked entry."""
    reader = HistoryReader(user, partnership)
    reader.prime(entries)
    for entry in entries:
        entry.shown_changes = reader.changes(entry)
    return entries


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Audit entries name concrete fields (accounts.audit.snapshot), never a reverse relation.
    return found if isinstance(found, models.Field) else None


def _datetime(raw: Any) -> str:
    try:
        value = datetime.datetime.fromisoformat(str(raw))
    except ValueError:
        return str(raw)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "j F Y H:i")


def _date(raw: Any) -> str:
    try:
        value = datetime.date.fromisoformat(str(raw)[:10])
    except ValueError:
        return str(raw)
    return formats.date_format(value, "j F Y")


def _number(raw: Any) -> str:
    from samverkan.analysis.reading import swedish_number

    try:
        value = decimal.Decimal(str(raw))
    except decimal.InvalidOperation:
        return str(raw)
    whole = value == value.to_integral_value()
    if whole and abs(value) < 10_000:
        # Four digits stand without a space (a year, a count): "2024", not "2 024".
        return str(int(value)).replace("-", "−")
    text = swedish_number(float(value), 0 if whole else 2)
    return text if whole else text.rstrip("0").rstrip(",")


def _list(raw: list[Any]) -> str:
    # Import errors keep a Swedish and an English text: the reader gets the Swedish one.
    parts = []
    for item in raw:
        if isinstance(item, dict):
            parts.append(str(item.get("sv") or item.get("text") or item.get("name") or "…"))
        else:
            parts.append(str(item))
    return ", ".join(parts)


def _literal(text: str) -> Any:
    import ast

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
