"""The weekly picture: page, suppression of small counts, document builds and the e-mail."""

from __future__ import annotations

import datetime
import io
from io import StringIO

import docx
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.choices import Role
from samverkan.documents import data
from samverkan.fieldwork import services
from samverkan.fieldwork.models import FieldCategory, FieldPlace, FieldReport, WeeklySubscription
from tests.factories import join, make_user
from tests.pdf_text import pdf_text


def _at(week: str, day: int = 3, hour: int = 21) -> datetime.datetime:
    year, number = services.parse_week(week)
    date = datetime.date.fromisocalendar(year, number, day)
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour)))


@pytest.fixture
def busy(world):
    """Week 48: seven reports of drug dealing at Stationen (five plus two more), three
    klotter at Torget (the world's one and two more); week 47: one report at Stationen."""
    p = world.ours.partnership
    drugs = FieldCategory.objects.create(partnership=p, name="Narkotikaförsäljning")
    klotter = FieldCategory.objects.get(partnership=p, name="Klotter")
    station = FieldPlace.objects.create(
        partnership=p, name="Stationen", latitude=59.3, longitude=18
    )
    torget = FieldPlace.objects.get(partnership=p, name="Torget")
    for n in range(7):
        FieldReport.objects.create(
            partnership=p,
            observed_at=_at("2026-W48", 1 + n % 7),
            place=station,
            category=drugs,
            text=f"Försäljning bakom kiosken nr {n}",
        )
    for _n in range(2):
        FieldReport.objects.create(
            partnership=p, observed_at=_at("2026-W48", 2), place=torget, category=klotter
        )
    FieldReport.objects.create(
        partnership=p, observed_at=_at("2026-W47"), place=station, category=drugs
    )
    return world


def test_picture_counts_compare_and_suggest_focus(busy):
    picture = services.weekly_picture(busy.ours.partnership, 2026, 48, full=True)
    rows = {r.label: r for r in picture.places}
    assert rows["Stationen"].this_week == "7"
    assert rows["Stationen"].previous_mean == "0,3"  # 1 report in 4 weeks, half up
    assert rows["Stationen"].change == "+6,8"
    assert rows["Torget"].this_week == "3"
    assert picture.total == "10"
    assert picture.previous_weeks == ["2026-W47", "2026-W46", "2026-W45", "2026-W44"]
    assert picture.last_year_label == "2025-W48"
    assert [f.place for f in picture.focus] == ["Stationen", "Torget"]
    assert len(picture.notable) == 7  # every drug-dealing report


def test_small_counts_are_suppressed_beyond_the_coordinators(busy):
    picture = services.weekly_picture(busy.ours.partnership, 2026, 48, full=False)
    rows = {r.label: r for r in picture.places}
    assert rows["Stationen"].this_week == "7"
    assert rows["Torget"].this_week == ".."
    assert rows["Stationen"].previous_mean == ".."  # the mean of one report gives it away
    assert rows["Stationen"].change == ""
    assert picture.total == ".."  # a total beside a hidden cell would reveal it
    assert all("3 rapporter" not in f.reason for f in picture.focus)


def test_week_53_compares_with_week_52_a_year_earlier():
    assert services.same_week_last_year(2026, 53) == (2025, 52)
    assert services.shift_week(2027, 1, -1) == (2026, 53)


@pytest.mark.parametrize("bad", ["2026-W54", "2026-W00", "2026W48", "26-W48", "1899-W01", "x"])
def test_bad_week_is_not_found(client, world, bad):
    client.force_login(world.alice)
    url = f"/samverkan/{world.ours.partnership.pk}/vecka/{bad}/"
    assert client.get(url).status_code == 404


def test_week_page_for_coordinator_member_and_reporter(client, busy):
    p = busy.ours.partnership
    url = reverse("fieldwork:week", kwargs={"pk": p.pk, "week": "2026-W48"})
    client.force_login(busy.bob)
    text = client.get(url).content.decode()
    assert "Stationen" in text and "Narkotikaförsäljning" in text
    # The weekly picture is a shared output: no free text, even for a coordinator (they read
    # it on the list of reports, where held-back reports are scoped to their party).
    assert "Försäljning bakom kiosken" not in text
    assert "<td>3</td>" in text  # Torget's three, in full for a coordinator
    client.force_login(busy.carol)
    text = client.get(url).content.decode()
    assert "<td>3</td>" not in text and "<td>..</td>" in text
    rita = make_user("rita", busy.ours.kommun.organisation)
    join(rita, busy.ours.kommun, Role.REPORTER)
    client.force_login(rita)
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "<td>..</td>" in text
    assert 'class="partnership-nav"' not in text
    assert f'href="{reverse("fieldwork:list", kwargs={"pk": p.pk})}"' not in text


def test_latest_week_redirects_to_the_week_with_reports(client, busy):
    client.force_login(busy.carol)
    response = client.get(reverse("fieldwork:week_latest", kwargs={"pk": busy.ours.partnership.pk}))
    assert response.status_code == 302
    assert response.url.endswith("/vecka/2026-W48/")


def test_subscription_needs_an_email_and_can_be_stopped(client, busy):
    p = busy.ours.partnership
    url = reverse("fieldwork:subscribe", kwargs={"pk": p.pk, "week": "2026-W48"})
    client.force_login(busy.carol)
    client.post(url, {"subscribe": "1"})
    assert not WeeklySubscription.objects.filter(user=busy.carol).exists()
    busy.carol.email = "carol@example.se"
    busy.carol.save()
    client.post(url, {"subscribe": "1"})
    assert WeeklySubscription.objects.filter(user=busy.carol, partnership=p).exists()
    client.post(url, {"subscribe": "0"})
    assert not WeeklySubscription.objects.filter(user=busy.carol).exists()


def _pdf_text(content: bytes) -> str:
    return pdf_text(content)


def test_document_builds_in_both_formats_and_editions(busy, tmp_path):
    p = busy.ours.partnership
    internal = data.build("vecka", p, "internal", busy.alice, week="2026-W48")
    public = data.build("vecka", p, "public", None, week="2026-W48")
    internal_text = "\n".join(internal.text_lines())
    public_text = "\n".join(public.text_lines())
    # An issued internal version is read by every member: no edition carries free text.
    assert "Försäljning bakom kiosken" not in internal_text
    assert "Stationen: Narkotikaförsäljning." in internal_text
    assert "Försäljning bakom kiosken" not in public_text
    assert "Torget | .." in public_text and "Torget | 3" in internal_text
    for edition in ("internal", "public"):
        for fmt in ("pdf", "docx"):
            out = tmp_path / f"vecka-{edition}.{fmt}"
            stdout = StringIO()
            call_command(
                "build_document",
                "vecka",
                "--partnership",
                str(p.pk),
                "--week",
                "2026-W48",
                "--format",
                fmt,
                "--edition",
                edition,
                "--output",
                str(out),
                stdout=stdout,
            )
            assert "Wrote vecka" in stdout.getvalue()
            content = out.read_bytes()
            if fmt == "pdf":
                text = _pdf_text(content)
            else:
                document = docx.Document(io.BytesIO(content))
                text = " ".join(
                    [par.text for par in document.paragraphs]
                    + [c.text for t in document.tables for row in t.rows for c in row.cells]
                )
            assert "Vecka 48, 2026" in text
            assert "Stationen" in text
            assert ("Att lägga märke till" in text) == (edition == "internal")
            assert "Försäljning bakom kiosken" not in text


def test_document_without_week_takes_the_latest_week_with_reports(busy):
    doc = data.build("vecka", busy.ours.partnership, "internal")
    assert doc.meta["week"] == "2026-W48"


def test_document_command_refuses_a_bad_week(busy, tmp_path):
    with pytest.raises(CommandError):
        call_command(
            "build_document",
            "vecka",
            "--partnership",
            str(busy.ours.partnership.pk),
            "--week",
            "2026-W99",
            "--format",
            "pdf",
            "--edition",
            "public",
            "--output",
            str(tmp_path / "x.pdf"),
        )


def test_document_for_a_member_suppresses_small_counts(busy):
    doc = data.build("vecka", busy.ours.partnership, "internal", busy.carol, week="2026-W48")
    assert "Torget | .." in "\n".join(doc.text_lines())


def test_send_weekly_reports_once_per_week_to_subscribers(busy):
    p = busy.ours.partnership
    busy.carol.email = "carol@example.se"
    busy.carol.save()
    WeeklySubscription.objects.create(partnership=p, user=busy.carol)
    # mallory subscribes to her own partnership, which has no reports: an e-mail all the same.
    busy.mallory.email = "mallory@example.se"
    busy.mallory.save()
    out = StringIO()
    call_command("send_weekly_reports", "--week", "2026-W48", stdout=out)
    assert "Sent 1 weekly e-mails for 2026-W48 in 1 partnerships." in out.getvalue()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@example.se"]
    assert "Stationen" in message.body
    assert "Försäljning bakom kiosken" not in message.body  # no free text leaves by e-mail
    assert "Klotter: .." in message.body
    call_command("send_weekly_reports", "--week", "2026-W48", stdout=StringIO())
    assert len(mail.outbox) == 1  # sent once
    call_command("send_weekly_reports", "--week", "2026-W48", "--force", stdout=StringIO())
    assert len(mail.outbox) == 2


def test_send_weekly_reports_refuses_a_bad_week(db):
    with pytest.raises(CommandError):
        call_command("send_weekly_reports", "--week", "2026-48", stdout=StringIO())


def test_mapping_workspace_shows_field_reports_as_a_source(client, world):
    p = world.ours.partnership
    category = FieldCategory.objects.get(partnership=p, name="Klotter")
    FieldReport.objects.filter(partnership=p).delete()
    for _n in range(3):
        FieldReport.objects.create(
            partnership=p,
            observed_at=timezone.now() - datetime.timedelta(days=3),
            category=category,
            place_text="Torget",
        )
    client.force_login(world.alice)
    url = reverse("mapping:workspace", kwargs={"pk": p.pk, "party_id": world.ours.kommun.pk})
    text = client.get(url).content.decode()
    assert "Fältrapporter (samverkans gemensamma, senaste 12 veckorna)</th><td>3 " in text
    assert reverse("fieldwork:week_latest", kwargs={"pk": p.pk}) in text
