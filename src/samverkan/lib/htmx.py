"""The one place that knows about htmx headers (STYLE.md 9)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect


def is_partial(request: HttpRequest) -> bool:
    """True when htmx asks for a fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted


def redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Redirect that also works when the request came from htmx."""
    if getattr(request, "htmx", None):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
