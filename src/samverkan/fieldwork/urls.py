from django.urls import path

from samverkan.fieldwork import views as v

app_name = "fieldwork"
P = "samverkan/<int:pk>/"
urlpatterns = [
    path(P + "faltrapporter/", v.report_list, name="list"),
    path(P + "faltrapporter/ny/", v.report_new, name="new"),
    path(P + "faltrapporter/installningar/", v.report_settings, name="settings"),
    path(P + "faltrapporter/<int:report_id>/ta-bort/", v.report_delete, name="delete"),
    path(P + "faltrapporter/<int:report_id>/granska/", v.report_review, name="review"),
    path(P + "faltrapporter/sw.js", v.service_worker, name="service_worker"),
    path(P + "faltrapporter/skickad/", v.report_sent, name="sent"),
    path(P + "personuppgifter/", v.register, name="register"),
    path(P + "vecka/", v.week_latest, name="week_latest"),
    path(P + "vecka/<str:week>/", v.week_detail, name="week"),
    path(P + "vecka/<str:week>/prenumeration/", v.week_subscribe, name="subscribe"),
]
