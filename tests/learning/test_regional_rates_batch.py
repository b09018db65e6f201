"""The regional view's rates for a whole page of kommuner at once (issue 24, item 5).

``regional.crime_rates_of`` reads what the rates of many partnerships are computed from in a
fixed number of queries, then computes them with the same code as ``regional.crime_rates``
does partnership by partnership. These tests hold the two to exactly the same figures (rates,
intervals, comparison means, trends, withheld years and the reasons for missing figures) on
kommuner built to reach every branch, and on drawn statistics.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from samverkan.accounts.choices import OrganisationKind
from samverkan.learning import regional
from samverkan.mapping.models import (
    ComparisonMunicipalities,
    CrimeStatistic,
    KeyFigure,
    Population,
    SituationReport,
)
from samverkan.mapping.municipalities import NAMES
from samverkan.partnerships.models import Partnership
from tests.factories import make_partnership, organisation
from tests.mapping import comparison_data

# The queries of crime_rates_of when every kind of row is there: the released parties, the
# crime statistics, the choices of comparison kommuner, the populations, Kolada's totals and
# the names of comparison kommuner outside the national list.
BATCH_QUERIES = 6


def _clear(*parties) -> None:
    for model in (CrimeStatistic, Population, KeyFigure, ComparisonMunicipalities):
        model.objects.filter(party__in=parties).delete()


def _share(party) -> None:
    SituationReport.objects.get_or_create(party=party, defaults={"title": "Lägesbild"})[0].share()


def _code(world, code: str, name: str | None = None) -> None:
    org = world.partnership.municipality
    org.code = code
    if name is not None:
        org.name = name
    org.save()


def _stat(party, code, area, offence, year, count, population=None, **period) -> None:
    CrimeStatistic.objects.create(
        party=party,
        municipality_code=code,
        area=area,
        offence=offence,
        category="Rån" if offence == "Rån" else "Brott mot liv och hälsa",
        year=year,
        count=count,
        population=population,
        **period,
    )


def _build() -> SimpleNamespace:
    worlds = {}
    # Kristianstad against Lund, Uppsala and Växjö (no population): the comparison's path.
    w = worlds["comparison"] = make_partnership(" Kristianstad")
    _clear(w.kommun, w.polis)
    comparison_data.build(w.kommun)
    _share(w.kommun)
    # Every yearly count small: nothing may be shown.
    w = worlds["small"] = make_partnership(" Liten")
    _clear(w.kommun, w.polis)
    for year, count in ((2023, 3), (2024, 2)):
        _stat(w.kommun, "", "Liten", "Rån", year, count)
        Population.objects.create(party=w.kommun, area="Liten", year=year, count=9_000)
    _share(w.kommun)
    # Stockholm 2019–2024 without comparison kommuner: a small count of rån in 2021 (the year
    # is withheld) and no population for 2022 (the year has no rate).
    w = worlds["suppressed"] = make_partnership(" Blandad")
    _clear(w.kommun, w.polis)
    _code(w, "0180")
    for year in range(2019, 2025):
        _stat(w.kommun, "0180", "Stockholm", "Rån", year, 2 if year == 2021 else 40 + year % 7)
        _stat(w.kommun, "0180", "Stockholm", "Misshandel", year, 300 + 11 * (year % 5))
        if year != 2022:
            Population.objects.create(
                party=w.kommun,
                municipality_code="0180",
                area="Stockholm",
                year=year,
                count=900_000 + 1_000 * year % 7,
            )
    _share(w.kommun)
    # Lund with Kolada's totals for some years and statistics for the latest, compared with
    # Uppsala and a kommun the national list does not know (named by its organisation here).
    w = worlds["kolada"] = make_partnership(" Kolada")
    _clear(w.kommun, w.polis)
    _code(w, "1281")
    org = organisation("Egen jämförelsekommun", OrganisationKind.MUNICIPALITY)
    org.code = "9999"
    org.save(update_fields=["code"])
    for code, year, value in (
        ("1281", 2020, 1100.0),
        ("1281", 2021, 1050.0),
        ("1281", 2022, 990.5),
        ("0380", 2020, 1200.0),
        ("0380", 2022, 1150.0),
        ("9999", 2021, 800.0),
    ):
        KeyFigure.objects.create(
            party=w.kommun, kpi="N07540", municipality_code=code, year=year, gender="T", value=value
        )
    KeyFigure.objects.create(
        party=w.kommun, kpi="N07540", municipality_code="1281", year=2021, gender="K", value=1.0
    )
    for year in (2023, 2024):
        _stat(w.kommun, "1281", "Lund", "Misshandel", year, 1_000 + year % 3)
        _stat(w.kommun, "0380", "Uppsala", "Misshandel", year, 2_100, population=250_000)
        Population.objects.create(
            party=w.kommun, municipality_code="1281", area="Lund", year=year, count=125_000
        )
    ComparisonMunicipalities.objects.create(party=w.kommun, codes=["0380", "9999"])
    _share(w.kommun)
    # A kommun whose own code nobody knows: its areas' rows, compared with Uppsala's.
    w = worlds["uncoded"] = make_partnership(" Okodad")
    _clear(w.kommun, w.polis)
    _code(w, "", "Okänd kommun Okodad")
    for year in (2022, 2023, 2024):
        for area, count in (("Centrum", 120 + year % 4), ("Norr", 60)):
            _stat(w.kommun, "", area, "Misshandel", year, count)
            Population.objects.create(party=w.kommun, area=area, year=year, count=20_000)
        _stat(w.kommun, "0380", "Uppsala", "Misshandel", year, 2_000 + year % 5)
        Population.objects.create(
            party=w.kommun, municipality_code="0380", area="Uppsala", year=year, count=250_000
        )
    ComparisonMunicipalities.objects.create(party=w.kommun, codes=["0380"])
    _share(w.kommun)
    # Two released parties: the police first (by name) with no population, then the kommun
    # with a whole 2023 and only eleven months of 2024.
    w = worlds["two"] = make_partnership(" Två")
    _clear(w.kommun, w.polis)
    for year in (2023, 2024):
        _stat(w.polis, "", "Två", "Rån", year, 50)
    _stat(w.kommun, "", "Två", "Rån", 2023, 60)
    Population.objects.create(party=w.kommun, area="Två", year=2023, count=30_000)
    for month in range(1, 12):
        _stat(w.kommun, "", "Två", "Rån", 2024, 6, month=month)
    Population.objects.create(party=w.kommun, area="Två", year=2024, count=30_100)
    _share(w.polis)
    _share(w.kommun)
    # Statistics but no population at all: the reason is said.
    w = worlds["no_population"] = make_partnership(" Utan")
    _clear(w.kommun, w.polis)
    _code(w, "0780")
    for year in (2023, 2024):
        _stat(w.kommun, "0780", "Växjö", "Rån", year, 70)
    _share(w.kommun)
    # Nobody has shared their mapping.
    w = worlds["unshared"] = make_partnership(" Delar inte")
    return SimpleNamespace(**worlds)


@pytest.fixture(scope="module")
def built(kept):
    return kept(_build)


@pytest.fixture
def kommuner(built, db):
    return built


def _partnerships(worlds) -> list[Partnership]:
    ids = [w.partnership.pk for w in vars(worlds).values()]
    return list(Partnership.objects.filter(pk__in=ids).select_related("municipality"))


def test_batched_rates_equal_the_rates_computed_kommun_by_kommun(kommuner):
    partnerships = _partnerships(kommuner)
    one_by_one = {p.pk: regional.crime_rates(p) for p in partnerships}
    batched = regional.crime_rates_of(partnerships)
    assert set(batched) == set(one_by_one)
    for p in partnerships:
        assert batched[p.pk] == one_by_one[p.pk], str(p.municipality)
    # Every branch is reached, so the equality above holds something.
    of = {name: batched[w.partnership.pk] for name, w in vars(kommuner).items()}
    assert [round(y.rate) for y in of["comparison"].years] == [875, 950, 1000]
    assert of["comparison"].group_trend is not None
    assert of["small"].withheld == 2 and not of["small"].years
    suppressed = of["suppressed"]
    assert [y.year for y in suppressed.years] == [2019, 2020, 2023, 2024]
    assert suppressed.withheld == 1 and suppressed.own_trend is not None
    assert suppressed.years[-1].group_mean is None
    kolada = of["kolada"]
    assert kolada.group == ["Uppsala", "Egen jämförelsekommun"]
    assert [(y.year, y.low is None) for y in kolada.years] == [
        (2020, True),
        (2021, True),
        (2022, True),
        (2023, False),
        (2024, False),
    ]
    assert kolada.years[1].group_mean == 800.0 and kolada.own_trend is None
    uncoded = of["uncoded"]
    assert [round(y.rate) for y in uncoded.years] == [455, 458, 450]
    assert uncoded.years[-1].group_mean == pytest.approx(100_000 * 2_004 / 250_000)
    assert [y.year for y in of["two"].years] == [2023]
    assert of["no_population"].missing == "uppgift saknas: befolkning saknas för 2024 i Växjö"
    assert of["unshared"].missing == "uppgift saknas: ingen part har delat sin kartläggning"


def test_batched_rates_run_the_same_queries_for_one_kommun_or_all(kommuner):
    partnerships = _partnerships(kommuner)
    with CaptureQueriesContext(connection) as one:
        regional.crime_rates_of([kommuner.kolada.partnership])
    with CaptureQueriesContext(connection) as all_of_them:
        regional.crime_rates_of(partnerships)
    assert len(one.captured_queries) == len(all_of_them.captured_queries) == BATCH_QUERIES
    # Kommun by kommun, each costs several queries of its own.
    with CaptureQueriesContext(connection) as each:
        for p in partnerships:
            regional.crime_rates(p)
    assert len(each.captured_queries) > 4 * len(partnerships)


# ---- drawn statistics ----------------------------------------------------------------------

OWN_CODES = ("0180", "1290", "")
OTHERS = ("0380", "1281")
YEARS = (2021, 2022, 2023, 2024)
OFFENCES = ("Rån", "Misshandel", "Totalt antal brott")

_period = st.sampled_from([{}, {}, {}, {"quarter": 1}, {"month": 3}])
_row = st.tuples(
    st.sampled_from(("own", "", *OTHERS)),  # the own code, uncoded, or another kommun's
    st.sampled_from(YEARS),
    st.sampled_from(OFFENCES),
    st.integers(0, 40),  # small counts often
    st.sampled_from([None, None, 9_000]),  # a population on the row
    _period,
)
_unit_years = st.sets(st.tuples(st.sampled_from(("own", *OTHERS)), st.sampled_from(YEARS)))
_kommun = st.fixed_dictionaries(
    {
        "code": st.sampled_from(OWN_CODES),
        "rows": st.lists(_row, max_size=14),
        "populations": _unit_years,
        "chosen": st.one_of(st.none(), st.lists(st.sampled_from(OTHERS), unique=True)),
        "kolada": _unit_years,
        "police_rows": st.lists(_row, max_size=3),
        "shared": st.sampled_from(("kommun", "both", "none")),
    }
)


@pytest.fixture
def drawn_worlds(db):
    return [make_partnership(f" Dragen {n}") for n in range(3)]


def _fill(world, kommun: dict) -> None:
    _clear(world.kommun, world.polis)
    SituationReport.objects.filter(party__in=[world.kommun, world.polis]).delete()
    own = kommun["code"]
    _code(world, own, f"Dragen kommun {world.partnership.pk}")

    def code_of(which: str) -> str:
        return own if which == "own" else which

    def area_of(code: str) -> str:
        return NAMES.get(code) or "Centrum"

    for party, rows in ((world.kommun, kommun["rows"]), (world.polis, kommun["police_rows"])):
        CrimeStatistic.objects.bulk_create(
            CrimeStatistic(
                party=party,
                municipality_code=code_of(which),
                area=area_of(code_of(which)),
                offence=offence,
                category=offence if offence != "Totalt antal brott" else "",
                year=year,
                count=count,
                population=population,
                **period,
            )
            for which, year, offence, count, population, period in rows
        )
    Population.objects.bulk_create(
        Population(
            party=world.kommun,
            municipality_code=code_of(which),
            area=area_of(code_of(which)),
            year=year,
            count=10_000 + 37 * year,
        )
        for which, year in kommun["populations"]
        if code_of(which) or which == "own"
    )
    KeyFigure.objects.bulk_create(
        KeyFigure(
            party=world.kommun,
            kpi="N07540",
            municipality_code=code_of(which),
            year=year,
            gender="T",
            value=500.0 + year % 9,
        )
        for which, year in kommun["kolada"]
        if code_of(which)
    )
    if kommun["chosen"] is not None:
        ComparisonMunicipalities.objects.create(party=world.kommun, codes=kommun["chosen"])
    if kommun["shared"] != "none":
        _share(world.kommun)
    if kommun["shared"] == "both":
        _share(world.polis)


@pytest.mark.slow(reason="hypothesis draws thirty sets of statistics for three kommuner")
@hypothesis_settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=st.lists(_kommun, min_size=3, max_size=3))
def test_batched_rates_equal_kommun_by_kommun_on_drawn_statistics(drawn_worlds, drawn):
    """Whatever the statistics (small counts, missing years and populations, part years,
    Kolada or not, a code of its own or not, one or two released parties), the batch gives
    each kommun exactly the figures it gets alone."""
    with transaction.atomic():
        for world, kommun in zip(drawn_worlds, drawn, strict=True):
            _fill(world, kommun)
        partnerships = list(
            Partnership.objects.filter(
                pk__in=[w.partnership.pk for w in drawn_worlds]
            ).select_related("municipality")
        )
        one_by_one = {p.pk: regional.crime_rates(p) for p in partnerships}
        batched = regional.crime_rates_of(partnerships)
        for p in partnerships:
            assert batched[p.pk] == one_by_one[p.pk], str(p.municipality)
        transaction.set_rollback(True)
