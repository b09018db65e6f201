"""Harvest other instances' open-data catalogues into the evidence bank (federation).

No shared database: an administrator lists the catalogue addresses of other Samverkan
instances (``RemoteCatalogue``); harvesting reads each catalogue (DCAT-AP-SE JSON-LD), follows
every dataset's JSON distribution and keeps the effect results in the row (a cache: the
evidence bank never waits for another instance). A failed fetch keeps the last good results
and records the error.

Server-side request forgery: the catalogue's address, every distribution address it names and
every redirect go through the same guard as webhooks (lib/outbound.py): https only (http when
DEBUG or HARVEST_ALLOW_HTTP), public addresses only (unless HARVEST_ALLOW_PRIVATE_ADDRESSES),
the request goes to the address that was checked.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone

from samverkan.learning import opendata
from samverkan.learning.models import RemoteCatalogue
from samverkan.lib import outbound

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)


class HarvestError(Exception):
    """A catalogue or dataset could not be read; the message says why (Swedish)."""


def _shown(url: str) -> str:
    """An address for a message: control characters out, at most 200 characters."""
    return "".join(c for c in url if c.isprintable())[:200]


def _get_json(url: str, timeout: float) -> Any:
    """The JSON at ``url``. Every address, and every address a redirect points to, goes
    through the shared guard against server-side request forgery (lib/outbound.py) before it
    is contacted. Messages never quote the response (it could come from an internal
    service)."""
    allow_http = settings.DEBUG or settings.HARVEST_ALLOW_HTTP
    allow_private = settings.HARVEST_ALLOW_PRIVATE_ADDRESSES
    headers = {"Accept": "application/ld+json, application/json", "User-Agent": "Samverkan"}
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            target = outbound.check_address(
                current, allow_http=allow_http, allow_private=allow_private
            )
        except outbound.AddressRefused as exc:
            raise HarvestError(f"{_shown(current)}: {exc.message}") from exc
        try:
            response = outbound.send(
                target, "GET", timeout=timeout, limit=MAX_BYTES + 1, headers=headers
            )
        except (OSError, http.client.HTTPException) as exc:
            # The exception's name only: its text may quote what the server sent.
            reason = (
                "tidsgränsen passerades" if isinstance(exc, TimeoutError) else (type(exc).__name__)
            )
            raise HarvestError(f"Kunde inte hämta {_shown(current)} ({reason}).") from exc
        if response.status in REDIRECTS and response.headers.get("Location"):
            current = urljoin(current, response.headers["Location"])
            continue
        if response.status != 200:
            raise HarvestError(f"{_shown(current)} svarade med status {response.status}.")
        break
    else:
        raise HarvestError(f"{_shown(url)} omdirigerar fler än {MAX_REDIRECTS} gånger.")
    body = response.body
    if len(body) > MAX_BYTES:
        raise HarvestError(
            f"Svaret från {_shown(current)} är större än {MAX_BYTES // (1024 * 1024)} MB."
        )
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise HarvestError(f"Svaret från {_shown(current)} är inte JSON.") from exc


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
