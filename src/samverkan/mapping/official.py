"""Official statistics fetched from the public APIs: Kolada's key figures, SCB's population,
and Polisen's published events.

``manage.py fetch_statistics`` builds the request here, saves the answer as a file and imports
it through the same service as an upload (``services.import_file``): every row is checked,
nothing is kept unless all is valid, and the import is recorded with its data source.

Only the standard library talks to the network (``urllib``), always with a timeout
(``STATISTICS_API_TIMEOUT``). The addresses are settings (``KOLADA_API_URL``,
``SCB_POPULATION_API_URL``) so a mirror or a test server can stand in. Anything that goes
wrong before the import (no network, an error answer, an answer that is not JSON) raises
``FetchError`` with an English message, and nothing is written.

Kolada API v2: ``GET {base}/data/kpi/{kpi}/municipality/{codes}/year/{years}`` answers
``{"count", "values": [...], "next_page"?}``; pages are followed and joined into one file.
SCB PxWebApi v1: ``POST`` a query to the table's address with ``"response": {"format":
"json-stat"}``; variables left out of the query (sex, age, marital status) are eliminated,
so the answer holds the total population per region and year.
Polisen: ``GET {base}?locationname=Norrköping`` answers a list of the latest notices there.
"""

from __future__ import annotations

import datetime
import http.client
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings

from samverkan.mapping.importers.polisen import CAVEAT as POLISEN_CAVEAT
from samverkan.mapping.importers.polisen import SOURCE_NAME as POLISEN_SOURCE_NAME
from samverkan.mapping.models import DataSource
from samverkan.mapping.municipalities import NAMES, municipality_code
from samverkan.partnerships.models import Party

USER_AGENT = "Samverkan (manage.py fetch_statistics)"
MAX_PAGES = 200
MAX_YEARS = 50
SCB_POPULATION_CONTENT = "BE0101N1"  # "Folkmängd" in SCB's table BefolkningNy


class FetchError(Exception):
    """The statistics could not be fetched; the message (English) says why and what to do."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status when the API answered with an error


@dataclass(frozen=True)
class Answer:
    """A fetched answer, ready to be saved as a file and imported."""

    kind: str  # the import kind: "kolada", "population" or "polisen-events"
    file_name: str
    content: bytes
    host: str
    source_name: str  # the party's DataSource it is recorded under (Swedish, as stored data)
    source_covers: str
    source_url: str
    period: str


# ---- arguments --------------------------------------------------------------------------


def parse_years(text: str) -> list[int]:
    """Years as "2020-2024", "2024" or "2020,2022"."""
    years: set[int] = set()
    for part in text.replace(" ", "").split(","):
        m = re.fullmatch(r"(\d{4})(?:[-–](\d{4}))?", part)
        if not m:
            raise FetchError(f"years {text!r}: write e.g. 2020-2024, 2024 or 2020,2022")
        first, last = int(m[1]), int(m[2] or m[1])
        if not 1900 <= first <= last <= 2100:
            raise FetchError(f"years {text!r}: the range must run forwards, 1900-2100")
        years.update(range(first, last + 1))
    if len(years) > MAX_YEARS:
        raise FetchError(f"years {text!r}: at most {MAX_YEARS} years per fetch")
    return sorted(years)


def municipality_codes(values: list[str]) -> list[str]:
    """Four-digit municipality codes from codes or names ("0180", "Stockholm")."""
    codes: list[str] = []
    for value in values:
        code = municipality_code(value)
        if code is None:
            raise FetchError(
                f"municipality {value!r} is unknown; use SCB's four-digit code, e.g. 0180"
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise FetchError("name at least one municipality with --municipality, e.g. 0180")
    return codes


def _kpis(values: list[str]) -> list[str]:
    kpis = []
    for value in values:
        kpi = value.strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{2,20}", kpi):
            raise FetchError(f"kpi {value!r} is not a Kolada key figure id such as N07403")
        if kpi not in kpis:
            kpis.append(kpi)
    if not kpis:
        raise FetchError("name the key figure with --kpi, e.g. --kpi N07403")
    return kpis


def _span(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def _places(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else f"{len(codes)}-kommuner"


# ---- HTTP -------------------------------------------------------------------------------


def _request(url: str, body: dict[str, Any] | None = None) -> bytes:
    """GET (or POST ``body`` as JSON) and return the answer, or raise FetchError."""
    host = urlsplit(url).netloc
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)
    limit = settings.MAX_UPLOAD_MB * 1024 * 1024
    timeout = settings.STATISTICS_API_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        detail = _error_text(exc)
        raise FetchError(
            f"{host} answered HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""),
            status=exc.code,
        ) from None
    except urllib.error.URLError as exc:
        raise FetchError(
            f"cannot reach {host} ({exc.reason}); check the network connection, or point the "
            "setting at a reachable address"
        ) from None
    except TimeoutError:
        raise FetchError(f"{host} gave no answer within {timeout} seconds") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"the connection to {host} broke off ({exc})") from None
    if len(content) > limit:
        raise FetchError(
            f"the answer from {host} is larger than {settings.MAX_UPLOAD_MB} MB; "
            "ask for fewer municipalities or years at a time"
        )
    return content


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read(2000).decode("utf-8-sig", errors="replace")
    except Exception:  # the error body is only a courtesy
        return ""
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]


def _json(content: bytes, host: str) -> Any:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        start = " ".join(content[:80].decode("utf-8", errors="replace").split())
        raise FetchError(f"{host} answered with something that is not JSON: {start!r}") from None


# ---- Kolada -----------------------------------------------------------------------------


def kolada_url(kpis: list[str], codes: list[str], years: list[int]) -> str:
    return (
        f"{settings.KOLADA_API_URL}/data/kpi/{','.join(kpis)}/municipality/{','.join(codes)}"
        f"/year/{','.join(map(str, years))}"
    )


def _same_host(next_url: str, first_url: str) -> str:
    """Follow ``next_page`` only on the host asked first, with the scheme asked first."""
    first, nxt = urlsplit(first_url), urlsplit(next_url)
    if nxt.netloc != first.netloc:
        raise FetchError(f"Kolada's next_page points to another host ({nxt.netloc}); stopped")
    return urlunsplit((first.scheme, *tuple(nxt)[1:]))


def fetch_kolada(kpi_values: list[str], codes: list[str], years: list[int]) -> Answer:
    """Key figures for municipalities and years, every page joined into one Kolada document."""
    kpis = _kpis(kpi_values)
    url = first = kolada_url(kpis, codes, years)
    host = urlsplit(url).netloc
    values: list[Any] = []
    for _ in range(MAX_PAGES):
        document = _json(_request(url), host)
        if not isinstance(document, dict) or not isinstance(document.get("values"), list):
            raise FetchError(f"{host} answered without the list 'values' of Kolada's API v2")
        values.extend(document["values"])
        next_page = document.get("next_page")
        if not next_page:
            break
        url = _same_host(str(next_page), first)
    else:
        raise FetchError(f"Kolada's answer runs over more than {MAX_PAGES} pages; ask for less")
    if not values:
        raise FetchError(
            f"Kolada has no values for {', '.join(kpis)} in {', '.join(codes)} for "
            f"{_span(years)}; check the key figure id, the municipalities and the years"
        )
    content = json.dumps({"count": len(values), "values": values}, ensure_ascii=False, indent=1)
    return Answer(
        kind="kolada",
        file_name=f"kolada-{'-'.join(kpis)}-{_places(codes)}-{_span(years)}.json",
        content=content.encode() + b"\n",
        host=host,
        source_name=f"Kolada, nyckeltal {', '.join(kpis)}"[:200],
        source_covers=(
            f"Nyckeltal {', '.join(kpis)} för {', '.join(NAMES[c] for c in codes)}, "
            "hämtade ur Koladas API."
        ),
        source_url=settings.KOLADA_API_URL,
        period=_span(years).replace("-", "–"),
    )


# ---- SCB --------------------------------------------------------------------------------


def population_query(codes: list[str], years: list[int]) -> dict[str, Any]:
    """The PxWebApi v1 query: population (BE0101N1) per municipality and year, as JSON-stat."""
    return {
        "query": [
            {"code": "Region", "selection": {"filter": "item", "values": codes}},
            {
                "code": "ContentsCode",
                "selection": {"filter": "item", "values": [SCB_POPULATION_CONTENT]},
            },
            {"code": "Tid", "selection": {"filter": "item", "values": [str(y) for y in years]}},
        ],
        "response": {"format": "json-stat"},
    }


def fetch_population(codes: list[str], years: list[int]) -> Answer:
    """Population per municipality and year from SCB, the answer kept as SCB sent it."""
    url = settings.SCB_POPULATION_API_URL
    host = urlsplit(url).netloc
    try:
        content = _request(url, population_query(codes, years))
    except FetchError as exc:
        if exc.status in (400, 404):
            raise FetchError(
                f"{exc} (SCB answers so when a year is not yet published or the table has no "
                "such region)",
                status=exc.status,
            ) from None
        raise
    _json(content, host)  # an error page is refused here, before anything is saved
    return Answer(
        kind="population",
        file_name=f"scb-befolkning-{_places(codes)}-{_span(years)}.json",
        content=content,
        host=host,
        source_name="SCB, folkmängd per kommun och år (BE0101N1)",
        source_covers=(
            f"Folkmängd den 31 december för {', '.join(NAMES[c] for c in codes)}, hämtad ur "
            "SCB:s statistikdatabas (tabell BefolkningNy)."
        ),
        source_url=url if len(url) <= 200 else "",
        period=_span(years).replace("-", "–"),
    )


# ---- Polisen ---------------------------------------------------------------------------


def polisen_url(codes: list[str]) -> str:
    """Polisen's events API asked for municipalities by name ("Norrköping;Linköping")."""
    names = ";".join(NAMES[c] for c in codes)
    return f"{settings.POLISEN_EVENTS_URL}?{urlencode({'locationname': names})}"


def fetch_polisen(codes: list[str]) -> Answer:
    """The latest notices Polisen has published for the municipalities, kept as sent."""
    url = polisen_url(codes)
    host = urlsplit(url).netloc
    content = _request(url)
    document = _json(content, host)
    if not isinstance(document, list):
        raise FetchError(f"{host} answered without the list of events of Polisen's API")
    if not document:
        raise FetchError(
            f"Polisen has no recent events for {', '.join(NAMES[c] for c in codes)}; "
            "nothing to import"
        )
    today = datetime.date.today().isoformat()
    return Answer(
        kind="polisen-events",
        file_name=f"polisen-handelser-{_places(codes)}-{today}.json",
        content=content,
        host=host,
        source_name=POLISEN_SOURCE_NAME,
        source_covers=(
            f"Polisens händelsenotiser för {', '.join(NAMES[c] for c in codes)}, hämtade ur "
            "Polisens öppna API. " + POLISEN_CAVEAT
        ),
        source_url=settings.POLISEN_EVENTS_URL if len(settings.POLISEN_EVENTS_URL) <= 200 else "",
        period="",
    )


# ---- recording --------------------------------------------------------------------------


def source_for(party: Party, answer: Answer) -> DataSource:
    """The party's data source for this API, created the first time it is used."""
    source = DataSource.objects.filter(party=party, name=answer.source_name).first()
    if source is None:
        source = DataSource.objects.create(
            party=party,
            name=answer.source_name,
            covers=answer.source_covers,
            period=answer.period,
            url=answer.source_url,
            reason="Officiell statistik, hämtad med manage.py fetch_statistics.",
        )
    return source


def import_answer(party: Party, answer: Answer) -> tuple[Any, Any, DataSource]:
    """Save the answer as a file and import it like an upload: (import, result, source)."""
    import tempfile
    from pathlib import Path

    from samverkan.mapping.services import import_file

    source = source_for(party, answer)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / answer.file_name
        path.write_bytes(answer.content)
        # The municipalities were named on the command line: they are all wanted.
        record, result = import_file(party, answer.kind, path, source=source, area_choice="all")
    return record, result, source


def fetch_polisen_daily() -> list[str]:
    """Fetch and import Polisen's latest events for every party that uses the source.

    A party takes part once it has the data source "Polisens händelser" (the first
    ``fetch_statistics polisen`` or a manual record creates it, and marking it "left out"
    stops it); its events are asked for its partnership's own municipality. One party's
    failure (no network, a rejected answer) is logged and the others still run. Returns one
    line per party, for Celery's log.
    """
    import logging

    from samverkan.mapping.subjects.crime import own_municipality_code

    log = logging.getLogger(__name__)
    lines = []
    sources = DataSource.objects.filter(name=POLISEN_SOURCE_NAME, left_out=False)
    for party in Party.objects.filter(data_sources__in=sources).distinct():
        code = own_municipality_code(party)
        if not code:
            lines.append(f"party {party.pk}: its municipality is unknown; skipped")
            continue
        try:
            record, result, _source = import_answer(party, fetch_polisen([code]))
        except FetchError as exc:
            log.warning("Polisen's events for party %s: %s", party.pk, exc)
            lines.append(f"party {party.pk}: {exc}")
            continue
        lines.append(
            f"party {party.pk}: import {record.pk} {record.status}, "
            f"{result.rows_imported} new, {result.rows_skipped} already present"
        )
    return lines
