"""The Django admin for accounts: users, organisations, memberships and the records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from samverkan.accounts import audit
from samverkan.accounts import membership as membership_rules
from samverkan.accounts.forms import RateLimitedAdminAuthenticationForm
from samverkan.accounts.models import (
    AuditEntry,
    Invitation,
    LoginAttempt,
    Membership,
    Organisation,
    ProviderIdentity,
    User,
)
from samverkan.lib import forms as lib_forms

# The admin's login page is under the same limit as the site's and records its failures.
admin.site.login_form = RateLimitedAdminAuthenticationForm


class ProviderIdentityInline(admin.TabularInline):
    """An administrator's mapping: the person's id at the provider, tied to this account
    (the proof is the administrator's own check of who the person is)."""

    model = ProviderIdentity
    fk_name = "user"
    extra = 0
    fields = ("issuer", "subject", "method", "linked_by", "linked_at", "last_used_at")
    readonly_fields = ("method", "linked_by", "linked_at", "last_used_at")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["issuer"].initial = settings.OIDC_OP_ISSUER
        return formset


def _mark_admin_links(request: HttpRequest, instances: list[Any]) -> None:
    for instance in instances:
        if isinstance(instance, ProviderIdentity) and instance.pk is None:
            instance.method = ProviderIdentity.Method.ADMIN
            instance.linked_by = request.user


@admin.register(User)
class SamverkanUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Samverkan", {"fields": ("organisation", "title")}),
    )
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    inlines = [ProviderIdentityInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save(commit=False)
        _mark_admin_links(request, instances)
        for instance in instances:
            instance.save()
        for gone in formset.deleted_objects:
            gone.delete()
        formset.save_m2m()


@admin.register(ProviderIdentity)
class ProviderIdentityAdmin(admin.ModelAdmin):
    """Every account's link to the provider: review the kept ("legacy") ones, remove a link
    when a person leaves or an account must be tied anew."""

    list_display = ("user", "subject", "issuer", "method", "linked_at", "last_used_at")
    list_filter = ("method", "issuer")
    search_fields = ("user__username", "subject")
    raw_id_fields = ("user",)
    readonly_fields = ("method", "linked_by", "linked_at", "last_used_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        _mark_admin_links(request, [obj])
        super().save_model(request, obj, form, change)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code")
    search_fields = ("name", "code")


class MembershipAdminForm(lib_forms.ModelForm):
    """A membership in the admin: every change carries a reason, kept in the history.

    A role change goes through the membership rules (accounts.membership): a superuser may
    take away a party's last leader, giving the reason; a staff member who is no superuser
    may not act for a party at all unless they lead it.
    """

    reason = forms.CharField(
        label=_("Motivering"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Varför ändringen görs. Sparas i samverkans historik."),
        error_messages={"required": _("Ange en motivering: den sparas i historiken.")},
    )

    class Meta:
        model = Membership
        fields = ["user", "party", "role"]


class MembershipRemoveForm(lib_forms.Form):
    reason = MembershipAdminForm.base_fields["reason"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships are changed here only by superusers, with a reason (a party governs
    itself; the admin is the way back for a party that has lost its last leader)."""

    form = MembershipAdminForm
    list_display = ("user", "party", "role")
    list_filter = ("role",)
    actions = None  # no bulk deletion past the rules

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple:
        # A membership moves to another person or party by a new invitation, never here.
        return ("user", "party") if obj is not None else ()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Membership | None = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(
        self, request: HttpRequest, obj: Membership, form: forms.ModelForm, change: bool
    ) -> None:
        reason = form.cleaned_data["reason"]
        if change:
            try:
                with audit.reason(reason):
                    membership_rules.change_role(
                        obj.party.partnership, obj.pk, obj.role, actor=request.user, reason=reason
                    )
            except membership_rules.MembershipError as exc:
                raise PermissionDenied(str(exc)) from exc
            return
        with audit.reason(reason):
            obj.save()

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        """Removal asks for the reason, then goes through the membership rules."""
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_delete_permission(request, obj):
            raise PermissionDenied
        form = MembershipRemoveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                membership_rules.remove_member(
                    obj.party.partnership,
                    obj.pk,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except membership_rules.MembershipError as exc:
                form.add_error("reason", str(exc))
            else:
                self.message_user(request, _("Medlemskapet %(obj)s är borttaget.") % {"obj": obj})
                return redirect("admin:accounts_membership_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Ta bort medlemskap"),
            "object": obj,
            "form": form,
            "opts": self.model._meta,
            **(extra_context or {}),
        }
        return TemplateResponse(
            request,
            "admin/accounts/membership/remove.html",
            context,
            status=400 if request.method == "POST" else 200,
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "user_name", "action", "model_label", "object_repr")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("username", "party", "role", "status", "created_at", "expires_at")
    list_filter = ("status", "role")
    search_fields = ("username", "email")
    readonly_fields = ("token_hash", "invited_by", "answered_at", "answered_by")


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Failed and refused logins, for operators looking into a lock or an attack."""

    list_display = ("at", "username", "address")
    search_fields = ("username", "address")
    readonly_fields = [f.name for f in LoginAttempt._meta.fields]
