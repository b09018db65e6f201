"""Every URL pattern × every role × a foreign partnership (issue 2, "Accounts and access").

New views are covered automatically: the test walks the URL resolver, so a view that forgets
to declare its access, or lets an outsider or a reader through, fails here.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from samverkan.accounts.choices import Role
from samverkan.accounts.models import Membership
from tests.factories import join, make_user, make_world

ACCESS_LEVELS = {
    "confirm",
    "public",
    "user",
    "view",
    "edit",
    "manage",
    "lead",
    "approve",
    "party_view",
    "party_edit",
    "job",
    "report",
    "weekly",
}
SKIPPED_NAMESPACES = {
    "admin",  # Django's admin has its own staff-only permission system
    "api-v1",  # token-authenticated; gated per endpoint, tested in tests/api
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def all_patterns():
    return sorted(_walk(get_resolver().url_patterns), key=lambda item: item[0])


def partnership_patterns():
    """URLs inside a partnership. Public pages (``/offentligt/…``) are left to their own tests:
    they answer anyone, and only with what the partnership has published."""
    return [
        (name, p)
        for name, p in all_patterns()
        if "pk" in p.pattern.converters and getattr(p.callback, "access", None) != "public"
    ]


def _kwargs(pattern, world) -> dict[str, int]:
    ids = {
        "pk": world.partnership.pk,
        "party_id": world.kommun.pk,
        "group_id": world.steering.pk,
        "group_member_id": world.member.pk,
        "decision_id": world.decision.pk,
        "meeting_id": world.meeting.pk,
        "milestone_id": world.milestone.pk,
        "membership_id": world.membership.pk,
        "job_id": world.job.pk,
        **world.extra_ids,
    }
    missing = set(pattern.pattern.converters) - set(ids)
    assert not missing, f"the access test does not know how to fill {missing}: add them here"
    return {name: ids[name] for name in pattern.pattern.converters}


def _world_with_files():
    """The two-partnership world, and downloads with something to download, so readers get 200
    rather than 404."""
    world = make_world()
    for w in (world.ours, world.foreign):
        w.decision.attachment.save("beslut.pdf", ContentFile(b"%PDF-1.4 test"))
        w.job.output.save("export.json", ContentFile(b"{}"))
    # A job belongs to whoever started it: alice started the export in our partnership.
    files_job = world.ours.job
    files_job.created_by = world.alice
    files_job.save(update_fields=["created_by"])
    # rita is a field reporter in the municipality's party: she files field reports and reads
    # the weekly picture, and is refused everything else (accounts.access).
    world.rita = make_user("rita", world.ours.kommun.organisation)
    join(world.rita, world.ours.kommun, Role.REPORTER)
    return world


# The world is built once for the module (about 1 100 tests); each test's changes roll back.
@pytest.fixture(scope="module")
def shared_world(kept):
    return kept(_world_with_files)


@pytest.fixture
def files(shared_world, db):
    return shared_world


@pytest.fixture
def world(files):
    return files


def test_every_view_declares_its_access():
    for name, pattern in all_patterns():
        level = getattr(pattern.callback, "access", None)
        assert level in ACCESS_LEVELS, f"{name} declares no access level (got {level!r})"


def test_every_partnership_url_is_known_to_this_test(world):
    for _name, pattern in partnership_patterns():
        _kwargs(pattern, world.ours)


@pytest.mark.parametrize("name,pattern", partnership_patterns(), ids=lambda v: str(v))
def test_outsider_gets_404_for_every_partnership_url(client, files, name, pattern):
    client.force_login(files.mallory)
    url = reverse(name, kwargs=_kwargs(pattern, files.ours))
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


@pytest.mark.parametrize("name,pattern", partnership_patterns(), ids=lambda v: str(v))
def test_anonymous_is_sent_to_login(client, files, name, pattern):
    url = reverse(name, kwargs=_kwargs(pattern, files.ours))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def object_id_patterns():
    """Partnership URLs that name an object besides the partnership (not words like a kind)."""
    return [
        (name, p)
        for name, p in partnership_patterns()
        if any(
            key != "pk" and type(converter).__name__ == "IntConverter"
            for key, converter in p.pattern.converters.items()
        )
    ]


def test_object_id_patterns_are_found():
    assert len(object_id_patterns()) > 20


@pytest.mark.parametrize("name,pattern", object_id_patterns(), ids=lambda v: str(v))
def test_foreign_object_ids_in_own_partnership_url_get_404(client, files, name, pattern):
    """An id from another partnership, put into our partnership's URL, is not found."""
    kwargs = _kwargs(pattern, files.foreign)
    kwargs["pk"] = files.ours.partnership.pk
    client.force_login(files.alice)
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, {}).status_code in (404, 405)


@pytest.mark.parametrize("name,pattern", partnership_patterns(), ids=lambda v: str(v))
@pytest.mark.parametrize("role_user", ["alice", "bob", "carol", "steve", "rita"])
def test_each_role_gets_what_its_role_allows(client, files, name, pattern, role_user):
    client.force_login(getattr(files, role_user))
    url = reverse(name, kwargs=_kwargs(pattern, files.ours))
    level = pattern.callback.access
    if role_user == "rita":
        before = Membership.objects.count()
        get = client.get(url)
        if level in ("report", "weekly"):
            assert get.status_code in (200, 302, 405), f"rita GET {url}: {get.status_code}"
            post = client.post(url, {})
            assert post.status_code in (200, 302, 400, 405), f"rita POST {url}: {post.status_code}"
        else:
            assert get.status_code in (403, 404), f"rita GET {url}: {get.status_code}"
            post = client.post(url, {"username": "x", "role": "admin"})
            assert post.status_code in (403, 404), f"rita POST {url}: {post.status_code}"
            assert Membership.objects.count() == before
        return
    allowed = {
        "report": role_user in ("alice", "bob"),
        "weekly": True,
        "view": True,
        "edit": role_user in ("alice", "bob"),
        "manage": role_user == "alice",
        # A party governs itself: the walk's party and membership are the municipality's, so
        # only its leader alice may change them; bob leads the police party, not this one.
        "lead": role_user == "alice",
        "approve": role_user in ("alice", "steve"),
        "confirm": role_user in ("alice", "bob", "steve"),
        # party_* URLs in the walk point at the municipality's private material: bob is in
        # the police party and must not even learn that it exists.
        "party_view": role_user != "bob",
        "party_edit": role_user == "alice",
        # A job's page and file are its starter's (an export's content is theirs to pass on).
        "job": role_user == "alice",
    }[level]
    before = Membership.objects.count()
    get = client.get(url)
    if (level.startswith("party_") and role_user == "bob") or (level == "job" and not allowed):
        assert get.status_code == 404, f"bob GET {url}: {get.status_code}"
        assert client.post(url, {}).status_code == 404
    elif allowed:
        assert get.status_code in (200, 302, 405), f"{role_user} GET {url}: {get.status_code}"
        # An allowed role's POST (here an empty form) is answered, never refused or crashed:
        # 405 where the page takes no POST, a form error, or the action done.
        post = client.post(url, {})
        assert post.status_code in (200, 302, 400, 405), (
            f"{role_user} POST {url}: {post.status_code}"
        )
    else:
        assert get.status_code == 403, f"{role_user} GET {url}: {get.status_code}"
        post = client.post(url, {"username": "x", "role": "admin"})
        assert post.status_code == 403, f"{role_user} POST {url}: {post.status_code}"
        assert Membership.objects.count() == before


def test_partnership_list_shows_only_own_partnerships(client, world):
    client.force_login(world.mallory)
    page = client.get(reverse("partnerships:list")).content.decode()
    assert world.foreign.partnership.name in page
    assert world.ours.partnership.name not in page
