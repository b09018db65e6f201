"""Scheduled tasks for Celery beat (production)."""

from celery import shared_task

from samverkan.fieldwork.services import erase_expired_text
from samverkan.fieldwork.weekly_mail import previous_week, send_weekly_reports


@shared_task(name="samverkan.send_weekly_reports")
def send_weekly_reports_task() -> str:
    partnerships, sent = send_weekly_reports(*previous_week())
    return f"{sent} e-mails in {partnerships} partnerships"


@shared_task(name="samverkan.erase_field_report_text")
def erase_field_report_text_task() -> str:
    partnerships, erased = erase_expired_text()
    return f"free text of {erased} field reports erased in {partnerships} partnerships"
