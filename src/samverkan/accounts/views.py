"""Login, logout and password change pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from samverkan.accounts.forms import RateLimitedAuthenticationForm

login = auth_views.LoginView.as_view(
    template_name="accounts/login.html",
    authentication_form=RateLimitedAuthenticationForm,
    redirect_authenticated_user=True,
)
login.access = "public"  # type: ignore[attr-defined]

logout = auth_views.LogoutView.as_view()
logout.access = "public"  # type: ignore[attr-defined]

password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change.access = "user"  # type: ignore[attr-defined]

password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_change_done.access = "user"  # type: ignore[attr-defined]
