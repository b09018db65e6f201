from django.urls import path, re_path

from samverkan.learning import views as v

app_name = "learning"
urlpatterns = [
    path("oppna-data/katalog.jsonld", v.catalogue, name="catalogue"),
    path("oppna-data/samverkan/<int:pk>.json", v.dataset_json, name="dataset_json"),
    path(
        "oppna-data/samverkan/<int:pk>/effektuppfoljningar.csv", v.dataset_csv, name="dataset_csv"
    ),
    path("kunskapsbank/", v.evidence_bank, name="evidence"),
    path("samverkan/<int:pk>/oppna-data/", v.publish, name="publish"),
    path("region/", v.regions, name="regions"),
    path("region/<int:scope_id>/", v.region, name="region"),
    path("region/<int:scope_id>/kommuner.csv", v.region_csv, name="region_csv"),
    re_path(
        r"^region/(?P<scope_id>[0-9]+)/sammanstallning\.(?P<fmt>pdf|docx)$",
        v.region_document,
        name="region_document",
    ),
    path("region/<int:scope_id>/jobb/<int:job_id>/", v.region_job, name="region_job"),
]
