"""Request bodies over MAX_UPLOAD_MB are refused with 413 before they are read."""

import asyncio
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from samverkan.lib.upload_limit import ASGIRequestSizeLimit, RequestSizeMiddleware, max_body_bytes
from samverkan.mapping.models import Import

MB = 1024 * 1024


class Untouchable(io.RawIOBase):
    """A request body that must never be read."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read


class Counting(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def upload_url(world):
    return reverse(
        "mapping:import_upload",
        kwargs={"pk": world.ours.partnership.pk, "party_id": world.ours.kommun.pk},
    )


def test_declared_length_over_the_limit_gets_413_without_reading_the_body(client, world):
    client.force_login(world.alice)
    response = client.generic(
        "POST",
        upload_url(world),
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(21 * MB + MB),
        **{"wsgi.input": Untouchable()},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "Filen är för stor" in page and "20 MB" in page
    assert not Import.objects.filter(party=world.ours.kommun, file_name="big.csv").exists()


def test_upload_over_the_setting_is_refused_and_nothing_stored(client, world, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(world.alice)
    big = SimpleUploadedFile("big.csv", b"Datum;Brott\n" + "2025-03-12;Rån\n".encode() * 160_000)
    response = client.post(upload_url(world), {"kind": "incidents", "file": big})
    assert response.status_code == 413 and "1 MB" in response.content.decode()
    assert not Import.objects.filter(file_name="big.csv").exists()


def test_file_just_over_the_limit_within_the_margin_gets_the_forms_message(client, world, settings):
    settings.MAX_UPLOAD_MB = 1
    client.force_login(world.alice)
    file = SimpleUploadedFile("big.csv", b"x" * (MB + 1000))
    response = client.post(upload_url(world), {"kind": "incidents", "file": file})
    assert response.status_code == 400 and "Filen är för stor" in response.content.decode()


def echo_length(request):
    return HttpResponse(str(len(request.body)))


def chunked(data: bytes):
    body = Counting(data)
    request = RequestFactory().generic("POST", "/", b"", content_type="text/plain")
    request.META.pop("CONTENT_LENGTH", None)
    request.META["HTTP_TRANSFER_ENCODING"] = "chunked"
    request.META["wsgi.input"] = body
    return request, body


def test_chunked_body_over_the_limit_is_read_only_up_to_the_limit(settings):
    settings.MAX_UPLOAD_MB = 1
    request, body = chunked(b"y" * (3 * MB))
    response = RequestSizeMiddleware(echo_length)(request)
    assert response.status_code == 413
    assert body.taken == max_body_bytes() + 1


def test_chunked_body_under_the_limit_reaches_the_view(settings):
    settings.MAX_UPLOAD_MB = 1
    request, _body = chunked(b"z" * 5000)
    response = RequestSizeMiddleware(echo_length)(request)
    assert response.status_code == 200 and response.content == b"5000"


def run_asgi(headers, chunks):
    """Drive the ASGI wrapper around an app that reads the whole body, like Django's."""
    sent, seen = [], {"app": False}

    async def app(scope, receive, send):
        seen["app"] = True
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    messages = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    asyncio.run(ASGIRequestSizeLimit(app)(scope, receive, send))
    return sent[0]["status"], seen["app"]


@pytest.mark.django_db
def test_asgi_refuses_a_declared_length_over_the_limit_before_the_app_runs(settings):
    settings.MAX_UPLOAD_MB = 1
    status, app_ran = run_asgi([(b"content-length", str(5 * MB).encode())], [b"a"])
    assert (status, app_ran) == (413, False)


@pytest.mark.django_db
def test_asgi_stops_a_streamed_body_at_the_limit(settings):
    settings.MAX_UPLOAD_MB = 1
    status, _ = run_asgi([], [b"b" * MB, b"b" * MB, b"b" * MB])
    assert status == 413
    assert run_asgi([], [b"c" * 100, b"c" * 100]) == (200, True)
