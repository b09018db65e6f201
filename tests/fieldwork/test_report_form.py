"""Filing a field report: the phone form, hostile input, the name warning, resubmission."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.accounts.choices import Role
from samverkan.fieldwork.models import FieldCategory, FieldPlace, FieldReport
from tests.factories import join, make_user


@pytest.fixture
def rita(world):
    user = make_user("rita", world.ours.kommun.organisation)
    join(user, world.ours.kommun, Role.REPORTER)
    return user


def _url(world):
    return reverse("fieldwork:new", kwargs={"pk": world.ours.partnership.pk})


def _valid(world, **changes):
    category = FieldCategory.objects.get(partnership=world.ours.partnership, name="Klotter")
    place = FieldPlace.objects.get(partnership=world.ours.partnership, name="Torget")
    data = {
        "observed_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "category": category.pk,
        "place": place.pk,
        "place_text": "",
        "people": "4",
        "text": "Tre ungdomar klottrade på busskuren.",
        "client_token": "abcdef12-3456",
    }
    data.update(changes)
    return data


def test_reporter_files_a_report(client, world, rita):
    client.force_login(rita)
    page = client.get(_url(world))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Klotter" in text
    assert 'class="partnership-nav"' not in text  # no navigation that would only answer 403
    before = FieldReport.objects.count()
    response = client.post(_url(world), _valid(world))
    assert response.status_code == 302
    assert FieldReport.objects.count() == before + 1
    report = FieldReport.objects.latest("pk")
    assert report.reported_by == rita
    assert report.party == world.ours.kommun
    assert report.people == 4
    assert "sparad" in response.url


def test_resubmission_with_same_token_is_saved_once(client, world, rita):
    client.force_login(rita)
    before = FieldReport.objects.count()
    client.post(_url(world), _valid(world))
    again = client.post(_url(world), _valid(world))
    assert again.status_code == 302
    assert FieldReport.objects.count() == before + 1


def test_typed_place_or_point_is_enough(client, world, rita):
    client.force_login(rita)
    response = client.post(
        _url(world), _valid(world, place="", place_text="Porten på Storgatan 5", client_token="")
    )
    assert response.status_code == 302
    response = client.post(
        _url(world),
        _valid(world, place="", latitude="59.3301", longitude="18.0702", client_token=""),
    )
    assert response.status_code == 302
    report = FieldReport.objects.latest("pk")
    assert (report.latitude, report.longitude) == (59.3301, 18.0702)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"observed_at": "2026-02-30T25:99"}, "Ange datum och tid"),
        ({"observed_at": "igår kväll"}, "Ange datum och tid"),
        ({"observed_at": "2099-01-01T12:00"}, "framtiden"),
        ({"observed_at": "1999-12-31T12:00"}, "efter år 2000"),
        ({"people": "100000000000"}, "högst 500"),
        ({"people": "-3"}, "negativt"),
        ({"people": "många"}, "som en siffra"),
        ({"text": "x" * 2001}, "högst 2000 tecken"),
        ({"place_text": "y" * 201, "place": ""}, "högst 200 tecken"),
        ({"place": "", "place_text": ""}, "Ange var"),
        ({"category": ""}, "Välj vad rapporten gäller"),
        ({"category": "999999"}, "Välj en av kategorierna"),
        ({"latitude": "40.0", "longitude": "18.0", "place": ""}, "utanför Sverige"),
        ({"latitude": "59.3", "place": ""}, "saknar en koordinat"),
        ({"latitude": "NaN", "longitude": "inf", "place": ""}, "kunde inte läsas"),
    ],
)
def test_bad_input_is_refused_with_a_swedish_message_and_nothing_saved(
    client, world, rita, changes, message
):
    client.force_login(rita)
    before = FieldReport.objects.count()
    response = client.post(_url(world), _valid(world, **changes))
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert "Rapporten är inte sparad ännu" in text
    assert FieldReport.objects.count() == before
    # What was typed comes back: a refused submit never loses the text.
    if "text" not in changes:
        assert "Tre ungdomar klottrade på busskuren." in text


def test_other_partnerships_place_and_category_are_not_choices(client, world, rita):
    foreign = world.foreign.partnership
    client.force_login(rita)
    place = FieldPlace.objects.get(partnership=foreign, name="Torget")
    category = FieldCategory.objects.get(partnership=foreign, name="Klotter")
    before = FieldReport.objects.count()
    response = client.post(_url(world), _valid(world, place=place.pk))
    assert response.status_code == 400
    assert "Välj en av platserna i listan" in response.content.decode()
    response = client.post(_url(world), _valid(world, category=category.pk))
    assert response.status_code == 400
    assert FieldReport.objects.count() == before


ISSUE_TEXT = "Johan Svensson (född 2008) sålde igen vid porten … Pers. nr 080512-1234"
ISSUE_PLACE = "Anna Svensson 850101-1234, Storgatan 5 lgh 1102"


def test_personnummer_is_refused_and_no_confirmation_passes_it(client, world, rita):
    """Issue 19, finding 3: the text with a personnummer was saved after one tick."""
    client.force_login(rita)
    before = FieldReport.objects.count()
    for confirm in ({}, {"confirm_names": "on"}):
        response = client.post(_url(world), _valid(world, text=ISSUE_TEXT, **confirm))
        assert response.status_code == 400
        page = response.content.decode()
        assert "ser ut som ett personnummer" in page
        assert "får inte skrivas här" in page
    assert FieldReport.objects.count() == before


@pytest.mark.parametrize(
    "number",
    [
        "080512-1234",
        "080512\u20131234",  # en dash
        "080512\u20141234",  # em dash
        "0805 12 1234",  # spaces inside
        "080512 1234",
        "20080512-1234",
        "\uff10\uff18\uff10\uff15\uff11\uff12\uff0d\uff11\uff12\uff13\uff14",  # full width
        "pnr 0805121234",
        "080572-1234",  # samordningsnummer
    ],
)
def test_every_way_of_writing_the_number_is_refused(client, world, rita, number):
    client.force_login(rita)
    before = FieldReport.objects.count()
    response = client.post(
        _url(world), _valid(world, text=f"Sålde igen vid porten. {number}", confirm_names="on")
    )
    assert response.status_code == 400
    assert FieldReport.objects.count() == before


def test_typed_place_with_a_personnummer_is_refused(client, world, rita):
    """Issue 19, finding 3: the typed place was not checked at all."""
    client.force_login(rita)
    before = FieldReport.objects.count()
    response = client.post(
        _url(world),
        _valid(world, place="", place_text=ISSUE_PLACE, text="", confirm_names="on"),
    )
    assert response.status_code == 400
    assert "ser ut som ett personnummer" in response.content.decode()
    assert FieldReport.objects.count() == before


def test_name_in_the_typed_place_warns(client, world, rita):
    client.force_login(rita)
    response = client.post(
        _url(world), _valid(world, place="", place_text="Anna Svensson, Storgatan 5 lgh 1102")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Platsen verkar innehålla namn eller en adress" in page
    assert 'name="confirm_names"' in page


@pytest.mark.parametrize(
    "text",
    [
        "Johan Svensson (född 2008) sålde igen vid porten",
        "johan svensson (född 2008) sålde igen vid porten",
        "JOHAN SVENSSON (FÖDD 2008) SÅLDE IGEN VID PORTEN",
    ],
)
def test_name_warns_in_any_case_and_a_confirmed_report_is_held_back(client, world, rita, text):
    client.force_login(rita)
    before = FieldReport.objects.count()
    response = client.post(_url(world), _valid(world, text=text))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Texten verkar innehålla namn eller en adress" in page
    assert 'name="confirm_names"' in page
    assert FieldReport.objects.count() == before
    response = client.post(_url(world), _valid(world, text=text, confirm_names="on"))
    assert response.status_code == 302
    report = FieldReport.objects.latest("pk")
    assert report.names_confirmed is True
    assert report.held_back is True


def test_a_text_without_names_is_not_held_back(client, world, rita):
    client.force_login(rita)
    client.post(_url(world), _valid(world))
    assert FieldReport.objects.latest("pk").held_back is False


def test_same_token_with_another_text_is_saved_as_a_new_report(client, world, rita):
    """Issue 19, finding 7: a new report written over a restored draft was dropped."""
    client.force_login(rita)
    before = FieldReport.objects.count()
    first = client.post(_url(world), _valid(world, text="Klotter på busskuren."))
    second = client.post(_url(world), _valid(world, text="Nu är det krossat glas också."))
    assert first.status_code == second.status_code == 302
    assert FieldReport.objects.count() == before + 2
    assert first.url != second.url
    texts = set(FieldReport.objects.values_list("text", flat=True))
    assert {"Klotter på busskuren.", "Nu är det krossat glas också."} <= texts
    # Sending the second again (its answer lost too) does not save it twice.
    third = client.post(_url(world), _valid(world, text="Nu är det krossat glas också."))
    assert third.url == second.url
    assert FieldReport.objects.count() == before + 2


def test_a_token_belongs_to_its_reporter(client, world, rita):
    client.force_login(rita)
    client.post(_url(world), _valid(world))
    other = make_user("rune", world.ours.kommun.organisation)
    join(other, world.ours.kommun, Role.REPORTER)
    client.force_login(other)
    before = FieldReport.objects.count()
    response = client.post(_url(world), _valid(world))
    assert response.status_code == 302
    assert FieldReport.objects.count() == before + 1
    assert FieldReport.objects.latest("pk").reported_by == other


def test_the_form_can_ask_whether_its_token_was_saved(client, world, rita):
    client.force_login(rita)
    pk = world.ours.partnership.pk
    url = reverse("fieldwork:sent", kwargs={"pk": pk}) + "?token=abcdef12-3456"
    assert client.get(url).json() == {"saved": False}
    client.post(_url(world), _valid(world))
    assert client.get(url).json() == {"saved": True}
    # Another reporter cannot learn about rita's token.
    other = make_user("rune", world.ours.kommun.organisation)
    join(other, world.ours.kommun, Role.REPORTER)
    client.force_login(other)
    assert client.get(url).json() == {"saved": False}
    client.force_login(world.mallory)
    assert client.get(url).status_code == 404


def test_service_worker_is_served_under_the_form_with_its_scope(client, world, rita):
    client.force_login(rita)
    pk = world.ours.partnership.pk
    response = client.get(reverse("fieldwork:service_worker", kwargs={"pk": pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    scope = reverse("fieldwork:list", kwargs={"pk": pk})
    assert response["Service-Worker-Allowed"] == scope
    body = response.content.decode()
    assert reverse("fieldwork:new", kwargs={"pk": pk}) in body
    assert "/static/js/fieldwork.js" in body
    page = client.get(_url(world)).content.decode()
    assert f'data-sw-scope="{scope}"' in page


def test_logout_clears_the_drafts_on_the_device(client, world, rita):
    client.force_login(rita)
    response = client.post(reverse("accounts:logout"))
    assert '"storage"' in response["Clear-Site-Data"]
    assert '"cache"' in response["Clear-Site-Data"]


def test_place_names_do_not_count_as_people(client, world, rita):
    FieldPlace.objects.create(partnership=world.ours.partnership, name="Gustav Adolfs torg")
    client.force_login(rita)
    response = client.post(
        _url(world), _valid(world, text="Stökigt vid Gustav Adolfs torg hela kvällen.")
    )
    assert response.status_code == 302


def test_control_characters_are_stripped(client, world, rita):
    client.force_login(rita)
    client.post(_url(world), _valid(world, text="Lugnt\x00 ikväll\x07"))
    assert FieldReport.objects.latest("pk").text == "Lugnt ikväll"


def test_member_reads_the_list_but_cannot_file(client, world):
    client.force_login(world.carol)
    assert client.get(_url(world)).status_code == 403
    page = client.get(reverse("fieldwork:list", kwargs={"pk": world.ours.partnership.pk}))
    assert page.status_code == 200
    assert "Nytt klotter vid fontänen" in page.content.decode()
    assert "Ny fältrapport" not in page.content.decode()


def test_reporter_cannot_read_the_list_or_delete(client, world, rita):
    client.force_login(rita)
    pk = world.ours.partnership.pk
    assert client.get(reverse("fieldwork:list", kwargs={"pk": pk})).status_code == 403
    report = FieldReport.objects.filter(partnership=world.ours.partnership).first()
    url = reverse("fieldwork:delete", kwargs={"pk": pk, "report_id": report.pk})
    assert client.post(url).status_code == 403
    assert FieldReport.objects.filter(pk=report.pk).exists()


def test_coordinator_deletes_a_report_but_not_another_partnerships(client, world):
    client.force_login(world.bob)
    pk = world.ours.partnership.pk
    foreign = FieldReport.objects.filter(partnership=world.foreign.partnership).first()
    url = reverse("fieldwork:delete", kwargs={"pk": pk, "report_id": foreign.pk})
    assert client.post(url).status_code == 404
    assert FieldReport.objects.filter(pk=foreign.pk).exists()
    ours = FieldReport.objects.filter(partnership=world.ours.partnership).first()
    url = reverse("fieldwork:delete", kwargs={"pk": pk, "report_id": ours.pk})
    assert client.post(url).status_code == 302
    assert not FieldReport.objects.filter(pk=ours.pk).exists()


def test_coordinator_adds_category_and_place_with_checks(client, world):
    client.force_login(world.bob)
    url = reverse("fieldwork:settings", kwargs={"pk": world.ours.partnership.pk})
    response = client.post(url, {"form": "category", "category-name": "klotter"})
    assert response.status_code == 400
    assert "Kategorin finns redan" in response.content.decode()
    assert client.post(url, {"form": "category", "category-name": "Buskörning"}).status_code == 302
    response = client.post(
        url,
        {"form": "place", "place-name": "Hamnen", "place-latitude": "10", "place-longitude": "18"},
    )
    assert response.status_code == 400
    assert "utanför Sverige" in response.content.decode()
    assert not FieldPlace.objects.filter(name="Hamnen").exists()
    response = client.post(
        url,
        {
            "form": "place",
            "place-name": "Hamnen",
            "place-latitude": "59,3",
            "place-longitude": "18",
        },
    )
    assert response.status_code == 302
    place = FieldPlace.objects.get(partnership=world.ours.partnership, name="Hamnen")
    foreign = FieldPlace.objects.get(partnership=world.foreign.partnership, name="Torget")
    assert client.post(url, {"form": "toggle_place", "id": foreign.pk}).status_code == 404
    assert client.post(url, {"form": "toggle_place", "id": place.pk}).status_code == 302
    place.refresh_from_db()
    assert place.active is False
    client.force_login(world.carol)
    assert client.get(url).status_code == 403


def test_reporter_of_one_partnership_goes_straight_to_the_report_form(client, world, rita):
    client.force_login(rita)
    form = reverse("fieldwork:new", kwargs={"pk": world.ours.partnership.pk})
    response = client.get(reverse("partnerships:list"))
    assert (response.status_code, response["Location"]) == (302, form)
    assert client.get(f"/samverkan/{world.ours.partnership.pk}/").status_code == 403


def test_reporter_with_more_to_choose_sees_the_list_with_the_report_form(client, world, rita):
    from samverkan.accounts import membership

    # An open invitation (or a second partnership) is something to choose: the list shows.
    membership.invite(world.mallory, world.foreign.kommun, rita.username, "member")
    client.force_login(rita)
    page = client.get(reverse("partnerships:list")).content.decode()
    assert reverse("fieldwork:new", kwargs={"pk": world.ours.partnership.pk}) in page


def test_a_partnership_without_categories_gets_the_defaults(client, world, rita):
    partnership = world.ours.partnership
    FieldReport.objects.filter(partnership=partnership).delete()
    FieldCategory.objects.filter(partnership=partnership).delete()
    client.force_login(rita)
    text = client.get(_url(world)).content.decode()
    for name in (
        "Ordningsstörning",
        "Narkotikaförsäljning",
        "Hot eller våld",
        "Positiv iakttagelse",
    ):
        assert name in text
    assert FieldCategory.objects.filter(partnership=partnership).count() == 8
