"""The one place that decides who may see and change what.

Rules (issue 2, DESIGN.md):
- A user sees a partnership only through a membership in one of its parties.
- An outsider asking for anything in a partnership gets 404: we do not even confirm it exists.
- A member without an editing role who tries to change anything gets 403.
- A party's private material (its own mapping, step 2) is visible only to that party's members
  until the party shares it.
- A field reporter (Role.REPORTER) and nothing else in a partnership may file field reports
  and read the weekly picture (actions "report" and "weekly"); every other page answers 403.

Views never query partnership data directly: they call ``get_partnership_for`` and then
``scoped`` for child objects, so every lookup is tied to a partnership the user may see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
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
# Filing a field report: field staff and those who edit (fieldwork).
REPORT_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.REPORTER})
# What a member holding only these roles may do: nothing but the field-work actions.
REPORTER_ACTIONS = frozenset({"report", "weekly"})


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


def is_reporter_only(user: Any, partnership: Partnership) -> bool:
    """Whether the user's only role in the partnership is field reporter."""
    roles = roles_in(user, partnership)
    return bool(roles) and roles <= {Role.REPORTER}


def can_report(user: Any, partnership: Partnership) -> bool:
    return bool(roles_in(user, partnership) & REPORT_ROLES)


def reporter_only_partnership_ids(user: Any) -> frozenset[int]:
    """The partnerships in which ``user`` is a field reporter and nothing else."""
    from samverkan.accounts.models import Membership

    if not getattr(user, "is_authenticated", False):
        return frozenset()
    roles: dict[int, set[str]] = {}
    for partnership_id, role in Membership.objects.filter(user=user).values_list(
        "party__partnership_id", "role"
    ):
        roles.setdefault(partnership_id, set()).add(role)
    return frozenset(pk for pk, held in roles.items() if held <= {Role.REPORTER})


def get_partnership_for(user: Any, pk: int, *, action: str = "view") -> Partnership:
    """Fetch a partnership for ``action`` ("view", "edit", "manage", "lead", "approve",
    "confirm", "report" or "weekly").

    Raises Http404 for outsiders and PermissionDenied for members who lack the right. A
    partnership that requires two-factor sign-in raises ``two_factor.TwoFactorRequired`` (a
    PermissionDenied) for a member whose session has no second factor; the middleware sends
    a browser on to the code or enrolment page.
    """
    from samverkan.accounts import two_factor

    # Pages name the municipality and the police area: read them with the partnership.
    partnership = (
        partnerships_for(user).filter(pk=pk).select_related("municipality", "police_area").first()
    )
    if partnership is None:
        raise Http404("Ingen sådan samverkan")
    two_factor.require_for_partnership(user, partnership)
    if action not in REPORTER_ACTIONS and is_reporter_only(user, partnership):
        # A field reporter files reports and reads the weekly picture; nothing else.
        raise PermissionDenied("En fältrapportör kan bara rapportera och läsa veckolägesbilden.")
    allowed = {
        "report": lambda: can_report(user, partnership),
        "weekly": lambda: True,
        "view": lambda: True,
        "edit": lambda: can_edit(user, partnership),
        "manage": lambda: can_manage(user, partnership),
        # Leads some party (administrator or coordinator): the view then asks the membership
        # rules whether the user leads the party concerned (accounts.membership). A superuser
        # gets through to give a reason there.
        "lead": lambda: can_edit(user, partnership) or bool(getattr(user, "is_superuser", False)),
        "approve": lambda: can_approve(user, partnership),
        "confirm": lambda: can_confirm(user, partnership),
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
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Objektet finns inte i denna samverkan") from exc


def private_parties_for(user: Any, partnership: Partnership) -> models.QuerySet[Party]:
    """The parties whose private material (own mapping) the user may see: their own."""
    return partnership.parties.filter(memberships__user=user).distinct()


def may_see_private(user: Any, party: Party) -> bool:
    return party.memberships.filter(user=user).exists()


def released_mapping_parties(partnership: Partnership) -> models.QuerySet[Party]:
    """The parties whose own mapping the joint lägesbild (Lag 2023:196, 4 §) may draw on.

    A party's mapping is private until the party shares its lägesbild; sharing it is the act
    that releases the mapping behind it to the partnership. The joint documents then use it
    only as aggregates (counts per category, place and year; survey shares; costs; safety
    walk observations; the inventory of resources), never row by row, with small counts
    suppressed in public editions. Notes of experience stay with the party.
    """
    from samverkan.mapping.choices import ReportStatus

    # With the organisation: the documents name each party (no query per party).
    return (
        partnership.parties.filter(situation_report__status=ReportStatus.SHARED)
        .select_related("organisation")
        .order_by("organisation__name")
    )


# ---- confidential items and everything derived from them --------------------------------------
#
# A confidential item (a cause or measure that points out people) is readable only by members of
# its allowed parties. Whatever is derived from it (its status, its activity log, a meeting task
# tied to it, an issued document that shows it, a history entry about any of these, a diff line,
# an export row) inherits the restriction. A restriction is a list of party ids: [] means open to
# every member of the partnership; otherwise a reader must belong to one of the listed parties.
# [-1] matches nobody: when in doubt, hide.

NOBODY: list[int] = [-1]


def party_ids(user: Any, partnership: Partnership | int) -> frozenset[int]:
    """The ids of the parties through which ``user`` belongs to ``partnership`` (cached)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    from samverkan.accounts.models import Membership

    def fetch(partnership_id: int) -> frozenset[int]:
        return frozenset(
            Membership.objects.filter(user=user, party__partnership_id=partnership_id).values_list(
                "party_id", flat=True
            )
        )

    if isinstance(partnership, int):
        return fetch(partnership)
    # Cached per partnership object, like ``roles_in``: one request, one lookup.
    cache = partnership.__dict__.setdefault("_party_ids_cache", {})
    if user.pk not in cache:
        cache[user.pk] = fetch(partnership.pk)
    return cache[user.pk]


def confidential_q(user: Any, prefix: str = "") -> models.Q:
    """A filter for querysets of confidential-capable items (or of rows pointing at one through
    ``prefix``, e.g. ``"measure__"``) that keeps only what ``user`` may read."""
    open_items = models.Q(**{f"{prefix}confidential": False})
    if not getattr(user, "is_authenticated", False):
        return open_items
    return open_items | models.Q(**{f"{prefix}allowed_parties__memberships__user": user})


def is_confidential_item(obj: Any) -> bool:
    return hasattr(obj, "confidential") and hasattr(obj, "allowed_parties")


def restriction_of(obj: Any) -> list[int]:
    """The restriction ``obj`` carries, its own or inherited from the item it derives from.

    Models say where they derive from with ``visibility_parent`` (the name of a relation, e.g.
    ``"measure"``); issued documents carry the groups of the confidential items they show.
    """
    if obj is None:
        return []
    if is_confidential_item(obj):
        if not obj.confidential:
            return []
        if obj.pk is None:
            allowed = []
        elif "allowed_parties" in getattr(obj, "_prefetched_objects_cache", {}):
            # Prefetched with the item (a document's listing): no query per item.
            allowed = sorted(p.pk for p in obj.allowed_parties.all())
        else:
            allowed = sorted(obj.allowed_parties.values_list("pk", flat=True))
        return allowed or list(NOBODY)
    groups = getattr(obj, "confidential_access", None)
    if groups:
        # A reader must be allowed every confidential item in the document: as one list of
        # parties, that is the parties found in every group.
        common = set(groups[0]).intersection(*map(set, groups[1:]))
        return sorted(common) or list(NOBODY)
    parent = getattr(obj, "visibility_parent", None)
    if parent:
        return restriction_of(getattr(obj, parent, None))
    return []


def may_read(readers: frozenset[int] | set[int], restriction: list[int] | None) -> bool:
    """Whether a reader belonging to the parties ``readers`` may read what ``restriction``
    covers."""
    return not restriction or bool(set(readers) & set(restriction))


def may_see_item(user: Any, obj: Any, partnership: Partnership | int | None = None) -> bool:
    """Whether ``user`` may read ``obj`` in full (a confidential item or anything derived)."""
    restriction = restriction_of(obj)
    if not restriction:
        return True
    if partnership is None:
        partnership = obj.audit_partnership_id()
    return may_read(party_ids(user, partnership), restriction)


# ---- history ------------------------------------------------------------------------------------

WITHHELD_LABEL = "Uppgift under sekretess"


def history_for(user: Any, partnership: Partnership) -> models.QuerySet:
    """The audit entries of ``partnership`` that ``user`` may list: shared material and the
    private material of the user's own parties. Restricted entries are listed, but must be
    shown through ``mask_history`` (which says that something changed, not what)."""
    from samverkan.accounts.models import AuditEntry

    own = party_ids(user, partnership)
    return AuditEntry.objects.filter(partnership=partnership).filter(
        models.Q(party__isnull=True) | models.Q(party__in=own)
    )


def mask_history(user: Any, partnership: Partnership, entries: Any) -> list[Any]:
    """The entries as ``user`` may read them: restricted ones keep only who and when."""
    from django.utils.translation import gettext

    own = party_ids(user, partnership)
    shown = []
    for entry in entries:
        if not may_read(own, entry.restricted_to):
            entry.object_repr = gettext(WITHHELD_LABEL)
            entry.changes = {}
            entry.reason = ""
        shown.append(entry)
    return shown


def shared_history(partnership: Partnership) -> models.QuerySet:
    """History every member may read in full: no party-private and no restricted entry.
    This is what leaves the system in a partnership-wide export."""
    from samverkan.accounts.models import AuditEntry

    return AuditEntry.objects.filter(partnership=partnership, party__isnull=True).filter(
        restricted_to=[]
    )


# ---- issued documents ---------------------------------------------------------------------------


def may_download_issued(user: Any, issued: Any) -> bool:
    """A version holding confidential items goes only to those allowed to see each one."""
    if not issued.confidential_access:
        return True
    own = party_ids(user, issued.partnership_id)
    return all(own & set(group) for group in issued.confidential_access)


# ---- background jobs ----------------------------------------------------------------------------


def may_see_job(user: Any, job: Any) -> bool:
    """A job's page, progress and file belong to whoever started it and to those who may see
    its subject: an import's job to the members of the importing party. Other jobs (exports,
    document builds) are built for their starter and stay theirs."""
    if not getattr(user, "is_authenticated", False):
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    from samverkan.mapping.models import Import

    party_id = Import.objects.filter(job=job).values_list(
        "party_id", flat=True
    ).first() or job.params.get("party_id")
    if party_id and job.partnership_id:
        return party_id in party_ids(user, job.partnership_id)
    return False
