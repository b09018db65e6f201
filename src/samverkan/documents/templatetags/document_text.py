"""Text as a document prints it: numbers kept with their units, names kept whole."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from samverkan.lib.numbers import keep_together

register = template.Library()


def names_pattern(names: list[str]) -> re.Pattern[str] | None:
    """One pattern matching any of the names (longest first), or None for none."""
    names = sorted({n.strip() for n in names if n and len(n.strip()) > 2}, key=len, reverse=True)
    if not names:
        return None
    return re.compile("|".join(re.escape(conditional_escape(n)) for n in names))


@register.filter
def doc_text(value: Any, names: re.Pattern[str] | None = None) -> SafeString:
    """Escaped text with no-break spaces inside numbers and before units, and every known
    name (municipality, police area, partnership, parties) in a span that is never
    hyphenated ("Exempelkom-mun" broken over two lines reads as two words)."""
    text = str(conditional_escape(keep_together(str(value))))
    if names is not None:
        text = names.sub(lambda m: f'<span class="name">{m.group(0)}</span>', text)
    return mark_safe(text)  # noqa: S308 - escaped above; only our own span is added
