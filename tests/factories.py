"""Test data built in code (no fixtures files): partnerships with named users per party.

alice   – kommun, administrator      bob   – polis, coordinator
carol   – kommun, member (reads)     steve – kommun, steering group (reads, approves)
mallory – outsider: member of another partnership only
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils import timezone

from samverkan.accounts.choices import OrganisationKind, Role
from samverkan.accounts.models import Membership, Organisation, User
from samverkan.jobs.models import Job
from samverkan.partnerships.choices import DecisionKind, GroupKind, PartyKind
from samverkan.partnerships.models import (
    Coordinator,
    Cycle,
    Decision,
    Group,
    GroupMember,
    Meeting,
    Milestone,
    Partnership,
    Party,
)

PASSWORD = "correct-horse-battery-9"


def login_with_second_factor(client, user: User) -> None:
    """Log ``user`` in with a session verified by a TOTP device, as site administrators
    (staff, superusers) must be before any page opens (accounts.two_factor)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="telefon", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def make_user(username: str, org: Organisation | None = None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.title(), organisation=org
    )
    return user


def organisation(name: str, kind: str) -> Organisation:
    return Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]


@dataclass
class World:
    partnership: Partnership
    kommun: Party
    polis: Party
    steering: Group
    decision: Decision
    meeting: Meeting
    milestone: Milestone
    member: GroupMember
    membership: Membership
    job: Job
    extra_ids: dict[str, int]


def make_partnership(suffix: str = "", *, complete: bool = True) -> World:
    """A partnership with both signing parties; with ``complete`` step 1 is done."""
    kommun_org = organisation(f"Testkommun{suffix}", OrganisationKind.MUNICIPALITY)
    polis_org = organisation(f"Lokalpolisområde Test{suffix}", OrganisationKind.POLICE_AREA)
    partnership = Partnership.objects.create(
        name=f"Samverkan{suffix or ' Centrum'}", municipality=kommun_org, police_area=polis_org
    )
    Cycle.objects.create(partnership=partnership)
    kommun = Party.objects.create(
        partnership=partnership,
        organisation=kommun_org,
        kind=PartyKind.SIGNATORY,
        signatory_title="Kommunstyrelsens ordförande",
    )
    polis = Party.objects.create(
        partnership=partnership,
        organisation=polis_org,
        kind=PartyKind.SIGNATORY,
        signatory_title="Lokalpolisområdeschef",
    )
    steering = Group.objects.create(
        partnership=partnership, kind=GroupKind.STEERING, name="Styrgrupp"
    )
    member = GroupMember.objects.create(group=steering, party=kommun, name="Kim Ordförande")
    decision = Decision.objects.create(
        partnership=partnership,
        kind=DecisionKind.COLLABORATE if complete else DecisionKind.OTHER,
        title="Beslut om samverkan",
        body="Kommunstyrelsen",
        decided_on=datetime.date(2026, 1, 15),
        text="Vi samverkar.",
    )
    meeting = Meeting.objects.create(
        partnership=partnership,
        group=steering,
        title="Första mötet",
        starts_at=timezone.now() - datetime.timedelta(days=7),
        minutes="Vi beslutade att samverka." if complete else "",
    )
    milestone = Milestone.objects.create(
        partnership=partnership, date=datetime.date(2027, 6, 15), title="Budgetbeslut"
    )
    if complete:
        GroupMember.objects.create(group=steering, party=polis, name="Pia Polischef")
        Group.objects.create(partnership=partnership, kind=GroupKind.PREPARATION, name="Brå-rådet")
        Coordinator.objects.create(party=kommun, name="Anna Samordnare")
        Coordinator.objects.create(party=polis, name="Per Samordnare")
    outsider_user = make_user(f"member{suffix or '0'}x")
    membership = Membership.objects.create(user=outsider_user, party=kommun, role=Role.MEMBER)
    job = Job.objects.create(partnership=partnership, kind="partnerships.export")
    world = World(
        partnership,
        kommun,
        polis,
        steering,
        decision,
        meeting,
        milestone,
        member,
        membership,
        job,
        {},
    )
    for hook in _world_hooks():
        world.extra_ids.update(hook(world))
    return world


def _world_hooks():
    """Each step app's tests may add objects to every test world in tests/<app>/world.py.

    ``build(world) -> dict[str, int]`` creates the app's objects for the partnership (private
    ones belonging to the municipality's party) and returns the URL kwarg ids that the access
    test uses to fill the app's URL patterns.
    """
    import importlib
    from pathlib import Path

    hooks = []
    # Later steps build on earlier ones: order the hooks by the process, then by name.
    order = ["partnerships", "mapping", "problems", "documents", "implementation", "followup"]
    paths = sorted(
        Path(__file__).parent.glob("*/world.py"),
        key=lambda p: (order.index(p.parent.name) if p.parent.name in order else 99, str(p)),
    )
    for path in paths:
        module = importlib.import_module(f"tests.{path.parent.name}.world")
        hooks.append(module.build)
    return hooks


def join(user: User, party: Party, role: str) -> Membership:
    return Membership.objects.create(user=user, party=party, role=role)


def make_world() -> SimpleNamespace:
    """The ``world`` fixture's objects (for ``kept``, to build them once per module)."""
    ours = make_partnership()
    foreign = make_partnership(" Annan")
    alice = make_user("alice", ours.kommun.organisation)
    bob = make_user("bob", ours.polis.organisation)
    carol = make_user("carol", ours.kommun.organisation)
    steve = make_user("steve", ours.kommun.organisation)
    mallory = make_user("mallory", foreign.kommun.organisation)
    join(alice, ours.kommun, Role.ADMIN)
    join(bob, ours.polis, Role.COORDINATOR)
    join(carol, ours.kommun, Role.MEMBER)
    join(steve, ours.kommun, Role.STEERING)
    join(mallory, foreign.kommun, Role.ADMIN)
    return SimpleNamespace(
        ours=ours, foreign=foreign, alice=alice, bob=bob, carol=carol, steve=steve, mallory=mallory
    )


def load_demo() -> Partnership:
    """Load the demo of ``manage.py load_demo``; its partnership (for ``kept``)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--quiet", stdout=StringIO())
    return Partnership.objects.get(name="Samverkan för ett tryggare centrum")
