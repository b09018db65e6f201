"""Polisen's events feed ("Polisens händelser") as a source of step 2.

The police publish their recent notices as JSON (polisen.se/api/events): a list of objects
with ``id``, ``datetime`` ("2026-01-14 23:33:32 +01:00"), ``name`` ("14 januari 19.12, Rån,
Norrköping"), ``summary``, ``url``, ``type`` and ``location`` ``{"name", "gps": "lat,lon"}``.
What the fields mean decides how they are read:

- ``datetime`` is when the notice was *published*. When the event happened is at the start of
  the name: day, month and usually a clock time, with no year. The year is the notice's, or
  the year before when that date would lie after the notice (a notice of 2 January about
  "31 december"). The clock time is Swedish local time, read in Europe/Stockholm, which is
  the notice's own offset except across a change to or from summer time.
- A notice is not a reported crime: many types are not crimes at all (traffic accidents,
  fires, missing persons, summaries of a night). Only the types listed in ``CRIME_TYPES``
  count as crimes, each under a group of the handbook (analysis.categories); every other
  type, known or new, is kept but never counted as a crime.
- The feed never gives the place of an event: ``location.name`` is a municipality or a county
  and ``gps`` is that area's reference point. A point on the map would be invented, so a
  location that is a county or a municipality gives no point, nor does a gps equal to such a
  reference point (seen in this file or an earlier import); only a finer place with its own
  coordinates is put on the map. These events never feed hot spots.
- The same id is the same event: imported once, whatever the number of files it comes in.

Entries are numbered from 1 in the order of the file; every error names its entry ("post 3").
"""

from __future__ import annotations

import datetime
import json
import math
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings

from samverkan.analysis.categories import (
    ALKOHOL_NARKOTIKA,
    BEDRAGERI,
    FRIHET_FRID,
    LIV_HALSA,
    OVRIGT,
    POLICE_INITIATED,
    SEXUALBROTT,
    SKADEGORELSE,
    TILLGREPP,
    TRAFIK,
    VICTIM_WITH_INTERACTION,
    VICTIM_WITHOUT_INTERACTION,
)
from samverkan.analysis.hotspots import wgs84_to_sweref99tm
from samverkan.lib import numbers
from samverkan.mapping.choices import PointNote
from samverkan.mapping.importers.base import (
    AreaRole,
    Column,
    Importer,
    ImportResult,
    Issue,
    Reading,
)
from samverkan.mapping.importers.parse import Bad
from samverkan.mapping.importers.reader import FileFacts, Row
from samverkan.mapping.models import PoliceEvent
from samverkan.mapping.municipalities import NAMES, municipality_code

SOURCE_NAME = "Polisens händelser"
CAVEAT = (
    "Polisens händelser är ett urval av de notiser Polisen publicerar på polisen.se, inte "
    "kriminalstatistik: många brott får ingen notis, en notis kan gälla flera brott eller "
    "inget alls, och platsen anges bara som kommun eller län. Använd dem som en bild av vad "
    "som har hänt nyligen, inte för att räkna eller jämföra brottsnivåer."
)
MAX_EVENTS = 100_000
MAX_DEPTH = 20  # the feed is three levels deep; anything far deeper is not the feed

_I, _U, _P = VICTIM_WITH_INTERACTION, VICTIM_WITHOUT_INTERACTION, POLICE_INITIATED

# Polisen's event types that are crimes, with the handbook's group (Brå, RPS & SKL 2010,
# pp. 48-49) and interpretation category. This reading is ours, as analysis.categories says
# of its own table, and meant to be reviewed locally. A type missing here is never counted.
CRIME_TYPES: dict[str, tuple[str, str]] = {
    "misshandel": (LIV_HALSA, _I),
    "misshandel, grov": (LIV_HALSA, _I),
    "mord/dråp": (LIV_HALSA, _I),
    "mord/dråp, försök": (LIV_HALSA, _I),
    "vållande till kroppsskada": (LIV_HALSA, _I),
    "skottlossning": (LIV_HALSA, _I),
    "olaga hot": (FRIHET_FRID, _I),
    "ofredande/förargelse": (FRIHET_FRID, _I),
    "olaga intrång/hemfridsbrott": (FRIHET_FRID, _I),
    "olaga frihetsberövande": (FRIHET_FRID, _I),
    "våld/hot mot tjänsteman": (FRIHET_FRID, _I),
    "bombhot": (FRIHET_FRID, _I),
    "våldtäkt": (SEXUALBROTT, _I),
    "våldtäkt, försök": (SEXUALBROTT, _I),
    "sexualbrott": (SEXUALBROTT, _I),
    "rån": (TILLGREPP, _I),
    "rån väpnat": (TILLGREPP, _I),
    "rån övrigt": (TILLGREPP, _I),
    "rån, försök": (TILLGREPP, _I),
    "personrån": (TILLGREPP, _I),
    "inbrott": (TILLGREPP, _U),
    "inbrott, försök": (TILLGREPP, _U),
    "stöld": (TILLGREPP, _U),
    "stöld, försök": (TILLGREPP, _U),
    "stöld, ringa": (TILLGREPP, _U),
    "stöld/inbrott": (TILLGREPP, _U),
    "motorfordon, stöld": (TILLGREPP, _U),
    "bedrägeri": (BEDRAGERI, _U),
    "förfalskningsbrott": (BEDRAGERI, _U),
    "häleri": (BEDRAGERI, _U),
    "skadegörelse": (SKADEGORELSE, _U),
    "narkotikabrott": (ALKOHOL_NARKOTIKA, _P),
    "alkohollagen": (ALKOHOL_NARKOTIKA, _P),
    "rattfylleri": (TRAFIK, _P),
    "olovlig körning": (TRAFIK, _P),
    "trafikbrott": (TRAFIK, _P),
    "vapenlagen": (OVRIGT, _P),
    "knivlagen": (OVRIGT, _P),
    "miljöbrott": (OVRIGT, _P),
    "ekobrott": (OVRIGT, _P),
}

# SCB's county codes (länskoder) and names, as the feed names counties ("Skåne län").
COUNTIES: dict[str, str] = {
    "01": "Stockholms län", "03": "Uppsala län", "04": "Södermanlands län",
    "05": "Östergötlands län", "06": "Jönköpings län", "07": "Kronobergs län",
    "08": "Kalmar län", "09": "Gotlands län", "10": "Blekinge län", "12": "Skåne län",
    "13": "Hallands län", "14": "Västra Götalands län", "17": "Värmlands län",
    "18": "Örebro län", "19": "Västmanlands län", "20": "Dalarnas län",
    "21": "Gävleborgs län", "22": "Västernorrlands län", "23": "Jämtlands län",
    "24": "Västerbottens län", "25": "Norrbottens län",
}  # fmt: skip
_COUNTY_BY_NAME = {name.lower(): code for code, name in COUNTIES.items()}

MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")  # fmt: skip
_EVENT_TIME = re.compile(
    r"^\s*(\d{1,2})\s+(" + "|".join(MONTHS) + r")(?:\s+(\d{1,2})[.:](\d{2}))?(?=[\s,]|$)",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

POINT_COUNTY = PointNote.COUNTY
POINT_MUNICIPALITY = PointNote.MUNICIPALITY
POINT_REFERENCE = PointNote.REFERENCE


def category_of(event_type: str) -> tuple[bool, str, str]:
    """(is a crime, handbook group, interpretation) of one of Polisen's event types."""
    key = " ".join(event_type.casefold().split())
    found = CRIME_TYPES.get(key)
    return (True, *found) if found else (False, "", "")


def county_code(name: str) -> str | None:
    """The SCB county code of a county as the feed names it ("Skåne län"), else None.

    Only the full name counts: "Stockholm" is the municipality, "Stockholms län" the county.
    """
    return _COUNTY_BY_NAME.get(" ".join(name.split()).lower())


def event_time(
    name: str, published: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime | None]:
    """When the event happened, from the start of its name ("14 januari 19.12, Rån, ...").

    Returns (moment, None), or (start of day, start of next day) when the name gives the
    day but no clock time. The year is taken from the publication; a date after it belongs
    to the year before (published 2 January about 31 december).
    """
    m = _EVENT_TIME.match(name)
    if not m:
        raise Bad(
            f"namnet ”{name[:60]}” börjar inte med dag och månad (t.ex. ”14 januari 19.12, …”)",
            f"the name {name[:60]!r} does not start with day and month",
        )
    day, month = int(m[1]), MONTHS.index(m[2].lower()) + 1
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    published_day = published.astimezone(zone).date()
    year = published_day.year
    try:
        date = datetime.date(year, month, day)
        if date > published_day + datetime.timedelta(days=1):
            date = datetime.date(year - 1, month, day)
    except ValueError:
        raise Bad(
            f"dagen ”{m[1]} {m[2]}” i namnet finns inte år {year}",
            f"the day {m[1]} {m[2]} in the name does not exist in {year}",
        ) from None
    if m[3] is None:
        start = datetime.datetime.combine(date, datetime.time(), tzinfo=zone)
        return start, start + datetime.timedelta(days=1)
    hour, minute = int(m[3]), int(m[4])
    if hour > 23 or minute > 59:
        raise Bad(
            f"klockslaget ”{m[3]}.{m[4]}” i namnet är inget klockslag",
            f"the time {m[3]}.{m[4]} in the name is not a time of day",
        )
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=zone), None


def _published(value: Any) -> datetime.datetime:
    text = value.strip() if isinstance(value, str) else ""
    for parse in (
        lambda t: datetime.datetime.strptime(t, "%Y-%m-%d %H:%M:%S %z"),
        datetime.datetime.fromisoformat,
    ):
        try:
            moment = parse(text)
        except ValueError:
            continue
        if moment.tzinfo is None:
            break
        if not 2000 <= moment.year <= datetime.date.today().year + 1:
            raise Bad(
                f"publiceringstiden ”{text}” ligger utanför 2000 till nästa år",
                f"the publication time {text!r} is outside 2000 to next year",
            )
        return moment
    raise Bad(
        f"publiceringstiden (datetime) ”{str(value)[:40]}” kan inte läsas; väntat t.ex. "
        "”2026-01-14 23:33:32 +01:00”",
        f"the publication time (datetime) {str(value)[:40]!r} cannot be read",
    )


def _text(entry: dict[str, Any], key: str, label: str, limit: int, required: bool) -> str:
    value = entry.get(key)
    if value is None or value == "":
        if required:
            raise Bad(f"{label} ({key}) saknas", f"{key} is missing")
        return ""
    if not isinstance(value, str):
        raise Bad(f"{label} ({key}) ska vara text", f"{key} must be a string")
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text):
        raise Bad(
            f"{label} ({key}) innehåller kontrolltecken", f"{key} contains control characters"
        )
    if len(text) > limit:
        raise Bad(
            f"{label} ({key}) är längre än {limit} tecken",
            f"{key} is longer than {limit} characters",
        )
    if required and not text:
        raise Bad(f"{label} ({key}) saknas", f"{key} is missing")
    return text


def _event_id(value: Any) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 < value < 2**63:
        raise Bad(
            "id saknas eller är inget positivt heltal", "id is missing or not a positive integer"
        )
    return value


def _gps(value: Any) -> tuple[float, float] | None:
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else ""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise Bad(
            f"gps ”{str(value)[:40]}” ska vara ”latitud,longitud”, t.ex. ”58.59,16.18”",
            f"gps {str(value)[:40]!r} must be 'latitude,longitude'",
        ) from None
    in_sweden = 55 <= lat <= 69.5 and 10.5 <= lon <= 24.5
    if not (math.isfinite(lat) and math.isfinite(lon) and in_sweden):
        raise Bad(
            f"gps ”{text[:40]}” ligger inte i Sverige (WGS 84)",
            f"gps {text[:40]!r} is not in Sweden (WGS 84)",
        )
    return lat, lon


def _url(value: str) -> str:
    """Links are shown on pages: only paths on polisen.se or addresses there, never
    another site (a file could otherwise put any link in front of the users)."""
    if not value:
        return ""
    if value.startswith("/") and not value.startswith("//"):
        return value
    if re.match(r"https://(www\.)?polisen\.se/", value):
        return value
    raise Bad(
        "url ska vara en sökväg eller adress på polisen.se (”/aktuellt/…”)",
        "url must be a path or an address on polisen.se",
    )


def _reference(lat: float, lon: float) -> tuple[float, float]:
    """A gps point rounded to about 10 m, to recognise an area's reference point again."""
    return round(lat, 4), round(lon, 4)


def _depth(value: Any, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit`` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if level > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return False


class PolisenEventsImporter(Importer):
    """Polisen's events (``manage.py import polisen-events``, the upload, and
    ``fetch_statistics polisen``); see the module's docstring for what is read how."""

    kind = "polisen-events"
    unit = "post"  # entries of a JSON list: messages and the import page count them so
    columns = (Column("entry", "Händelse", ("entry",), True),)
    columnar = True  # read_columns reads the entries; errors are numbered by entry
    # Events for other municipalities (a file fetched for a neighbour, the whole country)
    # wait for the same question a statistics file gets: only the partnership's, or all.
    asks_for_areas = True

    def table(self, path: Path, facts: FileFacts) -> Iterator[Row]:
        if facts.is_xlsx:
            raise Bad(
                "Polisens händelser importeras som JSON, så som polisen.se lämnar dem",
                "Polisen's events are imported as JSON, as polisen.se gives them",
            )
        try:
            with open(path, encoding="utf-8-sig") as fh:
                document = json.load(fh)
        except json.JSONDecodeError as exc:
            raise Bad(
                f"filen är inte giltig JSON (rad {exc.lineno}, tecken {exc.colno})",
                f"the file is not valid JSON (line {exc.lineno}, column {exc.colno})",
            ) from None
        except UnicodeDecodeError:
            raise Bad("filen är inte UTF-8-kodad JSON", "the file is not UTF-8 JSON") from None
        except RecursionError:
            raise Bad(
                "filen är för djupt nästlad för att vara Polisens händelser",
                "the file nests too deeply to be Polisen's events",
            ) from None
        if not isinstance(document, list):
            raise Bad(
                "filen ska vara en lista av händelser, så som polisen.se/api/events lämnar den",
                "the file must be a list of events, as polisen.se/api/events gives it",
            )
        if not document:
            raise Bad("filen innehåller inga händelser", "the file holds no events")
        if len(document) > MAX_EVENTS:
            raise Bad(
                f"filen har fler än {numbers.number(MAX_EVENTS)} händelser",
                f"the file has more than {MAX_EVENTS} events",
            )
        if _depth(document, MAX_DEPTH):
            raise Bad(
                "filen är för djupt nästlad för att vara Polisens händelser",
                "the file nests too deeply to be Polisen's events",
            )
        self.entries = document
        yield 0, ["entry"]
        for number, entry in enumerate(document, start=1):
            yield number, [entry]

    def prepare(self) -> None:
        rows = PoliceEvent.objects.filter(party=self.party)
        self.existing = set(rows.values_list("event_id", flat=True))
        self.references = {
            _reference(lat, lon)
            for lat, lon in rows.filter(point_note__in=(POINT_COUNTY, POINT_MUNICIPALITY))
            .exclude(gps_lat=None)
            .values_list("gps_lat", "gps_lon")
            if lat is not None and lon is not None
        }

    def event(self, entry: Any) -> PoliceEvent:
        """One entry as an unsaved event (its point decided later, see ``finish_points``)."""
        if not isinstance(entry, dict):
            raise Bad("posten är inget objekt med id, datetime, name …", "the entry is no object")
        event_id = _event_id(entry.get("id"))
        published = _published(entry.get("datetime"))
        name = _text(entry, "name", "namnet", 300, True)
        event_type = _text(entry, "type", "typen", 100, True)
        summary = _text(entry, "summary", "sammanfattningen", 5000, False)
        url = _url(_text(entry, "url", "adressen", 500, False))
        location = entry.get("location")
        if location is None:
            location = {}
        if not isinstance(location, dict):
            raise Bad(
                "platsen (location) ska vara ett objekt med name och gps",
                "location must be an object with name and gps",
            )
        place = _text(location, "name", "platsens namn", 200, False)
        gps = _gps(location.get("gps"))
        start, end = event_time(name, published)
        is_crime, group, interpretation = category_of(event_type)
        county = county_code(place) if place else None
        code = "" if county else (municipality_code(place) if place else None) or ""
        if not code and not county:
            # "14 januari 19.12, Rån, Norrköping": the name ends with the municipality.
            code = municipality_code(name.rsplit(",", 1)[-1]) or ""
        note = ""
        if county or place.lower().endswith(" län"):
            note = POINT_COUNTY
        elif code and municipality_code(place) == code:
            note = POINT_MUNICIPALITY
        return PoliceEvent(
            party=self.party,
            source_import=self.source_import,
            event_id=event_id,
            published_at=published,
            occurred_from=start,
            occurred_to=end,
            name=name,
            event_type=event_type,
            is_crime=is_crime,
            category=group,
            interpretation=interpretation,
            summary=summary,
            url=url,
            location_name=place,
            municipality_code=code,
            county_code=county or (code[:2] if code else ""),
            gps_lat=gps[0] if gps else None,
            gps_lon=gps[1] if gps else None,
            point_note=note,
        )

    def kept(self, event: PoliceEvent) -> bool:
        """Count the event's area (a municipality, or a county where the notice names only
        that); False when it is another municipality's and the user chose to leave those out.
        An event with no place at all is kept, as before, and counted nowhere."""
        if event.municipality_code:
            code = event.municipality_code
            name = NAMES.get(code) or event.location_name
        elif event.county_code and event.location_name:
            code, name = event.county_code, event.location_name
        else:
            return True
        return self.note_area(code, name)

    def parse(self, cells: dict[str, Any], line: int) -> Iterable[Any]:
        """The row-by-row path (unused while read_columns reads the entries)."""
        event = self.event(cells["entry"])
        if not self.kept(event):
            return ()
        if event.event_id in self.existing:
            return ()
        self.existing.add(event.event_id)
        return (event,)

    def read_columns(self, reading: Reading, result: ImportResult) -> None:
        """Check every entry, numbering errors by entry, then write the new events."""
        events: list[PoliceEvent] = []
        seen: dict[int, int] = {}
        for number, entry in enumerate(self.entries, start=1):
            result.rows_total += 1
            try:
                event = self.event(entry)
            except Bad as exc:
                result.add(
                    Issue(
                        number, f"post {number}: {exc.sv}", f"entry {number}: {exc.en}", unit="post"
                    )
                )
                continue
            if not self.kept(event):
                continue  # another municipality's, left out at the user's choice
            if event.event_id in seen or event.event_id in self.existing:
                result.rows_skipped += 1  # the same notice again (the feed repeats itself)
                continue
            seen[event.event_id] = number
            events.append(event)
            if reading.progress and number % 1000 == 0:
                reading.progress(min(95, int(95 * number / len(self.entries))), f"post {number}")
        if result.error_count or (
            self.asks_for_areas
            and not self.area_choice
            and any(self.area_role(code) == AreaRole.OTHER for code, _name in self.areas_seen)
        ):
            return  # nothing to write: refused, or waiting for the choice of areas
        self.finish_points(events)
        PoliceEvent.objects.bulk_create(events, batch_size=2000)
        result.rows_imported = len(events)

    def finish_points(self, events: list[PoliceEvent]) -> None:
        """Put on the map only points that are an event's own place, never an area's."""
        references = set(self.references)
        for event in events:
            if event.point_note and event.gps_lat is not None and event.gps_lon is not None:
                references.add(_reference(event.gps_lat, event.gps_lon))
        for event in events:
            if event.point_note or event.gps_lat is None or event.gps_lon is None:
                continue
            if _reference(event.gps_lat, event.gps_lon) in references:
                event.point_note = POINT_REFERENCE
                continue
            e, n = wgs84_to_sweref99tm(event.gps_lon, event.gps_lat)
            event.x, event.y = round(float(e), 1), round(float(n), 1)

    def flush(self, batch: list[Any], result: ImportResult) -> None:
        self.finish_points(batch)
        PoliceEvent.objects.bulk_create(batch, batch_size=2000)
        result.rows_imported += len(batch)
