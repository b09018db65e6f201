from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MappingConfig(AppConfig):
    name = "samverkan.mapping"
    verbose_name = _("Steg 2: Egna förberedelser")

    def ready(self) -> None:
        # Job modules register themselves when a job is first run or shown (jobs.registry).
        from samverkan.mapping import checklist, figures  # noqa: F401 - registers step 2

        figures.connect_signals()
