from django.urls import path

from samverkan.jobs import views

app_name = "jobs"
urlpatterns = [
    path("samverkan/<int:pk>/jobb/<int:job_id>/", views.job_detail, name="detail"),
    path("samverkan/<int:pk>/jobb/<int:job_id>/fil/", views.job_download, name="download"),
]
