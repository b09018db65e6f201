"""Who may bring whom into a partnership, and the rules that must hold while doing it.

- A party's own administrators and coordinators bring people into *that* party, and nobody
  else does: the municipality's administrator cannot place anyone in the police's party (which
  would open the police's private mapping to that person).
- A coordinator may offer every role except administrator; an administrator of the party may
  offer every role.
- Nobody is attached without saying yes. Every addition is an invitation to a user name; an
  account with that name sees it after logging in and accepts or declines, and a person with
  no account creates one through the invitation's link. The inviter gets the same answer
  whether or not an account with the name exists.
- A partnership always keeps at least one administrator. The check and the removal happen in
  one transaction with the administrators' rows locked, so two removals at the same moment
  cannot both pass the check.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
import smtplib
import unicodedata
from typing import TYPE_CHECKING, Any

from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.choices import InvitationStatus, Role
from samverkan.accounts.models import Invitation, Membership

if TYPE_CHECKING:
    from samverkan.partnerships.models import Partnership, Party

logger = logging.getLogger(__name__)

INVITING_ROLES = (Role.ADMIN, Role.COORDINATOR)
INVITATION_DAYS = 14


class MembershipError(Exception):
    """A membership rule says no; the message is for the person who tried (Swedish)."""


def normalise_username(raw: Any) -> str:
    """The name as Django stores and looks it up (NFKC, surrounding space removed)."""
    return unicodedata.normalize("NFKC", str(raw or "")).strip()


def _leaderless(party: Party) -> bool:
    """A party no one leads yet: no administrator or coordinator among its members."""
    return not Membership.objects.filter(party=party, role__in=INVITING_ROLES).exists()


def _partnership_admin(user: Any, partnership_id: int) -> bool:
    return Membership.objects.filter(
        user=user, party__partnership_id=partnership_id, role=Role.ADMIN
    ).exists()


def inviting_parties(user: Any, partnership: Partnership) -> models.QuerySet[Party]:
    """The parties of ``partnership`` into which ``user`` may bring people: their own, where
    they are an administrator or coordinator; and, for an administrator of the partnership,
    a party no one leads yet (a new partnership's other parties), so that its first leader
    can be invited. Once a party has a leader, only its own leaders bring people in."""
    own = models.Q(memberships__user=user, memberships__role__in=INVITING_ROLES)
    if _partnership_admin(user, partnership.pk):
        led = Membership.objects.filter(
            party__partnership=partnership, role__in=INVITING_ROLES
        ).values("party_id")
        own |= ~models.Q(pk__in=led)
    return partnership.parties.filter(own).distinct()


def grantable_roles(user: Any, party: Party) -> list[str]:
    """The roles ``user`` may offer in ``party``: none unless they lead that party, or the
    leading roles when the party has no leader and ``user`` administers the partnership."""
    roles = set(Membership.objects.filter(user=user, party=party).values_list("role", flat=True))
    if Role.ADMIN in roles:
        return [choice.value for choice in Role]
    if Role.COORDINATOR in roles:
        return [choice.value for choice in Role if choice != Role.ADMIN]
    if _leaderless(party) and _partnership_admin(user, party.partnership_id):
        return [Role.ADMIN.value, Role.COORDINATOR.value]
    return []


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invite(inviter: Any, party: Party, username: str, role: str, email: str = "") -> tuple:
    """Create an invitation; returns ``(invitation, token)``. The token is shown once."""
    if role not in grantable_roles(inviter, party):
        raise MembershipError(
            _("Du kan inte bjuda in någon som %(role)s i %(party)s.")
            % {"role": Role(role).label.lower(), "party": party}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        party=party,
        username=normalise_username(username),
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=inviter,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    return invitation, token


def mail_link(invitation: Invitation, link: str) -> bool:
    """Send the link to the address the inviter gave; False if the mail could not go."""
    body = _(
        "Du är inbjuden till %(partnership)s som %(role)s för %(party)s.\n\n"
        "Öppna länken för att svara (den gäller i %(days)s dagar):\n%(link)s\n"
    ) % {
        "partnership": invitation.party.partnership,
        "role": invitation.get_role_display().lower(),
        "party": invitation.party,
        "days": INVITATION_DAYS,
        "link": link,
    }
    try:
        send_mail(_("Inbjudan till samverkan"), body, None, [invitation.email])
    except (OSError, smtplib.SMTPException):
        logger.exception("invitation mail to %s failed", invitation.email)
        return False
    return True


def _open() -> models.QuerySet[Invitation]:
    return Invitation.objects.filter(
        status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    ).select_related("party__organisation", "party__partnership", "invited_by")


def invitations_for(user: Any) -> models.QuerySet[Invitation]:
    """Open invitations addressed to the user's account name."""
    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    return invitations_for_name(user.username)


def invitations_for_name(username: str) -> models.QuerySet[Invitation]:
    """Open invitations addressed to ``username`` (whether or not such an account exists)."""
    return _open().filter(username__iexact=normalise_username(username))


def open_invitations(partnership: Partnership) -> models.QuerySet[Invitation]:
    return _open().filter(party__partnership=partnership)


def by_token(token: str) -> Invitation | None:
    """The open invitation whose link carries ``token``, or None."""
    if not token or len(token) > 100:
        return None
    return _open().filter(token_hash=token_hash(token)).first()


@transaction.atomic
def accept(invitation: Invitation, user: Any) -> Membership:
    """Make ``user`` a member as the invitation offers; once only.

    The offer holds only while the inviter may still make it: an invitation from someone who
    has since left the party, or lost the role, lapses.
    """
    locked = _lock_open(invitation)
    if locked.invited_by is None or locked.role not in grantable_roles(
        locked.invited_by, locked.party
    ):
        raise MembershipError(
            _("Inbjudan gäller inte längre: den som bjöd in kan inte längre bjuda in till parten.")
        )
    partnership = locked.party.partnership
    if Membership.objects.filter(user=user, party__partnership=partnership).exists():
        raise MembershipError(
            _(
                "Du är redan medlem i %(name)s. Be en administratör ta bort ditt medlemskap "
                "först om du ska byta part eller roll."
            )
            % {"name": partnership}
        )
    membership = Membership.objects.create(user=user, party=locked.party, role=locked.role)
    _answer(locked, user, InvitationStatus.ACCEPTED)
    return membership


@transaction.atomic
def decline(invitation: Invitation, user: Any) -> None:
    _answer(_lock_open(invitation), user, InvitationStatus.DECLINED)


@transaction.atomic
def revoke(invitation: Invitation, user: Any) -> None:
    """Withdraw an open invitation: by those who may invite into its party."""
    locked = _lock_open(invitation)
    if not inviting_parties(user, locked.party.partnership).filter(pk=locked.party_id).exists():
        raise MembershipError(
            _("Bara partens administratörer och samordnare kan återkalla inbjudan.")
        )
    _answer(locked, user, InvitationStatus.REVOKED)


def _lock_open(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.select_for_update()
        .select_related("party__partnership", "party__organisation")
        .get(pk=invitation.pk)
    )
    if locked.status != InvitationStatus.PENDING or locked.expires_at <= timezone.now():
        raise MembershipError(_("Inbjudan gäller inte längre."))
    return locked


def _answer(invitation: Invitation, user: Any, status: str) -> None:
    invitation.status = status
    invitation.answered_at = timezone.now()
    invitation.answered_by = user
    invitation.save(update_fields=["status", "answered_at", "answered_by"])


def _locked_admins(partnership: Partnership) -> list[int]:
    """The ids of the partnership's administrators, their rows locked (in id order, so two
    changes queue rather than deadlock) until the transaction ends."""
    return list(
        Membership.objects.select_for_update(of=("self",))
        .filter(party__partnership=partnership, role=Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def remove_member(partnership: Partnership, membership_id: int) -> Membership:
    """Remove a membership unless it is the partnership's last administrator.

    The administrators' rows are locked (in id order, so two removals queue rather than
    deadlock) before they are counted; a concurrent removal waits and then counts what is
    left. On SQLite the write transaction itself is exclusive (transaction_mode IMMEDIATE).
    Raises Membership.DoesNotExist for an id outside the partnership.
    """
    admins = _locked_admins(partnership)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership_id, party__partnership=partnership)
    )
    if membership.role == Role.ADMIN and admins == [membership.pk]:
        raise MembershipError(_("Den sista administratören kan inte tas bort."))
    membership.delete()
    return membership


@transaction.atomic
def change_role(partnership: Partnership, membership_id: int, role: str) -> Membership:
    """Give a member another role, unless that leaves the partnership without administrator.

    Locks as ``remove_member`` does, so two changes at once cannot both take away the last
    administrator. Raises Membership.DoesNotExist for an id outside the partnership.
    """
    admins = _locked_admins(partnership)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "party__organisation")
        .get(pk=membership_id, party__partnership=partnership)
    )
    if role not in Role.values:
        raise MembershipError(_("Välj en av rollerna i listan."))
    if membership.role == Role.ADMIN and role != Role.ADMIN and admins == [membership.pk]:
        raise MembershipError(
            _(
                "Den sista administratören kan inte få en annan roll. Ge först någon annan "
                "rollen administratör."
            )
        )
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
