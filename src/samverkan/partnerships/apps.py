from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipsConfig(AppConfig):
    name = "samverkan.partnerships"
    verbose_name = _("Steg 1: Initiera samverkan")
