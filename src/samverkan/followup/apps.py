from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "samverkan.followup"
    verbose_name = _("Steg 5: Uppföljning")

    def ready(self) -> None:
        from samverkan.followup import checklist  # noqa: F401 - registers step 5
