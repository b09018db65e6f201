"""Crime statistics of the own municipality and three comparison municipalities, built in code.

The own municipality is Kristianstad (1290). Hand-computed rates per 100 000 (2024):
Kristianstad 800 / 80 000 = 1 000; Lund 1 000 / 125 000 = 800; Uppsala 2 250 / 250 000 = 900;
Växjö has no population for 2024. Mean of Lund and Uppsala 850, so Kristianstad is
150 above it: 150 / 850 = 17.647 %, sd(800, 900) = 70.711, z = 2.121.
"""

from __future__ import annotations

from samverkan.mapping.models import ComparisonMunicipalities, CrimeStatistic, Population
from samverkan.mapping.municipalities import NAMES

OWN, LUND, UPPSALA, VAXJO = "1290", "1281", "0380", "0780"

# (misshandel, skadegörelse) per municipality and year
COUNTS = {
    OWN: {2022: (280, 420), 2023: (290, 470), 2024: (300, 500)},
    LUND: {2022: (400, 600), 2023: (400, 600), 2024: (400, 600)},
    UPPSALA: {2022: (700, 1300), 2023: (725, 1400), 2024: (750, 1500)},
    VAXJO: {2024: (500, 300)},
}


def make_own(party, code: str = OWN) -> None:
    """Give the partnership's municipality its SCB code (Testkommun is our Kristianstad)."""
    org = party.partnership.municipality
    org.code = code
    org.save(update_fields=["code"])


def add(party, code: str, year: int, assault: int, damage: int | None, population=None, **period):
    for offence, category, count in (
        ("Misshandel", "Brott mot liv och hälsa", assault),
        ("Skadegörelse", "Skadegörelse", damage),
    ):
        if count is None:
            continue
        CrimeStatistic.objects.create(
            party=party,
            municipality_code=code,
            area=NAMES[code],
            offence=offence,
            category=category,
            year=year,
            count=count,
            population=population,
            **period,
        )


def build(party, codes=(LUND, UPPSALA, VAXJO)) -> None:
    make_own(party)
    CrimeStatistic.objects.filter(party=party).delete()
    for year, (assault, damage) in COUNTS[OWN].items():
        add(party, OWN, year, assault, damage)
        Population.objects.create(
            party=party, municipality_code=OWN, area=NAMES[OWN], year=year, count=80_000
        )
    for year, (assault, damage) in COUNTS[LUND].items():
        add(party, LUND, year, assault, damage, population=125_000)  # population on the rows
    for year, (assault, damage) in COUNTS[UPPSALA].items():
        add(party, UPPSALA, year, assault, damage)
        Population.objects.create(
            party=party, municipality_code=UPPSALA, area=NAMES[UPPSALA], year=year, count=250_000
        )
    add(party, VAXJO, 2024, *COUNTS[VAXJO][2024])  # no population anywhere
    ComparisonMunicipalities.objects.update_or_create(party=party, defaults={"codes": list(codes)})
