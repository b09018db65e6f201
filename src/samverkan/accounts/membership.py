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

A party governs itself (issue 19, finding 6). Its *leaders* are its administrators and
coordinators (``LEADER_ROLES``):

- Only a leader of a party changes roles in it or removes its members; a coordinator neither
  gives nor takes the role administrator. Nobody in another party does, whatever their role.
- The first-leader exception (a partnership's administrator invites a party's first leader)
  holds only for a party that has *never* had a leader (``Party.has_had_leader``, set for good
  the moment anyone first takes a leading role). A party whose leaders were demoted or removed
  is not open to the other parties' administrators.
- Nobody outside a party removes or demotes its last leader. A superuser may, and must give a
  reason, which is stored with the history entries of the change.
- A party that loses its last leader, by whatever path, gets an entry in the history and its
  members an e-mail.
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

from samverkan.accounts import audit
from samverkan.accounts.choices import InvitationStatus, Role
from samverkan.accounts.models import Invitation, Membership

if TYPE_CHECKING:
    from samverkan.partnerships.models import Partnership, Party

logger = logging.getLogger(__name__)

INVITING_ROLES = (Role.ADMIN, Role.COORDINATOR)
# A party's leaders: those who bring people in, change roles and edit the party itself.
LEADER_ROLES = INVITING_ROLES
INVITATION_DAYS = 14


class MembershipError(Exception):
    """A membership rule says no; the message is for the person who tried (Swedish)."""


class NotPartyLeader(MembershipError):
    """The person trying is not a leader of the party concerned (a view answers 403)."""


def normalise_username(raw: Any) -> str:
    """The name as Django stores and looks it up (NFKC, surrounding space removed)."""
    return unicodedata.normalize("NFKC", str(raw or "")).strip()


def _leaderless(party: Party) -> bool:
    """A party no one has ever led: open to the invitation of its first leader.

    A party whose leaders have been demoted or removed is *not* leaderless in this sense:
    otherwise another party's administrator could empty it of leaders and then place their own
    person at its head (issue 19, finding 6).
    """
    return (
        not party.has_had_leader
        and not Membership.objects.filter(party=party, role__in=LEADER_ROLES).exists()
    )


def leader_roles_in(user: Any, party: Party) -> set[str]:
    """The leading roles ``user`` holds in ``party`` (empty for everyone else)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.filter(user=user, party=party, role__in=LEADER_ROLES).values_list(
            "role", flat=True
        )
    )


def led_party_ids(user: Any, partnership: Partnership) -> set[int]:
    """The parties of ``partnership`` that ``user`` leads."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Membership.objects.filter(
            user=user, party__partnership=partnership, role__in=LEADER_ROLES
        ).values_list("party_id", flat=True)
    )


def may_edit_party(user: Any, party: Party) -> bool:
    """Whether ``user`` may change the party itself (kind, signatory, contribution, its named
    coordinator): its own leaders; and, for a party that has never had a leader (a new
    partnership's other parties), the partnership's editors, who set it up until its first
    leader takes over."""
    if leader_roles_in(user, party):
        return True
    if party.has_had_leader:
        return False
    return Membership.objects.filter(
        user=user, party__partnership_id=party.partnership_id, role__in=LEADER_ROLES
    ).exists()


def editable_party_ids(user: Any, partnership: Partnership) -> set[int]:
    """The parties of ``partnership`` whose details ``user`` may change (``may_edit_party``)."""
    led = led_party_ids(user, partnership)
    if not led:
        return set()
    never_led = partnership.parties.filter(has_had_leader=False).values_list("pk", flat=True)
    return led | set(never_led)


def may_change_membership(user: Any, target: Membership, led_roles: set[str]) -> bool:
    """Whether a user leading the target's party with ``led_roles`` may change or remove the
    membership at all (the buttons on the members page): an administrator of the party may;
    a coordinator may, except for an administrator's membership."""
    if Role.ADMIN in led_roles:
        return True
    return Role.COORDINATOR in led_roles and target.role != Role.ADMIN


def _partnership_admin(user: Any, partnership_id: int) -> bool:
    return Membership.objects.filter(
        user=user, party__partnership_id=partnership_id, role=Role.ADMIN
    ).exists()


def inviting_parties(user: Any, partnership: Partnership) -> models.QuerySet[Party]:
    """The parties of ``partnership`` into which ``user`` may bring people: their own, where
    they are an administrator or coordinator; and, for an administrator of the partnership,
    a party no one has ever led (a new partnership's other parties), so that its first leader
    can be invited. Once a party has had a leader, only its own leaders bring people in."""
    own = models.Q(memberships__user=user, memberships__role__in=INVITING_ROLES)
    if _partnership_admin(user, partnership.pk):
        led = Membership.objects.filter(
            party__partnership=partnership, role__in=INVITING_ROLES
        ).values("party_id")
        own |= models.Q(has_had_leader=False) & ~models.Q(pk__in=led)
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
    return by_token_hash(token_hash(token))


def by_token_hash(digest: str) -> Invitation | None:
    """The open invitation whose link's token has this hash (kept in a session), or None."""
    return _open().filter(token_hash=digest).first() if digest else None


@transaction.atomic
def accept(invitation: Invitation, user: Any) -> Membership:
    """Make ``user`` a member as the invitation offers; once only.

    The offer holds only while the inviter may still make it: an invitation from someone who
    has since left the party, or lost the role, lapses.
    """
    locked = _lock_open(invitation)
    from samverkan.partnerships.models import Party

    # Two acceptances of first-leader invitations queue here: the second sees the first's
    # leader (and the flag it sets) and lapses.
    locked.party = (
        Party.objects.select_for_update()
        .select_related("partnership", "organisation")
        .get(pk=locked.party_id)
    )
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


def _locked_leaders(party_id: int) -> list[int]:
    """The ids of the party's leaders' memberships, locked like ``_locked_admins``."""
    return list(
        Membership.objects.select_for_update(of=("self",))
        .filter(party_id=party_id, role__in=LEADER_ROLES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _target(partnership: Partnership, membership_id: int) -> Membership:
    return (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "party__organisation")
        .get(pk=membership_id, party__partnership=partnership)
    )


def _check_actor(actor: Any, target: Membership, new_role: str | None, reason: str) -> bool:
    """Refuse unless ``actor`` may change (``new_role``) or remove (None) ``target``.

    Returns True when the actor acts as a superuser from outside the party's leadership (the
    reason is then required and recorded)."""
    led = leader_roles_in(actor, target.party)
    if Role.ADMIN in led:
        return False
    if Role.COORDINATOR in led:
        if target.role == Role.ADMIN or new_role == Role.ADMIN:
            raise NotPartyLeader(
                _(
                    "En samordnare kan inte ge eller ta rollen administratör. Be en "
                    "administratör i %(party)s."
                )
                % {"party": target.party}
            )
        return False
    if getattr(actor, "is_superuser", False) and getattr(actor, "is_active", False):
        if not (reason or "").strip():
            raise MembershipError(
                _(
                    "Ange en motivering: du ändrar i %(party)s utan att leda parten, och "
                    "motiveringen sparas i historiken."
                )
                % {"party": target.party}
            )
        return True
    raise NotPartyLeader(
        _(
            "Bara %(party)s egna administratörer och samordnare kan ändra roller i parten "
            "eller ta bort dess medlemmar."
        )
        % {"party": target.party}
    )


def _check_last_leader(actor: Any, target: Membership, leaders: list[int], override: bool) -> None:
    """Nobody outside the party takes away its last leader; a superuser with a reason may."""
    if target.role not in LEADER_ROLES or leaders != [target.pk] or override:
        return
    if Membership.objects.filter(user=actor, party=target.party).exists():
        return  # the party itself (its last leader stepping down) decides
    raise MembershipError(
        _("%(user)s är den sista ledaren för %(party)s och kan bara ändras av parten själv.")
        % {"user": target.user, "party": target.party}
    )


@transaction.atomic
def remove_member(
    partnership: Partnership, membership_id: int, *, actor: Any, reason: str = ""
) -> Membership:
    """Remove a membership, if ``actor`` leads its party, unless it is the partnership's last
    administrator or (for anyone outside the party) the party's last leader.

    The administrators' rows are locked (in id order, so two removals queue rather than
    deadlock) before they are counted; a concurrent removal waits and then counts what is
    left. On SQLite the write transaction itself is exclusive (transaction_mode IMMEDIATE).
    Raises Membership.DoesNotExist for an id outside the partnership.
    """
    admins = _locked_admins(partnership)
    membership = _target(partnership, membership_id)
    leaders = _locked_leaders(membership.party_id)
    override = _check_actor(actor, membership, None, reason)
    if membership.role == Role.ADMIN and admins == [membership.pk]:
        raise MembershipError(_("Den sista administratören kan inte tas bort."))
    _check_last_leader(actor, membership, leaders, override)
    with audit.reason((reason or "").strip() or audit.current_reason()):
        membership.delete()
    return membership


@transaction.atomic
def change_role(
    partnership: Partnership, membership_id: int, role: str, *, actor: Any, reason: str = ""
) -> Membership:
    """Give a member another role, if ``actor`` leads the member's party, unless that leaves
    the partnership without administrator or (for anyone outside the party) the party without
    a leader.

    Locks as ``remove_member`` does, so two changes at once cannot both take away the last
    administrator. Raises Membership.DoesNotExist for an id outside the partnership.
    """
    admins = _locked_admins(partnership)
    membership = _target(partnership, membership_id)
    leaders = _locked_leaders(membership.party_id)
    if role not in Role.values:
        raise MembershipError(_("Välj en av rollerna i listan."))
    override = _check_actor(actor, membership, role, reason)
    if membership.role == Role.ADMIN and role != Role.ADMIN and admins == [membership.pk]:
        raise MembershipError(
            _(
                "Den sista administratören kan inte få en annan roll. Ge först någon annan "
                "rollen administratör."
            )
        )
    if role not in LEADER_ROLES:
        _check_last_leader(actor, membership, leaders, override)
    if membership.role != role:
        membership.role = role
        with audit.reason((reason or "").strip() or audit.current_reason()):
            membership.save(update_fields=["role"])
    return membership


# ---- a party's leadership over time ---------------------------------------------------------


def _remember_role(sender: type, instance: Membership, raw: bool = False, **_: Any) -> None:
    if raw or instance.pk is None:
        instance._role_before = None  # type: ignore[attr-defined]
        return
    instance._role_before = (  # type: ignore[attr-defined]
        Membership.objects.filter(pk=instance.pk).values_list("role", flat=True).first()
    )


def _membership_saved(
    sender: type, instance: Membership, created: bool, raw: bool = False, **_: Any
) -> None:
    from samverkan.partnerships.models import Party

    if raw:
        return
    if instance.role in LEADER_ROLES:
        # Once led, for good: the first-leader exception no longer applies to the party.
        Party.objects.filter(pk=instance.party_id, has_had_leader=False).update(has_had_leader=True)
    elif getattr(instance, "_role_before", None) in LEADER_ROLES:
        _after_leader_left(instance.party_id, instance)


def _membership_deleted(sender: type, instance: Membership, origin: Any = None, **_: Any) -> None:
    from samverkan.partnerships.models import Partnership, Party

    if instance.role not in LEADER_ROLES or audit.is_suppressed():
        return
    origin_model = origin.model if isinstance(origin, models.QuerySet) else type(origin)
    if origin_model in (Party, Partnership):
        return  # the party itself is going: nobody is left to tell
    _after_leader_left(instance.party_id, instance)


def _after_leader_left(party_id: int, left: Membership) -> None:
    """When the party has no leader left: a history entry, and an e-mail to its members."""
    from samverkan.accounts.models import AuditEntry
    from samverkan.partnerships.models import Party

    if Membership.objects.filter(party_id=party_id, role__in=LEADER_ROLES).exists():
        return
    party = Party.objects.select_related("organisation", "partnership").filter(pk=party_id).first()
    if party is None:
        return
    user = audit.current_user()
    AuditEntry.objects.create(
        partnership_id=party.partnership_id,
        user=user,
        user_name=str(user) if user else "system",
        action="update",
        model_label="partnerships.party",
        object_id=str(party.pk),
        object_repr=str(party)[:300],
        changes={
            "leaders": {
                "label": "ledare (administratörer och samordnare)",
                "old": str(left.user),
                "new": None,
            }
        },
        reason=audit.current_reason(),
    )
    logger.warning(
        "party %s of partnership %s has lost its last leader", party.pk, party.partnership_id
    )
    addresses = set(
        Membership.objects.filter(party=party)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if left.user.email:
        addresses.add(left.user.email)
    if addresses:
        subject, body = _leaderless_mail(party, left)
        transaction.on_commit(lambda: _send_each(subject, body, sorted(addresses)))


def _leaderless_mail(party: Party, left: Membership) -> tuple[str, str]:
    from django.conf import settings

    subject = _("Samverkan: %(party)s har ingen ledare längre") % {"party": party}
    body = _(
        "%(party)s i samverkan %(partnership)s har inte längre någon administratör eller "
        "samordnare: %(user)s var den sista.\n\n"
        "Ingen kan nu bjuda in till parten, ändra roller i den eller ändra partens uppgifter. "
        "Andra parter kan inte utse en ny ledare åt er. Be den som driver Samverkan (en "
        "superanvändare) att ge någon i parten rollen administratör eller samordnare.\n\n"
        "Medlemmarna: %(link)s\n"
    ) % {
        "party": party,
        "partnership": party.partnership,
        "user": left.user,
        "link": f"{settings.SITE_URL}/samverkan/{party.partnership_id}/medlemmar/",
    }
    return subject, body


def _send_each(subject: str, body: str, addresses: list[str]) -> None:
    from django.conf import settings

    for address in addresses:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        except (OSError, smtplib.SMTPException):
            logger.exception("leaderless-party mail to %s failed", address)


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save, pre_save

    pre_save.connect(_remember_role, sender=Membership, dispatch_uid="membership_role_before")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid="membership_leaders")
    post_delete.connect(
        _membership_deleted, sender=Membership, dispatch_uid="membership_leader_gone"
    )
