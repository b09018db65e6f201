"""Response headers that keep pages to their own scripts and keep private pages out of caches.

Content-Security-Policy: scripts only from our own static files (no inline script, no inline
event handler, no eval), nothing embedded from elsewhere, forms post only to us. Styles may be
inline, because a document's HTML page carries its own stylesheet (a ``<style>`` element);
styles cannot run code. Map tiles, when configured, are the only images
from another host.

Cache-Control: partnership pages, account and invitation pages and every PDF or Word file
hold non-public material, so browsers and proxies must not keep a copy (``no-store``): a
shared computer's back button or a proxy cache would otherwise show them to the next person.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PRIVATE_PREFIXES = ("/samverkan/", "/konto/", "/inbjudan/")
DOCUMENT_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


def tile_source(tile_url: str) -> str:
    """The CSP source for a tile URL template: its scheme and host, ``{s}`` as a wildcard."""
    if not tile_url:
        return ""
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if "{" in host:  # another placeholder in the host name: allow the scheme's hosts only
        return ""
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    images = ["'self'", "data:", "blob:"]
    tiles = tile_source(settings.MAP_TILE_URL)
    if tiles:
        images.append(tiles)
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if request.path.startswith(PRIVATE_PREFIXES) or content_type in DOCUMENT_TYPES:
            add_never_cache_headers(response)
        return response
