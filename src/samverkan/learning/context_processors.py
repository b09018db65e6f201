"""What the site menu needs to know about the learning pages, asked only when a page draws it."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest


def menu(request: HttpRequest) -> dict[str, Any]:
    """``reads_regions``: whether the menu links to the regional views. A callable, so the
    query runs only when a template asks (a JSON answer or a partial never does), at most once
    per request."""

    @functools.cache
    def reads_regions() -> bool:
        from samverkan.learning.models import RegionalScope

        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        # An administrator reads every scope (RegionalScope.objects.readable_by).
        return bool(user.is_superuser) or RegionalScope.objects.readable_by(user).exists()

    return {"reads_regions": reads_regions}
