from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "samverkan.documents"
    verbose_name = _("Dokument")

    def ready(self) -> None:
        from samverkan.documents import jobs  # noqa: F401 - registers the build job
