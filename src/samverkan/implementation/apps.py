from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "samverkan.implementation"
    verbose_name = _("Steg 4: Genomförande")

    def ready(self) -> None:
        from samverkan.implementation import checklist  # noqa: F401 - registers step 4
