from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "samverkan.problems"
    verbose_name = _("Steg 3: Gemensamma förberedelser")
