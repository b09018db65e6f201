from django.urls import path

from samverkan.problems import feeds, views

app_name = "public"
urlpatterns = [
    path(
        "offentligt/samverkan/<int:pk>/medborgarlofte/",
        views.public_promises,
        name="promises",
    ),
    path(
        "offentligt/samverkan/<int:pk>/medborgarlofte/atom/",
        feeds.PromiseFeed(),
        name="promises_feed",
    ),
]
