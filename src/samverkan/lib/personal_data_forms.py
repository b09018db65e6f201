"""Form validation against personal data (lib.personal_data), shared by every form whose free
text leaves the party: field reports, the activity log, minutes and the 5I parts.

A personnummer or samordningsnummer is refused outright; no confirmation box can pass it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.lib.personal_data import SAMORDNINGSNUMMER, identity_numbers

IDENTITY_NUMBER_MESSAGE = _(
    "Texten innehåller något som ser ut som ett %(kind)s (%(shown)s). Personnummer och "
    "samordningsnummer får inte skrivas här: texten läses av andra och kan spridas vidare. "
    "Ta bort numret och spara igen."
)


def _shown(number: str) -> str:
    """Enough of the number for the writer to find it, not the whole number again."""
    return number[:6] + "…" if len(number) > 6 else number


def refuse_identity_numbers(value: Any) -> None:
    """Django validator: a ValidationError (in Swedish) when ``value`` holds an identity
    number, whatever dashes, spaces or digits it is written with."""
    if not isinstance(value, str) or not value:
        return
    found = identity_numbers(value)
    if found:
        first = found[0]
        kind = "samordningsnummer" if first.kind == SAMORDNINGSNUMMER else "personnummer"
        raise forms.ValidationError(
            IDENTITY_NUMBER_MESSAGE,
            code="identity_number",
            params={"kind": kind, "shown": _shown(first.text)},
        )


def guard_free_text(form: forms.BaseForm, *names: str) -> None:
    """Add the identity-number check to the named fields of ``form`` (call in ``__init__``).
    Fields the form does not have are skipped, so a form that drops a field stays valid."""
    for name in names:
        field = form.fields.get(name)
        if field is not None and refuse_identity_numbers not in field.validators:
            field.validators.append(refuse_identity_numbers)
