from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from samverkan.accounts.forms import RateLimitedAdminAuthenticationForm
from samverkan.accounts.models import AuditEntry, Membership, Organisation, User

# The admin's login page is under the same limit as the site's and records its failures.
admin.site.login_form = RateLimitedAdminAuthenticationForm


@admin.register(User)
class SamverkanUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Samverkan", {"fields": ("organisation", "title")}))
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
