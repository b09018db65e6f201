"""Calls to the API as an outside client makes them, shared by the write tests."""

from __future__ import annotations

from typing import Any

from samverkan.accounts.models import AuditEntry, User
from samverkan.api.models import ApiToken


def bearer(user: User | str, read_only: bool = False) -> dict:
    """The header of a new token of ``user`` (a user or a user name)."""
    if isinstance(user, str):
        user = User.objects.get(username=user)
    _token, secret = ApiToken.issue(user, "test", read_only=read_only)
    return {"Authorization": f"Bearer {secret}"}


def send(client: Any, method: str, url: str, body: dict, user: User | str, **kw: Any) -> Any:
    """A JSON call with a new token of ``user`` (``read_only=True`` for a read-only one)."""
    return getattr(client, method)(
        url, body, content_type="application/json", headers=bearer(user, **kw)
    )


def updated_by(label: str, object_id: int) -> set[str]:
    """The user names the history records as having written the object."""
    entries = AuditEntry.objects.filter(model_label=label, object_id=str(object_id))
    return {e.user.username for e in entries.exclude(action="delete")}
