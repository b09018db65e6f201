"""The dashboard's checklists cost the same number of queries however much a partnership holds
(issue 14: per-page server time), and still judge each cause and measure."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan.problems.models import Cause, Measure, Problem
from samverkan.process import checklists

LINKED = "Varje orsak har en åtgärd och varje åtgärd svarar mot en orsak"
OWNED = "Varje åtgärd har ansvarig och en beskrivning av hur den genomförs"


def _item(partnership, label):
    with CaptureQueriesContext(connection) as captured:
        checklist = checklists.checklist_for(partnership, 3)
    done = {str(i.label): i.done for i in checklist.items}
    return done[label], len(captured.captured_queries)


def _more(partnership, world, n, start):
    problem = Problem.objects.filter(partnership=partnership).first()
    for number in range(start, start + n):
        cause = Cause.objects.create(
            partnership=partnership, problem=problem, number=number, text=f"Orsak {number}"
        )
        measure = Measure.objects.create(
            partnership=partnership,
            problem=problem,
            number=number,
            title=f"Åtgärd {number}",
            responsible_party=world.ours.kommun,
            how_what="Så här",
        )
        measure.causes.set([cause])


def test_step3_checklist_queries_do_not_grow_and_links_are_judged(world):
    partnership = world.ours.partnership
    Measure.objects.filter(partnership=partnership).update(how_what="Så här")
    linked, few = _item(partnership, LINKED)
    assert linked
    _more(partnership, world, 15, start=10)
    linked, many = _item(partnership, LINKED)
    assert linked and many == few

    # A cause nobody answers, then a measure answering no cause: both break the item.
    problem = Problem.objects.filter(partnership=partnership).first()
    lonely = Cause.objects.create(partnership=partnership, problem=problem, number=99, text="X")
    assert _item(partnership, LINKED)[0] is False
    lonely.delete()
    assert _item(partnership, LINKED)[0] is True
    Measure.objects.create(
        partnership=partnership,
        problem=problem,
        number=99,
        title="Utan orsak",
        responsible_party=world.ours.kommun,
        how_what="Så här",
    )
    assert _item(partnership, LINKED)[0] is False
    # A measure without a described way of doing it breaks the next item.
    assert _item(partnership, OWNED)[0] is True
    Measure.objects.filter(number=99).update(how_what="  ")
    assert _item(partnership, OWNED)[0] is False


def test_dashboard_query_count_is_bounded(client, world, django_assert_max_num_queries):
    partnership = world.ours.partnership
    client.force_login(world.alice)
    url = reverse("process:dashboard", kwargs={"pk": partnership.pk})
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    few = len(captured.captured_queries)
    _more(partnership, world, 15, start=10)
    with django_assert_max_num_queries(few):
        page = client.get(url)
    assert page.status_code == 200
    with django_assert_max_num_queries(50):
        client.get(url)
