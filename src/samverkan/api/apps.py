from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "samverkan.api"
    label = "api"
    verbose_name = _("Öppet API")

    def ready(self) -> None:
        from samverkan.accounts.models import AuditEntry
        from samverkan.api import webhooks

        # An issued version or a recorded decision is told to the partnership's webhooks.
        post_save.connect(webhooks.on_audit_entry, sender=AuditEntry, dispatch_uid="api_webhooks")
