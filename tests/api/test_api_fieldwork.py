"""Field reports and the weekly picture through the API (issue 21): the form's rules for
personal data on the way in, the held-back rules and the audiences' counts on the way out."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from samverkan.accounts.models import AuditEntry, User
from samverkan.api.models import ApiToken
from samverkan.fieldwork.models import FieldReport

BASE = "/api/v1"


def bearer(username: str) -> dict:
    _token, secret = ApiToken.issue(User.objects.get(username=username), "test")
    return {"Authorization": f"Bearer {secret}"}


def _hold_back(demo) -> FieldReport:
    report = FieldReport.objects.filter(partnership=demo).order_by("-observed_at").first()
    FieldReport.objects.filter(pk=report.pk).update(
        held_back=True, text="Sågs med Kalle Andersson vid porten", party=demo.municipality_party()
    )
    return report


def test_a_held_back_text_reaches_only_the_reporters_coordinators(client, demo):
    report = _hold_back(demo)
    url = f"{BASE}/partnerships/{demo.pk}/field-reports"
    for username, reads in (("demo.kyrkan", False), ("demo.polis", False), ("demo.kommun", True)):
        answer = client.get(url, {"limit": 1000}, headers=bearer(username))
        assert answer.status_code == 200, username
        listed = {r["id"]: r for r in answer.json()}
        row = listed[report.pk]
        assert row["held_back"] is True and row["readable"] is reads, username
        assert ("Kalle" in str(answer.json())) is reads, username
        if not reads:
            assert row["text"] is None and row["place_text"] is None and row["latitude"] is None
        one = client.get(f"{url}/{report.pk}", headers=bearer(username)).json()
        assert ("Kalle" in str(one)) is reads
    assert int(answer["X-Total-Count"]) == FieldReport.objects.filter(partnership=demo).count()
    week = client.get(url, {"week": "2001-W01"}, headers=bearer("demo.kyrkan"))
    assert week.status_code == 200 and week.json() == []
    assert client.get(url, {"week": "W01"}, headers=bearer("demo.kyrkan")).status_code == 422


def test_filing_follows_the_forms_rules_for_personal_data(client, demo):
    url = f"{BASE}/partnerships/{demo.pk}/field-reports"
    headers = bearer("demo.polis")
    categories = client.get(f"{BASE}/partnerships/{demo.pk}/field-categories", headers=headers)
    places = client.get(f"{BASE}/partnerships/{demo.pk}/field-places", headers=headers).json()
    report = {
        # Recent, so that it is on the list a member may read (the newest reports).
        "observed_at": (timezone.now() - datetime.timedelta(minutes=5)).isoformat(),
        "category_id": categories.json()[0]["id"],
        "place_id": places[0]["id"],
        "people": 4,
        "text": "Fyra ungdomar vid kiosken, lugnt.",
        "client_token": "api-test-0001",
    }
    made = client.post(url, report, content_type="application/json", headers=headers)
    assert made.status_code == 201, made.content
    assert made.json()["held_back"] is False and made.json()["text"] == report["text"]
    again = client.post(url, report, content_type="application/json", headers=headers)
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    entry = AuditEntry.objects.get(model_label="fieldwork.fieldreport", object_id=made.json()["id"])
    assert entry.user.username == "demo.polis"
    # An identity number is refused, confirmed or not.
    number = {**report, "client_token": "", "text": "Pojken 19950101-1234", "confirm_names": True}
    refused = client.post(url, number, content_type="application/json", headers=headers)
    assert refused.status_code == 422 and "text" in refused.json()["detail"]
    # A name is a warning: refused unless confirmed, and then held back.
    named = {**report, "client_token": "", "text": "Kalle Andersson bråkade med vakten"}
    warned = client.post(url, named, content_type="application/json", headers=headers)
    assert warned.status_code == 422 and "a name" in warned.json()["detail"]  # in English
    held = client.post(url, {**named, "confirm_names": True}, content_type="application/json",
                       headers=headers)  # fmt: skip
    assert held.status_code == 201 and held.json()["held_back"] is True
    # The held-back text is the reporter's to read, not another member's.
    other = client.get(f"{url}/{held.json()['id']}", headers=bearer("demo.kyrkan")).json()
    assert other["text"] is None and "Kalle" not in str(other)
    # A member without a reporting role cannot file; a field reporter's token opens nothing.
    for username in ("demo.kyrkan", "demo.falt"):
        answer = client.post(url, {**report, "client_token": ""},
                             content_type="application/json", headers=bearer(username))  # fmt: skip
        assert answer.status_code == 403, username
    wrong = client.post(url, {**report, "category_id": 999999, "client_token": ""},
                        content_type="application/json", headers=headers)  # fmt: skip
    assert wrong.status_code == 422


def test_the_weekly_picture_per_audience(client, demo):
    url = f"{BASE}/partnerships/{demo.pk}/weekly/latest"
    full = client.get(url, headers=bearer("demo.kommun")).json()
    member = client.get(url, headers=bearer("demo.kyrkan")).json()
    assert full["full"] is True and member["full"] is False and full["week"] == member["week"]
    assert full["reports"] and full["total"] is not None
    threshold = settings.SMALL_COUNT_THRESHOLD
    # A member never sees a count below the threshold, nor single reports.
    counts = [r["this_week"] for r in member["categories"] + member["places"]]
    counts += [p["count"] for p in member["points"]]
    assert all(c is None or c == 0 or c >= threshold for c in counts)
    assert member["notable"] == []
    assert any(c is not None and 0 < c < threshold for r in full["categories"]
               for c in [r["this_week"]]) or full["notable"]  # fmt: skip
    week = client.get(f"{BASE}/partnerships/{demo.pk}/weekly/{full['week']}",
                      headers=bearer("demo.kommun")).json()  # fmt: skip
    assert week == full
    bad = client.get(
        f"{BASE}/partnerships/{demo.pk}/weekly/nonsense", headers=bearer("demo.kommun")
    )
    assert bad.status_code == 404


def test_a_held_back_reports_point_reaches_only_those_who_may_read_it(client, demo):
    """A loose point of a held-back report (it may mark where a named person lives) is drawn
    only for those who may read the report: not for another party's coordinators."""
    from django.urls import reverse

    from samverkan.accounts.models import User as Account
    from samverkan.fieldwork import services

    year, number = services.latest_week_with_reports(demo)
    monday = datetime.date.fromisocalendar(year, number, 1)
    held = FieldReport.objects.create(
        partnership=demo,
        observed_at=timezone.make_aware(datetime.datetime.combine(monday, datetime.time(22))),
        category=demo.field_categories.first(),
        latitude=59.123456,
        longitude=17.654321,
        text="Kalle Andersson bor i porten",
        held_back=True,
        party=demo.municipality_party(),
    )
    week = services.week_label(year, number)
    api = f"{BASE}/partnerships/{demo.pk}/weekly/{week}"
    page = reverse("fieldwork:week", kwargs={"pk": demo.pk, "week": week})
    for username, drawn in (("demo.kommun", True), ("demo.polis", False), ("demo.kyrkan", False)):
        points = client.get(api, headers=bearer(username)).json()["points"]
        assert any(p["latitude"] == held.latitude for p in points) is drawn, username
        client.force_login(Account.objects.get(username=username))
        text = client.get(page).content.decode()
        assert ("59.123456" in text) is drawn, username
    # Without a viewer (a document built by the system), no held-back point is drawn.
    picture = services.weekly_picture(demo, year, number, full=True)
    assert all(p["lat"] != held.latitude for p in picture.points)
    assert services.may_see_full_counts(None, demo) is False


def test_a_member_lists_what_the_site_lists_them_and_no_more(client, demo):
    """Beyond the coordinators, the API lists the newest reports as the page does (same cap,
    same reports): neither paging, ?week= nor an id reaches an older report."""
    from django.urls import reverse

    from samverkan.accounts.models import User as Account
    from samverkan.fieldwork import services

    url = f"{BASE}/partnerships/{demo.pk}/field-reports"
    everything = FieldReport.objects.filter(partnership=demo).order_by("-observed_at", "-pk")
    assert everything.count() > services.RECENT_REPORTS
    newest = [r.pk for r in everything[: services.RECENT_REPORTS]]
    oldest = everything.last()
    year, number = oldest.iso_week()
    old_week = services.week_label(year, number)
    member = client.get(url, {"limit": 1000}, headers=bearer("demo.kyrkan"))
    assert [r["id"] for r in member.json()] == newest
    assert int(member["X-Total-Count"]) == services.RECENT_REPORTS
    client.force_login(Account.objects.get(username="demo.kyrkan"))
    page = client.get(reverse("fieldwork:list", kwargs={"pk": demo.pk}))
    assert [r.pk for r in page.context["reports"]] == newest
    paged = client.get(url, {"limit": 10, "offset": 45}, headers=bearer("demo.kyrkan")).json()
    assert [r["id"] for r in paged] == newest[45:]
    by_week = client.get(url, {"week": old_week}, headers=bearer("demo.kyrkan")).json()
    assert oldest.pk not in [r["id"] for r in by_week]
    assert client.get(f"{url}/{oldest.pk}", headers=bearer("demo.kyrkan")).status_code == 404
    # The coordinators page through every report, any week.
    full = client.get(url, {"limit": 1000}, headers=bearer("demo.kommun"))
    assert int(full["X-Total-Count"]) == everything.count()
    by_week = client.get(url, {"week": old_week}, headers=bearer("demo.kommun")).json()
    assert oldest.pk in [r["id"] for r in by_week]
    assert client.get(f"{url}/{oldest.pk}", headers=bearer("demo.kommun")).status_code == 200


def test_categories_and_places_are_read_by_every_member_and_a_read_writes_nothing(client, demo):
    from samverkan.fieldwork.models import FieldCategory

    for kind in ("field-categories", "field-places"):
        url = f"{BASE}/partnerships/{demo.pk}/{kind}"
        read = client.get(url, headers=bearer("demo.kyrkan"))  # a member who does not report
        assert read.status_code == 200 and read.json(), kind
        assert client.get(url, headers=bearer("demo.falt")).status_code == 403, kind
    # A partnership without categories gets none made by a read, even with a read-only key.
    FieldReport.objects.filter(partnership=demo).delete()
    FieldCategory.objects.filter(partnership=demo).delete()
    _token, secret = ApiToken.issue(User.objects.get(username="demo.kommun"), "r", read_only=True)
    url = f"{BASE}/partnerships/{demo.pk}/field-categories"
    answer = client.get(url, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and answer.json() == []
    assert not FieldCategory.objects.filter(partnership=demo).exists()


def test_the_latest_week_is_the_last_complete_week(client, demo):
    """'latest' is the week that ended last Sunday, never the week under way, whether or not
    reports were filed in either."""
    from samverkan.fieldwork import services

    today = timezone.localdate()
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    year, number, _day = last_monday.isocalendar()
    FieldReport.objects.create(
        partnership=demo,
        observed_at=timezone.now(),
        category=demo.field_categories.first(),
        place=demo.field_places.first(),
    )
    answer = client.get(f"{BASE}/partnerships/{demo.pk}/weekly/latest",
                        headers=bearer("demo.kommun"))  # fmt: skip
    assert answer.status_code == 200
    body = answer.json()
    assert (body["year"], body["number"]) == (year, number)
    assert body["starts_on"] == last_monday.isoformat()
    assert (year, number) != services.current_week()


def test_weekly_figures_are_the_counts_as_numbers(client, demo):
    """The figures come from the counts, not from the page's Swedish text (decimal commas,
    minus signs): the mean of four weeks is a float, the change is this week less it."""
    from samverkan.fieldwork import services

    year, number = services.latest_week_with_reports(demo)
    url = f"{BASE}/partnerships/{demo.pk}/weekly/{services.week_label(year, number)}"
    body = client.get(url, headers=bearer("demo.kommun")).json()
    picture = services.weekly_picture(demo, year, number, full=True)
    assert body["total"] == picture.reports
    for row in body["categories"] + body["places"]:
        assert isinstance(row["this_week"], int)
        assert row["change"] == pytest.approx(row["this_week"] - row["previous_mean"])
    assert sum(r["this_week"] for r in body["categories"]) == picture.reports
