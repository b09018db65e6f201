from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "samverkan.problems"
    verbose_name = _("Steg 3: Gemensamma förberedelser")

    def ready(self) -> None:
        from samverkan.problems import checklist  # noqa: F401 - registers step 3's checklist
