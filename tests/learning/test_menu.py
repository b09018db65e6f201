"""The site menu's links to the learning pages (issue 24): the evidence bank for everyone signed
in, the regional views only for their readers and administrators."""

from __future__ import annotations

import re

from django.urls import reverse

from samverkan.learning.models import RegionalScope
from tests.factories import make_user

EVIDENCE = reverse("learning:evidence")
REGIONS = reverse("learning:regions")


def _menu(client) -> str:
    page = client.get(reverse("partnerships:list"), follow=True).content.decode()
    found = re.search(r'<nav aria-label="Huvudmeny".*?</nav>', page, re.S)
    assert found, "the page has the main menu"
    return found.group(0)


def _scope(*readers) -> RegionalScope:
    scope = RegionalScope.objects.create(name="Länsstyrelsen i Exempellän", kind="lansstyrelse")
    scope.readers.set(readers)
    return scope


def test_the_signed_out_menu_has_neither_link(client, db):
    menu = _menu(client)
    assert f'href="{EVIDENCE}"' not in menu and f'href="{REGIONS}"' not in menu


def test_a_member_gets_the_evidence_bank_but_not_the_regional_views(client, world):
    _scope(make_user("lansstyrelsen"))
    client.force_login(world.alice)
    menu = _menu(client)
    assert f'href="{EVIDENCE}">Kunskapsbank</a>' in menu
    assert f'href="{REGIONS}"' not in menu


def test_a_regional_reader_gets_the_regional_views_and_can_open_them(client, db):
    reader = make_user("lansstyrelsen")
    scope = _scope(reader)
    client.force_login(reader)
    menu = _menu(client)
    assert f'href="{REGIONS}">Regionala vyer</a>' in menu
    assert f'href="{EVIDENCE}"' in menu
    page = client.get(REGIONS)
    assert page.status_code == 200 and scope.name in page.content.decode()


def test_an_administrator_gets_the_regional_views(client, db):
    admin = make_user("admin")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client.force_login(admin)
    assert f'href="{REGIONS}"' in _menu(client)


def test_the_menu_asks_for_scopes_at_most_once_and_not_for_json(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("partnerships:list"))
    asked = [q["sql"] for q in captured if "learning_regionalscope" in q["sql"]]
    assert len(asked) == 1, asked
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("learning:catalogue"))
    assert not [q for q in captured if "learning_regionalscope" in q["sql"]]
