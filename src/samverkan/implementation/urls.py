from django.urls import path

from samverkan.implementation import views as v

app_name = "implementation"
P = "samverkan/<int:pk>/steg4/"
urlpatterns = [
    path(P, v.home, name="home"),
    path(P + "atgarder/<int:measure_id>/", v.measure_log, name="log"),
    path(P + "atgarder/<int:measure_id>/status/", v.progress_edit, name="progress"),
    path(P + "atgarder/<int:measure_id>/aktivitet/", v.activity_create, name="activity"),
    path(P + "moten/<int:meeting_id>/uppgift/", v.action_item_create, name="action_item"),
    path(P + "uppgifter/<int:action_id>/klar/", v.action_item_done, name="action_item_done"),
]
