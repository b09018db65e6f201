"""A field reporter's API key opens nothing in the partnership (accounts.access)."""

from __future__ import annotations

from samverkan.accounts.choices import Role
from samverkan.api.models import ApiToken
from tests.factories import join, make_user


def test_reporter_api_key_lists_and_opens_nothing(client, world):
    rita = make_user("rita", world.ours.kommun.organisation)
    join(rita, world.ours.kommun, Role.REPORTER)
    _token, secret = ApiToken.issue(rita, "test")
    auth = {"Authorization": f"Bearer {secret}"}
    listed = client.get("/api/v1/partnerships", headers=auth)
    assert listed.status_code == 200 and listed.json() == []
    pk = world.ours.partnership.pk
    for path in ("", "/parties", "/measures"):
        assert client.get(f"/api/v1/partnerships/{pk}{path}", headers=auth).status_code == 403
    # The same key for a member lists the partnership: the test can fail.
    _token, secret = ApiToken.issue(world.carol, "test")
    listed = client.get("/api/v1/partnerships", headers={"Authorization": f"Bearer {secret}"})
    assert [p["id"] for p in listed.json()] == [pk]
