"""The demo county: the evidence bank pools something on a fresh machine."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from samverkan.learning import evidence, regional
from samverkan.learning.models import RegionalScope


def test_demo_region_feeds_the_evidence_bank_and_the_regional_view(client, db):
    call_command("load_demo_region", stdout=StringIO())
    call_command("load_demo_region", stdout=StringIO())  # idempotent
    scope = RegionalScope.objects.get()
    assert scope.municipalities.count() == 3
    groups = {g.method: g for g in evidence.groups(evidence.own_rows())}
    assert groups["narvaro"].pooled is not None and groups["narvaro"].pooled.k == 3
    assert groups["kamera"].pooled is not None
    html = client.get(reverse("learning:evidence")).content.decode()
    assert "(exempel)" in html or "Exempelby" in html
    assert "Sammanvägd effekt" in html
    # Every demo kommun shares its mapping: the regional view has a rate for each, against
    # the two others.
    for row in regional.rows_for(scope):
        assert row.rates.latest is not None, row.rates.missing
        assert row.rates.latest.group_n == 2 and row.rates.own_trend is not None
