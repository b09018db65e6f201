"""The effect follow-up can take its before/after counts from a party's imported incidents
(area as place names, period as dates, offences as handbook categories); manual entry stays.
Only a member of the party counts in its incidents; readers and outsiders cannot."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.models import User
from samverkan.followup import services
from samverkan.mapping.models import Incident

BEFORE = {"before_from": "2008-01-01", "before_to": "2008-12-31"}
AFTER = {"after_from": "2009-01-01", "after_to": "2009-12-31"}


def _url(demo, name="followup:evaluation_count"):
    return reverse(name, kwargs={"pk": demo.pk})


def _login(client, username):
    client.force_login(User.objects.get(username=username))


def _orm_count(party, places, start, end, categories=()):
    zone = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    rows = Incident.objects.filter(party=party, place__in=places, occurred_from__gte=low,
                                   occurred_from__lt=high)  # fmt: skip
    if categories:
        rows = rows.filter(category__in=categories)
    return rows.count()


def _value(html, name):
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    return found.group(1) if found else None


def test_counts_go_into_a_new_follow_up_with_their_source(client, demo):
    police = demo.police_party()
    _login(client, "demo.polis")
    page = client.get(_url(demo))
    assert page.status_code == 200 and "Busstorget" in page.content.decode()
    response = client.post(
        _url(demo) + "?mal=1",
        {"party": police.pk, "treated": "busstorget", "control": "Köpcentrum",
         "buffer": "Parkeringsplats N", **BEFORE, **AFTER},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("/steg5/effekt/ny/?mal=1")
    html = client.get(response["Location"]).content.decode()
    d = datetime.date
    expected = {
        "treated_before": _orm_count(police, ["Busstorget"], d(2008, 1, 1), d(2008, 12, 31)),
        "treated_after": _orm_count(police, ["Busstorget"], d(2009, 1, 1), d(2009, 12, 31)),
        "control_before": _orm_count(police, ["Köpcentrum"], d(2008, 1, 1), d(2008, 12, 31)),
        "buffer_after": _orm_count(police, ["Parkeringsplats N"], d(2009, 1, 1), d(2009, 12, 31)),
    }
    assert all(v > 0 for v in expected.values()), expected
    for name, value in expected.items():
        assert _value(html, name) == str(value), name
    assert _value(html, "treated_area") == "Busstorget"  # the file's own spelling
    assert "1 januari 2008 – 31 december 2008" in html
    assert "Händelser importerade av" in html
    # The prefill is used once: a second visit starts from the goal again.
    assert _value(client.get(response["Location"]).content.decode(), "treated_after") is None


def test_categories_narrow_the_count(demo):
    police = demo.police_party()
    category = Incident.objects.filter(party=police, place="Busstorget").values_list(
        "category", flat=True
    )[0]
    start, end = datetime.date(2007, 1, 1), datetime.date(2010, 12, 31)
    narrow = services.count_incidents(police, ["Busstorget"], [category], start, end)
    everything = services.count_incidents(police, ["Busstorget"], [], start, end)
    assert 0 < narrow < everything
    assert narrow == _orm_count(police, ["Busstorget"], start, end, [category])


def test_a_period_covers_both_whole_local_days(demo):
    police = demo.police_party()
    zone = timezone.get_current_timezone()
    for key, when in (("late", datetime.datetime(2030, 6, 30, 23, 30)),
                      ("next", datetime.datetime(2030, 7, 1, 0, 0))):  # fmt: skip
        Incident.objects.create(
            party=police, key=key, offence="Skadegörelse", place="Nytt torg",
            occurred_from=when.replace(tzinfo=zone),
        )  # fmt: skip
    june = (datetime.date(2030, 6, 1), datetime.date(2030, 6, 30))
    assert services.count_incidents(police, ["Nytt torg"], [], *june) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"treated": "Månen"}, "treated", "Okänd plats i partens händelser: Månen"),
        ({"treated": " , "}, "treated", "Ange minst en plats i insatsområdet"),
        ({"before_to": "2007-01-01"}, "before_to", "Perioden före slutar innan den börjar"),
        ({"after_from": "2008-06-01"}, "after_from", "Perioden efter måste börja efter"),
        ({"control": "Busstorget"}, "control", "kan inte höra till insatsområdet också"),
        ({"before_from": "2008-02-30"}, "before_from", "Fyll i ett giltigt datum"),
        ({"treated": "x" * 1001}, "treated", "som mest 1000 tecken"),
    ],
)
def test_bad_input_is_refused_in_swedish_and_nothing_is_carried_over(
    client, demo, change, field, message
):
    police = demo.police_party()
    _login(client, "demo.polis")
    data = {"party": police.pk, "treated": "Busstorget", **BEFORE, **AFTER, **change}
    response = client.post(_url(demo), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    form = response.context["form"]
    assert field in form.errors
    assert f"followup-counts-{demo.pk}" not in client.session


def test_another_partys_incidents_cannot_be_counted(client, demo):
    kommun, police = demo.municipality_party(), demo.police_party()
    _login(client, "demo.polis")
    page = client.get(_url(demo)).content.decode()
    assert f'value="{kommun.pk}"' not in page
    response = client.post(_url(demo), {"party": kommun.pk, "treated": "Busstorget",
                                        **BEFORE, **AFTER})  # fmt: skip
    assert response.status_code == 400
    assert "party" in response.context["form"].errors
    # A place only the municipality's file knows is not offered to the police either.
    only_kommun = set(Incident.objects.filter(party=kommun).values_list("place", flat=True)) - set(
        Incident.objects.filter(party=police).values_list("place", flat=True)
    )
    from samverkan.fieldwork.models import FieldPlace, FieldReport

    shared = set(FieldPlace.objects.filter(partnership=demo).values_list("name", flat=True))
    shared |= set(FieldReport.objects.filter(partnership=demo).values_list("place_text", flat=True))
    only_kommun -= shared
    assert only_kommun and not any(p in page for p in only_kommun if len(p) > 6)


def test_readers_and_outsiders_cannot_count(client, demo, django_user_model):
    _login(client, "demo.styrgrupp")
    assert client.get(_url(demo)).status_code == 403
    outsider = django_user_model.objects.create_user("utomstaende", password="x")
    client.force_login(outsider)
    assert client.get(_url(demo)).status_code == 404


@pytest.mark.slow(reason="reads the effect page for every source of counts")
def test_without_incidents_or_field_reports_the_page_leads_to_manual_entry(client, demo):
    from samverkan.fieldwork.models import FieldReport

    Incident.objects.filter(party=demo.police_party()).delete()
    FieldReport.objects.filter(partnership=demo).delete()
    _login(client, "demo.polis")
    html = client.get(_url(demo) + "?mal=1").content.decode()
    assert "Skriv in antalen för hand" in html
    assert reverse("followup:evaluation_create", kwargs={"pk": demo.pk}) + "?mal=1" in html


def test_field_reports_are_a_source_any_editor_may_count(client, demo):
    """Field reports are the partnership's shared material: counted by place (listed or typed)
    and by the partnership's own categories."""
    from samverkan.fieldwork.models import FieldCategory, FieldPlace, FieldReport

    FieldReport.objects.filter(partnership=demo).delete()
    zone = timezone.get_current_timezone()
    place = FieldPlace.objects.filter(partnership=demo).first()
    litter, graffiti = FieldCategory.objects.filter(partnership=demo)[:2]
    for day, category, typed in ((3, litter, ""), (4, graffiti, ""), (5, litter, "Bakgården"),
                                 (40, litter, "")):  # fmt: skip
        FieldReport.objects.create(
            partnership=demo, category=category,
            place=None if typed else place, place_text=typed,
            observed_at=datetime.datetime(2030, 1, 1, 12, tzinfo=zone)
            + datetime.timedelta(days=day),
        )  # fmt: skip
    jan = (datetime.date(2030, 1, 1), datetime.date(2030, 1, 31))
    assert services.count_field_reports(demo, [place.name.upper()], [], *jan) == 2
    assert services.count_field_reports(demo, [place.name], [litter.name], *jan) == 1
    assert services.count_field_reports(demo, ["bakgården", place.name], [], *jan) == 3
    _login(client, "demo.kommun")
    page = client.get(_url(demo)).content.decode()
    assert "Fältrapporter (samverkans gemensamma)" in page and "Bakgården" in page
    response = client.post(_url(demo), {
        "party": 0, "treated": place.name, "categories": [litter.name],
        "before_from": "2029-12-01", "before_to": "2029-12-31",
        "after_from": "2030-01-01", "after_to": "2030-01-31",
    })  # fmt: skip
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert (_value(html, "treated_before"), _value(html, "treated_after")) == ("0", "1")
    assert "Samverkans fältrapporter, räknade" in html
