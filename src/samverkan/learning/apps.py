from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    """National learning: open data per partnership, harvesting and the evidence bank."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "samverkan.learning"
    verbose_name = _("Lärande mellan kommuner")
