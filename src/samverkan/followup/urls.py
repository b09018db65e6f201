from django.urls import path

from samverkan.followup import views as v

app_name = "followup"
P = "samverkan/<int:pk>/steg5/"
urlpatterns = [
    path(P, v.home, name="home"),
    path(P + "effekt/ny/", v.evaluation_create, name="evaluation_create"),
    path(P + "effekt/ny/fran-handelser/", v.evaluation_from_incidents, name="evaluation_count"),
    path(P + "effekt/<int:evaluation_id>/andra/", v.evaluation_edit, name="evaluation_edit"),
    path(P + "styrgruppen/", v.response_create, name="response"),
    path(P + "omgangar/", v.cycles, name="cycles"),
    path(P + "omgangar/ny/", v.cycle_start, name="cycle_start"),
    path(P + "omgangar/oppna-igen/", v.cycle_reopen, name="cycle_reopen"),
    path(P + "fem-i/", v.write_up_page, name="write_up"),
    path(P + "fem-i/nytt-utkast/", v.write_up_redraft, name="write_up_redraft"),
    path(P + "fem-i/<slug:part>/andra/", v.write_up_edit, name="write_up_edit"),
    path(P + "fem-i/<slug:part>/godkann/", v.write_up_approve, name="write_up_approve"),
]
