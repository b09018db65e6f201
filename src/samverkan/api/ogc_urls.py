"""URLs of the GIS layers (OGC API – Features) at /api/gis/."""

from django.urls import path

from samverkan.api import ogc

app_name = "api-gis"
urlpatterns = [
    path("", ogc.landing, name="landing"),
    path("api", ogc.definition, name="definition"),
    path("conformance", ogc.conformance, name="conformance"),
    path("collections", ogc.collections, name="collections"),
    path("collections/<str:collection_id>", ogc.collection, name="collection"),
    path("collections/<str:collection_id>/items", ogc.items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", ogc.item, name="item"),
]
