from django.urls import path

from samverkan.mapping import map_views as m
from samverkan.mapping import views as v

app_name = "mapping"
P = "samverkan/<int:pk>/kartlaggning/"
Q = P + "parter/<int:party_id>/"

urlpatterns = [
    path(P, v.home, name="home"),
    path(P + "delade-lagesbilder/", v.shared_reports, name="shared_reports"),
    path(Q, v.workspace, name="workspace"),
    path(Q + "import/", v.import_upload, name="import_upload"),
    path(Q + "import/<int:import_id>/", v.import_detail, name="import_detail"),
    path(Q + "import/<int:import_id>/kolumner/", v.import_mapping, name="import_mapping"),
    path(Q + "import/<int:import_id>/omraden/", v.import_areas, name="import_areas"),
    path(Q + "statistik/", v.statistics, name="statistics"),
    path(Q + "statistik/jamforelsekommuner/", v.comparison_edit, name="comparison_edit"),
    path(Q + "karta/", m.map_page, name="map"),
    path(Q + "karta/data.geojson", m.map_data, name="map_data"),
    path(Q + "karta/omradesgrans/", m.boundary_upload, name="boundary_upload"),
    path(Q + "karta/omradesgrans/ta-bort/", m.boundary_delete, name="boundary_delete"),
    path(Q + "lagesbild/", v.report, name="report"),
    path(Q + "lagesbild/andra/", v.report_edit, name="report_edit"),
    path(Q + "lagesbild/utkast/", v.report_draft, name="report_draft"),
    path(Q + "lagesbild/dela/", v.report_share, name="report_share"),
    path(Q + "lagesbild/dra-tillbaka/", v.report_unshare, name="report_unshare"),
]

for _reg in v.REGISTERS:
    _views = _reg.views()
    _base = Q + _reg.path_part + "/"
    _item = f"{_base}<int:{_reg.id_name}>/"
    urlpatterns += [
        path(_base, _views["list"], name=f"{_reg.slug}_list"),
        path(_base + "ny/", _views["create"], name=f"{_reg.slug}_create"),
        path(_item + "andra/", _views["edit"], name=f"{_reg.slug}_edit"),
        path(_item + "ta-bort/", _views["delete"], name=f"{_reg.slug}_delete"),
    ]
