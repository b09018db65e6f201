"""A party's private material is visible only to that party's members (accounts.access)."""

from samverkan.accounts import access


def test_member_sees_only_own_partys_private_material(world):
    ours = world.ours
    assert access.may_see_private(world.alice, ours.kommun)
    assert not access.may_see_private(world.alice, ours.polis)
    assert access.may_see_private(world.bob, ours.polis)
    assert not access.may_see_private(world.bob, ours.kommun)
    assert list(access.private_parties_for(world.bob, ours.partnership)) == [ours.polis]


def test_outsider_sees_no_private_material(world):
    assert not access.may_see_private(world.mallory, world.ours.kommun)
    assert not access.private_parties_for(world.mallory, world.ours.partnership).exists()


def test_roles_decide_edit_manage_and_approve(world):
    p = world.ours.partnership
    assert access.can_manage(world.alice, p) and access.can_edit(world.alice, p)
    assert access.can_edit(world.bob, p) and not access.can_manage(world.bob, p)
    assert not access.can_edit(world.carol, p)
    assert access.can_approve(world.steve, p) and not access.can_edit(world.steve, p)
