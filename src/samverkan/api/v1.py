"""The API at /api/v1/ with every router: the core (api.api) and the ones built on its helpers."""

from samverkan.api import fieldwork, opendata, work
from samverkan.api.api import api

api.add_router("", fieldwork.router)
api.add_router("", work.router)
api.add_router("", opendata.router)

# The URLconf of /api/v1/, which samverkan/urls.py includes when it is first used.
urlpatterns, app_name, _namespace = api.urls

__all__ = ["api", "app_name", "urlpatterns"]
