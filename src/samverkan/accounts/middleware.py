"""Middleware that tells the audit trail who is acting in this request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from samverkan.accounts import audit


class AuditUserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_current_user(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            audit.reset_current_user(token)
