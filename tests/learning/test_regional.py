"""The regional reader (issue 24): kommuner side by side from public sources only."""

from __future__ import annotations

import csv
import datetime
import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import audience
from samverkan.documents.models import DocumentDecision
from samverkan.followup.models import EffectEvaluation
from samverkan.learning.models import EvaluationLabel, OpenDataPublication, RegionalScope
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Goal, Measure, Problem
from tests.factories import make_partnership, make_user

SECRET = "Spaning mot gruppen vid torget"
NOT_PUBLIC = "Polisens operativa insats vid stationen"
OPEN = "Bättre belysning i gångtunneln"
SECRET_NOTE = "Intern kommentar om de sex männen"


def _build():
    north = make_partnership(" Nord")
    south = make_partnership(" Syd")
    outside = make_partnership(" Utanför")
    p = north.partnership
    problem = Problem.objects.create(partnership=p, title="Rån vid stationen", crime_type="Rån")
    goal = Goal.objects.create(
        partnership=p, problem=problem, kind=GoalKind.EFFECT, text="Färre rån", indicator="Rån"
    )
    for number, (title, confidential, publishable) in enumerate(
        [(OPEN, False, True), (SECRET, True, False), (NOT_PUBLIC, False, False)], start=50
    ):
        m = Measure.objects.create(
            partnership=p,
            problem=problem,
            number=number,
            title=title,
            responsible_party=north.kommun,
            confidential=confidential,
            publishable=publishable,
        )
        if confidential:
            m.allowed_parties.add(north.polis)
    for treated, control in (((60, 40), (50, 48)), ((3, 1), (20, 22))):
        ev = EffectEvaluation.objects.create(
            partnership=p,
            goal=goal,
            indicator="Rån",
            period_before="2024",
            period_after="2025",
            treated_area="Stationen",
            treated_before=treated[0],
            treated_after=treated[1],
            control_area="Övriga",
            control_before=control[0],
            control_after=control[1],
            note=SECRET_NOTE,
        )
        EvaluationLabel.objects.create(evaluation=ev, method="miljo", place_type="trafik")
    DocumentDecision.objects.update_or_create(
        partnership=p,
        kind="lagesbild",
        defaults={"body": "Kommunstyrelsen", "decided_on": datetime.date(2026, 3, 1)},
    )
    OpenDataPublication.objects.create(
        partnership=p,
        published=True,
        published_at=timezone.now(),
        contact_name="Samordnaren",
        contact_email="s@example.se",
    )
    scope = RegionalScope.objects.create(name="Länsstyrelsen i Exempellän", kind="lansstyrelse")
    scope.municipalities.add(p.municipality, south.partnership.municipality)
    reader = make_user("lansreader")
    scope.readers.add(reader)
    stranger = make_user("inte_lasare")
    return SimpleNamespace(
        scope=scope, reader=reader, stranger=stranger, north=north, south=south, outside=outside
    )


@pytest.fixture(scope="module")
def built(kept):
    return kept(_build)


@pytest.fixture
def region(built, db):
    return built


def test_reader_sees_kommuner_side_by_side(client, region):
    client.force_login(region.reader)
    assert region.scope.name in client.get(reverse("learning:regions")).content.decode()
    html = client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk})).content
    html = html.decode()
    assert str(region.north.partnership.municipality) in html
    assert str(region.south.partnership.municipality) in html
    assert str(region.outside.partnership.municipality) not in html
    assert "Kommunstyrelsen" in html  # the lägesbild decision
    assert "Publicerar inte" in html  # the south does not publish open data


def test_regional_walk_finds_nothing_beyond_public_editions(client, region):
    client.force_login(region.reader)
    pages = [
        client.get(reverse("learning:regions")),
        client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk})),
        client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk})),
    ]
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        for hidden in (SECRET, NOT_PUBLIC, SECRET_NOTE):
            assert hidden not in text
    # The reader belongs to no partnership: every partnership page stays closed.
    p = region.north.partnership
    for name in ("partnerships:parties", "followup:home", "learning:publish"):
        assert client.get(reverse(name, kwargs={"pk": p.pk})).status_code == 404


def test_csv_lists_every_kommun_of_the_scope(client, region):
    client.force_login(region.reader)
    response = client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk}))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["kommun"] for r in rows] == sorted(
        [str(region.north.partnership.municipality), str(region.south.partnership.municipality)]
    )
    north = next(r for r in rows if r["kommun"] == str(region.north.partnership.municipality))
    assert north["lagesbild_beslutad"] == "2026-03-01"
    assert north["publicerar_oppna_data"] == "ja"
    # Only the measures a public edition shows in full (ours: the open one, not the others).
    public = audience.public()
    shown = [
        m
        for m in Measure.objects.filter(partnership=region.north.partnership)
        if public.receives(m)
    ]
    assert OPEN in [m.title for m in shown]
    assert north["atgarder"] == str(len(shown))


def test_other_users_get_404(client, region):
    client.force_login(region.stranger)
    assert (
        client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk})).status_code
        == 404
    )
    assert (
        client.get(reverse("learning:region_csv", kwargs={"scope_id": region.scope.pk})).status_code
        == 404
    )
    client.logout()
    response = client.get(reverse("learning:region", kwargs={"scope_id": region.scope.pk}))
    assert response.status_code == 302
