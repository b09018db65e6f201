"""Login, logout, password change, and answering invitations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from samverkan.accounts import membership, two_factor
from samverkan.accounts.decorators import user_view
from samverkan.accounts.forms import (
    InvitationSignupForm,
    RateLimitedAuthenticationForm,
    SignInCodeForm,
    TwoFactorCodeForm,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = RateLimitedAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context


# Each view carries its access rule for the URL access test; mypy knows no attributes on a
# function (or on what as_view returns), hence attr-defined where each is set.
login = LoginView.as_view()
login.access = "public"  # type: ignore[attr-defined]

class LogoutView(auth_views.LogoutView):
    """Signs out here; after a single sign-on, also at the provider when that is set up
    (OIDC_LOGOUT_AT_PROVIDER: RP-initiated logout, and the provider sends the browser back)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from samverkan.accounts import oidc

        at_provider = oidc.end_session_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(at_provider) if at_provider else response


logout = LogoutView.as_view()
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


# ---- invitations ------------------------------------------------------------------------------


@user_view()
def invitations(request: HttpRequest) -> HttpResponse:
    """The open invitations addressed to the user's account, to accept or decline."""
    return render(
        request,
        "accounts/invitations.html",
        {"invitations": membership.invitations_for(request.user)},
    )


@user_view(methods=("POST",))
def invitation_answer(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = membership.invitations_for(request.user).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("Ingen sådan inbjudan till dig")
    return _answer(request, invitation, reverse("accounts:invitations"))


def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind an invitation's link: answer it, or create an account to accept it.

    The token is the proof of being invited, so whoever holds it may answer; it works once.
    """
    invitation = membership.by_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_gone.html", status=404)
    here = request.get_full_path()
    if request.user.is_authenticated:
        if request.method == "POST":
            return _answer(request, invitation, here)
        return render(request, "accounts/invitation_link.html", {"invitation": invitation})
    form = InvitationSignupForm(
        request.POST if request.method == "POST" else None,
        initial={"username": invitation.username, "email": invitation.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save(commit=False)
                user.organisation = invitation.party.organisation
                user.save()
                membership.accept(invitation, user)
        except membership.MembershipError as exc:
            form.add_error(None, str(exc))
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Välkommen! Ditt konto är skapat och du är medlem i %(name)s.")
                % {"name": invitation.party.partnership},
            )
            return redirect("process:dashboard", pk=invitation.party.partnership_id)
    status = 400 if request.method == "POST" else 200
    sso_url = ""
    if settings.OIDC_ENABLED:
        sso_url = reverse("accounts:oidc_start") + "?" + urlencode({"inbjudan": token})
    return render(
        request,
        "accounts/invitation_link.html",
        {
            "invitation": invitation,
            "form": form,
            "login_next": here,
            "sso_url": sso_url,
            "sso_provider": settings.OIDC_PROVIDER_NAME,
        },
        status=status,
    )


# The access rule rides on the view for the URL access test (mypy knows no function attributes).
invitation_link.access = "public"  # type: ignore[attr-defined]


def _answer(request: HttpRequest, invitation: Any, back: str) -> HttpResponse:
    choice = request.POST.get("answer")
    if choice not in ("accept", "decline"):
        messages.error(request, _("Välj om du tackar ja eller nej till inbjudan."))
        return redirect(back)
    try:
        if choice == "accept":
            membership.accept(invitation, request.user)
        else:
            membership.decline(invitation, request.user)
    except membership.MembershipError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if choice == "decline":
        messages.success(request, _("Du har tackat nej till inbjudan."))
        return redirect("accounts:invitations")
    messages.success(
        request,
        _("Du är nu medlem i %(name)s.") % {"name": invitation.party.partnership},
    )
    return redirect("process:dashboard", pk=invitation.party.partnership_id)


# ---- two-factor sign-in -----------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code: the page the user was on its way to, if it is ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@user_view(methods=("GET", "POST"))
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = request.user
    if two_factor.has_device(user):
        return render(
            request,
            "accounts/two_factor.html",
            {"active": True, "required": two_factor.must_have_device(user)},
        )
    device = two_factor.pending_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.confirm_device(request, device, form.cleaned_data["code"]):
            messages.success(
                request,
                _("Tvåstegsverifiering är påslagen. Du anger en kod från appen när du loggar in."),
            )
            return render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": two_factor.new_backup_codes(user), "next": _next_url(request)},
            )
        form.add_error(
            "code",
            _(
                "Koden stämmer inte. Kontrollera att appen visar koden för Samverkan "
                "och försök igen."
            ),
        )
    return render(
        request,
        "accounts/two_factor.html",
        {
            "active": False,
            "required": two_factor.must_have_device(user),
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "next": _next_url(request),
        },
        status=400 if request.method == "POST" else 200,
    )


@user_view(methods=("GET", "POST"))
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the six-digit code from the user's app."""
    if two_factor.is_verified(request.user):
        return redirect(_next_url(request))
    if not two_factor.has_device(request.user):
        return redirect("accounts:two_factor")
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.check_code(request, form.cleaned_data["code"])
        except two_factor.CodeRefused as exc:
            form.add_error("code", str(exc))
        else:
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if request.method == "POST" else 200,
    )
