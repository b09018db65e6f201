"""Membership under concurrency: two administrators removing each other at the same moment
leave one (the check and the removal hold row locks). A module of its own: it commits, so it
cannot share the demo that tests/partnerships/test_membership.py keeps for its module."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from samverkan.accounts import membership
from samverkan.accounts.choices import Role
from samverkan.accounts.models import Membership
from tests.factories import make_user


@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL; SQLite serialises writers")
    from tests.factories import join, make_partnership

    world = make_partnership()
    ada, ben = make_user("ada"), make_user("ben")
    memberships = [join(ada, world.kommun, Role.ADMIN), join(ben, world.polis, Role.ADMIN)]
    original_delete = Membership.delete

    def slow_delete(self, *args, **kwargs):
        time.sleep(0.2)  # the gap in which an unlocked check would let both through
        return original_delete(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "delete", slow_delete)
    barrier = threading.Barrier(2)
    outcomes = []

    def remove(membership_id, actor):
        from django.db import connections

        try:
            barrier.wait()
            # Each administrator leaves their own party (only a party's own leader may).
            membership.remove_member(world.partnership, membership_id, actor=actor)
            outcomes.append("removed")
        except membership.MembershipError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=remove, args=(m.pk, m.user)) for m in memberships]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "removed"]
    assert (
        Membership.objects.filter(party__partnership=world.partnership, role="admin").count() == 1
    )
