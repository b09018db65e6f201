"""Middleware: who is acting (for the audit trail), and the second factor of sign-in."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from samverkan.accounts import audit
from samverkan.lib import htmx


class AuditUserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_current_user(getattr(request, "user", None))
        try:
            return self.get_response(request)
        finally:
            audit.reset_current_user(token)


class TwoFactorMiddleware:
    """Keeps a session that still owes its second factor on the code or enrolment page.

    Runs after django-otp's OTPMiddleware. It also marks sessions whose single sign-on came
    with the identity provider's own second factor, and turns ``TwoFactorRequired`` (raised
    by the access layer for a partnership that requires it) into a redirect.
    """

    # Pages a session that owes its second factor may still open.
    OPEN = {"accounts:logout", "set_language", "health"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from samverkan.accounts import two_factor

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.mfa_by_idp = request.session.get(two_factor.IDP_MFA_SESSION_KEY) == user.pk
            step = two_factor.step_needed(user)
            if step is not None and not self._open(request, step):
                return self._send(request, step)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from samverkan.accounts import two_factor

        if isinstance(exception, two_factor.TwoFactorRequired):
            step = two_factor.step_for_requirement(request.user)
            if step == two_factor.ENROL:
                messages.info(
                    request,
                    _(
                        "Den här samverkan kräver tvåstegsverifiering. Lägg till en "
                        "autentiseringsapp för ditt konto för att fortsätta."
                    ),
                )
            return self._send(request, step)
        return None

    def _open(self, request: HttpRequest, step: str) -> bool:
        from samverkan.accounts import two_factor

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        own = "accounts:two_factor_verify" if step == two_factor.VERIFY else "accounts:two_factor"
        return match.view_name in self.OPEN or match.view_name == own

    def _send(self, request: HttpRequest, step: str) -> HttpResponse:
        from samverkan.accounts import two_factor

        name = "accounts:two_factor_verify" if step == two_factor.VERIFY else "accounts:two_factor"
        url = reverse(name)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return htmx.redirect(request, url)
