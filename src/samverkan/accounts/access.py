"""The one place that decides who may see and change what.

Rules (issue 2, DESIGN.md):
- A user sees a partnership only through a membership in one of its parties.
- An outsider asking for anything in a partnership gets 404: we do not even confirm it exists.
- A member without an editing role who tries to change anything gets 403.
- A party's private material (its own mapping, step 2) is visible only to that party's members
  until the party shares it.

Views never query partnership data directly: they call ``get_partnership_for`` and then
``scoped`` for child objects, so every lookup is tied to a partnership the user may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from samverkan.accounts.choices import Role

if TYPE_CHECKING:
    from samverkan.partnerships.models import Partnership, Party

M = TypeVar("M", bound=models.Model)

EDIT_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
MANAGE_ROLES = frozenset({Role.ADMIN})
APPROVE_ROLES = frozenset({Role.ADMIN, Role.STEERING})
# Confirming the joint problem picture speaks for a party: coordinators and the steering group.
CONFIRM_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.STEERING})


def partnerships_for(user: Any) -> models.QuerySet[Partnership]:
    """Every partnership the user belongs to (through any party)."""
    from samverkan.partnerships.models import Partnership

    if not getattr(user, "is_authenticated", False):
        return Partnership.objects.none()
    return Partnership.objects.filter(parties__memberships__user=user).distinct()


def roles_in(user: Any, partnership: Partnership) -> frozenset[str]:
    """The user's roles in the partnership (cached on the partnership object per request)."""
    cache = partnership.__dict__.setdefault("_roles_cache", {})
    if user.pk not in cache:
        from samverkan.accounts.models import Membership

        cache[user.pk] = frozenset(
            Membership.objects.filter(user=user, party__partnership=partnership).values_list(
                "role", flat=True
            )
        )
    return cache[user.pk]


def can_edit(user: Any, partnership: Partnership) -> bool:
    return bool(roles_in(user, partnership) & EDIT_ROLES)


def can_manage(user: Any, partnership: Partnership) -> bool:
    return bool(roles_in(user, partnership) & MANAGE_ROLES)


def can_approve(user: Any, partnership: Partnership) -> bool:
    return bool(roles_in(user, partnership) & APPROVE_ROLES)


def can_confirm(user: Any, partnership: Partnership) -> bool:
    return bool(roles_in(user, partnership) & CONFIRM_ROLES)


def get_partnership_for(user: Any, pk: int, *, action: str = "view") -> Partnership:
    """Fetch a partnership for ``action`` ("view", "edit", "manage" or "approve").

    Raises Http404 for outsiders and PermissionDenied for members who lack the right.
    """
    partnership = partnerships_for(user).filter(pk=pk).first()
    if partnership is None:
        raise Http404("Ingen sådan samverkan")
    allowed = {
        "view": lambda: True,
        "edit": lambda: can_edit(user, partnership),
        "manage": lambda: can_manage(user, partnership),
        "approve": lambda: can_approve(user, partnership),
    }[action]
    if not allowed():
        raise PermissionDenied("Din roll i samverkan ger inte rätt att göra detta.")
    return partnership


def scoped(queryset: models.QuerySet[M], partnership: Partnership, pk: Any) -> M:
    """Fetch one child object of ``partnership`` or raise Http404.

    The queryset's model must have a ``partnership`` relation (directly or declared through
    ``partnership_lookup``), so an id from another partnership is simply not found.
    """
    lookup = getattr(queryset.model, "partnership_lookup", "partnership")
    try:
        return queryset.get(**{lookup: partnership, "pk": pk})
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Objektet finns inte i denna samverkan") from exc


def private_parties_for(user: Any, partnership: Partnership) -> models.QuerySet[Party]:
    """The parties whose private material (own mapping) the user may see: their own."""
    return partnership.parties.filter(memberships__user=user).distinct()


def may_see_private(user: Any, party: Party) -> bool:
    return party.memberships.filter(user=user).exists()
