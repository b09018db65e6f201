"""Domain operations of step 1 that touch several models at once."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from samverkan.accounts.choices import Role
from samverkan.accounts.models import Membership, Organisation, User
from samverkan.partnerships.choices import MilestoneKind, PartyKind
from samverkan.partnerships.models import Cycle, Milestone, Partnership, Party

CREATE_PERMISSION = "partnerships.add_partnership"


def may_create_partnership(user: Any) -> bool:
    """Starting a partnership is a site-level right (Django's ``add_partnership`` permission),
    given by an operator with ``manage.py grant_create_partnership`` or in the admin;
    superusers have it. Without it anyone could found a partnership and run imports in it."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(CREATE_PERMISSION))


def create_permission() -> Permission:
    """The permission object behind CREATE_PERMISSION, to give to a user or a group."""
    app_label, codename = CREATE_PERMISSION.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def create_partnership(
    partnership: Partnership,
    municipality: Organisation,
    police_area: Organisation,
    creator: User,
    creator_side: str,
) -> Partnership:
    """Save a new partnership with both signing parties, cycle 1 and the creator as admin.

    What it stores is Swedish whatever the creator's language (the signatories' titles)."""
    for org in (municipality, police_area):
        if org.pk is None:
            org.save()
    partnership.municipality = municipality
    partnership.police_area = police_area
    partnership.created_by = creator
    partnership.save()
    with translation.override("sv"):
        titles = (str(_("Kommunstyrelsens ordförande")), str(_("Lokalpolisområdeschef")))
    parties = {
        "municipality": Party.objects.create(
            partnership=partnership,
            organisation=municipality,
            kind=PartyKind.SIGNATORY,
            signatory_title=titles[0],
        ),
        "police_area": Party.objects.create(
            partnership=partnership,
            organisation=police_area,
            kind=PartyKind.SIGNATORY,
            signatory_title=titles[1],
        ),
    }
    Membership.objects.create(user=creator, party=parties[creator_side], role=Role.ADMIN)
    Cycle.objects.create(partnership=partnership, number=1, starts_on=partnership.started_on)
    return partnership


# A typical Swedish municipal budget year (dates vary by municipality; users adjust them).
# The handbook (p. 33) advises finishing the problem phases before the budget process so the
# measures can be financed.
_BUDGET_STEPS: tuple[tuple[int, int, str, int | None], ...] = (
    (2, 15, gettext_noop("Budgetdirektiv för nästa år beslutas"), None),
    (3, 31, gettext_noop("Gemensam problembild klar (steg 3) för att hinna in i budgetarbetet"), 3),
    (4, 30, gettext_noop("Nämndernas budgetunderlag lämnas"), None),
    (6, 15, gettext_noop("Kommunfullmäktige beslutar om budget och mål"), None),
    (11, 30, gettext_noop("Nämndernas verksamhetsplaner med åtgärderna beslutas"), 4),
)


@transaction.atomic
def add_budget_process(partnership: Partnership, year: int) -> list[Milestone]:
    """Add the usual budget-process dates for ``year``, skipping ones already there."""
    created = []
    for month, day, title, step in _BUDGET_STEPS:
        date = datetime.date(year, month, day)
        kind = MilestoneKind.BUDGET if step is None else MilestoneKind.STEP
        # Known by date, kind and step: never by its title (stored in Swedish, but a user may
        # have renamed it).
        exists = partnership.milestones.filter(date=date, kind=kind, step=step).exists()
        if not exists:
            created.append(
                Milestone.objects.create(
                    partnership=partnership,
                    date=date,
                    title=title,  # Swedish whatever the user's language
                    kind=kind,
                    step=step,
                )
            )
    return created
