"""URL configuration. Every view declares its access (see accounts.decorators)."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path
from django.views.i18n import set_language

from samverkan.lib.lazy_urls import lazy_include
from samverkan.operations.health import health


def home(request: HttpRequest) -> HttpResponse:
    return redirect("partnerships:list")


# The access rule rides on the views for the URL access test (mypy knows no function
# attributes).
home.access = "public"  # type: ignore[attr-defined]
set_language.access = "public"  # type: ignore[attr-defined]

urlpatterns = [
    path("", home, name="home"),
    path("halsa/", health, name="health"),
    path("sprak/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("samverkan.accounts.urls")),
    path("", include("samverkan.partnerships.urls")),
    path("", include("samverkan.process.urls")),
    path("", include("samverkan.jobs.urls")),
    path("", include("samverkan.mapping.urls")),
    path("", include("samverkan.problems.urls")),
    path("", include("samverkan.documents.urls")),
    path("", include("samverkan.implementation.urls")),
    path("", include("samverkan.followup.urls")),
    path("", include("samverkan.fieldwork.urls")),
    path("", include("samverkan.api.urls")),
    path("", include("samverkan.problems.public_urls")),
    path("", include("samverkan.learning.urls")),
    # The APIs (django-ninja and its schemas) load with their first request or reverse().
    lazy_include("api/v1/", "samverkan.api.v1", namespace="api-v1"),
    lazy_include("api/gis/", "samverkan.api.ogc_urls", namespace="api-gis"),
]

handler404 = "samverkan.lib.errors.not_found"
handler403 = "samverkan.lib.errors.forbidden"
handler500 = "samverkan.lib.errors.server_error"
