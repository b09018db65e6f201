"""The worked example loads as the demo partnership, has finished step 1, and reloads safely."""

from io import StringIO

from django.core.management import call_command

from samverkan.accounts.models import Membership, User
from samverkan.partnerships.models import Partnership
from samverkan.process import checklists


def _load(*args):
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_loads_the_worked_example_with_step_1_finished(db):
    output = _load()
    partnership = Partnership.objects.get(name="Samverkan för ett tryggare centrum")
    assert "demo.kommun" in output and "demo.polis" in output
    assert {p.organisation.name for p in partnership.parties.all()} == {
        "Exempelkommun",
        "Lokalpolisområde Exempel",
        "Svenska kyrkan",
        "Skolans elevhälsa",
    }
    assert partnership.steering_group().members.count() == 3
    assert checklists.checklist_for(partnership, 1).done
    assert checklists.current_step(partnership) == 2


def test_loading_the_demo_twice_changes_nothing(db):
    _load()
    counts = (Partnership.objects.count(), User.objects.count(), Membership.objects.count())
    output = _load("--quiet")
    assert (Partnership.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert output.strip().endswith("ready with 4 users.")


def test_every_demo_user_can_log_in_with_the_printed_password(client, db):
    output = _load()
    password = output.split("password: ")[1].split(")")[0]
    for username in ("demo.kommun", "demo.polis", "demo.styrgrupp", "demo.kyrkan"):
        assert client.login(username=username, password=password), username
