"""Step 2 objects for every test world: the municipality's private mapping material."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from samverkan.mapping.choices import ImportKind, ImportStatus
from samverkan.mapping.models import (
    Activity,
    CrimeCost,
    CrimeStatistic,
    DataSource,
    ExperienceNote,
    Import,
    Incident,
    Resource,
    SafetyWalkObservation,
    SituationReport,
    SurveyResult,
)


def build(world) -> dict[str, int]:
    party = world.kommun
    source = DataSource.objects.create(party=party, name="Brå, anmälda brott", period="2023–2024")
    record = Import(
        party=party, kind=ImportKind.CRIME_STATS, file_name="brott.csv", sha256="0" * 64,
        status=ImportStatus.NEEDS_MAPPING, headers=["Kommun", "Brott", "År", "Antal"],
    )  # fmt: skip
    record.file.save("brott.csv", ContentFile(b"Kommun;Brott;Ar;Antal\n"), save=False)
    record.save()
    CrimeStatistic.objects.create(
        party=party, area="Teststad", offence="Misshandel", category="Brott mot liv och hälsa",
        year=2024, count=12,
    )  # fmt: skip
    Incident.objects.create(
        party=party, key="K1", offence="Skadegörelse", category="Skadegörelse", place="Torget",
        occurred_from=timezone.make_aware(datetime.datetime(2024, 5, 3, 22, 15)),
    )  # fmt: skip
    SituationReport.objects.create(party=party, title="Lägesbild", text="Utkast")
    return {
        "source_id": source.pk,
        "import_id": record.pk,
        "resource_id": Resource.objects.create(
            party=party, who="Fritid", what="Fältassistenter"
        ).pk,
        "activity_id": Activity.objects.create(party=party, who="Skola", what="Rastvakter").pk,
        "survey_id": SurveyResult.objects.create(
            party=party, question="Känner dig trygg?", area="Centrum", year=2024, share=70, n=300
        ).pk,
        "cost_id": CrimeCost.objects.create(party=party, item="Klotter", amount=1000, year=2024).pk,
        "note_id": ExperienceNote.objects.create(party=party, title="Torget", text="Oroligt").pk,
        "walk_id": SafetyWalkObservation.objects.create(
            party=party, place="Gångtunneln", category="Belysning"
        ).pk,
    }
