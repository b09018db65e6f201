"""The weekly picture (veckolägesbild) computed from the field reports, and the rules around
reports that the views, the document, the e-mail and the demo share.

This week is set against the four weeks before it and the same ISO week a year earlier, by
category and by listed place. Counts below SMALL_COUNT_THRESHOLD are suppressed
(analysis.suppression) wherever the picture is shown to anyone beyond the coordinators:
members, reporters, the weekly e-mail and the public edition of the document.

The picture is a shared output: it names listed places and categories only. A typed place is
"Annan plats" until a coordinator adds it to the list, and the free text of a report is never
part of the picture; the coordinators read it on the list of reports, where a held-back report
(saved despite the name warning) shows its text only to its reporter and the coordinators of
the reporter's party (``may_read_text``).

In a picture with suppressed counts (``full=False``) nothing that names a place or a category
may give a suppressed count away: a focus place is named only when its own count is shown,
and "Att lägga märke till" lists only categories whose count is shown.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.analysis.suppression import MARKER, is_suppressed
from samverkan.fieldwork.choices import DEFAULT_CATEGORIES, POSITIVE_CATEGORY, SERIOUS_CATEGORIES
from samverkan.fieldwork.models import (
    OTHER_PLACE,
    POINT_PLACE,
    FieldCategory,
    FieldPlace,
    FieldReport,
    FieldworkPolicy,
    week_bounds,
)
from samverkan.lib import numbers
from samverkan.lib.personal_data import is_masking_of
from samverkan.partnerships.models import Partnership

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
FOCUS_PLACES = 5
NOTABLE_REPORTS = 10
CROWD = 10  # reports of this many people or more are notable
POINT_LABEL = POINT_PLACE


# ---- categories and weeks ----------------------------------------------------------------------


@transaction.atomic
def ensure_categories(partnership: Partnership) -> None:
    """Give a partnership without categories the default list (once).

    The names are stored in Swedish whatever the language of the page that asked for them
    (SERIOUS_CATEGORIES and POSITIVE_CATEGORY find them by their Swedish name)."""
    if FieldCategory.objects.filter(partnership=partnership).exists():
        return
    with translation.override("sv"):
        names = [str(name) for name in DEFAULT_CATEGORIES]
    for position, name in enumerate(names, start=1):
        FieldCategory.objects.get_or_create(
            partnership=partnership, name=name, defaults={"position": position}
        )


def parse_week(text: str) -> tuple[int, int]:
    """ "2026-W48" → (2026, 48); ValueError for anything that is not a real ISO week."""
    match = WEEK_RE.match(text or "")
    if not match:
        raise ValueError(f"not an ISO week (YYYY-Www): {text!r}")
    year, week = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValueError(f"year out of range: {year}")
    datetime.date.fromisocalendar(year, week, 1)  # raises ValueError for week 0, 54, …
    return year, week


def week_label(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def current_week() -> tuple[int, int]:
    year, week, _day = timezone.localdate().isocalendar()
    return year, week


def shift_week(year: int, week: int, weeks: int) -> tuple[int, int]:
    monday = datetime.date.fromisocalendar(year, week, 1) + datetime.timedelta(weeks=weeks)
    y, w, _d = monday.isocalendar()
    return y, w


def same_week_last_year(year: int, week: int) -> tuple[int, int]:
    """ISO week ``week`` of the year before (week 53 becomes 52 where there is no 53)."""
    try:
        datetime.date.fromisocalendar(year - 1, week, 1)
    except ValueError:
        return year - 1, 52
    return year - 1, week


def latest_week_with_reports(partnership: Partnership) -> tuple[int, int] | None:
    latest = (
        FieldReport.objects.filter(partnership=partnership)
        .filter(observed_at__lte=timezone.now())
        .order_by("-observed_at")
        .first()
    )
    return latest.iso_week() if latest else None


# ---- the weekly picture ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of a comparison table: this week, mean of the four weeks before, a year ago."""

    label: str
    this_week: str
    previous_mean: str
    last_year: str
    change: str  # "+3", "−1", "±0"; "" where a number behind it is suppressed
    # The same figures as numbers, for code (the API): None where the text is suppressed.
    count: int | None = None
    mean: float | None = None
    last_year_count: int | None = None
    difference: float | None = None


@dataclass(frozen=True)
class Focus:
    place: str
    reason: str


@dataclass(frozen=True)
class Notable:
    """A notable report as the picture shows it: when, the listed place (or "Annan plats"),
    the category and the number of people. No free text, no typed place."""

    observed_at: datetime.datetime
    place: str
    category: str
    people: int | None
    report_id: int


@dataclass
class WeeklyPicture:
    year: int
    week: int
    label: str  # "2026-W48"
    title: str  # "Vecka 48, 2026"
    period: str  # "23–29 november 2026"
    full: bool  # counts shown in full (coordinators); otherwise small counts suppressed
    threshold: int
    total: str
    total_count: int | None = None  # the total as a number (None where suppressed)
    categories: list[Row] = field(default_factory=list)
    places: list[Row] = field(default_factory=list)
    notable: list[Notable] = field(default_factory=list)  # coordinators only (full)
    notable_counts: list[tuple[str, str]] = field(default_factory=list)  # everyone else
    focus: list[Focus] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    previous_weeks: list[str] = field(default_factory=list)  # labels of the four weeks
    last_year_label: str = ""
    reports: int = 0  # the real count: used only to say "no reports" (0 is never suppressed)

    @property
    def empty(self) -> bool:
        return self.reports == 0


def _place_key(report: FieldReport) -> str:
    """The listed place, or "Annan plats" / "Punkt på kartan": never the typed text."""
    if report.place is not None:
        return report.place.name
    if report.place_text:
        return OTHER_PLACE
    return POINT_LABEL


def _change(now: int, mean: float) -> str:
    diff = now - mean
    if abs(diff) < 0.05:
        return "±0"
    return numbers.signed(diff)


def _number(value: float) -> str:
    return numbers.number(value)


def _rows(
    key: Any,
    this: list[Any],
    before: list[Any],
    year_ago: list[Any],
    earlier: list[tuple[int, int]],
    small: Any,
) -> list[Row]:
    """One table of the weekly picture: the reports of the week, of the four ``earlier`` weeks
    (``before``) and of the same week a year ago, counted per ``key``. ``small(n)`` says
    whether a count is suppressed for this audience (never, for the coordinators)."""

    def shown(n: int) -> str:
        return MARKER if small(n) else str(n)

    def week_of(report: Any) -> tuple[int, int]:
        year, number, _day = timezone.localtime(report.observed_at).isocalendar()
        return year, number

    now, prev, ago = (Counter(key(r) for r in group) for group in (this, before, year_ago))
    # Each earlier week's own cells, as that week's picture (and the map layer) shows them.
    weekly: dict[tuple[int, int], Counter[Any]] = {w: Counter() for w in earlier}
    for r in before:
        weekly.setdefault(week_of(r), Counter())[key(r)] += 1
    # A mean of small counts gives them away, and so does a mean over one small weekly cell
    # beside weeks shown elsewhere (the hidden cell = mean × 4 less the shown weeks): the mean
    # is suppressed whenever its base or any of its four weekly cells is small.
    mean_hidden = {
        label: small(prev[label]) or any(small(weekly[w][label]) for w in earlier)
        for label in set(now) | set(prev) | set(ago)
    }

    def order(label: Any) -> tuple[int, int, Any]:
        # Ranked by the figures as shown: an order by hidden counts would tell them apart.
        return (
            -(0 if small(now[label]) else now[label]),
            -(0 if mean_hidden[label] else prev[label]),
            label,
        )

    out = []
    for label in sorted(mean_hidden, key=order):
        mean = prev[label] / 4
        hidden = small(now[label]) or mean_hidden[label]
        out.append(
            Row(
                label=label,
                this_week=shown(now[label]),
                previous_mean=MARKER if mean_hidden[label] else _number(mean),
                last_year=shown(ago[label]),
                change="" if hidden else _change(now[label], mean),
                count=None if small(now[label]) else now[label],
                mean=None if mean_hidden[label] else mean,
                last_year_count=None if small(ago[label]) else ago[label],
                difference=None if hidden else round(now[label] - mean, 2),
            )
        )
    return out


def weekly_picture(
    partnership: Partnership, year: int, week: int, *, full: bool, viewer: Any = None
) -> WeeklyPicture:
    """The picture of ISO week ``year``-W``week``; ``full`` shows small counts (coordinators).

    ``viewer`` is the user the picture is drawn for: a held-back report's own map point is
    drawn only for those who may read the report (``may_read_text``); without a viewer, never.
    """
    threshold = settings.SMALL_COUNT_THRESHOLD
    start, end = week_bounds(year, week)
    earlier = [shift_week(year, week, -n) for n in range(1, 5)]
    last_year = same_week_last_year(year, week)
    reports = FieldReport.objects.filter(partnership=partnership).select_related(
        "place", "category"
    )
    this = list(reports.in_week(year, week))
    first_start = week_bounds(*earlier[-1])[0]
    before = list(reports.filter(observed_at__gte=first_start, observed_at__lt=start))
    year_ago = list(reports.in_week(*last_year))

    def small(n: float) -> bool:
        return not full and is_suppressed(n, threshold)

    def shown(n: int) -> str:
        return MARKER if small(n) else str(n)

    def rows(key: Any) -> list[Row]:
        return _rows(key, this, before, year_ago, earlier, small)

    categories = rows(lambda r: r.category.name)
    places = rows(_place_key)
    # A total beside one suppressed cell gives that cell away: no total then.
    any_hidden = any(MARKER in (row.this_week,) for row in categories + places)
    total = MARKER if (small(len(this)) or any_hidden) else str(len(this))

    monday = start.date()
    sunday = monday + datetime.timedelta(days=6)
    picture = WeeklyPicture(
        year=year,
        week=week,
        label=week_label(year, week),
        title=_("Vecka %(week)s, %(year)s") % {"week": week, "year": year},
        period=f"{date_format(monday, 'j F')} – {date_format(sunday, 'j F Y')}",
        full=full,
        threshold=threshold,
        total=total,
        total_count=None if total == MARKER else len(this),
        categories=categories,
        places=places,
        previous_weeks=[week_label(*w) for w in earlier],
        last_year_label=week_label(*last_year),
        reports=len(this),
    )
    notable = [
        r
        for r in sorted(this, key=lambda r: r.observed_at)
        if r.category.name in SERIOUS_CATEGORIES
        or r.category.name == POSITIVE_CATEGORY
        or (r.people or 0) >= CROWD
    ]
    if full:
        picture.notable = [
            Notable(
                observed_at=r.observed_at,
                place=_place_key(r),
                category=r.category.name,
                people=r.people,
                report_id=r.pk,
            )
            for r in notable[:NOTABLE_REPORTS]
        ]
    else:
        # One listed report is a count of one at its place, in its category, at its hour: a
        # cell the tables would show as "..". Beyond the coordinators, the section gives the
        # notable categories with their counts as the table shows them, and nothing more.
        category_counts = {row.label: row.this_week for row in categories}
        picture.notable_counts = [
            (name, category_counts[name])
            for name in dict.fromkeys(r.category.name for r in notable)
            if name in category_counts
        ]
    hidden_means = frozenset(row.label for row in places if row.previous_mean == MARKER)
    picture.focus = _focus(this, before, full=full, small=small, hidden_means=hidden_means)
    picture.points = _points(this, full=full, shown=shown, viewer=viewer)
    return picture


def _focus(
    this: list[FieldReport],
    before: list[FieldReport],
    *,
    full: bool,
    small: Any,
    hidden_means: frozenset[str] = frozenset(),
) -> list[Focus]:
    """Places to send people next week: more reports than usual, or serious ones.

    A plain rule a coordinator can check by hand: a place qualifies with at least two reports
    this week and more than its mean of the four weeks before, or with any report of threats,
    violence or drug dealing; places are ranked by the rise plus two per serious report.
    Positive observations do not count towards a focus. With suppressed counts (``small``),
    a place is named only when its own count, and the serious reports only when their count,
    is at or above the threshold, so the suggestion never gives a ".." away.
    """
    counted = [r for r in this if r.category.name != POSITIVE_CATEGORY]
    now = Counter(_place_key(r) for r in counted)
    prev = Counter(_place_key(r) for r in before if r.category.name != POSITIVE_CATEGORY)
    serious = Counter(_place_key(r) for r in counted if r.category.name in SERIOUS_CATEGORIES)
    scored = []
    for place, count in now.items():
        if place in (POINT_LABEL, OTHER_PLACE):
            continue
        if small(count):
            # Naming the place beside "threats, violence or drug dealing" would give away a
            # count the table shows as "..": below the threshold, a place is no focus for
            # this audience (the coordinators, who see every count, still get it).
            continue
        mean = prev[place] / 4
        rising = count >= 2 and count > mean
        if not (rising or serious[place]):
            continue
        # The order, too, counts serious reports only where their number may be shown.
        weighed = serious[place] if not small(serious[place]) else 0
        score = (count - mean) + 2 * weighed
        parts = []
        if rising:
            if small(count) or small(prev[place]) or place in hidden_means:
                parts.append(_("fler rapporter än veckorna innan"))
            else:
                parts.append(
                    _("%(n)s rapporter mot i snitt %(mean)s veckorna innan")
                    % {"n": count, "mean": _number(mean)}
                )
        if serious[place] and not small(serious[place]):
            parts.append(_("rapporter om hot, våld eller narkotikaförsäljning"))
        if not parts:
            continue  # what made it a focus would give a suppressed count away
        scored.append((-score, place, Focus(place, "; ".join(parts))))
    return [focus for _s, _p, focus in sorted(scored)[:FOCUS_PLACES]]


def _points(
    this: list[FieldReport], *, full: bool, shown: Any, viewer: Any = None
) -> list[dict[str, Any]]:
    """Map points: one per listed place (with its count), and in full view each report's own
    point. A lone report's point is a count of one, so only coordinators see those; and a
    held-back report's point (it may be where a named person lives) only those coordinators
    who may read that report (its reporter's party's, ``may_read_text``)."""
    per_place: Counter[int] = Counter()
    places: dict[int, FieldPlace] = {}
    loose = []
    leads: frozenset[int] | None = None

    def may_draw(report: FieldReport) -> bool:
        nonlocal leads
        if not report.held_back:
            return True
        if viewer is None:
            return False
        if leads is None:
            leads = leader_party_ids(viewer, report.partnership)
        return may_read_text(viewer, report, leads)

    for r in this:
        if (
            r.place_id
            and r.place is not None
            and r.place.latitude is not None
            and r.place.longitude is not None
        ):
            per_place[r.place_id] += 1
            places[r.place_id] = r.place
        elif r.latitude is not None and r.longitude is not None and full and may_draw(r):
            when = date_format(timezone.localtime(r.observed_at), "D j/n H:i")
            loose.append(
                {
                    "lat": r.latitude,
                    "lon": r.longitude,
                    "label": f"{r.category.name}, {when}",
                    "count": "1",
                    "number": 1,
                }
            )
    points = [
        {
            "lat": places[pk].latitude,
            "lon": places[pk].longitude,
            "label": places[pk].name,
            "count": shown(n),
            "number": None if shown(n) == MARKER else n,
        }
        for pk, n in per_place.most_common()
    ]
    return points + loose


def may_see_full_counts(user: Any, partnership: Partnership) -> bool:
    """Coordinators (the editing roles) see every count; everyone else sees small counts
    suppressed."""
    from samverkan.accounts import access

    return user is not None and access.can_edit(user, partnership)


def week_links(partnership: Partnership) -> list[str]:
    """The ISO weeks that have reports, newest first (at most a year's worth)."""
    seen: list[str] = []
    for observed in (
        FieldReport.objects.filter(partnership=partnership)
        .order_by("-observed_at")
        .values_list("observed_at", flat=True)[:5000]
    ):
        year, week, _d = timezone.localtime(observed).isocalendar()
        label = week_label(year, week)
        if label not in seen:
            seen.append(label)
        if len(seen) >= 53:
            break
    return seen


RECENT_WEEKS = 12
RECENT_REPORTS = 50  # the list of field reports beyond the coordinators: the newest 50


def listed_reports(user: Any, partnership: Partnership) -> Any:
    """The field reports ``user`` may list (page and API alike): every report for the
    administrators and coordinators, the newest ``RECENT_REPORTS`` for everyone else."""
    from samverkan.accounts import access

    reports = FieldReport.objects.filter(partnership=partnership)
    if access.can_edit(user, partnership):
        return reports
    newest = reports.order_by("-observed_at", "-pk").values_list("pk", flat=True)
    return reports.filter(pk__in=list(newest[:RECENT_REPORTS]))


def recent_report_count(partnership: Partnership, weeks: int = RECENT_WEEKS) -> int:
    """Field reports of the last ``weeks`` weeks: the source "Fältrapporter" in step 2."""
    since = timezone.now() - datetime.timedelta(weeks=weeks)
    return FieldReport.objects.filter(
        partnership=partnership, observed_at__gte=since, observed_at__lte=timezone.now()
    ).count()


# ---- personal data in the free text ------------------------------------------------------------


def leader_party_ids(user: Any, partnership: Partnership) -> frozenset[int]:
    """The parties in which ``user`` is an administrator or coordinator."""
    from samverkan.accounts.membership import led_party_ids

    return frozenset(led_party_ids(user, partnership))


def may_read_text(user: Any, report: FieldReport, leads: frozenset[int] | None = None) -> bool:
    """Whether ``user`` (already allowed to list the reports) may read this report's free text
    and typed place. A held-back report: only its reporter and the administrators and
    coordinators of the reporter's party (of any party, when the report has none)."""
    if not report.held_back:
        return True
    if getattr(user, "pk", None) is not None and report.reported_by_id == user.pk:
        return True
    if leads is None:
        leads = leader_party_ids(user, report.partnership)
    if report.party_id is None:
        return bool(leads)
    return report.party_id in leads


def may_review(user: Any, report: FieldReport, leads: frozenset[int] | None = None) -> bool:
    """Clearing or masking a report: the administrators and coordinators who may read it
    (not its reporter alone)."""
    if leads is None:
        leads = leader_party_ids(user, report.partnership)
    return bool(leads) and (report.party_id is None or report.party_id in leads)


def clear_report(report: FieldReport, user: Any) -> None:
    """A coordinator has read the held-back text and lets it be read by the members."""
    report.held_back = False
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.save(update_fields=["held_back", "reviewed_by", "reviewed_at"])


def mask_report(report: FieldReport, user: Any, text: str, place_text: str) -> None:
    """Replace parts of the free text and typed place with "[maskerat]" and release the
    report. Only masking is allowed (``lib.personal_data.is_masking_of``); the history records
    that the report was masked, by whom and when, not what it said (FieldReport.audit_exclude).
    """
    if not is_masking_of(report.text, text) or not is_masking_of(report.place_text, place_text):
        raise ValueError("masking may only replace parts of the text with the marker")
    report.text = text
    report.place_text = place_text
    report.masked = True
    report.held_back = False
    report.reviewed_by = user
    report.reviewed_at = timezone.now()
    report.save(
        update_fields=["text", "place_text", "masked", "held_back", "reviewed_by", "reviewed_at"]
    )


@transaction.atomic
def add_typed_place(report: FieldReport, name: str) -> FieldPlace:
    """Put a report's typed place on the place list (as ``name``, which the coordinator may
    reword), and move every report of the partnership typed the same way onto it."""
    place, _created = FieldPlace.objects.get_or_create(partnership=report.partnership, name=name)
    typed = report.place_text.strip()
    FieldReport.objects.filter(
        partnership=report.partnership, place__isnull=True, place_text__iexact=typed
    ).update(place=place, place_text="")
    return place


# ---- retention ---------------------------------------------------------------------------------


def _months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    year, month = divmod(moment.month - 1 - months, 12)
    year += moment.year
    month += 1
    day = min(moment.day, _days_in(year, month))
    return moment.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def retention_cutoff(
    partnership: Partnership, now: datetime.datetime | None = None
) -> datetime.datetime:
    """Reports observed before this moment have had their free text erased."""
    return _months_before(now or timezone.now(), FieldworkPolicy.months_for(partnership))


def erase_expired_text(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Erase the free text, typed place and content hash of every field report older than its
    partnership's retention period; the report (time, category, listed place, people) stays,
    so the counts do not change. Returns (partnerships, reports erased)."""
    now = now or timezone.now()
    partnerships = erased = 0
    for partnership in Partnership.objects.filter(field_reports__isnull=False).distinct():
        expired = FieldReport.objects.filter(
            partnership=partnership,
            observed_at__lt=retention_cutoff(partnership, now),
            erased_at__isnull=True,
        ).exclude(text="", place_text="", fingerprint="")
        # Bulk updates: the history records no free text anyway (audit_exclude). A typed place
        # becomes "Annan plats", as the shared outputs always showed it, so no count moves.
        ids = list(expired.values_list("pk", flat=True))
        FieldReport.objects.filter(pk__in=ids).exclude(place_text="").update(place_text=OTHER_PLACE)
        count = FieldReport.objects.filter(pk__in=ids).update(
            text="", fingerprint="", erased_at=now
        )
        if count:
            partnerships += 1
            erased += count
    return partnerships, erased
