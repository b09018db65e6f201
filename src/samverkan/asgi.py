"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
django_application = get_asgi_application()

from samverkan.lib.upload_limit import ASGIRequestSizeLimit  # noqa: E402 (needs settings)

application = ASGIRequestSizeLimit(django_application)
