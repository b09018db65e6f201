"""The history page looks up the objects its entries name once per kind, not once per object
(issue 14: a page of 300 entries named dozens of parties and users one query at a time)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from samverkan.accounts.choices import OrganisationKind
from samverkan.accounts.models import AuditEntry, Organisation
from samverkan.partnerships.models import Party


def _seat_entries(partnership, parties, user):
    """Entries as a group member's change of party leaves them: old and new party by id."""
    for old, new in zip(parties, parties[1:], strict=False):
        AuditEntry.objects.create(
            partnership=partnership,
            user=user,
            user_name=user.get_full_name(),
            action="update",
            model_label="partnerships.groupmember",
            object_id="1",
            object_repr="Ledamot",
            changes={"party": {"label": "part", "old": old.pk, "new": new.pk}},
        )


def _history(client, partnership):
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("partnerships:history", kwargs={"pk": partnership.pk}))
    assert page.status_code == 200
    return page.content.decode(), len(captured.captured_queries)


def test_named_parties_cost_no_query_each(client, world, django_assert_max_num_queries):
    partnership = world.ours.partnership
    client.force_login(world.alice)
    _seat_entries(partnership, [world.ours.kommun, world.ours.polis], world.bob)
    page, few = _history(client, partnership)
    assert f"<del>{world.ours.kommun}</del> → <ins>{world.ours.polis}</ins>" in page

    extra = [
        Party.objects.create(
            partnership=partnership,
            organisation=Organisation.objects.create(
                name=f"Förening {n}", kind=OrganisationKind.OTHER
            ),
        )
        for n in range(12)
    ]
    _seat_entries(partnership, extra, world.bob)
    page, many = _history(client, partnership)
    # Every party is named, in words, and twelve more parties cost no more queries.
    for old, new in zip(extra, extra[1:], strict=False):
        assert f"<del>{old.organisation.name}</del> → <ins>{new.organisation.name}</ins>" in page
    assert many == few
    with django_assert_max_num_queries(25):
        client.get(reverse("partnerships:history", kwargs={"pk": partnership.pk}))


def test_deleted_and_unreadable_ids_are_still_in_words(client, world):
    partnership = world.ours.partnership
    client.force_login(world.alice)
    AuditEntry.objects.create(
        partnership=partnership,
        user_name="Alice",
        action="update",
        model_label="partnerships.groupmember",
        object_id="1",
        object_repr="Ledamot",
        changes={"party": {"label": "part", "old": 987654, "new": "inte-ett-id"}},
    )
    page, _count = _history(client, partnership)
    assert "<del>(borttagen)</del> → <ins>(borttagen)</ins>" in page
