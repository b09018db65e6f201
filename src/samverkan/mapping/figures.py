"""Figures from a party's imported data, computed when the data changes and stored.

Pages, documents and the API ask ``subjects`` and ``mapdata`` for figures such as incidents per
category and year, weekday × hour, the busiest places and hot-spot cells. On a party with a
million incidents each costs seconds of SQL and NumPy, and none of them changes until an
import does. So they live in ``IncidentFigure`` rows:

* ``stored(party, name, params, compute)`` returns the stored value, or computes, stores and
  returns it (a figure nobody asked for since the last change, e.g. the map for one year);
* ``refresh(party_id)`` forgets the party's figures and computes the common ones again. The
  import job calls it when an import, or a re-import, has changed the data; a deleted import
  calls it too. A party that is deleted takes its figures with it.

Values are JSON (``encode``/``decode``): plain data, tuples, NumPy arrays, datetimes and the
figure dataclasses named in ``_TYPES``. Nothing is ever unpickled from the database.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import json
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from samverkan.mapping.models import IncidentFigure

log = logging.getLogger(__name__)

T = TypeVar("T")

# Set while refresh() recomputes: every figure is computed afresh and overwrites the stored one
# (a page that read the old data while the import ran may have stored a figure of it).
_RECOMPUTE: contextvars.ContextVar[bool] = contextvars.ContextVar("recompute", default=False)


def _types() -> dict[str, type]:
    from samverkan.analysis.concentration import PlaceCount
    from samverkan.analysis.hotspots import HotspotSettings
    from samverkan.mapping import mapdata
    from samverkan.mapping.subjects import incidents

    kinds: list[type] = [
        PlaceCount, HotspotSettings, incidents.Places, incidents.HotCell, incidents.Hotspots,
        mapdata.MapData, mapdata.MapCell, mapdata.MapPlace, mapdata.MapFilter,
    ]  # fmt: skip
    return {kind.__name__: kind for kind in kinds}


def encode(value: Any) -> Any:
    """A JSON-ready form of ``value`` that ``decode`` turns back into an equal value."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    # NumPy loads with the first figure computed, not with the app (tests/test_startup.py):
    # a value cannot be a NumPy one while NumPy is not loaded.
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        return {"~nd": value.tolist(), "dtype": value.dtype.str}
    if np is not None and isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime.datetime):
        return {"~dt": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _types():
            raise TypeError(f"{name} is not a stored figure type")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"~dc": name, "fields": fields}
    if isinstance(value, tuple):
        return {"~t": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"~d": [[encode(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot store a {type(value).__name__}")


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "~nd" in data:
        import numpy as np

        return np.array(data["~nd"], dtype=np.dtype(data["dtype"]))
    if "~dt" in data:
        return datetime.datetime.fromisoformat(data["~dt"])
    if "~dc" in data:
        kind = _types()[data["~dc"]]
        return kind(**{k: decode(v) for k, v in data["fields"].items()})
    if "~t" in data:
        return tuple(decode(v) for v in data["~t"])
    if "~d" in data:
        return {_hashable(decode(k)): decode(v) for k, v in data["~d"]}
    raise ValueError("not a stored figure")


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def stored(party: Any, name: str, params: str, compute: Callable[[], T]) -> T:
    """The party's figure ``name`` for ``params``: read if stored, else computed and stored."""
    if _RECOMPUTE.get():
        value = compute()
        IncidentFigure.objects.update_or_create(
            party_id=party.pk,
            name=name,
            params=params,
            defaults={"value": json.dumps(encode(value)), "computed_at": timezone.now()},
        )
        return value
    text = (
        IncidentFigure.objects.filter(party_id=party.pk, name=name, params=params)
        .values_list("value", flat=True)
        .first()
    )
    if text is not None:
        return decode(json.loads(text))
    value = compute()
    row = IncidentFigure(
        party_id=party.pk, name=name, params=params, value=json.dumps(encode(value))
    )
    # Two requests may compute the same figure at once: the first row stays.
    IncidentFigure.objects.bulk_create([row], ignore_conflicts=True)
    return value


def forget(party_id: int) -> int:
    """Remove the party's stored figures (they are computed again when next asked for)."""
    deleted, _kinds = IncidentFigure.objects.filter(party_id=party_id).delete()
    return deleted


def changed(party_id: int) -> None:
    """The party's imported data has changed (or is about to, in this transaction).

    Its figures are forgotten at once, with the change, and computed again once the change
    has committed, in the job or command that made it, so the next page finds them ready.
    """
    forget(party_id)
    transaction.on_commit(lambda: refresh(party_id))


def refresh(party_id: int) -> None:
    """Forget the party's figures and compute the common ones again (stored).

    A failure here is logged and leaves the figures to be computed on first use.
    """
    from samverkan.mapping import mapdata
    from samverkan.mapping.subjects import crime, incidents
    from samverkan.partnerships.models import Party

    forget(party_id)
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        return
    token = _RECOMPUTE.set(True)
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            crime.category_trend(party)
            crime.category_changes(party)
            incidents.weekday_hour(party)
            for n in incidents.PLACE_COUNTS:
                incidents.top_places(party, n)
            incidents.hotspots(party)
            incidents.incident_count(party)
            mapdata.filter_choices(party)
            mapdata.map_data(party, mapdata.MapFilter())
    except Exception:  # noqa: BLE001 - the figures are computed on first use instead
        log.exception("stored figures of party %s could not be computed", party_id)
    finally:
        _RECOMPUTE.reset(token)


def _import_deleted(sender: type, instance: Any, **_: Any) -> None:
    changed(instance.party_id)


def connect_signals() -> None:
    """A deleted import changes what the party's data says: its figures are made again.

    (Its incidents stay, without their import; the party's deletion takes incidents and
    figures alike.)"""
    from django.db.models.signals import post_delete

    from samverkan.mapping.models import Import

    post_delete.connect(_import_deleted, sender=Import, dispatch_uid="figures_import_deleted")


def recomputing() -> bool:
    """Whether ``refresh`` is computing the party's figures afresh just now."""
    return _RECOMPUTE.get()
