from django.urls import path

from samverkan.api import views

app_name = "api_pages"
urlpatterns = [
    path("api/v1/docs/", views.docs, name="docs"),
    path("konto/api-nycklar/", views.tokens, name="tokens"),
    path("konto/api-nycklar/<int:token_id>/aterkalla/", views.token_revoke, name="token_revoke"),
]
