"""The catalogue against DCAT-AP-SE's mandatory classes and properties (issue 24), checked by
hand (no SHACL engine is a dependency): every node has its class, every mandatory property
is there with a value of the right kind (a URI where the profile asks for one, a literal with
a language where it asks for text), and the spatial coverage is given as URIs. Also: the
adopted documents' metadata names the public version and the SHA-256 of each issued file."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from samverkan.documents.models import DocumentDecision, IssuedDocument
from samverkan.learning import dcat
from samverkan.learning.models import OpenDataPublication

URI = re.compile(r"^(https?|mailto):\S+$")


def _uri(node) -> str:
    assert isinstance(node, dict) and set(node) >= {"@id"}, node
    assert URI.match(node["@id"]), node
    return node["@id"]


def _text(node) -> str:
    nodes = node if isinstance(node, list) else [node]
    assert nodes, node
    for n in nodes:
        assert isinstance(n, dict) and n.get("@language") and n.get("@value", "").strip(), n
    return nodes[0]["@value"]


def _date(node, kind: str) -> None:
    assert node["@type"] == kind, node
    parse = datetime.date.fromisoformat if kind == "xsd:date" else datetime.datetime.fromisoformat
    parse(node["@value"])


def check_profile(catalogue: dict) -> None:
    """Raise AssertionError at the first breach of the profile's mandatory parts."""
    assert catalogue["@type"] == "dcat:Catalog"
    for prefix in ("dcat", "dct", "foaf", "vcard", "xsd"):
        assert URI.match(catalogue["@context"][prefix])
    _uri(catalogue)
    # Catalogue: title, description, publisher (an agent with a name), datasets.
    _text(catalogue["dct:title"])
    _text(catalogue["dct:description"])
    assert catalogue["dct:publisher"]["@type"] == "foaf:Agent"
    assert catalogue["dct:publisher"]["foaf:name"].strip()
    assert isinstance(catalogue["dcat:dataset"], list)
    for dataset in catalogue["dcat:dataset"]:
        # Dataset: title, description, publisher; recommended ones the profile makes
        # near-mandatory for the portal: contact point, keyword, theme, spatial, temporal.
        assert dataset["@type"] == "dcat:Dataset"
        _uri(dataset)
        _text(dataset["dct:title"])
        _text(dataset["dct:description"])
        publisher = dataset["dct:publisher"]
        assert publisher["@type"] == "foaf:Agent" and publisher["foaf:name"].strip()
        contact = dataset["dcat:contactPoint"]
        assert contact["@type"].startswith("vcard:") and contact["vcard:fn"].strip()
        assert _uri(contact["vcard:hasEmail"]).startswith("mailto:")
        assert _uri(dataset["dcat:theme"]).startswith(
            "http://publications.europa.eu/resource/authority/data-theme/"
        )
        for keyword in dataset["dcat:keyword"]:
            _text(keyword)
        _uri(dataset["dct:license"])
        _uri(dataset["dct:accessRights"])
        _uri(dataset["dct:language"])
        temporal = dataset["dct:temporal"]
        assert temporal["@type"] == "dct:PeriodOfTime"
        for key in ("dcat:startDate", "dcat:endDate"):
            if key in temporal:
                _date(temporal[key], "xsd:date")
        spatial = dataset["dct:spatial"]
        assert isinstance(spatial, list) and spatial
        for place in spatial:
            _uri(place)
        for key in ("dct:issued", "dct:modified"):
            if key in dataset:
                _date(dataset[key], "xsd:dateTime")
        # Distribution: access URL (mandatory); format, media type and licence as URIs.
        assert dataset["dcat:distribution"]
        for dist in dataset["dcat:distribution"]:
            assert dist["@type"] == "dcat:Distribution"
            _uri(dist["dcat:accessURL"])
            _uri(dist["dcat:downloadURL"])
            assert _uri(dist["dct:format"]).startswith(dcat.FILE_TYPE)
            _uri(dist["dcat:mediaType"])
            _uri(dist["dct:license"])


def _publish(partnership) -> None:
    partnership.municipality.code = "1290"  # the demo's kommun by its SCB code
    partnership.municipality.save(update_fields=["code"])
    OpenDataPublication.objects.create(
        partnership=partnership,
        published=True,
        published_at=timezone.now(),
        contact_name="Kommunens trygghetssamordnare",
        contact_email="trygghet@example.se",
    )


def test_the_catalogue_meets_the_profile(client, demo):
    _publish(demo)
    catalogue = client.get(reverse("learning:catalogue")).json()
    assert len(catalogue["dcat:dataset"]) == 1
    check_profile(catalogue)
    (dataset,) = catalogue["dcat:dataset"]
    assert dataset["dct:spatial"] == [
        {
            "@id": "https://hub.toolforge.org/P525:1290",
            "@type": "dct:Location",
            "dct:identifier": "1290",
            "skos:prefLabel": {"@language": "sv", "@value": str(demo.municipality)},
        },
        {"@id": dcat.COUNTRY_SWEDEN},
    ]


def test_a_kommun_without_its_code_is_covered_by_the_country_only(client, demo):
    _publish(demo)
    demo.municipality.code = ""
    demo.municipality.save(update_fields=["code"])
    catalogue = client.get(reverse("learning:catalogue")).json()
    check_profile(catalogue)
    assert catalogue["dcat:dataset"][0]["dct:spatial"] == [{"@id": dcat.COUNTRY_SWEDEN}]


@pytest.mark.parametrize(
    "breach",
    [
        lambda c: c["dcat:dataset"][0].pop("dct:title"),
        lambda c: c["dcat:dataset"][0]["dct:spatial"].append({"dct:identifier": "0180"}),
        lambda c: c["dcat:dataset"][0]["dcat:distribution"][0].pop("dcat:accessURL"),
        lambda c: c["dcat:dataset"][0].update({"dct:license": "CC0"}),
        lambda c: c["dcat:dataset"][0].update({"dct:description": "utan språk"}),
        lambda c: c.pop("dct:publisher"),
    ],
)
def test_the_check_finds_a_breach(client, demo, breach):
    _publish(demo)
    catalogue = client.get(reverse("learning:catalogue")).json()
    breach(catalogue)
    with pytest.raises((AssertionError, KeyError, TypeError)):
        check_profile(catalogue)


def test_a_kommun_uri_scheme_may_be_set(client, demo, settings):
    settings.OPEN_DATA_KOMMUN_URI = "https://example.se/kommun/{code}"
    _publish(demo)
    (dataset,) = client.get(reverse("learning:catalogue")).json()["dcat:dataset"]
    assert dataset["dct:spatial"][0]["@id"] == "https://example.se/kommun/1290"


def test_documents_name_the_public_version_and_the_checksum_of_each_file(client, demo):
    _publish(demo)
    DocumentDecision.objects.update_or_create(
        partnership=demo,
        kind="lagesbild",
        defaults={"body": "Kommunstyrelsen", "decided_on": datetime.date(2026, 3, 1)},
    )
    IssuedDocument.objects.filter(partnership=demo, kind="lagesbild").delete()
    issued = {}
    for edition, number, fmt in (
        ("public", 1, "pdf"),
        ("public", 2, "pdf"),
        ("public", 2, "docx"),
        ("internal", 3, "pdf"),
    ):
        content = f"{edition}-{number}-{fmt}".encode()
        issued[(edition, number, fmt)] = IssuedDocument.objects.create(
            partnership=demo,
            kind="lagesbild",
            edition=edition,
            format=fmt,
            number=number,
            sha256=hashlib.sha256(content).hexdigest(),
        )
    data = client.get(reverse("learning:dataset_json", kwargs={"pk": demo.pk})).json()
    (document,) = [d for d in data["dokument"] if d["dokument"] == "lagesbild"]
    assert document["offentlig_version"] == 2
    assert sorted(document["filer"], key=lambda f: f["format"]) == [
        {"format": "docx", "sha256": issued[("public", 2, "docx")].sha256},
        {"format": "pdf", "sha256": issued[("public", 2, "pdf")].sha256},
    ]
    assert issued[("internal", 3, "pdf")].sha256 not in str(data)
    assert datetime.datetime.fromisoformat(document["utfardad"])
