"""Shared fixtures: the named users and two partnerships (ours and a foreign one)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from samverkan.accounts.choices import Role
from tests import factories


@pytest.fixture(autouse=True)
def _media_and_jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.JOBS_BACKEND = "inprocess"
    # Real hashing costs half a second per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """Our partnership (step 1 complete), a foreign one, and alice/bob/carol/steve/mallory."""
    ours = factories.make_partnership()
    foreign = factories.make_partnership(" Annan")
    alice = factories.make_user("alice", ours.kommun.organisation)
    bob = factories.make_user("bob", ours.polis.organisation)
    carol = factories.make_user("carol", ours.kommun.organisation)
    steve = factories.make_user("steve", ours.kommun.organisation)
    mallory = factories.make_user("mallory", foreign.kommun.organisation)
    factories.join(alice, ours.kommun, Role.ADMIN)
    factories.join(bob, ours.polis, Role.COORDINATOR)
    factories.join(carol, ours.kommun, Role.MEMBER)
    factories.join(steve, ours.kommun, Role.STEERING)
    factories.join(mallory, foreign.kommun, Role.ADMIN)
    return SimpleNamespace(
        ours=ours, foreign=foreign, alice=alice, bob=bob, carol=carol, steve=steve, mallory=mallory
    )
