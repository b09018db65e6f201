"""Load the handbook's worked example (demo/torget.yaml) as the demo partnership.

The scenario holds facts from the handbook's example (pages 22–27). Dates and personal names
are not in the example; the demo supplies plausible ones, marked as demo data, so that step 1
shows as finished. Later steps read the rest of the scenario (problem, causes, goals, measures).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from samverkan.accounts.choices import OrganisationKind, Role
from samverkan.accounts.models import Membership, Organisation, User
from samverkan.lib.yaml_files import read_yaml
from samverkan.partnerships.choices import DecisionKind, GroupKind, PartyKind
from samverkan.partnerships.models import (
    Coordinator,
    Cycle,
    Decision,
    Group,
    GroupMember,
    Meeting,
    Partnership,
    Party,
)
from samverkan.partnerships.services import add_budget_process, create_permission

SCENARIO = Path(__file__).with_name("demo") / "torget.yaml"
MAPPING = Path(__file__).with_name("demo") / "mapping"  # step 2: each party's own mapping
DEMO_YEAR = 2010  # the example's own year (trend figures for jan–apr 2010)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    party: str
    role: StrOrPromise  # the role's label, in the language of whoever reads it


def load_scenario(path: Path = SCENARIO) -> dict[str, Any]:
    return read_yaml(path)


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _user(
    username: str, first: str, last: str, org: Organisation, title: str, password: str
) -> User:
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "organisation": org, "title": title},
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo(password: str, *, reset: bool = False) -> tuple[Partnership, list[DemoLogin]]:
    """Create (or refresh) the demo partnership and its users; safe to run again."""
    data = load_scenario()
    p = data["partnership"]
    existing = Partnership.objects.filter(name=p["name"]).first()
    if existing and reset:
        _delete(existing)
        existing = None

    municipality, _ = Organisation.objects.get_or_create(
        name=p["municipality"], defaults={"kind": OrganisationKind.MUNICIPALITY}
    )
    police, _ = Organisation.objects.get_or_create(
        name=p["police"], defaults={"kind": OrganisationKind.POLICE_AREA}
    )
    others = [
        Organisation.objects.get_or_create(name=name, defaults={"kind": OrganisationKind.OTHER})[0]
        for name in p["other_participants"]
    ]
    people = [
        ("kommun", "Karin", "Lind", municipality, p["coordinators"][0]["role"], Role.ADMIN),
        ("polis", "Peter", "Holm", police, p["coordinators"][1]["role"], Role.COORDINATOR),
        ("styrgrupp", "Lars", "Ek", municipality, p["signatories"][0]["role"], Role.STEERING),
        ("kyrkan", "Sara", "Berg", others[0], "Diakon", Role.MEMBER),
        # Field staff: files field reports and reads the weekly picture, nothing else.
        ("falt", "Amir", "Sand", municipality, "Fältassistent", Role.REPORTER),
    ]
    users = {u[0]: _user(f"demo.{u[0]}", u[1], u[2], u[3], u[4], password) for u in people}
    # The two coordinators (the municipality's is also the administrator) may start partnerships.
    for key in ("kommun", "polis"):
        users[key].user_permissions.add(create_permission())

    if existing is None:
        partnership = _build(p, municipality, police, others, users)
    else:
        partnership = existing
    parties = {party.organisation_id: party for party in partnership.parties.all()}
    logins = []
    for key, first, last, org, _title, role in people:
        party = parties[org.pk]
        Membership.objects.get_or_create(user=users[key], party=party, defaults={"role": role})
        logins.append(
            DemoLogin(f"demo.{key}", f"{first} {last}", party.organisation.name, role.label)
        )
    from samverkan.mapping import demo as step2

    # Outside _build, so that a demo made before step 2 had data gets it on the next load;
    # a party that already has a mapping is left as it is.
    step2.load(partnership, MAPPING, {"kommun": users["kommun"], "polis": users["polis"]})
    from samverkan.fieldwork import demo as fieldwork

    fieldwork.load(partnership, users["falt"], parties[municipality.pk])
    return partnership, logins


def _delete(partnership: Partnership) -> None:
    """Delete the demo partnership with everything in it (``--reset``).

    Some links are PROTECT, so that a party or a group cannot vanish from under a measure or
    a meeting; here the whole partnership goes, so what protects is deleted first. Imported
    files live in storage, outside the rows: they are removed once the reset is committed.
    """
    from samverkan.accounts import audit
    from samverkan.mapping.models import Import

    imports = Import.objects.filter(party__partnership=partnership).exclude(file="")
    files = [record.file for record in imports]
    with audit.suppressed():
        for _attempt in range(10):
            try:
                partnership.delete()
                break
            except ProtectedError as exc:
                for obj in exc.protected_objects:
                    obj.delete()
        else:
            raise RuntimeError("could not delete the demo partnership: protected links remain")

    def delete_files() -> None:
        for f in files:
            if f.name:
                f.storage.delete(f.name)

    transaction.on_commit(delete_files)


def _build(
    p: dict[str, Any],
    municipality: Organisation,
    police: Organisation,
    others: list[Organisation],
    users: dict[str, User],
) -> Partnership:
    start = datetime.date(DEMO_YEAR, 1, 11)  # the first meeting; work starts here
    # The agreement is valid from the decision to collaborate (del 1), never before it.
    decided = datetime.date(DEMO_YEAR, 2, 1)
    # Names are not in the example; the demo supplies plausible ones (see the module note).
    names = {
        "Kommunstyrelsens ordförande": "Lars Ek",
        "Länspolismästare": "Eva Nord",
        "Kommundirektör": "Jonas Åberg",
    }
    partnership = Partnership.objects.create(
        name=p["name"],
        municipality=municipality,
        police_area=police,
        area="Centrum (kommundel A och B)",
        forum=p["forum"],
        purpose="Minska våldet och öka tryggheten i centrum genom gemensamt arbete.",
        started_on=decided,
        valid_until=datetime.date(DEMO_YEAR + 1, 12, 31),
        created_by=users["kommun"],
    )
    Cycle.objects.create(partnership=partnership, number=1, starts_on=start)
    kommun = Party.objects.create(
        partnership=partnership,
        organisation=municipality,
        kind=PartyKind.SIGNATORY,
        signatory_title=p["signatories"][0]["role"],
        signatory_name=names[p["signatories"][0]["role"]],
    )
    polis = Party.objects.create(
        partnership=partnership,
        organisation=police,
        kind=PartyKind.SIGNATORY,
        signatory_title=p["signatories"][1]["role"],
        signatory_name=names[p["signatories"][1]["role"]],
    )
    participants = [
        Party.objects.create(partnership=partnership, organisation=org, kind=PartyKind.PARTICIPANT)
        for org in others
    ]
    Coordinator.objects.create(
        party=kommun, name="Karin Lind", title=p["coordinators"][0]["role"], user=users["kommun"]
    )
    Coordinator.objects.create(
        party=polis, name="Peter Holm", title=p["coordinators"][1]["role"], user=users["polis"]
    )

    steering = Group.objects.create(
        partnership=partnership,
        kind=GroupKind.STEERING,
        name="Styrgruppen",
        mandate="Beslutar om inriktning, prioriteringar och resurser; tar emot uppföljningen.",
        meeting_frequency="Fyra gånger per år",
    )
    steering_seats = {
        "Kommunstyrelsens ordförande": kommun,
        "Länspolismästare": polis,
        "Kommundirektör": kommun,
    }
    seats = []
    for title in p["steering_group"]:
        seats.append(
            GroupMember.objects.create(
                group=steering,
                party=steering_seats.get(title, kommun),
                name=names.get(title, title),
                title=title,
                is_chair=title == p["signatories"][0]["role"],
                user=users["styrgrupp"] if title == p["signatories"][0]["role"] else None,
            )
        )
    preparation = Group.objects.create(
        partnership=partnership,
        kind=GroupKind.PREPARATION,
        name=p["forum"],
        mandate=(
            "Tar fram problembild, orsaksanalys och förslag till överenskommelse; tillsätter "
            "arbetsgrupper. Samordnarna ingår."
        ),
        meeting_frequency="Varannan vecka under steg 2 och 3",
    )
    GroupMember.objects.create(
        group=preparation,
        party=kommun,
        name="Karin Lind",
        title=p["coordinators"][0]["role"],
        is_chair=True,
        user=users["kommun"],
    )
    GroupMember.objects.create(
        group=preparation,
        party=polis,
        name="Peter Holm",
        title=p["coordinators"][1]["role"],
        user=users["polis"],
    )
    GroupMember.objects.create(
        group=preparation,
        party=participants[0],
        name="Sara Berg",
        title="Diakon",
        user=users["kyrkan"],
    )
    GroupMember.objects.create(
        group=preparation, party=participants[1], name="Maria Sjö", title="Skolkurator"
    )

    first = Meeting.objects.create(
        partnership=partnership,
        group=steering,
        title="Första mötet mellan kommun- och polisledning",
        starts_at=_aware(start, 9),
        location="Kommunhuset",
        agenda="1. Behovet av samverkan\n2. Organisation och samordnare\n3. Tidsplan mot budgeten",
        minutes=(
            "Parterna är överens om att våldet i centrum är ett gemensamt problem som de kan "
            "påverka tillsammans. Arbetet organiseras i det lokala brottsförebyggande rådet. "
            "Kommunens brottsförebyggande samordnare och närpolischefen utses till samordnare."
        ),
    )
    first.attendees.set(seats)
    Decision.objects.create(
        partnership=partnership,
        kind=DecisionKind.COLLABORATE,
        title="Beslut om samverkan för ett tryggare centrum",
        body="Kommunstyrelsen och polisledningen",
        decided_on=decided,
        reference="KS 2010/0042",
        text=(
            "Kommunen och polisen inleder samverkan i lokalt brottsförebyggande arbete enligt "
            "samverkansprocessens fem steg. Styrgrupp, beredningsgrupp och samordnare utses "
            "enligt bilagd organisation. Beslutet utgör del 1 av samverkansöverenskommelsen."
        ),
        meeting=first,
    )
    add_budget_process(partnership, DEMO_YEAR)
    from samverkan.problems import demo as step3

    step3.load(partnership, load_scenario(), DEMO_YEAR)
    from samverkan.implementation import demo as step4

    step4.load(partnership, load_scenario(), DEMO_YEAR)
    return partnership
