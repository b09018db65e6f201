from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MappingConfig(AppConfig):
    name = "samverkan.mapping"
    verbose_name = _("Steg 2: Egna förberedelser")

    def ready(self) -> None:
        from samverkan.mapping import checklist, figures, jobs  # noqa: F401 - registers step 2

        figures.connect_signals()
