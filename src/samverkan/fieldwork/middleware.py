"""Logging out clears what the field-report form kept on the device.

The form keeps a draft in the browser's storage and an offline copy of itself (service
worker); on a shared phone the next person must find neither. The logout answer carries
``Clear-Site-Data`` for the browser's storage and cache (the form's own script also clears
its drafts when the logout button is pressed, for browsers without the header).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

CLEAR_SITE_DATA = '"cache", "storage"'


class ClearDraftsOnLogoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "POST" and request.path == reverse("accounts:logout"):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
