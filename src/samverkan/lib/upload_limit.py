"""The size of a request body is limited before the body is read (MAX_UPLOAD_MB).

Django's own limits act only once a multipart body is being parsed, and the upload form's
check only after the whole file has arrived (and been written to disk). Here a declared
Content-Length over the limit is answered at once with 413 and a Swedish page; a body without
a length (chunked) is read up to the limit and no further. The proxy in front should refuse
the same sizes (nginx: ``client_max_body_size``, README "Drift").

The limit is MAX_UPLOAD_MB for the file plus 1 MB for the rest of the form and the multipart
framing, so a file of exactly MAX_UPLOAD_MB still reaches the form's own, friendlier check.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

FORM_MARGIN = 1024 * 1024


def max_body_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024 + FORM_MARGIN


def too_large_page() -> str:
    return render_to_string("errors/413.html", {"mb": settings.MAX_UPLOAD_MB})


def _declared_length(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class RequestSizeMiddleware:
    """413 for a body over the limit, before anything reads it (first in MIDDLEWARE)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = max_body_bytes()
        length = _declared_length(request.META.get("CONTENT_LENGTH"))
        if length is not None and length > limit:
            return self._refuse()
        if length is None and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            if not self._read_bounded(request, limit):
                return self._refuse()
        return self.get_response(request)

    def _read_bounded(self, request: HttpRequest, limit: int) -> bool:
        """A chunked body under WSGI: read at most ``limit`` bytes of it, then let Django see
        what was read (Django reads nothing of a body without a length on its own)."""
        source = request.META.get("wsgi.input")
        if source is None:
            return True  # ASGI: the ASGI wrapper below has counted it already
        data = source.read(limit + 1)
        if len(data) > limit:
            return False
        request.META["CONTENT_LENGTH"] = str(len(data))
        # Django reads the body from this private attribute; a LimitedStream is what its own
        # WSGIRequest puts there, though the stubs declare a BinaryIO.
        request._stream = LimitedStream(io.BytesIO(data), len(data))  # type: ignore[assignment]
        return True

    def _refuse(self) -> HttpResponse:
        return HttpResponse(too_large_page(), status=413, content_type="text/html; charset=utf-8")


class _TooLarge(Exception):
    pass


Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class ASGIRequestSizeLimit:
    """The same limit for the ASGI entry point, whose handler would otherwise read the whole
    body before any middleware runs."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        limit = max_body_bytes()
        headers = dict(scope.get("headers") or [])
        length = _declared_length(headers.get(b"content-length", b"").decode("latin-1") or None)
        if length is not None and length > limit:
            await self._refuse(send)
            return
        received = 0

        async def bounded() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, bounded, send)
        except _TooLarge:  # raised while Django reads the body, before it answers
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        from asgiref.sync import sync_to_async

        body = (await sync_to_async(too_large_page)()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
