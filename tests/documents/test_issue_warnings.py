"""Issuing warns about every "uppgift saknas" the version would print, each linked to the page
where the data is entered (issue 22, "the kommun's workflow")."""

from __future__ import annotations

import dataclasses

import pytest
from django.urls import resolve, reverse

from samverkan.documents import data
from samverkan.documents.models import IssuedDocument


def _issue_url(kept_world, kind: str, edition: str) -> str:
    return reverse(
        "documents:issue",
        kwargs={"pk": kept_world.ours.partnership.pk, "kind": kind, "edition": edition},
    )


def _printed(doc) -> str:
    """The document's text without the internal edition's own list of gaps."""
    sections = [s for s in doc.sections if s.heading != "Saknas i underlaget"]
    return "\n".join(dataclasses.replace(doc, sections=sections).text_lines())


@pytest.mark.parametrize("edition", [data.INTERNAL, data.PUBLIC])
def test_every_printed_gap_is_listed_with_the_page_that_fills_it(kept_world, edition):
    printing = []
    for kind in data.KINDS:
        doc = data.build(kind, kept_world.ours.partnership, edition, kept_world.alice)
        if data.MISSING in _printed(doc):
            printing.append(kind)
            assert doc.gaps, f"{kind} prints “{data.MISSING}” but lists no gap"
        for gap in doc.gaps:
            link = doc.gap_links.get(gap)
            assert link, f"{kind}: no link for the gap {gap!r}"
            assert resolve(link).kwargs["pk"] == kept_world.ours.partnership.pk
    assert {"agreement", "atgardsplan"} <= set(printing)


def test_issue_page_lists_each_gap_with_its_link_and_issues_nothing(client, kept_world):
    client.force_login(kept_world.alice)
    p = kept_world.ours.partnership
    before = IssuedDocument.objects.count()
    response = client.get(_issue_url(kept_world, "agreement", "public"))
    assert response.status_code == 200
    page = response.content.decode()
    doc = data.build("agreement", p, data.PUBLIC, kept_world.alice)
    assert "Slutdatum för överenskommelsens giltighet (Steg 1, Samverkan)" in doc.gaps
    for gap in doc.gaps:
        assert f'<a href="{doc.gap_links[gap]}">{gap}</a>' in page
    assert f'href="{reverse("partnerships:edit", kwargs={"pk": p.pk})}"' in page
    assert f"Dokumentet saknar {len(doc.gaps)} uppgifter" in page
    assert "Utfärda version 2 ändå" in page  # the world holds version 1
    assert IssuedDocument.objects.count() == before


def test_measure_gap_links_to_that_measures_form(client, kept_world):
    from samverkan.problems.models import Measure

    measure = Measure.objects.filter(partnership=kept_world.ours.partnership).first()
    assert measure is not None
    measure.how_where = ""
    measure.save(update_fields=["how_where"])
    client.force_login(kept_world.bob)
    page = client.get(_issue_url(kept_world, "atgardsplan", "internal")).content.decode()
    edit = reverse(
        "problems:measure_edit",
        kwargs={"pk": kept_world.ours.partnership.pk, "measure_id": measure.pk},
    )
    assert f'<a href="{edit}">Åtgärd {measure.number}: ' in page


def test_issue_page_says_when_nothing_is_missing(client, kept_world):
    client.force_login(kept_world.alice)
    page = client.get(_issue_url(kept_world, "followup", "internal")).content.decode()
    assert "Inga uppgifter saknas i dokumentet." in page
    assert "Utfärda version 1</button>" in page


def test_list_page_leads_to_the_issue_page_and_readers_do_not_get_it(client, kept_world):
    client.force_login(kept_world.alice)
    listing = client.get(reverse("documents:list", kwargs={"pk": kept_world.ours.partnership.pk}))
    assert _issue_url(kept_world, "atgardsplan", "public") in listing.content.decode()
    client.force_login(kept_world.carol)
    assert client.get(_issue_url(kept_world, "atgardsplan", "public")).status_code == 403
