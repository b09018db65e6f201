from django.urls import path

from samverkan.process import views

app_name = "process"
urlpatterns = [
    path("samverkan/<int:pk>/", views.dashboard, name="dashboard"),
    path("samverkan/<int:pk>/lagkrav/", views.law, name="law"),
]
