from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessConfig(AppConfig):
    name = "samverkan.process"
    verbose_name = _("Processen i fem steg")
