from django.urls import path

from samverkan.api import views, webhook_views

app_name = "api_pages"
P = "samverkan/<int:pk>/webbkrokar/"
urlpatterns = [
    path("api/v1/docs/", views.docs, name="docs"),
    path("konto/api-nycklar/", views.tokens, name="tokens"),
    path("konto/api-nycklar/<int:token_id>/aterkalla/", views.token_revoke, name="token_revoke"),
    path(P, webhook_views.webhook_list, name="webhooks"),
    path(P + "<int:webhook_id>/", webhook_views.webhook_detail, name="webhook_detail"),
    path(P + "<int:webhook_id>/ta-bort/", webhook_views.webhook_delete, name="webhook_delete"),
]
