from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from samverkan.learning.harvest import HarvestError, harvest
from samverkan.learning.models import RegionalScope, RemoteCatalogue


@admin.register(RemoteCatalogue)
class RemoteCatalogueAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "fetched_at", "last_error"]
    readonly_fields = ["fetched_at", "last_error"]
    exclude = ["results"]
    actions = ["harvest_now"]

    @admin.action(description=_("Hämta de valda katalogerna nu"))
    def harvest_now(self, request: HttpRequest, queryset: QuerySet[RemoteCatalogue]) -> None:
        for remote in queryset:
            try:
                outcome = harvest(remote)
                level = messages.WARNING if outcome.dropped else messages.SUCCESS
                self.message_user(request, f"{remote}: {outcome.message}", level)
            except HarvestError as exc:
                self.message_user(request, f"{remote}: {exc}", messages.ERROR)


@admin.register(RegionalScope)
class RegionalScopeAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    filter_horizontal = ["municipalities", "readers"]
