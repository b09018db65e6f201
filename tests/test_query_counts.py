"""Query counts of the heaviest partnership pages, pinned on the demo (issue 23: none above 30
without a reason), and pages whose count must not grow with the partnership's rows.

Each page is requested as the police coordinator of the demo, once to warm the process's
caches and once counted. A pin above 30 carries its reason next to it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samverkan.accounts.choices import OrganisationKind
from samverkan.accounts.models import Organisation, User
from samverkan.partnerships.choices import PartyKind
from samverkan.partnerships.models import Party
from samverkan.problems.choices import GoalKind
from samverkan.problems.models import Cause, Goal, Measure, Problem

# page: (path under /samverkan/<pk>/, the most queries it may make on the demo)
PINNED = {
    "dashboard": ("", 30),
    "law": ("lagkrav/", 30),
    "history": ("historik/", 30),
    "members": ("medlemmar/", 30),
    "parties": ("parter/", 30),
    "step3": ("steg3/", 30),
    "picture": ("steg3/problembild/", 30),
    "prioritisation": ("steg3/prioritering/", 30),
    "problem": ("steg3/problem/{problem}/", 30),
    "measures": ("steg3/atgarder/", 30),
    "traceability": ("steg3/sparbarhet/", 30),
    "step4": ("steg4/", 30),
    "step5": ("steg5/", 30),
    "documents": ("dokument/", 30),
    "followup_document": ("dokument/followup/internal/", 30),
    "mapping": ("kartlaggning/parter/{party}/", 30),
    "statistics": ("kartlaggning/parter/{party}/statistik/", 30),
    "map_data": ("kartlaggning/parter/{party}/karta/data.geojson", 30),
    # Above 30, for a reason:
    "agreement_internal": ("dokument/agreement/internal/", 30),
    "atgardsplan_internal": ("dokument/atgardsplan/internal/", 30),
    "write_up_edit": ("steg5/fem-i/effekt/andra/", 30),
    # Above 30, for a reason:
    # The 5I page writes a fresh draft of all five parts from the data, each part reading its
    # own material (picture, problems, causes, measures, goals, activity log, parties' roles,
    # groups, effect follow-ups, steering answers, and the crime statistics of each party
    # whose mapping is released: two queries per such party), then judges the five texts
    # against the confidential items and the approvals, read once for all five.
    "write_up": ("steg5/fem-i/", 36),
    "write_up_redraft": ("steg5/fem-i/nytt-utkast/", 34),
    # The lägesbild preview reads each kind of mapping material once (statistics, rates,
    # population, key figures, costs, surveys, safety walks, resources, activities, sources,
    # prioritisation) and the crime statistics per released party.
    "lagesbild_internal": ("dokument/lagesbild/internal/", 32),
    # The 5I documents and the open data page hold the 5I draft above plus every table of the
    # document (causes, measures with their links, activity, follow-ups, parties, statistics).
    "fem_i_internal": ("dokument/fem-i/internal/", 60),
    "fem_i_public": ("dokument/fem-i/public/", 58),
    "open_data": ("oppna-data/", 55),
}


@pytest.fixture
def coordinator(client, demo):
    user = User.objects.get(username="demo.polis")
    party = user.memberships.get(party__partnership=demo).party
    client.force_login(user)
    return client, party


def _count(client, url: str) -> int:
    assert client.get(url).status_code == 200, url  # warm-up
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _url(demo, party, path: str) -> str:
    # The problem _grow adds to.
    problem = Problem.objects.filter(partnership=demo).first()
    return f"/samverkan/{demo.pk}/" + path.format(party=party.pk, problem=problem.pk)


@pytest.mark.parametrize("page", sorted(PINNED))
def test_page_stays_within_its_pinned_query_count(coordinator, demo, page):
    client, party = coordinator
    path, most = PINNED[page]
    count = _count(client, _url(demo, party, path))
    assert count <= most, f"{page}: {count} queries, pinned at {most}"


def _grow(demo, n: int) -> None:
    """``n`` more parties, problems' causes, measures (each answering a cause, with two
    co-parties; every other one confidential) and goals: rows a partnership gains as it
    works."""
    problem = Problem.objects.filter(partnership=demo).first()
    responsible = demo.parties.order_by("pk").first()
    start = 1000
    for i in range(start, start + n):
        party = Party.objects.create(
            partnership=demo,
            organisation=Organisation.objects.create(
                name=f"Förening {i}", kind=OrganisationKind.OTHER
            ),
            kind=PartyKind.PARTICIPANT,
        )
        cause = Cause.objects.create(partnership=demo, problem=problem, number=i, text=f"Orsak {i}")
        measure = Measure.objects.create(
            partnership=demo,
            problem=problem,
            number=i,
            title=f"Åtgärd {i}",
            responsible_party=responsible,
            how_what="Så här",
        )
        measure.causes.set([cause])
        measure.co_parties.set([party, responsible])
        if i % 2:
            # Every other one confidential, open to its responsible party.
            measure.confidential = True
            measure.save(update_fields=["confidential"])
            measure.allowed_parties.set([responsible])
        Goal.objects.create(
            partnership=demo,
            problem=problem,
            kind=GoalKind.EFFECT,
            text=f"Mål {i}",
            indicator=f"Indikator {i}",
        )


GROWING = [
    "dashboard",
    "law",
    "step3",
    "prioritisation",
    "problem",
    "measures",
    "traceability",
    "step4",
    "step5",
    "write_up",
    "fem_i_internal",
]


@pytest.mark.slow(reason="adds rows to the demo and requests ten pages twice")
def test_query_counts_do_not_grow_with_more_parties_measures_and_goals(coordinator, demo):
    client, party = coordinator
    urls = {page: _url(demo, party, PINNED[page][0]) for page in GROWING}
    few = {page: _count(client, url) for page, url in urls.items()}
    _grow(demo, 4)
    many = {page: _count(client, url) for page, url in urls.items()}
    grown = {page: (few[page], many[page]) for page in GROWING if many[page] != few[page]}
    assert not grown, f"pages whose query count grew with the rows (before, after): {grown}"


def test_checklists_share_reads_only_inside_one_reading(demo, django_assert_num_queries):
    """Inside ``one_reading`` the parties are read once; outside it every call reads afresh,
    so a caller that adds a party and asks again sees it."""
    from samverkan.process import checklists

    with checklists.one_reading():
        first = checklists.shared_parties(demo)
        with django_assert_num_queries(0):
            again = checklists.shared_parties(demo)
        assert again is first
    before = len(checklists.shared_parties(demo))
    Party.objects.create(
        partnership=demo,
        organisation=Organisation.objects.create(name="Förening X", kind=OrganisationKind.OTHER),
        kind=PartyKind.PARTICIPANT,
    )
    assert len(checklists.shared_parties(demo)) == before + 1
    with django_assert_num_queries(1):
        checklists.shared_parties(demo)
