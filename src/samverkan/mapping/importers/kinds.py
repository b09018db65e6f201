"""The importers, one module per kind of file, registered here by kind.

crime_stats.py, incidents.py, kolada.py, population.py and survey.py hold one importer each;
common.py what they share. A new kind is a new module whose importer is added to IMPORTERS.
The names below stay importable from here for code that imported them from this module.
"""

from __future__ import annotations

from typing import Any

from samverkan.mapping.importers.base import Importer
from samverkan.mapping.importers.common import (  # noqa: F401 - re-exported
    KeyedImporter,
    _area,
    _text,
    categorise,
)
from samverkan.mapping.importers.crime_stats import CrimeStatsImporter
from samverkan.mapping.importers.incidents import (  # noqa: F401 - re-exported
    INCIDENT_COLUMNS,
    IncidentImporter,
    incident_key,
)
from samverkan.mapping.importers.kolada import KoladaImporter
from samverkan.mapping.importers.population import PopulationImporter
from samverkan.mapping.importers.survey import SurveyImporter

IMPORTERS: dict[str, type[Importer]] = {
    cls.kind: cls
    for cls in (CrimeStatsImporter, IncidentImporter, KoladaImporter, PopulationImporter,
                SurveyImporter)
}  # fmt: skip


def importer_for(kind: str, party: Any, source_import: Any = None) -> Importer:
    try:
        return IMPORTERS[kind](party, source_import)
    except KeyError:
        raise ValueError(
            f"unknown import kind {kind!r}; use one of {', '.join(IMPORTERS)}"
        ) from None
