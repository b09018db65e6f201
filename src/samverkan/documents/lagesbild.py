"""The lägesbild (Lag 2023:196, 4 §) at full depth, for the partnership's area.

The law asks for three parts: a mapping of crime, its extent and consequences; other
information of importance; and an analysis of the mapping. Each part here is built from the
data the parties released by sharing their own lägesbild (``access.released_mapping_parties``),
as numbered tables and figures with their sources, followed by the sources and their limits
(the questions Brå and the handbook ask of a mapping: what does each source cover, for which
period, what was left out and why, and what that may mean).

Public editions show no count under SMALL_COUNT_THRESHOLD and nothing computed from one.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings

from samverkan.accounts import access, audience
from samverkan.analysis.categories import (
    INTERPRETATION_LABELS_SV,
    INTERPRETATION_MEANING_SV,
    POLICE_INITIATED,
    UNKNOWN_INTERPRETATION_SV,
    VICTIM_WITH_INTERACTION,
    VICTIM_WITHOUT_INTERACTION,
)
from samverkan.analysis.rates import linear_trend
from samverkan.analysis.suppression import shown
from samverkan.documents import charts
from samverkan.documents.data import (
    INTERNAL,
    PUBLIC,
    _base,
    _blocks,
    _cause_rows,
    _date,
    _need,
    audience_of,
)
from samverkan.documents.structure import BulletList, Document, Paragraph, Table
from samverkan.lib import numbers
from samverkan.mapping.subjects import costs, incidents, rates
from samverkan.mapping.subjects.crime import CrimeTable, crime_table
from samverkan.partnerships.models import Partnership, Party
from samverkan.problems.choices import ProblemStatus
from samverkan.problems.models import ProblemPicture


def _small(edition: str, *counts: Any) -> bool:
    """Whether the edition's audience may not receive these counts (accounts/audience.py)."""
    return audience.for_edition(edition, None, None).withholds_counts(*counts)


def _num(value: float) -> str:
    return numbers.number(value)


def _pct(value: float) -> str:
    return numbers.percent(value, sign=True)


def _money(value: Decimal | float) -> str:
    return numbers.money(value)


def _signed(value: float, decimals: int | None = None) -> str:
    """A change with its sign: "+4,2", "−3" (a true minus, as lib.numbers writes it)."""
    return ("+" if value >= 0 else numbers.MINUS) + numbers.number(abs(value), decimals)


def _exact(value: Decimal) -> str:
    """A decimal as entered, with as many decimals as it has: "1,25", "3"."""
    exponent = value.normalize().as_tuple().exponent
    return numbers.number(value, max(0, -exponent) if isinstance(exponent, int) else 0)


# ---- the numbers, from the released mapping ---------------------------------------------------

# The places table of part 1 lists this many places per party; the analysis names the share
# of incidents at the busiest few.
PLACES_LISTED = 8
PLACES_NAMED = 5


def hidden_years(table: CrimeTable, edition: str, threshold: int) -> set[int]:
    """Years in which the public edition withholds a category's count.

    In those years every other total of the same offences (all offences, an interpretation
    category, a rate from the total) would give the withheld count back by subtraction, so
    it is withheld too (secondary suppression).
    """
    return {
        y
        for by_year in table.by_category.values()
        for y in table.years
        if _small(edition, by_year.get(y, 0))
    }


# ---- the document -----------------------------------------------------------------------------


def scope_of(partnership: Partnership) -> str:
    """What the lägesbild covers: the partnership's area, or the whole municipality."""
    area = (partnership.area or "").strip()
    municipality = str(partnership.municipality)
    if not area or area == municipality:
        return f"hela {municipality}"
    return f"{area} i {municipality}"


def lagesbild(partnership: Partnership, edition: str, user: Any) -> Document:
    threshold = settings.SMALL_COUNT_THRESHOLD
    scope = scope_of(partnership)
    doc = _base("lagesbild", partnership, edition, f"över brottsligheten i {scope}")
    parties = list(access.released_mapping_parties(partnership).select_related("organisation"))
    picture = ProblemPicture.objects.filter(partnership=partnership).first()
    table = crime_table(parties, str(partnership.municipality))
    incidents.preload(parties)  # the parties' stored incident figures, in one query
    sources: list[str] = []  # what the analysis rests on, named in its list of sources

    intro = doc.section("Om lägesbilden")
    intro.add(
        Paragraph(
            "Enligt lagen (2023:196) om kommuners ansvar för brottsförebyggande arbete ska "
            "kommunen ha en lägesbild som består av tre delar: en kartläggning av "
            "brottsligheten, hur omfattande den är och vilka konsekvenser den får; annan "
            "information som har betydelse för det brottsförebyggande arbetet; och en analys "
            "av kartläggningen. Lägesbilden är grunden för åtgärdsplanen."
        ),
        Paragraph(
            f"Den här lägesbilden gäller {scope} och har tagits fram i samverkan mellan "
            f"{partnership.municipality} och {partnership.police_area}"
            + (f" inom {partnership.forum}" if partnership.forum else "")
            + ". "
            + (
                "Underlaget kommer från de parter som har delat sin egen kartläggning: "
                + _and([str(p) for p in parties])
                + "."
                if parties
                else "Ingen part har ännu delat sin kartläggning; delarna nedan är därför tunna."
            )
        ),
    )
    if not parties and edition == INTERNAL:
        _need(
            doc,
            "",
            "Delade lägesbilder från parterna (Steg 2, Lägesbild: Dela)",
            "mapping:home",
        )

    # -- 1. kartläggning --
    part1 = doc.section("1. Kartläggning av brottsligheten, dess omfattning och konsekvenser")
    _mapping_of_crime(part1, table, edition, threshold, sources)
    _comparison(
        part1, parties, edition, threshold, sources, hidden_years(table, edition, threshold)
    )
    _interpretation(part1, table, edition, threshold)
    _places_and_times(part1, parties, edition, threshold, sources)
    _costs(part1, parties, sources)
    _party_assessments(part1, partnership, parties)
    if picture and picture.text:
        part1.sub("Gemensam problembild", *_blocks(picture.text))

    # -- 2. annan information --
    part2 = doc.section("2. Annan information av betydelse")
    if picture and picture.conditions:
        part2.sub("Förutsättningar och ansvar", *_blocks(picture.conditions))
    _surveys(part2, parties, edition, threshold, sources)
    _safety_walks(part2, parties, sources)
    _inventory(part2, parties)
    if not (part2.blocks or part2.subsections):
        part2.add(Paragraph("Parterna har ännu inte delat någon annan information.", "note"))

    # -- 3. analys --
    part3 = doc.section("3. Analys")
    _analysis(part3, partnership, table, parties, edition, threshold, scope)
    part3.sub(
        "Orsaker",
        Table(
            "Orsaker till de prioriterade problemen",
            ("Nr", "Orsak", "Perspektiv", "Närhet", "Problem"),
            _cause_rows(partnership, audience_of(partnership, edition, user)),
            "Källa: orsaksanalysen i Samverkan (Steg 3)",
        ),
    )
    if sources:
        part3.sub("Källor som analysen bygger på", BulletList(tuple(dict.fromkeys(sources))))

    _sources_and_limits(doc, parties, partnership, scope, threshold)
    return doc


def _and(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} och {names[-1]}"


def _cell(value: int, edition: str, threshold: int) -> str:
    return shown(value, threshold, _num) if edition == PUBLIC else _num(value)


def _mapping_of_crime(
    part: Any, table: CrimeTable, edition: str, threshold: int, sources: list[str]
) -> None:
    section = part.sub("Anmälda brott per brottskategori")
    if not table.years:
        section.add(Paragraph("Ingen part har delat brottsstatistik för hela år.", "note"))
        return
    years = table.years
    source = (
        f"Källa: anmälda brott (Brå) i {table.area} {years[0]}–{years[-1]}, importerade av "
        f"{_and(table.parties)}. Varje rad räknas en gång även om flera parter har den."
    )
    sources.append(f"Anmälda brott per brottstyp och år, {table.area}, {years[0]}–{years[-1]}")
    categories = sorted(table.by_category, key=lambda c: -sum(table.by_category[c].values()))
    rows = []
    hidden_in_year: set[int] = set()
    for category in categories:
        counts = [table.by_category[category].get(y, 0) for y in years]
        small = _small(edition, *counts)
        for y, c in zip(years, counts, strict=True):
            if _small(edition, c):
                hidden_in_year.add(y)
        trend = "–"
        if len(years) >= 3 and not small:
            slope = linear_trend(years, counts).slope
            trend = _signed(round(slope, 1))
        change = "–"
        if counts[0] and not small:
            change = _pct(100 * (counts[-1] - counts[0]) / counts[0])
        rows.append((category, *[_cell(c, edition, threshold) for c in counts], change, trend))
    # A total beside a withheld cell would give it back (total minus the others).
    totals = [
        "..." if y in hidden_in_year else _num(sum(t.get(y, 0) for t in table.by_category.values()))
        for y in years
    ]
    rows.append(("Samtliga", *totals, "", ""))
    section.add(
        Paragraph(
            "Tabellen visar de anmälda brotten per brottskategori och år, med förändringen "
            "från första till sista året och den linjära trenden (brott per år). Figuren "
            "visar de fem största kategorierna."
        ),
        Table(
            f"Anmälda brott per brottskategori, {years[0]}–{years[-1]}",
            ("Brottskategori", *[str(y) for y in years], f"{years[0]}–{years[-1]}", "Trend/år"),
            tuple(rows),
            source,
        ),
    )
    series = []
    for category in categories[:5]:
        counts = [table.by_category[category].get(y, 0) for y in years]
        if _small(edition, *counts):
            continue
        series.append((category, tuple(counts)))
    if series:
        section.add(
            charts.line_chart(
                tuple(years),
                tuple(series),
                caption=f"Anmälda brott per år i de största brottskategorierna, {table.area}",
                source=source,
                axis_label="Anmälda brott",
            )
        )


def _comparison(
    part: Any,
    parties: list[Party],
    edition: str,
    threshold: int,
    sources: list[str],
    hidden: frozenset[int] | set[int] = frozenset(),
) -> None:
    for party in parties:
        comparison = rates.comparison(party)
        if not comparison.by_year:
            continue
        rows = []
        for rc in comparison.by_year:
            own = rc.own
            if own.rate is None or rc.year in hidden or (_small(edition, own.count)):
                continue
            mean = rc.deviation.comparison_mean if rc.deviation else None
            diff = rc.deviation.percent_difference if rc.deviation else None
            rows.append(
                (
                    str(rc.year),
                    _num(round(own.rate)),
                    "–" if mean is None else _num(round(mean)),
                    "–" if diff is None else _pct(diff),
                )
            )
        if not rows:
            continue
        names = _and(comparison.names)
        source = (
            f"Källa: anmälda brott och folkmängd, importerade av {party}; jämförelsekommuner "
            f"valda av {party}: {names}. Kommunernas snitt är ett ovägt medelvärde."
        )
        sources.append(f"Anmälda brott per 100 000 invånare jämfört med {names}")
        section = part.sub("Brott per 100 000 invånare jämfört med liknande kommuner")
        section.add(
            Table(
                f"Anmälda brott per 100 000 invånare, {comparison.own_name} och "
                "jämförelsekommunerna",
                ("År", comparison.own_name, "Jämförelsekommunernas snitt", "Skillnad"),
                tuple(rows),
                source,
            )
        )
        latest = comparison.latest
        if latest and latest.compared and not (_small(edition, latest.own.count)):
            units = [u for u in latest.units if u.rate is not None]
            section.add(
                charts.bar_chart(
                    [u.name or comparison.own_name for u in units],
                    [round(u.rate or 0) for u in units],
                    caption=f"Anmälda brott per 100 000 invånare år {latest.year}",
                    source=source,
                    axis_label="Anmälda brott per 100 000 invånare",
                )
            )
        return  # one comparison is enough: the parties compare the same municipality


def _interpretation(part: Any, table: CrimeTable, edition: str, threshold: int) -> None:
    if not table.years:
        return
    years = table.years
    section = part.sub("Brotten efter tolkningskategori")
    section.add(
        Paragraph(
            "Handboken delar in brotten i tre tolkningskategorier, eftersom en förändring i "
            "antalet anmälda brott betyder olika saker beroende på hur brotten kommer till "
            "polisens kännedom:"
        ),
        BulletList(
            tuple(
                f"{INTERPRETATION_LABELS_SV[code]}: {INTERPRETATION_MEANING_SV[code]}"
                for code in INTERPRETATION_MEANING_SV
            )
        ),
    )
    rows = []
    hidden = hidden_years(table, edition, threshold)
    for code in (*INTERPRETATION_MEANING_SV, ""):
        counts = [table.by_interpretation.get(code, {}).get(y, 0) for y in years]
        if not any(counts):
            continue
        small = _small(edition, *counts)
        cut = small or years[0] in hidden or years[-1] in hidden
        change = "–" if cut or not counts[0] else _pct(100 * (counts[-1] - counts[0]) / counts[0])
        label = INTERPRETATION_LABELS_SV.get(code, UNKNOWN_INTERPRETATION_SV)
        cells = [
            "..." if y in hidden else _cell(c, edition, threshold)
            for y, c in zip(years, counts, strict=True)
        ]
        rows.append((label, *cells, change))
    section.add(
        Table(
            f"Anmälda brott per tolkningskategori, {years[0]}–{years[-1]}",
            ("Tolkningskategori", *[str(y) for y in years], f"{years[0]}–{years[-1]}"),
            tuple(rows),
            "Källa: anmälda brott (Brå), klassificerade vid importen efter handbokens "
            "tolkningskategorier (Brå, Rikspolisstyrelsen och SKL 2010, s. 48–49)",
        )
    )


def _places_and_times(
    part: Any, parties: list[Party], edition: str, threshold: int, sources: list[str]
) -> None:
    from samverkan.mapping.models import DataSource

    section = None
    named_sources: dict[int, str] | None = None
    for party in parties:
        places = incidents.top_places(party, PLACES_LISTED)
        if not places.total:
            continue
        if section is None:
            section = part.sub("Platser och tider")
        if named_sources is None:  # the incident files' sources of all parties, at once
            named_sources = {}
            for party_id, name in (
                DataSource.objects.filter(party__in=parties, imports__kind="incidents")
                .order_by("pk")
                .values_list("party_id", "name")
            ):
                named_sources.setdefault(party_id, name)
        label = named_sources.get(party.pk) or f"händelser registrerade av {party}"
        source = f"Källa: {label} ({party}), {places.first}–{places.last}"
        sources.append(f"{label}, {places.first}–{places.last}")
        # With a place withheld, a total or a share (count ÷ share = total) would let a
        # reader subtract their way to it: the public edition then shows counts only.
        withheld = _small(edition, *(p.count for p in places.places))
        rows = tuple(
            (
                p.place,
                _cell(p.count, edition, threshold),
                "–" if withheld else numbers.percent(100 * p.count / places.total),
            )
            for p in places.places
        )
        section.add(
            Table(
                f"Platser med flest händelser enligt {party}",
                ("Plats", "Händelser", "Andel av alla med plats"),
                rows,
                source + ("." if withheld else f"; {_num(places.total)} händelser med plats."),
            )
        )
        peak = incidents.peak_times(party, 3)
        if peak:
            section.add(
                Paragraph(
                    f"Enligt {party} inträffar händelserna oftast "
                    + _and([f"{day} kl. {hour:02d}–{(hour + 1) % 24:02d}" for day, hour in peak])
                    + ". Händelser med bara ett tidsintervall (till exempel en skada som "
                    "upptäcks på morgonen) är fördelade över intervallet (aoristisk metod)."
                )
            )
            matrix = incidents.weekday_hour(party)
            by_day = matrix.sum(axis=1)
            from samverkan.analysis.timeprofile import WEEKDAYS_SV

            values = [round(float(v)) for v in by_day]
            if not (_small(edition, *values)):
                section.add(
                    charts.bar_chart(
                        [d.capitalize() for d in WEEKDAYS_SV],
                        values,
                        caption=f"Händelser per veckodag enligt {party}",
                        source=source,
                        axis_label="Händelser (tidsintervall fördelade)",
                        horizontal=False,
                    )
                )


def _costs(part: Any, parties: list[Party], sources: list[str]) -> None:
    # Each party's cost totals, the same figures as its statistics page (subjects.costs).
    by_party = costs.of_parties(parties)
    if not by_party:
        return
    years = sorted({y for _p, totals in by_party for y in totals.years})

    def kronor(value: float | None) -> str:
        # Amounts are summed as floats: round to öre before whole kronor are shown.
        return "–" if value is None else _money(round(value, 2))

    rows: list[tuple[str, ...]] = sorted(
        (item, str(party), *[kronor(dict(zip(t.years, v, strict=True)).get(y)) for y in years])
        for party, t in by_party
        for item, v in t.items
    )
    sum_by_year = {
        y: sum(dict(zip(t.years, t.totals, strict=True)).get(y, 0.0) for _p, t in by_party)
        for y in years
    }
    totals = {y: round(v, 2) for y, v in sum_by_year.items()}
    rows.append(("Summa", "", *[_money(totals[y]) for y in years]))
    origin = _and(sorted({source for _p, t in by_party for source in t.sources}))
    sources.append(f"Kostnader för brott och skadegörelse: {origin or 'parternas uppgifter'}")
    last = years[-1]
    part.sub(
        "Konsekvenser: kostnader",
        Paragraph(
            f"Brotten kostar parterna pengar som kunde ha använts till annat. År {last} "
            f"uppgick de redovisade kostnaderna till {_money(totals[last])}."
            + (f" Året innan var de {_money(totals[years[-2]])}." if len(years) > 1 else "")
            + " Kostnaderna gäller bara det parterna själva betalar; de brottsutsattas "
            "kostnader och lidande finns inte med."
        ),
        Table(
            "Kostnader till följd av brott och skadegörelse",
            ("Kostnadspost", "Part", *[str(y) for y in years]),
            tuple(rows),
            f"Källa: {origin or 'parternas egna uppgifter'}",
        ),
    )


def _party_assessments(part: Any, partnership: Partnership, parties: list[Party]) -> None:
    """Each party's own words once: the figure paragraphs the draft generator wrote
    (``services.own_words``) and paragraphs another party already wrote are left out, since
    the tables above hold those figures."""
    from samverkan.mapping.services import own_words, shared_situation_reports

    released = {p.pk for p in parties}
    seen: set[str] = set()
    section = None
    for report in shared_situation_reports(partnership):
        if report.party_id not in released:
            continue
        own = []
        for chunk in own_words(report.text):
            key = " ".join(chunk.split())
            if key in seen:
                continue
            seen.add(key)
            own.append(chunk)
        if not own:
            continue
        if section is None:
            section = part.sub("Parternas bedömningar")
        section.add(Paragraph(f"{report.party_name} ({report.title}):", "lead"))
        for chunk in own:
            section.add(*_blocks(chunk))


def _surveys(
    part: Any, parties: list[Party], edition: str, threshold: int, sources: list[str]
) -> None:
    from samverkan.mapping.models import SurveyResult

    results = list(
        SurveyResult.objects.filter(party__in=parties)
        .select_related("party__organisation")
        .order_by("party__organisation__name", "question", "area", "year")
    )
    if not results:
        return
    section = part.sub("Trygghetsmätningar")
    section.add(
        Paragraph(
            "Trygghetsmätningarna visar otrygghet och problem som anmälningarna inte fångar. "
            "Andelarna redovisas med antalet svarande; skillnader på några procentenheter "
            "kan vara slump."
        )
    )
    by_party: dict[str, list[Any]] = defaultdict(list)
    for r in results:
        by_party[str(r.party)].append(r)
    for party, rows in by_party.items():
        shown_rows = [r for r in rows if not (_small(edition, r.n))]
        years = sorted({r.year for r in rows})
        sources.append(f"Trygghetsmätning ({party}), {years[0]}–{years[-1]}")
        source = f"Källa: trygghetsmätning, importerad av {party}"
        # One table per question: a short table reads (and prints) better than one that
        # runs over pages, repeating its header row at the top of each.
        by_question: dict[str, list[Any]] = defaultdict(list)
        for r in shown_rows:
            by_question[r.question].append(r)
        for question, asked in by_question.items():
            section.add(
                Table(
                    f"{question}: trygghetsmätning enligt {party}",
                    ("Område", "År", "Andel", "Svarande"),
                    tuple(
                        (r.area, str(r.year), numbers.percent(r.share), _num(r.n)) for r in asked
                    ),
                    source,
                )
            )
        # One figure per party, for the question whose answers changed most: each area's
        # share year by year, so the change is visible at a glance.
        questions: dict[str, list[Any]] = defaultdict(list)
        for r in shown_rows:
            questions[r.question].append(r)
        if questions:
            question, asked = max(questions.items(), key=lambda item: (_spread(item[1]), item[0]))
            asked.sort(key=lambda r: (r.area, r.year))
            section.add(
                charts.bar_chart(
                    [f"{r.area} {r.year} (n={r.n})" for r in asked][:14],
                    [round(r.share, 1) for r in asked][:14],
                    caption=f"{question}: andel av de svarande enligt {party}",
                    source=source,
                    axis_label="Andel av de svarande (%)",
                    unit="%",
                )
            )


def _spread(results: list[Any]) -> float:
    """The largest change in share between a question's first and last year in one area."""
    by_area: dict[str, dict[int, float]] = defaultdict(dict)
    for r in results:
        by_area[r.area][r.year] = r.share
    return max((abs(v[max(v)] - v[min(v)]) for v in by_area.values() if len(v) > 1), default=0.0)


def _safety_walks(part: Any, parties: list[Party], sources: list[str]) -> None:
    from samverkan.mapping.models import SafetyWalkObservation

    walks = list(
        SafetyWalkObservation.objects.filter(party__in=parties)
        .select_related("party__organisation")
        .order_by("observed_on", "place")
    )
    if not walks:
        return
    dates = sorted({w.observed_on for w in walks})
    sources.append("Trygghetsvandringar " + ", ".join(_date(d) for d in dates))
    categories: defaultdict[str, int] = defaultdict(int)
    for w in walks:
        categories[w.category or "Övrigt"] += 1
    part.sub(
        "Trygghetsvandringar",
        Paragraph(
            f"Vid trygghetsvandringarna ({', '.join(_date(d) for d in dates)}) gjordes "
            f"{len(walks)} iakttagelser, flest om "
            + _and([c.lower() for c, _n in sorted(categories.items(), key=lambda x: -x[1])[:2]])
            + ". De pekar ut den fysiska miljö som parterna själva kan ändra."
        ),
        Table(
            "Iakttagelser vid trygghetsvandringar",
            ("Plats", "Typ", "Iakttagelse", "Datum"),
            tuple((w.place, w.category or "–", w.note or "–", _date(w.observed_on)) for w in walks),
            "Källa: trygghetsvandringar registrerade av "
            + _and(sorted({str(w.party) for w in walks})),
        ),
    )


def _inventory(part: Any, parties: list[Party]) -> None:
    from samverkan.mapping.models import Activity, Resource

    resources = list(
        Resource.objects.filter(party__in=parties).select_related("party__organisation")
    )
    activities = list(
        Activity.objects.filter(party__in=parties).select_related("party__organisation")
    )
    if not (resources or activities):
        return
    section = part.sub("Resurser och pågående arbete")
    section.add(
        Paragraph(
            "Inventeringen visar vad parterna redan gör och vilka resurser som finns, så att "
            "åtgärdsplanen bygger vidare på dem i stället för att börja om."
        )
    )

    def staff(value: Decimal | None) -> str:
        return "–" if value is None else _exact(value)

    if resources:
        section.add(
            Table(
                "Resurser",
                ("Vem", "Vad", "Årsarbetare", "Budget", "Målgrupp", "Område"),
                tuple(
                    (
                        r.who,
                        r.what,
                        staff(r.staff),
                        "–" if r.budget is None else _money(r.budget),
                        r.target_group or "–",
                        r.area or "–",
                    )
                    for r in resources
                ),
                "Källa: resursinventering av " + _and(sorted({str(r.party) for r in resources})),
            )
        )
    if activities:
        section.add(
            Table(
                "Pågående aktiviteter",
                ("Vem", "Vad", "Målgrupp", "Område"),
                tuple((a.who, a.what, a.target_group or "–", a.area or "–") for a in activities),
                "Källa: aktivitetsinventering av "
                + _and(sorted({str(a.party) for a in activities})),
            )
        )


# ---- analysis ---------------------------------------------------------------------------------


def _analysis(
    part: Any,
    partnership: Partnership,
    table: CrimeTable,
    parties: list[Party],
    edition: str,
    threshold: int,
    scope: str,
) -> None:
    """A first written analysis drawn from the figures, with the caveats that go with them.

    It is a draft in the document's own words: the partnership reads it against what it
    knows and edits the conclusions into the problem picture before the lägesbild is decided.
    """
    section = part.sub("Vad siffrorna visar")
    paragraphs: list[str] = []
    hidden = hidden_years(table, edition, threshold)
    if table.years and len(table.years) >= 2:
        first, last = table.years[0], table.years[-1]
        total_first = sum(t.get(first, 0) for t in table.by_category.values())
        total_last = sum(t.get(last, 0) for t in table.by_category.values())
        if total_first and first not in hidden and last not in hidden:
            change = 100 * (total_last - total_first) / total_first
            paragraphs.append(
                f"De anmälda brotten i {table.area} gick från {_num(total_first)} år {first} "
                f"till {_num(total_last)} år {last} ({_pct(change)})."
            )
        movers = []
        for category, by_year in table.by_category.items():
            a, b = by_year.get(first, 0), by_year.get(last, 0)
            if a >= threshold and b >= threshold:
                movers.append((100 * (b - a) / a, category, a, b))
        movers.sort(reverse=True)
        rising = [m for m in movers if m[0] > 5][:3]
        if rising:
            paragraphs.append(
                "Mest ökade "
                + _and(
                    [f"{c.lower()} ({_num(a)} till {_num(b)}, {_pct(p)})" for p, c, a, b in rising]
                )
                + f" mellan {first} och {last}."
            )
        falling = [m for m in movers if m[0] < -5][-2:]
        if falling:
            paragraphs.append(
                "Minskade gjorde "
                + _and([f"{c.lower()} ({_pct(p)})" for p, c, _a, _b in falling])
                + "."
            )
        # Initiative offences: a rise may reflect more policing, not more crime.
        flagged = []
        for offence, by_year in table.by_offence.items():
            if table.interpretation_of.get(offence) != POLICE_INITIATED:
                continue
            a, b = by_year.get(first, 0), by_year.get(last, 0)
            if a >= threshold and b > a:
                flagged.append((100 * (b - a) / a, offence))
        if flagged:
            flagged.sort(reverse=True)
            paragraphs.append(
                "Observera: "
                + _and([f"{o.lower()} ({_pct(p)})" for p, o in flagged[:3]])
                + " är initiativbrott, som upptäcks när polisen letar efter dem. Ökningen kan "
                "spegla att polisen har arbetat mer med dessa brott, inte att de har blivit "
                "fler. Jämför med hur polisens arbetstid har fördelats innan slutsatser dras."
            )
        interp_change = []
        for code in (VICTIM_WITH_INTERACTION, VICTIM_WITHOUT_INTERACTION):
            by_year = table.by_interpretation.get(code, {})
            a, b = by_year.get(first, 0), by_year.get(last, 0)
            if a >= threshold and b >= threshold and not {first, last} & hidden:
                interp_change.append(
                    f"{INTERPRETATION_LABELS_SV[code].lower()} {_pct(100 * (b - a) / a)}"
                )
        if interp_change:
            paragraphs.append(
                f"Efter tolkningskategori förändrades {_and(interp_change)} mellan {first} och "
                f"{last}. Offerbrotten med interaktion är de som bäst speglar den faktiska "
                "utvecklingen av våld och hot i det offentliga rummet."
            )
    for party in parties:
        comparison = rates.comparison(party)
        latest = comparison.latest
        if latest and latest.deviation and latest.deviation.percent_difference is not None:
            if latest.year in hidden or (_small(edition, latest.own.count)):
                break
            pct = latest.deviation.percent_difference
            paragraphs.append(
                f"År {latest.year} var de anmälda brotten per 100 000 invånare "
                f"{numbers.percent(abs(pct))} {'över' if pct >= 0 else 'under'} snittet för "
                f"{_and(comparison.names)}."
                + (
                    " Skillnaden ligger inom den vanliga spridningen mellan kommunerna."
                    if latest.deviation.z is not None and abs(latest.deviation.z) < 1
                    else ""
                )
            )
            break
    for party in parties:
        places = incidents.top_places(party, PLACES_NAMED)
        listed = incidents.top_places(party, PLACES_LISTED).places  # the table in part 1
        if _small(edition, *(p.count for p in listed)):
            continue  # a share beside the listed counts would give a withheld one back
        if places.total >= threshold and places.share is not None:
            named = [p.place for p in places.places[:3] if p.count >= threshold]
            if named:
                paragraphs.append(
                    f"Händelserna är koncentrerade: enligt {party} skedde "
                    f"{numbers.percent(100 * places.share)} av dem med angiven plats på de "
                    f"{places.n} mest utsatta platserna, främst {_and(named)}. Att arbeta "
                    "med få platser kan därför påverka en stor del av problemet."
                )
    if not paragraphs:
        paragraphs.append("Det finns ännu för lite delat underlag för att skriva en analys.")
    section.add(*[Paragraph(p) for p in paragraphs])
    section.add(
        Paragraph("Så ska siffrorna läsas:", "lead"),
        BulletList(
            (
                "Anmälda brott är inte all brottslighet. Hur många som anmäler skiljer sig "
                "mellan brottstyper, grupper och över tid, så en förändring i antalet anmälda "
                "brott kan bero på att fler eller färre anmäler.",
                "Initiativbrott (till exempel narkotikabrott och rattfylleri) följer polisens "
                "arbete. Fler sådana brott kan betyda mer polisarbete, inte fler brott.",
                "Små tal varierar mycket av en slump. Ett år med ovanligt många brott följs "
                "ofta av ett år med färre även utan åtgärder (återgång mot medelvärdet); jämför "
                "därför flera år, inte bara de två senaste.",
                f"Brottsstatistiken gäller {table.area}, medan lägesbilden gäller {scope}. "
                "Händelser med plats och parternas egna iakttagelser visar vad som sker inom "
                "området.",
                f"Tal under {threshold} redovisas inte i den offentliga versionen.",
            )
        ),
    )
    _priorities(part, partnership)


def _priorities(part: Any, partnership: Partnership) -> None:
    from samverkan.problems.models import CRITERIA, PrioritisationWeights

    weights_record = PrioritisationWeights.objects.filter(partnership=partnership).first()
    weights = (weights_record or PrioritisationWeights()).as_dict()
    labels = {
        f.name: str(f.verbose_name)
        for f in PrioritisationWeights._meta.fields
        if f.name in CRITERIA
    }
    problems = sorted(
        partnership.problems.all(),
        key=lambda p: (p.status != ProblemStatus.PRIORITISED, -p.score(weights), p.title),
    )
    if not problems:
        part.sub("Prioriterade problem", Paragraph("Inga problem är registrerade ännu.", "note"))
        return
    rows = []
    for p in problems:
        strong = sorted(
            ((getattr(p, name) * weights.get(name, Decimal(1)), labels[name]) for name in CRITERIA),
            reverse=True,
        )
        reasons = ", ".join(label.lower() for value, label in strong[:3] if value > 0)
        rows.append(
            (
                p.title,
                p.get_status_display(),
                _exact(p.score(weights)),
                (f"Högst på {reasons}. " if reasons else "") + (p.evidence_note or ""),
            )
        )
    part.sub(
        "Prioriterade problem och skälen för dem",
        Paragraph(
            "Problemen har bedömts efter omfattning, utveckling, avvikelse, koncentration, "
            "kostnad, skada och invånarnas oro, med de vikter samverkan har valt. "
            "Prioriterade problem står först."
        ),
        Table(
            "Problemen och prioriteringen",
            ("Problem", "Status", "Poäng", "Motivering"),
            tuple(rows),
            "Källa: prioriteringen i Samverkan (Steg 3)",
        ),
    )


# ---- sources and limitations ------------------------------------------------------------------


def _sources_and_limits(
    doc: Document, parties: list[Party], partnership: Partnership, scope: str, threshold: int
) -> None:
    from samverkan.mapping.models import DataSource

    section = doc.section("Källor och begränsningar")
    described = list(
        DataSource.objects.filter(party__in=parties)
        .select_related("party__organisation")
        .order_by("party__organisation__name", "name", "pk")
    )
    used = [s for s in described if not s.left_out]
    left_out = sorted((s for s in described if s.left_out), key=lambda s: s.name)
    if used:
        section.sub(
            "Källor",
            Table(
                "Källor i kartläggningen",
                ("Källa (part)", "Vad den omfattar", "Period", "Begränsningar"),
                tuple(
                    (
                        f"{s.name} ({s.party})",
                        s.covers or "–",
                        s.period or "–",
                        s.limitations or "–",
                    )
                    for s in used
                ),
                "Källa: parternas beskrivningar av sina datakällor (Steg 2)",
            ),
        )
    else:
        section.add(Paragraph("Parterna har inte delat några beskrivna källor ännu.", "note"))
    if left_out:
        section.sub(
            "Källor som valdes bort",
            Table(
                "Bortvalda källor och varför",
                ("Källa (part)", "Varför den valdes bort"),
                tuple((f"{s.name} ({s.party})", s.left_out_reason or "–") for s in left_out),
                "Källa: parternas beskrivningar av sina datakällor (Steg 2)",
            ),
        )
    section.sub(
        "Vad begränsningarna kan betyda",
        BulletList(
            (
                f"Lägesbilden gäller {scope}. Där en källa bara finns för hela kommunen "
                "beskriver den området indirekt.",
                "Bara de parter som delat sin kartläggning finns med"
                + (f" ({_and([str(p) for p in parties])})" if parties else "")
                + ". Andra aktörers kunskap, till exempel socialtjänstens, skolans, "
                "räddningstjänstens och bostadsbolagens, kompletterar siffrorna.",
                "Anmälningsbenägenhet, polisens prioriteringar och ändrade regler för hur brott "
                "registreras kan ge förändringar som inte är verkliga.",
                f"Tal under {threshold} redovisas inte offentligt; de små talen finns i den "
                "interna versionen.",
            )
        ),
    )


__all__ = ["crime_table", "lagesbild", "scope_of"]
