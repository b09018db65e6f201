from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path

from samverkan.accounts import views


def _sso(name: str) -> Callable[..., HttpResponse]:
    """An SSO view (accounts/oidc.py), loaded with its first request: the OpenID Connect client
    (requests, PyJWT, cryptography, about 25 MB) stays out of processes that never use it."""

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from samverkan.accounts import oidc

        return getattr(oidc, name)(request, *args, **kwargs)

    view.__name__ = view.__qualname__ = name
    view.access = "public"  # type: ignore[attr-defined]  # as on the views themselves
    return view


app_name = "accounts"
urlpatterns = [
    path("konto/logga-in/", views.login, name="login"),
    path("konto/logga-ut/", views.logout, name="logout"),
    path("konto/losenord/", views.password_change, name="password_change"),
    path("konto/losenord/klart/", views.password_change_done, name="password_change_done"),
    path("konto/inbjudningar/", views.invitations, name="invitations"),
    path(
        "konto/inbjudningar/<int:invitation_id>/svar/",
        views.invitation_answer,
        name="invitation_answer",
    ),
    path("inbjudan/<str:token>/", views.invitation_link, name="invitation_link"),
    path("konto/sso/", _sso("start"), name="oidc_start"),
    path("konto/sso/svar/", _sso("callback"), name="oidc_callback"),
    path("konto/sso/koppla/", _sso("link_page"), name="oidc_link"),
    path("konto/tvastegsverifiering/", views.two_factor_setup, name="two_factor"),
    path("konto/tvastegsverifiering/kod/", views.two_factor_verify, name="two_factor_verify"),
]
