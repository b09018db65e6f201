from django.urls import path

from samverkan.process import views

app_name = "process"
urlpatterns = [
    path("samverkan/<int:pk>/", views.dashboard, name="dashboard"),
    path("samverkan/<int:pk>/lagkrav/", views.law, name="law"),
    path("hjalp/", views.help_index, name="help"),
    path("hjalp/bild/<str:name>", views.help_image, name="help_image"),
    path("hjalp/<slug:slug>/", views.help_guide, name="help_guide"),
]
