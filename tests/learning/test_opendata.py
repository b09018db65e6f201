"""Open data per partnership (issue 24): opt-in, public audience rules, DCAT-AP-SE, no token."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from samverkan.accounts import audience
from samverkan.accounts.choices import Role
from samverkan.followup.models import EffectEvaluation
from samverkan.learning.models import EvaluationLabel, OpenDataPublication
from samverkan.problems.models import Measure
from tests.factories import join, make_user


def _publish(partnership) -> OpenDataPublication:
    from django.utils import timezone

    return OpenDataPublication.objects.create(
        partnership=partnership,
        published=True,
        published_at=timezone.now(),
        contact_name="Kommunens trygghetssamordnare",
        contact_email="trygghet@example.se",
    )


def test_nothing_is_open_until_the_partnership_opts_in(client, demo):
    catalogue = client.get(reverse("learning:catalogue")).json()
    assert catalogue["dcat:dataset"] == []
    assert client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).status_code == 404
    assert client.get(reverse("learning:dataset_csv", kwargs={"pk": demo.pk})).status_code == 404
    OpenDataPublication.objects.create(
        partnership=demo, published=False, contact_name="X", contact_email="x@example.se"
    )
    assert client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).status_code == 404


def test_catalogue_is_dcat_ap_se_json_ld_without_a_token(client, demo):
    demo.municipality.code = "1290"
    demo.municipality.save(update_fields=["code"])
    _publish(demo)
    response = client.get(reverse("learning:catalogue"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    assert data["@type"] == "dcat:Catalog"
    assert data["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    (dataset,) = data["dcat:dataset"]
    assert dataset["@type"] == "dcat:Dataset"
    assert dataset["dct:publisher"]["foaf:name"] == str(demo.municipality)
    assert dataset["dct:license"]["@id"].startswith("http://creativecommons.org/")
    assert dataset["dcat:contactPoint"]["vcard:hasEmail"]["@id"] == "mailto:trygghet@example.se"
    assert dataset["dct:temporal"]["dcat:startDate"]["@value"] == demo.started_on.isoformat()
    kommun, country = dataset["dct:spatial"]
    assert kommun["dct:identifier"] == demo.municipality.code
    assert kommun["@id"] == f"https://hub.toolforge.org/P525:{demo.municipality.code}"
    assert country == {"@id": "http://publications.europa.eu/resource/authority/country/SWE"}
    formats = {d["dct:format"]["@id"].rsplit("/", 1)[-1] for d in dataset["dcat:distribution"]}
    assert formats == {"CSV", "JSON"}
    for dist in dataset["dcat:distribution"]:
        url = dist["dcat:downloadURL"]["@id"]
        assert url.startswith("http://testserver/")
        assert client.get(url).status_code == 200


def test_dataset_shows_only_what_public_editions_show(client, demo):
    _publish(demo)
    data = client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).json()
    published_titles = {m["titel"] for m in data["atgarder"]["atgarder"]}
    public = audience.public()
    measures = list(Measure.objects.filter(partnership=demo))
    assert any(not public.receives(m) for m in measures), "the demo has withheld measures"
    for m in measures:
        assert (m.title in published_titles) == public.receives(m), m.title
    body = client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).content.decode()
    for m in measures:
        if not public.receives(m):
            assert m.title not in body
    hidden = data["atgarder"]["under_sekretess"] + data["atgarder"]["ej_offentliga"]
    assert hidden == sum(not public.receives(m) for m in measures)
    (result,) = data["resultat"]
    assert result["undertryckt"] is False
    assert result["insats_fore"] == 76
    assert result["kvot_lag"] < result["kvot"] < result["kvot_hog"]
    assert data["lagesbild"]["kalla"]


def test_small_counts_are_suppressed_with_everything_computed_from_them(client, demo):
    _publish(demo)
    ev = EffectEvaluation.objects.get(partnership=demo)
    ev.pk = None
    ev.treated_after = 3
    ev.save()
    rows = client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).json()["resultat"]
    small = next(r for r in rows if r["id"].endswith(f"-{ev.pk}"))
    assert small["undertryckt"] is True
    for key in (
        "insats_fore",
        "insats_efter",
        "kontroll_fore",
        "log_kvot",
        "kvot",
        "forandring_procent",
    ):
        assert small[key] is None
    text = client.get(reverse("learning:dataset_csv", kwargs={"pk": demo.pk})).content.decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 2
    row = next(r for r in table if r["id"].endswith(f"-{ev.pk}"))
    assert row["undertryckt"] == "True"
    assert row["insats_efter"] == ""


def test_coordinator_publishes_and_labels_results(client, demo):
    ev = EffectEvaluation.objects.get(partnership=demo)
    coordinator = make_user("samordnare_oppna")
    join(coordinator, demo.parties.first(), Role.COORDINATOR)
    reader = make_user("lasare_oppna")
    join(reader, demo.parties.first(), Role.MEMBER)
    url = reverse("learning:publish", kwargs={"pk": demo.pk})
    client.force_login(reader)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200
    assert "Publicera som öppna data" in page.content.decode()
    response = client.post(
        url,
        {
            "action": "publish",
            "licence": "cc-by",
            "contact_name": "Trygghetssamordnaren",
            "contact_email": "trygg@example.se",
            f"ev{ev.pk}-method": "narvaro",
            f"ev{ev.pk}-place_type": "centrum",
        },
    )
    assert response.status_code == 302
    publication = OpenDataPublication.objects.get(partnership=demo)
    assert publication.published and publication.published_by == coordinator
    assert EvaluationLabel.objects.get(evaluation=ev).method == "narvaro"
    client.logout()
    data = client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).json()
    assert data["resultat"][0]["typ_av_atgard"] == "narvaro"
    assert data["licens"] == "http://creativecommons.org/licenses/by/4.0/"
    client.force_login(coordinator)
    client.post(url, {"action": "unpublish"})
    client.logout()
    assert client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).status_code == 404


@pytest.mark.parametrize("name", ["learning:catalogue", "learning:evidence"])
def test_public_pages_take_no_post(client, db, name):
    assert client.post(reverse(name)).status_code == 405


def test_csv_writes_text_that_looks_like_a_formula_as_text():
    from samverkan.learning.opendata import RESULT_COLUMNS, results_csv

    row = dict.fromkeys(RESULT_COLUMNS)
    row.update(id="1-1", mal='=HYPERLINK("http://x.example","klicka")', indikator="+1",
               problem="@SUM(A1)", samverkan="-2+3", kvot=-0.5, insats_fore=12)  # fmt: skip
    (written,) = csv.DictReader(io.StringIO(results_csv([row])))
    assert written["mal"] == '\'=HYPERLINK("http://x.example","klicka")'
    assert (written["indikator"], written["problem"]) == ("'+1", "'@SUM(A1)")
    assert written["samverkan"] == "'-2+3"
    # Numbers are numbers, not text: a negative one is left as it is.
    assert (written["kvot"], written["insats_fore"]) == ("-0.5", "12")
