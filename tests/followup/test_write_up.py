"""The 5I write-up: stored parts drafted from data, edited with a version check, drafted again
on request, and never showing a confidential item to a reader who may not see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry
from samverkan.followup import write_up
from samverkan.followup.models import WriteUpPart, WriteUpSection
from samverkan.problems.models import Cause, Measure

SECRET = "Uppsökande samtal med de tre unga männen vid kiosken"


def _url(world, name: str, **kwargs) -> str:
    return reverse(f"followup:{name}", kwargs={"pk": world.ours.partnership.pk, **kwargs})


def _measure(world) -> Measure:
    return Measure.objects.get(partnership=world.ours.partnership, number=1)


def _make_secret(world) -> Measure:
    """A second measure, confidential to the police party (bob's)."""
    first = _measure(world)
    secret = Measure.objects.create(
        partnership=world.ours.partnership,
        problem=first.problem,
        number=2,
        title=SECRET,
        responsible_party=world.ours.polis,
        confidential=True,
    )
    secret.allowed_parties.set([world.ours.polis])
    return secret


# ---- the draft --------------------------------------------------------------------------------


def test_draft_has_every_part_from_the_data(world):
    drafted = write_up.draft(world.ours.partnership)
    assert list(drafted) == list(WriteUpPart)
    assert "Trängsel vid stängning" in drafted[WriteUpPart.INTELLIGENCE]
    assert "Åtgärd 1: Fler nattbussar" in drafted[WriteUpPart.INTERVENTION]
    assert "Hur den ska verka är inte beskrivet" in drafted[WriteUpPart.INTERVENTION]
    assert "Testkommun" in drafted[WriteUpPart.INVOLVEMENT]
    # The test world's evaluation: 40 before, 30 after, nothing small.
    assert "från 40 till 30" in drafted[WriteUpPart.IMPACT]
    assert "Anmälda brott speglar också" in drafted[WriteUpPart.IMPACT]


def test_draft_names_no_confidential_item_and_counts_them_instead(world):
    _make_secret(world)
    cause = Cause.objects.get(partnership=world.ours.partnership, number=1)
    cause.confidential = True
    cause.save()
    drafted = write_up.draft(world.ours.partnership)
    text = "\n".join(drafted.values())
    assert SECRET not in text
    assert "Trängsel vid stängning" not in text
    assert "1 åtgärd är under sekretess" in drafted[WriteUpPart.INTERVENTION]
    assert "1 orsak är under sekretess" in drafted[WriteUpPart.INTELLIGENCE]


def test_draft_prints_no_small_count(world):
    evaluation = world.ours.partnership.evaluations.get()
    evaluation.treated_before, evaluation.treated_after = 4, 2
    evaluation.save()
    impact = write_up.draft(world.ours.partnership)[WriteUpPart.IMPACT]
    assert "antalen är så små (under 5)" in impact
    assert "från 4" not in impact and " 2 " not in impact


def test_quoted_items_finds_a_clause_of_a_confidential_item(world):
    _make_secret(world)
    found = write_up.quoted_items(
        world.ours.partnership, "Vi gjorde så här: uppsökande samtal med de tre unga männen."
    )
    assert [m.number for m in found] == [2]
    assert write_up.quoted_items(world.ours.partnership, "Samtal med unga.") == []


# ---- the page ---------------------------------------------------------------------------------


def test_member_reads_the_page_with_the_draft_until_it_is_reviewed(client, world):
    client.force_login(world.carol)
    page = client.get(_url(world, "write_up")).content.decode()
    assert "5I-beskrivning" in page
    assert "Fler nattbussar" in page
    assert "5 avsnitt är utkast ur uppgifterna" in page
    assert (
        reverse(
            "documents:download",
            kwargs={
                "pk": world.ours.partnership.pk,
                "kind": "fem-i",
                "edition": "public",
                "fmt": "pdf",
            },
        )
        in page
    )
    assert _url(world, "write_up_edit", part="insats") not in page  # a reader does not edit


def test_step5_and_the_documents_list_link_to_the_page(client, world):
    client.force_login(world.carol)
    target = _url(world, "write_up")
    assert target in client.get(_url(world, "home")).content.decode()
    documents = reverse("documents:list", kwargs={"pk": world.ours.partnership.pk})
    assert target in client.get(documents).content.decode()


def test_outsider_gets_404_and_reader_403(client, world):
    client.force_login(world.mallory)
    assert client.get(_url(world, "write_up")).status_code == 404
    assert client.get(_url(world, "write_up_edit", part="insats")).status_code == 404
    client.force_login(world.carol)
    assert client.get(_url(world, "write_up_edit", part="insats")).status_code == 403
    post = client.post(_url(world, "write_up_edit", part="insats"), {"text": "Ändrat"})
    assert post.status_code == 403
    assert client.post(_url(world, "write_up_redraft"), {"avsnitt": "insats"}).status_code == 403
    assert not WriteUpSection.objects.exists()


def test_unknown_part_is_404(client, world):
    client.force_login(world.bob)
    assert client.get(_url(world, "write_up_edit", part="sammanfattning")).status_code == 404


# ---- editing ----------------------------------------------------------------------------------


def test_coordinator_edits_a_part_starting_from_the_draft(client, world):
    client.force_login(world.bob)
    form = client.get(_url(world, "write_up_edit", part="insats")).content.decode()
    assert "Åtgärd 1: Fler nattbussar" in form  # the draft is the starting text
    response = client.post(
        _url(world, "write_up_edit", part="insats"),
        {"text": "Vi satte in fler nattbussar.\n\n- Buss 1\n- Buss 2", "version": ""},
    )
    assert response.status_code == 302
    section = WriteUpSection.objects.get(part=WriteUpPart.INTERVENTION)
    assert section.text.startswith("Vi satte in fler nattbussar.")
    assert section.edited and section.version == 1
    entry = AuditEntry.objects.filter(model_label="followup.writeupsection").get()
    assert entry.user == world.bob
    page = client.get(_url(world, "write_up")).content.decode()
    assert "<li>Buss 1</li>" in page
    assert "Ändrad för hand." in page


def test_two_editors_never_silently_overwrite_each_other(client, world):
    section = WriteUpSection.objects.create(
        partnership=world.ours.partnership, part=WriteUpPart.INTERVENTION, text="Första"
    )
    client.force_login(world.bob)
    first = client.post(
        _url(world, "write_up_edit", part="insats"), {"text": "Bobs text", "version": "1"}
    )
    assert first.status_code == 302
    client.force_login(world.alice)
    stale = client.post(
        _url(world, "write_up_edit", part="insats"), {"text": "Alices text", "version": "1"}
    )
    assert stale.status_code == 400
    assert "Någon annan har ändrat detta" in stale.content.decode()
    section.refresh_from_db()
    assert section.text == "Bobs text" and section.version == 2


def test_a_part_stored_while_the_form_was_open_is_a_conflict(client, world):
    client.force_login(world.bob)
    WriteUpSection.objects.create(
        partnership=world.ours.partnership, part=WriteUpPart.IMPACT, text="Någon annans"
    )
    stale = client.post(_url(world, "write_up_edit", part="effekt"), {"text": "Min", "version": ""})
    assert stale.status_code == 400
    assert WriteUpSection.objects.get(part=WriteUpPart.IMPACT).text == "Någon annans"


def test_form_refuses_a_text_that_quotes_a_confidential_item(client, world):
    _make_secret(world)
    client.force_login(world.bob)  # police: may see the measure, so it is named
    response = client.post(
        _url(world, "write_up_edit", part="insats"),
        {"text": f"Vi gjorde {SECRET.lower()}.", "version": ""},
    )
    assert response.status_code == 400
    assert "Texten citerar uppgifter under sekretess (åtgärd 2)" in response.content.decode()
    assert not WriteUpSection.objects.exists()


def test_page_withholds_a_stored_text_that_quotes_an_item_the_reader_may_not_see(client, world):
    WriteUpSection.objects.create(
        partnership=world.ours.partnership,
        part=WriteUpPart.INTERVENTION,
        text=f"Polisen genomförde: {SECRET}.",
    )
    _make_secret(world)  # confidential after the text was written
    client.force_login(world.carol)  # municipality: may not see it
    page = client.get(_url(world, "write_up")).content.decode()
    assert SECRET not in page
    assert "nämner en uppgift under sekretess som du inte har behörighet att se" in page
    client.force_login(world.bob)
    assert SECRET in client.get(_url(world, "write_up")).content.decode()


# ---- drafting again ---------------------------------------------------------------------------


def test_redraft_shows_what_would_change_and_replaces_only_the_chosen(client, world):
    intervention = WriteUpSection.objects.create(
        partnership=world.ours.partnership,
        part=WriteUpPart.INTERVENTION,
        text="Gammal text om insatsen.",
        edited=True,
    )
    involvement = WriteUpSection.objects.create(
        partnership=world.ours.partnership, part=WriteUpPart.INVOLVEMENT, text="Egen text."
    )
    client.force_login(world.bob)
    page = client.get(_url(world, "write_up_redraft")).content.decode()
    assert "Gammal text om insatsen." in page and "<del>" in page
    assert "Åtgärd 1: Fler nattbussar" in page and "<ins>" in page
    response = client.post(
        _url(world, "write_up_redraft"),
        {"avsnitt": ["insats", "effekt"], "version-insats": "1", "version-effekt": ""},
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    involvement.refresh_from_db()
    assert "Åtgärd 1: Fler nattbussar" in intervention.text
    assert not intervention.edited and intervention.version == 2
    assert involvement.text == "Egen text."  # not chosen, kept
    impact = WriteUpSection.objects.get(part=WriteUpPart.IMPACT)
    assert "från 40 till 30" in impact.text
    assert impact.drafted_at is not None


def test_redraft_with_a_stale_version_saves_nothing(client, world):
    section = WriteUpSection.objects.create(
        partnership=world.ours.partnership, part=WriteUpPart.INTERVENTION, text="Gammal"
    )
    section.version = 3
    section.save()
    client.force_login(world.bob)
    response = client.post(
        _url(world, "write_up_redraft"),
        {"avsnitt": ["effekt", "insats"], "version-insats": "2", "version-effekt": ""},
    )
    assert response.status_code == 400
    assert "Någon annan har ändrat detta" in response.content.decode()
    section.refresh_from_db()
    assert section.text == "Gammal"
    assert not WriteUpSection.objects.filter(part=WriteUpPart.IMPACT).exists()  # all or nothing


def test_redraft_without_a_choice_says_so(client, world):
    client.force_login(world.bob)
    response = client.post(_url(world, "write_up_redraft"), {})
    assert response.status_code == 400
    assert "Välj minst ett avsnitt" in response.content.decode()


@pytest.mark.parametrize("slug", ["underrattelser", "insats", "inforande", "involvering", "effekt"])
def test_every_part_has_its_edit_page(client, world, slug):
    client.force_login(world.alice)
    assert client.get(_url(world, "write_up_edit", part=slug)).status_code == 200


def test_a_hand_written_impact_text_with_a_small_count_is_flagged(world):
    partnership = world.ours.partnership
    WriteUpSection.objects.create(
        partnership=partnership,
        part=WriteUpPart.IMPACT,
        text="Anmälda våldsbrott i Centrum gick från 40 till 30 (−25 %).",
    )
    impact = write_up.sections(partnership)[-1]
    assert impact.small_counts == []  # nothing small yet
    evaluation = partnership.evaluations.get()
    evaluation.treated_after = 3
    evaluation.save()
    impact = write_up.sections(partnership)[-1]
    assert impact.small_counts == [evaluation]  # the percentage could give the 3 back
    section = WriteUpSection.objects.get(part=WriteUpPart.IMPACT)
    section.text = "Våldet i Centrum minskade enligt polisens statistik."
    section.save()
    assert write_up.sections(partnership)[-1].small_counts == []  # no number, nothing to hide
