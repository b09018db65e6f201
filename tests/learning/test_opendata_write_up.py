"""The 5I write-up in open data (issue 24): only the parts the public 5I document prints, that
is, texts the leaders have approved as they read now, and never one quoting a confidential
item, whatever approvals exist."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts import audience
from samverkan.accounts.models import User
from samverkan.documents import data
from samverkan.followup import write_up
from samverkan.followup.models import WriteUpPart, WriteUpSection
from samverkan.learning import opendata
from samverkan.learning.models import OpenDataPublication
from samverkan.problems.models import Measure

REWORDED = (
    "De sex männen vid gatorna L och M fick LVM-utredning. 3 av dem flyttade. "
    "Spaning vid parkeringsplats N pågick."
)


@pytest.fixture
def published(demo):
    OpenDataPublication.objects.create(
        partnership=demo,
        published=True,
        published_at=timezone.now(),
        contact_name="Kommunens trygghetssamordnare",
        contact_email="trygghet@example.se",
    )
    return demo


def _open(client, partnership) -> tuple[dict, str]:
    answer = client.get(reverse("learning:dataset_json", kwargs={"pk": partnership.pk}))
    assert answer.status_code == 200
    parts = {p["avsnitt"]: p for p in answer.json()["beskrivning_5i"]["delar"]}
    return parts, answer.content.decode()


def _text(partnership, part: str) -> str:
    return next(s.text for s in write_up.sections(partnership) if s.part == part)


def _approve(partnership, part: str, username: str) -> None:
    text = _text(partnership, part)
    user = User.objects.get(username=username)
    audience.approve(partnership, part, text, audience.digest(text), user)


def _store(partnership, part: str, text: str) -> None:
    WriteUpSection.objects.update_or_create(
        partnership=partnership, part=part, defaults={"text": text}
    )


def test_no_part_is_open_until_approved(client, published):
    parts, body = _open(client, published)
    assert [p["nummer"] for p in parts.values()] == [1, 2, 3, 4, 5]
    for part, shown in parts.items():
        assert shown["publicerad"] is False and shown["text"] is None and shown["stycken"] == []
        first_line = _text(published, part).strip().splitlines()[0]
        assert first_line not in body


def test_an_approved_part_is_published_as_the_public_5i_prints_it(client, published):
    _approve(published, WriteUpPart.INVOLVEMENT, "demo.kommun")
    parts, _body = _open(client, published)
    shown = parts[WriteUpPart.INVOLVEMENT]
    assert shown["publicerad"] is True and shown["text"]
    others = [p for part, p in parts.items() if part != WriteUpPart.INVOLVEMENT]
    assert not any(p["publicerad"] for p in others)
    # The public 5I document itself: the part's section holds exactly these blocks.
    doc = data.build("fem-i", published, data.PUBLIC, None)
    section = next(s for s in doc.sections if s.heading.startswith(f"{shown['nummer']}. "))
    assert [opendata._block(b) for b in section.blocks] == shown["stycken"]
    # The API without a token gives the same.
    api = client.get(f"/api/v1/open-data/datasets/{published.pk}").json()
    assert shown in api["beskrivning_5i"]["delar"]
    # A change to the text loses the approval, in the document and in the open data.
    _store(published, WriteUpPart.INVOLVEMENT, _text(published, WriteUpPart.INVOLVEMENT) + " Mer.")
    assert _open(client, published)[0][WriteUpPart.INVOLVEMENT]["publicerad"] is False


def test_a_text_touching_a_withheld_measure_needs_its_holders_approval(client, published):
    _store(published, WriteUpPart.IMPLEMENTATION, REWORDED)
    with pytest.raises(audience.ApprovalRefused):
        _approve(published, WriteUpPart.IMPLEMENTATION, "demo.kommun")
    parts, body = _open(client, published)
    assert parts[WriteUpPart.IMPLEMENTATION]["publicerad"] is False
    assert "LVM" not in body and "parkeringsplats N" not in body
    _approve(published, WriteUpPart.IMPLEMENTATION, "demo.polis")
    parts, _body = _open(client, published)
    assert parts[WriteUpPart.IMPLEMENTATION]["text"] == REWORDED


def test_a_text_quoting_a_confidential_item_stays_out_even_when_approved(client, published):
    secret = Measure.objects.filter(partnership=published, confidential=True).first()
    assert secret is not None, "the demo has a confidential measure"
    quoting = f"Vi arbetade med {secret.title.lower()} under hela hösten."
    _store(published, WriteUpPart.INTERVENTION, quoting)
    _approve(published, WriteUpPart.INTERVENTION, "demo.polis")
    assert audience.may_publish_text(published, WriteUpPart.INTERVENTION, quoting)
    parts, body = _open(client, published)
    assert parts[WriteUpPart.INTERVENTION]["publicerad"] is False
    assert secret.title.lower() not in body.lower()
