"""Harvest other instances' open-data catalogues into the evidence bank (federation).

No shared database: an administrator lists the catalogue addresses of other Samverkan
instances (``RemoteCatalogue``); harvesting reads each catalogue (DCAT-AP-SE JSON-LD), follows
every dataset's JSON distribution and keeps the effect results in the row (a cache: the
evidence bank never waits for another instance). A failed fetch keeps the last good results
and records the error.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone

from samverkan.learning import opendata
from samverkan.learning.models import RemoteCatalogue

MAX_BYTES = 5 * 1024 * 1024


class HarvestError(Exception):
    """A catalogue or dataset could not be read; the message says why (Swedish)."""


def _get_json(url: str, timeout: float) -> Any:
    if urlsplit(url).scheme not in ("http", "https"):
        raise HarvestError(f"Adressen måste börja med http:// eller https://: {url}")
    request = urllib.request.Request(
        url, headers={"Accept": "application/ld+json, application/json", "User-Agent": "Samverkan"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            body = response.read(MAX_BYTES + 1)
    except OSError as exc:  # URLError, timeouts and refused connections are all OSError
        raise HarvestError(f"Kunde inte hämta {url}: {exc}") from exc
    if len(body) > MAX_BYTES:
        raise HarvestError(f"Svaret från {url} är större än {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarvestError(f"Svaret från {url} är inte JSON: {exc}") from exc


def _id(node: Any) -> str:
    if isinstance(node, dict):
        return str(node.get("@id", ""))
    return str(node or "")


def _json_distribution(dataset: dict[str, Any], base: str) -> str | None:
    distributions = dataset.get("dcat:distribution") or []
    if isinstance(distributions, dict):
        distributions = [distributions]
    for dist in distributions:
        if not isinstance(dist, dict):
            continue
        kind = _id(dist.get("dct:format")) + _id(dist.get("dcat:mediaType"))
        if "JSON" in kind.upper():
            url = _id(dist.get("dcat:downloadURL")) or _id(dist.get("dcat:accessURL"))
            if url:
                return urljoin(base, url)
    return None


def _clean(row: Any, source: str, dataset_url: str) -> dict[str, Any] | None:
    if not isinstance(row, dict):
        return None
    kept = {k: row.get(k) for k in opendata.RESULT_COLUMNS}
    if not kept.get("id"):
        return None
    for key in ("log_kvot", "varians", "kvot", "kvot_lag", "kvot_hog", "forandring_procent"):
        value = kept.get(key)
        if value is not None and not isinstance(value, (int, float)):
            kept[key] = None
    for key in opendata.RESULT_COLUMNS:
        value = kept[key]
        if isinstance(value, str):
            kept[key] = value[:500]
    kept["kalla"] = source
    kept["kalla_url"] = dataset_url
    return kept


def harvest(remote: RemoteCatalogue, timeout: float | None = None) -> int:
    """Fetch one catalogue and its datasets; returns the number of results kept."""
    wait = timeout if timeout is not None else getattr(settings, "HARVEST_TIMEOUT", 10.0)
    try:
        catalogue = _get_json(remote.url, wait)
        datasets = catalogue.get("dcat:dataset") or [] if isinstance(catalogue, dict) else []
        if isinstance(datasets, dict):
            datasets = [datasets]
        rows: list[dict[str, Any]] = []
        for node in datasets:
            if not isinstance(node, dict):
                continue
            url = _json_distribution(node, remote.url)
            if not url:
                continue
            data = _get_json(url, wait)
            if not isinstance(data, dict) or data.get("schema") != opendata.SCHEMA:
                continue
            for row in data.get("resultat") or []:
                cleaned = _clean(row, remote.name, url)
                if cleaned:
                    rows.append(cleaned)
    except HarvestError as exc:
        remote.last_error = str(exc)[:500]
        remote.save(update_fields=["last_error"])
        raise
    remote.results = rows
    remote.fetched_at = timezone.now()
    remote.last_error = ""
    remote.save(update_fields=["results", "fetched_at", "last_error"])
    return len(rows)


def harvest_all(timeout: float | None = None) -> dict[str, str]:
    """Harvest every active catalogue; a failure of one does not stop the others."""
    outcome = {}
    for remote in RemoteCatalogue.objects.filter(active=True):
        try:
            outcome[remote.name] = f"{harvest(remote, timeout)} resultat"
        except HarvestError as exc:
            outcome[remote.name] = str(exc)
    return outcome
