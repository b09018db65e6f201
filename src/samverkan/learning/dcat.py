"""The open-data catalogue in DCAT-AP-SE, as JSON-LD.

DCAT-AP-SE is the Swedish application profile of DCAT-AP that dataportal.se harvests. Each
publishing partnership is one ``dcat:Dataset`` with its publisher (the kommun), a contact point,
a licence, temporal coverage (the partnership's period) and spatial coverage (the kommun, by
its four-digit SCB code), and two distributions: JSON (the whole dataset, ``opendata.SCHEMA``)
and CSV (the effect results).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from samverkan.learning import opendata
from samverkan.partnerships.models import Partnership

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
THEME = "http://publications.europa.eu/resource/authority/data-theme/JUST"
ACCESS_PUBLIC = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
LANGUAGE_SV = "http://publications.europa.eu/resource/authority/language/SWE"
# Spatial coverage as URIs: the country from the EU's authority list (which DCAT-AP names for
# dct:spatial), and the kommun by its four-digit SCB code (Wikidata's property P525, "Swedish
# municipality code", resolved to the kommun's item); OPEN_DATA_KOMMUN_URI may name another
# scheme ("{code}" is replaced).
COUNTRY_SWEDEN = "http://publications.europa.eu/resource/authority/country/SWE"
KOMMUN_URI = "https://hub.toolforge.org/P525:{code}"


def _sv(text: str) -> dict[str, str]:
    return {"@language": "sv", "@value": text}


def _date(value: Any) -> dict[str, str] | None:
    return {"@value": value.isoformat(), "@type": "xsd:date"} if value else None


def _distribution(url: str, kind: str, title: str, licence: str) -> dict[str, Any]:
    media = {"CSV": "text/csv", "JSON": "application/json"}[kind]
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": _sv(title),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dct:format": {"@id": FILE_TYPE + kind},
        "dcat:mediaType": {"@id": MEDIA_TYPE + media},
        "dct:license": {"@id": licence},
    }


def _spatial(municipality: Any) -> list[dict[str, Any]]:
    """The kommun (when it has its SCB code) and Sweden, each as a URI."""
    places: list[dict[str, Any]] = []
    code = (municipality.code or "").strip()
    if len(code) == 4 and code.isdigit():
        template = getattr(settings, "OPEN_DATA_KOMMUN_URI", "") or KOMMUN_URI
        places.append(
            {
                "@id": template.format(code=code),
                "@type": "dct:Location",
                "dct:identifier": code,
                "skos:prefLabel": _sv(str(municipality)),
            }
        )
    places.append({"@id": COUNTRY_SWEDEN})
    return places


def dataset_node(partnership: Partnership, absolute: Any) -> dict[str, Any]:
    """One partnership as a ``dcat:Dataset``; ``absolute`` turns a path into a full URL."""
    publication = partnership.open_data
    municipality = partnership.municipality
    json_url = absolute(reverse("learning:dataset_json", kwargs={"pk": partnership.pk}))
    csv_url = absolute(reverse("learning:dataset_csv", kwargs={"pk": partnership.pk}))
    temporal: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
    if start := _date(partnership.started_on):
        temporal["dcat:startDate"] = start
    if end := _date(partnership.valid_until):
        temporal["dcat:endDate"] = end
    node: dict[str, Any] = {
        "@id": json_url + "#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{municipality.code or 'kommun'}-samverkan-{partnership.pk}",
        "dct:title": _sv(f"Brottsförebyggande samverkan: {partnership.name}"),
        "dct:description": _sv(
            f"Offentliga resultat från samverkan mellan {municipality} och "
            f"{partnership.police_area}: lägesbildens siffror över anmälda brott, åtgärder som "
            "får redovisas offentligt och deras status, effektuppföljningar (mål, indikator, "
            "period, antal när de inte är för små, skattning med intervall), de delar av "
            "5I-beskrivningen som ledningen har godkänt för publicering och fastställda "
            "dokument. Antal under "
            f"{settings.SMALL_COUNT_THRESHOLD} redovisas inte."
        ),
        "dct:publisher": {
            "@type": "foaf:Agent",
            "foaf:name": str(municipality),
            "dct:identifier": municipality.code,
        },
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": publication.contact_name,
            "vcard:hasEmail": {"@id": f"mailto:{publication.contact_email}"},
        },
        "dct:license": {"@id": publication.licence_uri},
        "dct:accessRights": {"@id": ACCESS_PUBLIC},
        "dct:language": {"@id": LANGUAGE_SV},
        "dcat:theme": {"@id": THEME},
        "dcat:keyword": [
            _sv("brottsförebyggande arbete"),
            _sv("lägesbild"),
            _sv("effektuppföljning"),
            _sv("medborgarlöfte"),
        ],
        "dct:temporal": temporal,
        "dct:spatial": _spatial(municipality),
        "dcat:distribution": [
            _distribution(
                json_url, "JSON", "Alla offentliga resultat (JSON)", publication.licence_uri
            ),
            _distribution(csv_url, "CSV", "Effektuppföljningar (CSV)", publication.licence_uri),
        ],
    }
    if publication.published_at:
        node["dct:issued"] = {
            "@value": publication.published_at.isoformat(),
            "@type": "xsd:dateTime",
        }
    node["dct:modified"] = {"@value": publication.updated_at.isoformat(), "@type": "xsd:dateTime"}
    return node


def catalogue(absolute: Any) -> dict[str, Any]:
    """The instance's catalogue of every publishing partnership."""
    url = absolute(reverse("learning:catalogue"))
    publisher = getattr(settings, "OPEN_DATA_PUBLISHER", "Samverkan")
    return {
        "@context": CONTEXT,
        "@id": url,
        "@type": "dcat:Catalog",
        "dct:title": _sv(f"Öppna data från {publisher}"),
        "dct:description": _sv(
            "Brottsförebyggande samverkans offentliga resultat, publicerade av de "
            "samverkansparter som har valt att dela dem."
        ),
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": publisher},
        "dct:language": {"@id": LANGUAGE_SV},
        "dcat:themeTaxonomy": {
            "@id": "http://publications.europa.eu/resource/authority/data-theme"
        },
        "foaf:homepage": {"@id": absolute(reverse("learning:evidence"))},
        "dcat:dataset": [dataset_node(p, absolute) for p in opendata.published_partnerships()],
    }
