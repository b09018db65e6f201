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
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.utils import timezone

from samverkan.accounts import audience
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


# What a harvested row may hold. Another instance is not trusted: every field is checked for
# its type and range, text is bounded and stripped of control characters, and this instance's
# own small-count rule is applied again whatever the other one's flag says.
# The text columns of a published result row: those before its first count.
TEXT_COLUMNS = opendata.RESULT_COLUMNS[: opendata.RESULT_COLUMNS.index("insats_fore")]
COUNT_COLUMNS = ("insats_fore", "insats_efter", "kontroll_fore", "kontroll_efter")
# Each figure with the range it can have and the counts it is computed from (opendata.result_row).
FIGURES: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "log_kvot": (-50.0, 50.0, COUNT_COLUMNS),
    "varians": (0.0, 1e6, COUNT_COLUMNS),
    "kvot": (0.0, 1e12, COUNT_COLUMNS),
    "kvot_lag": (0.0, 1e12, COUNT_COLUMNS),
    "kvot_hog": (0.0, 1e12, COUNT_COLUMNS),
    "forandring_procent": (-100.0, 1e9, ("insats_fore", "insats_efter")),
}
MAX_TEXT = 500
MAX_COUNT = 10**9


class Invalid(ValueError):
    """A harvested row that breaks the open data's shape."""


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid
    printable = (c if c.isprintable() else " " if c.isspace() else "" for c in value)
    return "".join(printable)[:limit].strip()


def _count(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise Invalid
    return value


def _figure(value: Any, low: float, high: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise Invalid
    return number


def checked_row(row: Any, source: Any, dataset_url: Any) -> dict[str, Any] | None:
    """A harvested result row as this instance may show it, or None if it breaks the shape
    (a field of the wrong type, a number that is not finite or out of range, no id).

    Counts under SMALL_COUNT_THRESHOLD are suppressed again by this instance's public audience
    (the rule of its own open data), and so is every figure computed from them; a figure
    whose counts are not given is dropped, since nothing shows they could be published."""
    if not isinstance(row, dict):
        return None
    try:
        kept: dict[str, Any] = {k: _text(row.get(k)) for k in TEXT_COLUMNS}
        counts = {k: _count(row.get(k)) for k in COUNT_COLUMNS}
        figures = {k: _figure(row.get(k), low, high) for k, (low, high, _) in FIGURES.items()}
        flag = row.get("undertryckt")
        if flag is not None and not isinstance(flag, bool):
            raise Invalid
        name = _text(source, 200) or ""
        link = _text(dataset_url, 2000) or ""
    except Invalid:
        return None
    if not kept["id"]:
        return None
    suppressed = bool(flag) or audience.public().withholds_counts(*counts.values())
    if suppressed:
        counts = dict.fromkeys(counts)
        figures = dict.fromkeys(figures)
    for key, (_low, _high, sources) in FIGURES.items():
        if any(counts[c] is None for c in sources):
            figures[key] = None
    kept.update(counts)
    kept.update(figures)
    kept["undertryckt"] = suppressed
    kept["kalla"] = name
    kept["kalla_url"] = link if link.startswith(("https://", "http://")) else ""
    return kept


@dataclass(frozen=True)
class Outcome:
    """What one harvest kept and what it dropped as invalid."""

    kept: int
    dropped: int = 0

    @property
    def message(self) -> str:
        text = f"{self.kept} resultat"
        if self.dropped:
            text += f"; {self.dropped} ogiltiga rader utelämnades"
        return text


def harvest(remote: RemoteCatalogue, timeout: float | None = None) -> Outcome:
    """Fetch one catalogue and its datasets; how many results were kept and dropped."""
    wait = timeout if timeout is not None else getattr(settings, "HARVEST_TIMEOUT", 10.0)
    dropped = 0
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
            found = data.get("resultat") or []
            for row in found if isinstance(found, list) else [found]:
                cleaned = checked_row(row, remote.name, url)
                if cleaned:
                    rows.append(cleaned)
                else:
                    dropped += 1
    except HarvestError as exc:
        remote.last_error = str(exc)[:500]
        remote.save(update_fields=["last_error"])
        raise
    outcome = Outcome(len(rows), dropped)
    remote.results = rows
    remote.fetched_at = timezone.now()
    remote.last_error = outcome.message if dropped else ""
    remote.save(update_fields=["results", "fetched_at", "last_error"])
    return outcome


def harvest_all(timeout: float | None = None) -> dict[str, str]:
    """Harvest every active catalogue; a failure of one does not stop the others."""
    outcome = {}
    for remote in RemoteCatalogue.objects.filter(active=True):
        try:
            outcome[remote.name] = harvest(remote, timeout).message
        except HarvestError as exc:
            outcome[remote.name] = str(exc)
    return outcome
