"""Validating, streaming importers for the files a party really has (issue 3, "Data in").

Every importer reads CSV (UTF-8 with or without BOM, or Windows-1252; ``;`` or ``,``) or XLSX
(with title rows above the table), checks every row, reports every bad row with its line
number and reason (Swedish for the pages, English for the command), and commits nothing
unless the whole file is valid. Importing the same file twice adds nothing.
"""

from samverkan.mapping.importers.base import ImportResult, Issue, run_import
from samverkan.mapping.importers.kinds import IMPORTERS, importer_for
from samverkan.mapping.importers.polisen import PolisenEventsImporter

IMPORTERS[PolisenEventsImporter.kind] = PolisenEventsImporter

__all__ = ["IMPORTERS", "ImportResult", "Issue", "importer_for", "run_import"]
