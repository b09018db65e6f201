"""Does a free text seem to name a person? A warning, not a verdict.

Field reports are shared with the whole partnership, so a name in the free text or in the typed
place spreads further than the writer may think. The form warns and lets the writer confirm (a
place named after a person, "Gustav Adolfs torg", is fine); a report saved despite the warning
is held back for a coordinator. Identity numbers are not a warning: they are refused
(lib.personal_data_forms).
"""

from __future__ import annotations

from collections.abc import Iterable

from samverkan.lib import personal_data


def names_in(text: str, known: Iterable[str] = ()) -> list[str]:
    """Word pairs that look like a first and last name (any case), minus the place list."""
    return [f.text for f in personal_data.names(text or "", known)]


def seems_to_name_people(text: str, known: Iterable[str] = ()) -> list[str]:
    """What in ``text`` looks like a person's name or a household's address (empty: nothing)."""
    return [f.text for f in personal_data.warnings(text or "", known)]


def suggested_masking(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with what looks like names, addresses and identity numbers masked: the
    coordinator's starting point when masking a held-back report."""
    findings = personal_data.warnings(text or "", known) + personal_data.identity_numbers(text)
    return personal_data.mask(text or "", findings)
