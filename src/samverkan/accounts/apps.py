from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samverkan.accounts"
    verbose_name = _("Konton och behörighet")

    def ready(self) -> None:
        from samverkan.accounts import audit, checks, membership  # noqa: F401 - checks

        audit.connect_signals()
        membership.connect_signals()
