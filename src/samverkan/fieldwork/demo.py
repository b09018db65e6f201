"""Demo field reports: five weeks of what the demo's field staff saw around the square.

The places are the demo geography's (process/demo/mapping/places.yaml), converted to WGS 84.
Reports are dated relative to today, so the weekly picture of the demo always has a current
week and four weeks before it. Deterministic (a fixed seed), and loaded once: a partnership
that already has field reports is left as it is.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import Any

from django.utils import timezone

from samverkan.fieldwork.models import FieldCategory, FieldPlace, FieldReport
from samverkan.fieldwork.services import ensure_categories
from samverkan.lib.yaml_files import read_yaml

PLACES = Path(__file__).resolve().parent.parent / "process" / "demo" / "mapping" / "places.yaml"
WEEKS = 5
USED_PLACES = (
    "Busstorget",
    "Gata D, krogarna F och G",
    "Snabbmatstället I",
    "Stadsparken",
    "Fritidsgården J",
    "Gångtunneln vid järnvägen",
    "Köpcentrum",
)
# (category, typical people, texts) – no names, as the form asks.
PATTERNS = (
    (
        "Ordningsstörning",
        6,
        "Grupp ungdomar, högljudd stämning vid bänkarna. Pratade med dem, lugnade sig.",
    ),
    ("Nedskräpning", 0, "Mycket skräp och glas efter helgen."),
    ("Klotter", 0, "Nytt klotter på väggen, anmält till fastighetsägaren."),
    ("Skadegörelse", 0, "Krossad ruta i busskuren."),
    ("Otrygg plats", 0, "Trasig belysning, mörkt på gångvägen."),
    ("Narkotikaförsäljning", 3, "Misstänkt försäljning bakom kiosken, kontakt tagen med polisen."),
    ("Hot eller våld", 2, "Bråk mellan två personer, ordningsvakter ingrep."),
    ("Positiv iakttagelse", 15, "Nattvandrarna ute, lugn kväll och mycket folk i rörelse."),
)


def _wgs84(places: dict[str, Any], centre: dict[str, float]) -> dict[str, tuple[float, float]]:
    from samverkan.analysis.hotspots import sweref99tm_to_wgs84

    out = {}
    for name in USED_PLACES:
        spec = places[name]
        lon, lat = sweref99tm_to_wgs84([centre["x"] + spec["dx"]], [centre["y"] + spec["dy"]])
        out[name] = (round(float(lat[0]), 6), round(float(lon[0]), 6))
    return out


def load(partnership: Any, reporter: Any, party: Any) -> int:
    """Create the demo's places and reports (once); returns the number of reports made."""
    ensure_categories(partnership)
    if FieldReport.objects.filter(partnership=partnership).exists():
        return 0
    geography = read_yaml(PLACES)
    points = _wgs84(geography["places"], geography["centre"])
    places = {
        name: FieldPlace.objects.get_or_create(
            partnership=partnership, name=name, defaults={"latitude": lat, "longitude": lon}
        )[0]
        for name, (lat, lon) in points.items()
    }
    categories = {c.name: c for c in FieldCategory.objects.filter(partnership=partnership)}
    rng = random.Random(20261201)
    today = timezone.localdate()
    this_monday = today - datetime.timedelta(days=today.weekday())
    made = 0
    for weeks_back in range(WEEKS - 1, -1, -1):
        monday = this_monday - datetime.timedelta(weeks=weeks_back)
        # The square heats up in the latest weeks: the weekly picture has something to show.
        count = 6 + (WEEKS - weeks_back) * 2
        for _n in range(count):
            day = monday + datetime.timedelta(days=rng.randrange(7))
            if day > today:
                day = today
            hour = rng.choice((15, 17, 19, 20, 21, 22, 23))
            observed = timezone.make_aware(
                datetime.datetime.combine(day, datetime.time(hour, rng.choice((0, 15, 30, 45))))
            )
            if observed > timezone.now():
                observed = timezone.now() - datetime.timedelta(minutes=rng.randrange(30, 600))
            hot = weeks_back <= 1 and rng.random() < 0.5
            place = places["Busstorget"] if hot else places[rng.choice(USED_PLACES)]
            category, people, text = rng.choice(PATTERNS)
            FieldReport.objects.create(
                partnership=partnership,
                observed_at=observed,
                place=place,
                category=categories[category],
                people=(people + rng.randrange(3)) if people else None,
                text=text,
                reported_by=reporter,
                party=party,
            )
            made += 1
    return made
