"""Step 2 of the worked example: each signing party's own mapping, made as a party would.

The data lie in ``process/demo/mapping/`` (one YAML file per party, the files they import and
the demo town's places). Every file goes through the real importers (``services.import_file``),
so the demo holds only what an upload would accept; a file they reject stops the demo with the
importer's own message. Incident files are generated here from a table of counts per offence
and period with a fixed seed: the same rows every time, with the weekday, hour and place
patterns of the worked example (violence at busstorget on weekend nights around closing time).

Each party then gets its lägesbild: the deterministic draft from its numbers
(``services.regenerate_draft``) followed by the party's own assessment, shared with the
partnership on the demo's 2010 timeline. A party that already has mapping data is left alone,
so loading the demo again doubles nothing.
"""

from __future__ import annotations

import csv
import datetime
import functools
import itertools
import random
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from samverkan.accounts import audit
from samverkan.analysis.rates import period_change
from samverkan.lib import numbers
from samverkan.lib.yaml_files import read_yaml
from samverkan.mapping import models, services
from samverkan.partnerships.models import Partnership, Party

# Weekday weights (Monday first) and hour weights of each time profile. "night" days are the
# evening the night begins: Friday and Saturday nights carry most, Wednesday some (the
# example's times, torget.yaml); hours after midnight belong to the next calendar day.
_PROFILES: dict[str, tuple[tuple[float, ...], dict[int, float]]] = {
    "night": (
        (0.3, 0.3, 1.0, 0.5, 2.6, 3.0, 0.4),
        {20: 1, 21: 1.5, 22: 2, 23: 3, 0: 4, 1: 6, 2: 9, 3: 6, 4: 2, 5: 0.5},
    ),
    # Fritidsgården J: almost only Thursdays, at the youth disco.
    "youth": ((0, 0, 0, 1, 0, 0, 0), {19: 1, 20: 3, 21: 4, 22: 3, 23: 1}),
    # Bostadsområde K: mostly weekend evenings.
    "home": (
        (0.5, 0.5, 0.6, 0.6, 2.0, 2.2, 0.9),
        {17: 1, 18: 1.5, 19: 2, 20: 2.5, 21: 3, 22: 3, 23: 2.5, 0: 1.5},
    ),
    "day": ((1, 1, 1, 1, 1, 0.8, 0.5), {h: 2 if 8 <= h <= 17 else 1 for h in range(7, 21)}),
    "shop": (
        (1, 1, 1, 1, 1.2, 1.4, 0.5),
        {10: 1, 11: 2, 12: 3, 13: 3, 14: 3, 15: 4, 16: 5, 17: 5, 18: 3, 19: 1},
    ),
}
# Night-time offences at these places follow the place's own rhythm (torget.yaml, places).
_PLACE_PROFILE = {"Fritidsgården J": "youth", "Bostadsområde K, gatorna L och M": "home"}
# More outdoor life, and more violence, in the light half of the year.
_SEASON = (0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 1.0)
_HEADERS = {
    "polis": ["Ärendenummer", "Brottsdatum", "Klockslag", "Till datum", "Till tid",
              "Brottsbenämning", "Brottsplats", "Kommundel", "X", "Y"],
    "kommun": ["Ärendenummer", "Datum", "Tid", "Till datum", "Till tid", "Brott", "Plats",
               "Område", "X", "Y"],
}  # fmt: skip


class DemoDataError(Exception):
    """A demo file the importers reject: the demo's own data are wrong."""


@dataclass(frozen=True)
class Place:
    name: str
    area: str
    x: float
    y: float
    sx: float
    sy: float


def places(directory: Path) -> dict[str, Place]:
    data = read_yaml(directory / "places.yaml")
    cx, cy = data["centre"]["x"], data["centre"]["y"]
    return {
        name: Place(name, p["area"], cx + p["dx"], cy + p["dy"], p["sx"], p["sy"])
        for name, p in data["places"].items()
    }


# ---- incidents ------------------------------------------------------------------------------


def incident_rows(spec: dict[str, Any], town: dict[str, Place]) -> list[list[str]]:
    """The incident table of ``spec`` (offences × periods), the same rows for the same seed.

    Each offence gets exactly its count per period; days follow the weekday and season
    weights, hours the profile, places the offence's place weights. A share of offences found
    afterwards get a time span instead of a time (overnight, or a working day).
    """
    rng = random.Random(spec["seed"])
    periods = [(_date(a), _date(b)) for a, b in spec["periods"]]
    events: list[tuple[datetime.datetime, datetime.datetime | None, str, Place]] = []
    for offence in spec["offences"]:
        names = list(offence["places"])
        weights = list(offence["places"].values())
        span = offence.get("span") or {"share": 0.0}
        for (first, last), count in zip(periods, offence["counts"], strict=True):
            for _ in range(count):
                place = town[rng.choices(names, weights)[0]]
                profile = offence["profile"]
                if profile == "night":
                    profile = _PLACE_PROFILE.get(place.name, profile)
                if rng.random() < span["share"]:
                    start, end = _span(rng, first, last, span["kind"])
                else:
                    start, end = _moment(rng, first, last, profile), None
                events.append((start, end, offence["offence"], place))
    events.sort(key=lambda e: (e[0], e[2], e[3].name))
    rows = []
    per_year: dict[int, int] = {}
    for start, end, offence_name, place in events:
        per_year[start.year] = per_year.get(start.year, 0) + 1
        number = spec["case_number"].format(n=per_year[start.year], yy=f"{start.year % 100:02d}")
        x = place.x + rng.gauss(0, place.sx)
        y = place.y + rng.gauss(0, place.sy)
        rows.append(
            [
                number,
                start.strftime("%Y-%m-%d"),
                start.strftime("%H:%M"),
                end.strftime("%Y-%m-%d") if end else "",
                end.strftime("%H:%M") if end else "",
                offence_name,
                place.name,
                place.area,
                f"{x:.0f}",
                f"{y:.0f}",
            ]
        )
    return rows


def write_incidents(spec: dict[str, Any], town: dict[str, Place], key: str, folder: Path) -> Path:
    path = folder / spec["file"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(_HEADERS[key])
        out.writerows(incident_rows(spec, town))
    return path


def _date(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


@functools.cache
def _calendar(
    first: datetime.date, last: datetime.date, weekdays: tuple[float, ...]
) -> tuple[list[datetime.date], list[float]]:
    """The period's days and their cumulative weights (weekday × season)."""
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    weights = [weekdays[d.weekday()] * _SEASON[d.month - 1] for d in days]
    return days, list(itertools.accumulate(weights))


def _day(
    rng: random.Random, first: datetime.date, last: datetime.date, weekdays: tuple[float, ...]
) -> datetime.date:
    days, cumulative = _calendar(first, last, weekdays)
    return rng.choices(days, cum_weights=cumulative)[0]


def _moment(
    rng: random.Random, first: datetime.date, last: datetime.date, profile: str
) -> datetime.datetime:
    weekdays, hours = _PROFILES[profile]
    night = any(h < 12 for h in hours) and any(h >= 12 for h in hours)
    # A night's small hours fall on the next day, so a night may only begin before the
    # period's last day: every event stays in the period it was counted for.
    day = _day(rng, first, last - datetime.timedelta(days=1) if night else last, weekdays)
    hour = rng.choices(list(hours), list(hours.values()))[0]
    if night and hour < 12:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour, rng.randrange(60)))


def _span(
    rng: random.Random, first: datetime.date, last: datetime.date, kind: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """Known only as an interval: overnight (found in the morning) or a working day."""
    if kind == "overnight":
        day = _day(rng, first, last, _PROFILES["night"][0])
        start = datetime.datetime.combine(day, datetime.time(rng.randrange(17, 23), 0))
        end = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(rng.randrange(6, 9), 30)
        )
    else:
        day = _day(rng, first, last, _PROFILES["day"][0])
        start = datetime.datetime.combine(day, datetime.time(rng.randrange(7, 10), 0))
        end = datetime.datetime.combine(day, datetime.time(rng.randrange(15, 19), 0))
    return start, end


# ---- loading --------------------------------------------------------------------------------


def load(partnership: Partnership, directory: Path, users: dict[str, Any]) -> None:
    """Give the municipality and the police their own mapping, unless they have one already."""
    town = places(directory)
    for key, party in (
        ("kommun", partnership.municipality_party()),
        ("polis", partnership.police_party()),
    ):
        if party is None or has_mapping(party):
            continue
        data = read_yaml(directory / f"{key}.yaml")
        with audit.acting_as(users[key]):
            _load_party(party, key, data, directory, town, users[key])


def has_mapping(party: Party) -> bool:
    return (
        party.data_sources.exists()
        or party.imports.exists()
        or models.SituationReport.objects.filter(party=party).exists()
    )


def _load_party(
    party: Party,
    key: str,
    data: dict[str, Any],
    directory: Path,
    town: dict[str, Place],
    user: Any,
) -> None:
    sources = {}
    for name, fields in data["sources"].items():
        source = models.DataSource(party=party, **fields)
        source.full_clean()
        source.save()
        sources[name] = source
    _set_comparison(party, data.get("comparison_municipalities"))
    with tempfile.TemporaryDirectory(prefix="samverkan-demo-") as tmp:
        for spec in data["imports"]:
            if spec.get("generated"):
                path = write_incidents(data["incidents"], town, key, Path(tmp))
            else:
                path = directory / key / spec["file"]
            _import(party, spec, path, sources[spec["source"]], user)
    _records(party, data, town)
    _report(party, key, data)


def _import(party: Party, spec: dict[str, Any], path: Path, source: Any, user: Any) -> None:
    record, result = services.import_file(party, spec["kind"], path, user)
    if not result.ok:
        problems = "; ".join(f"line {e['line']}: {e['en']}" for e in record.errors[:5])
        raise DemoDataError(
            f"demo file {path.name} was not imported ({record.status}): {problems or 'columns'}"
        )
    when = _aware(_date(spec["date"]), 9)
    models.Import.objects.filter(pk=record.pk).update(
        source=source, created_at=when, finished_at=when + datetime.timedelta(minutes=1)
    )


def _set_comparison(party: Party, spec: dict[str, Any] | None) -> None:
    """The municipalities the party compares itself with, so that their rows in the Brå file
    are kept apart from the party's own figures."""
    if spec:
        chosen = models.ComparisonMunicipalities(
            party=party, codes=list(spec["codes"]), basis=spec["basis"]
        )
        chosen.full_clean()
        chosen.save()


def _records(party: Party, data: dict[str, Any], town: dict[str, Place]) -> None:
    """Safety walks, costs, notes and the inventory: typed in by hand in a real mapping."""
    objects: list[Any] = []
    walks = data.get("walks")
    if walks:
        for obs in walks["observations"]:
            place = town[obs["place"]]
            objects.append(
                models.SafetyWalkObservation(
                    party=party,
                    observed_on=_date(walks["date"]),
                    place=place.name,
                    x=round(place.x + obs.get("dx", 0)),
                    y=round(place.y + obs.get("dy", 0)),
                    category=obs["category"],
                    note=obs["note"],
                    reported_by=walks["reported_by"],
                )
            )
    costs = data.get("costs")
    if costs:
        for item in costs["items"]:
            objects.append(
                models.CrimeCost(
                    party=party,
                    item=item["item"],
                    year=item["year"],
                    amount=Decimal(str(item["amount"])),
                    source=costs["source"],
                )
            )
    for model, key in ((models.Resource, "resources"), (models.Activity, "activities")):
        for item in data.get(key, []):
            fields = dict(item)
            for decimal_field in ("budget", "staff"):
                if decimal_field in fields:
                    fields[decimal_field] = Decimal(str(fields[decimal_field]))
            objects.append(model(party=party, **fields))
    for obj in objects:
        obj.full_clean()
        obj.save()
    for note in data.get("notes", []):
        saved = models.ExperienceNote(party=party, title=note["title"], text=note["text"])
        saved.full_clean()
        saved.save()
        models.ExperienceNote.objects.filter(pk=saved.pk).update(
            created_at=_aware(_date(note["date"]), 14)
        )


# ---- lägesbild ------------------------------------------------------------------------------


def _report(party: Party, key: str, data: dict[str, Any]) -> None:
    """The draft from the numbers, the party's own assessment after it, shared on the date."""
    spec = data["report"]
    report = services.regenerate_draft(party)
    if key == "polis":
        values = _police_figures(party, data["incidents"]["periods"][-1])
    else:
        values = _municipal_figures(party)
    report.text = report.text + "\n\n" + " ".join(spec["assessment"].split()).format(**values)
    report.version += 1
    report.save()
    report.share()
    when = _aware(_date(spec["shared_on"]), 10)
    models.SituationReport.objects.filter(pk=report.pk).update(shared_at=when, updated_at=when)


def _police_figures(party: Party, latest: list[Any]) -> dict[str, str]:
    """Outdoor assault in the latest period (1 January–11 April 2010) against the same days a
    year before (the example's jan–apr comparison), and the latest survey's view of violence
    in the streets."""
    incidents = models.Incident.objects.filter(party=party, offence="Misshandel utomhus")
    first, last = _date(latest[0]), _date(latest[1])

    def count(years_back: int) -> int:
        return incidents.filter(
            occurred_from__gte=_aware(first.replace(year=first.year - years_back), 0),
            occurred_from__lt=_aware(last.replace(year=last.year - years_back), 0)
            + datetime.timedelta(days=1),
        ).count()

    previous, current = count(1), count(0)
    change = period_change(previous, current)
    survey = (
        models.SurveyResult.objects.filter(party=party, question__startswith="Ser våld på gator")
        .order_by("-year")
        .first()
    )
    return {
        "previous": _sv(previous),
        "current": _sv(current),
        "change": _signed_percent(change.absolute, change.percent),
        "survey_year": str(survey.year) if survey else "",
        "share": _percent(survey.share) if survey else "",
        "n": _sv(survey.n) if survey else "",
    }


def _municipal_figures(party: Party) -> dict[str, str]:
    results = models.SurveyResult.objects.filter(party=party, area="Kommundel A")
    unsafe = list(results.filter(question__startswith="Känner sig otrygg").order_by("year"))
    square = results.filter(question__startswith="Ser bråk").order_by("-year").first()
    costs = models.CrimeCost.objects.filter(party=party)
    cost_year = max(costs.values_list("year", flat=True))
    cost = costs.filter(year=cost_year).aggregate(total=Sum("amount"))["total"]
    return {
        "before": str(unsafe[0].year),
        "after": str(unsafe[-1].year),
        "unsafe_before": _percent(unsafe[0].share),
        "unsafe_after": _percent(unsafe[-1].share),
        "square_after": _percent(square.share) if square else "",
        "n": _sv(unsafe[-1].n),
        "cost": _sv(int(cost)),
        "cost_year": str(cost_year),
    }


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _sv(value: int) -> str:
    """1 234 with a non-breaking space, as Swedish text writes it."""
    return numbers.number(value)


def _percent(value: float) -> str:
    return numbers.percent(value)


def _signed_percent(absolute: float, percent: float | None) -> str:
    """ "+12 %" or "−3 %" (whole per cent); a rise from nothing reads "+0 %"."""
    text = numbers.percent(abs(percent or 0), 0)
    return ("+" if absolute >= 0 else numbers.MINUS) + text
