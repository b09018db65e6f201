from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from samverkan.accounts.forms import RateLimitedAdminAuthenticationForm
from samverkan.accounts.models import (
    AuditEntry,
    Invitation,
    LoginAttempt,
    Membership,
    Organisation,
    User,
)

# The admin's login page is under the same limit as the site's and records its failures.
admin.site.login_form = RateLimitedAdminAuthenticationForm


@admin.register(User)
class SamverkanUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Samverkan", {"fields": ("organisation", "title", "oidc_subject")}),
    )
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code")
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "party", "role")
    list_filter = ("role",)


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
