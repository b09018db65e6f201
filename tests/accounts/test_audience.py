"""What each audience receives (issue 19, findings 1, 2 and 5), on the demo, with the steps
of the findings: the public editions, the step 5 page of a plain member, and a coordinator's
reworded 5I text that needs an approval by the police before it is published."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.urls import reverse

from samverkan.accounts import audience
from samverkan.accounts.models import User
from samverkan.documents import data, services
from samverkan.followup.models import WriteUpApproval, WriteUpPart, WriteUpSection
from samverkan.partnerships.models import Partnership
from samverkan.problems.models import Measure
from tests.pdf_text import pdf_text

OPERATION = "Riktad spaning mot försäljning av smuggelsprit vid parkeringsplats N"
REWORDED = (
    "De sex männen vid gatorna L och M fick LVM-utredning. 3 av dem flyttade. "
    "Spaning vid parkeringsplats N pågick."
)


def _files(partnership: Partnership, kind: str, edition: str, user=None) -> dict[str, str]:
    doc = data.build(kind, partnership, edition, user)
    word = docx.Document(io.BytesIO(services.render_as(doc, "docx")))
    parts = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return {
        "structure": "\n".join(doc.text_lines()),
        "pdf": pdf_text(services.render_as(doc, "pdf")),
        "docx": " ".join(" ".join(parts).split()),
    }


# ---- finding 1: not-publishable measures in public editions -------------------------------------


@pytest.mark.slow(reason="prints the public edition as PDF and Word and reads them back")
@pytest.mark.parametrize("kind", ["agreement", "atgardsplan", "followup", "fem-i"])
def test_public_editions_never_print_a_measure_that_is_not_publishable(demo, kind):
    hidden = Measure.objects.filter(partnership=demo, publishable=False, confidential=False)
    titles = sorted(m.title for m in hidden)
    assert OPERATION in titles and len(titles) == 2  # measures 5 and 7
    for fmt, text in _files(demo, kind, data.PUBLIC).items():
        flat = " ".join(text.split())
        for title in titles:
            assert title not in flat, (kind, fmt, title)
    structure = _files(demo, kind, data.PUBLIC)["structure"]
    if kind != "followup" or "Processuppföljning" in structure:
        assert "ingår inte i offentliga versioner" in structure, kind


def test_internal_edition_still_gives_the_members_every_measure(demo):
    member = User.objects.get(username="demo.kyrkan")
    text = "\n".join(data.build("atgardsplan", demo, data.INTERNAL, member).text_lines())
    assert OPERATION in text


# ---- finding 2: a withheld measure's period, status and count ----------------------------------


def _withheld_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if "Åtgärd under sekretess" in line]


def test_step5_page_gives_a_member_only_the_neutral_line_of_a_withheld_measure(client, demo):
    client.force_login(User.objects.get(username="demo.kyrkan"))
    page = client.get(reverse("followup:home", kwargs={"pk": demo.pk})).content.decode()
    rows = [r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "under sekretess" in r]
    assert len(rows) == 1
    row = " ".join(re.sub(r"<[^>]+>", " ", rows[0]).split())
    assert row == "9 Åtgärd under sekretess (hos Lokalpolisområde Exempel)"
    assert "Genomförd" not in row and "Pågår" not in row


def test_step5_page_gives_the_police_the_measure_in_full(client, demo):
    client.force_login(User.objects.get(username="demo.polis"))
    page = client.get(reverse("followup:home", kwargs={"pk": demo.pk})).content.decode()
    assert "Åtgärd under sekretess" not in page
    secret = Measure.objects.get(partnership=demo, confidential=True)
    assert secret.title in page


@pytest.mark.parametrize("kind", ["followup", "fem-i"])
def test_documents_give_a_withheld_measure_no_period_status_or_count(demo, kind):
    member = User.objects.get(username="demo.kyrkan")
    internal = "\n".join(data.build(kind, demo, data.INTERNAL, member).text_lines())
    rows = _withheld_rows(internal)
    assert rows, kind
    for row in rows:
        cells = [c.strip() for c in row.strip("| ").split("|")]
        assert cells[:2] == ["9", "Åtgärd under sekretess (hos Lokalpolisområde Exempel)"]
        assert set(cells[2:]) <= {"–"}, (kind, row)
    # The public edition does not list it at all (it is not publishable either).
    public = "\n".join(data.build(kind, demo, data.PUBLIC).text_lines())
    assert not _withheld_rows(public)


def test_process_summary_counts_only_what_the_audience_receives(demo):
    from samverkan.followup import services as follow

    process = follow.process_followup(demo)
    member = audience.for_user(User.objects.get(username="demo.kyrkan"), demo)
    police = audience.for_user(User.objects.get(username="demo.polis"), demo)
    seen, full = audience.process_view(member, process), audience.process_view(police, process)
    assert seen.withheld == 1 and full.withheld == 0
    assert seen.carried_out + seen.other + seen.dropped == len(process.states) - 1
    assert "som inte redovisas här ingår inte i siffrorna" in seen.summary


# ---- finding 5: a reworded 5I text reaches the public only with the police's approval -----------


def _reword(client, demo) -> None:
    client.force_login(User.objects.get(username="demo.kommun"))
    url = reverse("followup:write_up_edit", kwargs={"pk": demo.pk, "part": "inforande"})
    response = client.post(url, {"text": REWORDED, "version": ""})
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    assert WriteUpSection.objects.get(partnership=demo, part=WriteUpPart.IMPLEMENTATION)


def _public_5i(demo) -> dict[str, str]:
    return _files(demo, "fem-i", data.PUBLIC)


@pytest.mark.slow(reason="prints the public edition as PDF and Word and reads them back")
def test_reworded_5i_text_is_not_published_without_approval(client, demo):
    _reword(client, demo)
    for fmt, text in _public_5i(demo).items():
        flat = " ".join(text.split())
        assert "LVM" not in flat and "männen" not in flat and "3 av dem" not in flat, fmt
        assert "Spaning" not in flat, fmt
        assert "inte godkänd för publicering" in flat, fmt


def test_check_flags_the_small_count_and_the_sensitive_words():
    flags = audience.check_text(REWORDED)
    quotes = " ".join(f.message for f in flags)
    assert [f.kind for f in flags].count("word") == 2  # LVM, Spaning
    assert "3 av dem" in quotes and "LVM" in quotes and "Spaning" in quotes


@pytest.mark.slow(reason="prints the public edition as PDF and Word and reads them back")
def test_the_reworded_text_needs_the_police_and_the_kommun_cannot_approve_it(client, demo):
    _reword(client, demo)
    police = Partnership.objects.get(pk=demo.pk).parties.get(organisation__kind="police_area")
    required = audience.parties_to_approve(demo, REWORDED)
    assert [p.pk for p in required] == [police.pk]
    url = reverse("followup:write_up_approve", kwargs={"pk": demo.pk, "part": "inforande"})
    form = {"digest": audience.digest(REWORDED), "flags_read": "on"}
    client.post(url, form)  # the kommun's administrator
    assert not WriteUpApproval.objects.exists()
    assert "inte godkänd för publicering" in _public_5i(demo)["structure"]


@pytest.mark.slow(reason="prints the public edition as PDF and Word and reads them back")
def test_police_approval_publishes_the_part_and_a_change_loses_it(client, demo):
    _reword(client, demo)
    client.force_login(User.objects.get(username="demo.polis"))
    url = reverse("followup:write_up_approve", kwargs={"pk": demo.pk, "part": "inforande"})
    # Flags unread: refused.
    client.post(url, {"digest": audience.digest(REWORDED)})
    assert not WriteUpApproval.objects.exists()
    # A text that changed since it was read: refused.
    client.post(url, {"digest": audience.digest("något annat"), "flags_read": "on"})
    assert not WriteUpApproval.objects.exists()
    client.post(url, {"digest": audience.digest(REWORDED), "flags_read": "on"})
    assert WriteUpApproval.objects.filter(partnership=demo, party__organisation__kind="police_area")
    assert "3 av dem flyttade" in _public_5i(demo)["structure"]
    # The coordinator changes the text: the approval no longer holds.
    section = WriteUpSection.objects.get(partnership=demo, part=WriteUpPart.IMPLEMENTATION)
    section.text = REWORDED + " Och mer."
    section.save()
    assert "3 av dem flyttade" not in _public_5i(demo)["structure"]


@pytest.mark.slow(reason="prints the public edition as PDF and Word and reads them back")
def test_the_untouched_parts_need_one_leader_and_are_then_printed(client, demo):
    client.force_login(User.objects.get(username="demo.kommun"))
    from samverkan.followup import write_up

    state = next(s for s in write_up.sections(demo) if s.part == WriteUpPart.INVOLVEMENT)
    assert audience.parties_to_approve(demo, state.text) == []
    url = reverse("followup:write_up_approve", kwargs={"pk": demo.pk, "part": "involvering"})
    client.post(url, {"digest": audience.digest(state.text), "flags_read": "on"})
    assert audience.may_publish_text(demo, WriteUpPart.INVOLVEMENT, state.text)
    structure = _public_5i(demo)["structure"]
    assert structure.count("inte godkänd för publicering") == 4  # the other four parts


def test_a_plain_member_may_not_approve(client, demo):
    client.force_login(User.objects.get(username="demo.kyrkan"))
    url = reverse("followup:write_up_approve", kwargs={"pk": demo.pk, "part": "involvering"})
    assert client.post(url, {"digest": "x"}).status_code == 403


@pytest.mark.parametrize(
    "text",
    [
        "Åtgärd 3 startade den 2 maj 2026 och pågick till 2026-06-01.",
        "Samverkan beslutade 12 åtgärder; 1,5 % av budgeten gick till steg 2.",
        "1. Krogtillsyn\n2. Nattbussar",
        "En arbetsgrupp bildades och ett möte hölls varje månad.",
        "Kostnaden var 1 000 kr.",
    ],
)
def test_check_does_not_flag_references_dates_lists_or_articles(text):
    assert audience.check_text(text) == []


@pytest.mark.parametrize(
    "text",
    ["Två av ungdomarna", "bara en person", "fyra gripna", "LVU övervägdes", "4 av 5 flyttade"],
)
def test_check_flags_counts_and_words(text):
    assert audience.check_text(text)
