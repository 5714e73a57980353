"""The open data as a DCAT-AP_IT catalogue in JSON-LD, for harvesting by dati.gov.it and regional portals.

DCAT-AP_IT is the Italian profile of the European DCAT-AP: one ``dcat:Catalog`` published by the region, one
``dcat:Dataset`` per open-data resource, each with a CSV and a JSON ``dcat:Distribution``. Controlled values
come from the EU vocabularies (data themes, file types, frequencies, languages, licences) and NUTS for places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.reporting.datapackage import OpenDataSummary, ResourceSummary
from services.reporting.labels import to_rome

MEDIA_TYPE = "application/ld+json"

EU = "http://publications.europa.eu/resource/authority"
THEME_SCHEME = f"{EU}/data-theme"
THEMES = {
    "SOCI": "Popolazione e società",
    "HEAL": "Salute",
    "GOVE": "Governo e settore pubblico",
}
DATASET_THEMES: dict[str, list[str]] = {
    "bodies": ["GOVE", "SOCI"],
    "body_relations": ["GOVE", "SOCI"],
    "agreements": ["GOVE", "SOCI"],
    "log_checkpoints": ["GOVE"],
}
"""Themes of each dataset (EU data themes); the others: SOCI, HEAL, GOVE."""
DEFAULT_THEMES = ["SOCI", "HEAL", "GOVE"]

LICENCE = f"{EU}/licence/CC_BY_4_0"
LICENCE_CC = "http://creativecommons.org/licenses/by/4.0/"
LICENCE_TYPE = "http://purl.org/adms/licencetype/Attribution"
LANGUAGE = f"{EU}/language/ITA"
FREQUENCY = f"{EU}/frequency/CONT"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/RegionalAuthority"
EMILIA_ROMAGNA = "http://data.europa.eu/nuts/code/ITH5"
"""Emilia-Romagna in NUTS (level 2, NUTS 2016 and 2021), the EU's own regional classification."""

FORMATS = {
    # distribution -> (EU file type, IANA media type, Italian label)
    "csv": (f"{EU}/file-type/CSV", "https://www.iana.org/assignments/media-types/text/csv", "CSV"),
    "json": (
        f"{EU}/file-type/JSON",
        "https://www.iana.org/assignments/media-types/application/json",
        "JSON",
    ),
}

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatapit": "http://dati.gov.it/onto/dcatapit#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "locn": "http://www.w3.org/ns/locn#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass(frozen=True)
class Publisher:
    """Who publishes the data and holds its rights, and the office to write to."""

    name: str
    identifier: str
    contact_name: str
    contact_email: str


def _it(text: str) -> dict[str, str]:
    return {"@value": text, "@language": "it"}


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


def _date(value: date | datetime) -> dict[str, str]:
    day = to_rome(value).date() if isinstance(value, datetime) else value
    return {"@value": day.isoformat(), "@type": "xsd:date"}


def _period(start: date | None, end: date | None) -> dict[str, Any] | None:
    if start is None or end is None:
        return None
    return {"@type": "dct:PeriodOfTime", "dcat:startDate": _date(start), "dcat:endDate": _date(end)}


def _vocabulary_nodes(publisher_iri: str, publisher: Publisher, homepage: str) -> list[dict[str, Any]]:
    """The nodes the catalogue refers to: agent, licence, themes, place, formats, language, frequency."""
    nodes: list[dict[str, Any]] = [
        {
            "@id": publisher_iri,
            "@type": ["foaf:Agent", "foaf:Organization", "dcatapit:Agent"],
            "foaf:name": _it(publisher.name),
            "dct:identifier": publisher.identifier,
            "dct:type": _ref(PUBLISHER_TYPE),
        },
        {
            "@id": PUBLISHER_TYPE,
            "@type": "skos:Concept",
            "skos:prefLabel": {"@value": "Regional authority", "@language": "en"},
        },
        {
            "@id": LICENCE,
            "@type": ["dct:LicenseDocument", "dcatapit:LicenseDocument"],
            "dct:type": _ref(LICENCE_TYPE),
            "foaf:name": _it("Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)"),
            "owl:sameAs": _ref(LICENCE_CC),
        },
        {
            "@id": LICENCE_TYPE,
            "@type": "skos:Concept",
            "skos:prefLabel": {"@value": "Attribution", "@language": "en"},
        },
        {
            "@id": THEME_SCHEME,
            "@type": "skos:ConceptScheme",
            "dct:title": {"@value": "Data theme", "@language": "en"},
        },
        *(
            {
                "@id": f"{THEME_SCHEME}/{code}",
                "@type": "skos:Concept",
                "skos:inScheme": _ref(THEME_SCHEME),
                "skos:prefLabel": _it(label),
            }
            for code, label in THEMES.items()
        ),
        {
            "@id": EMILIA_ROMAGNA,
            "@type": "dct:Location",
            "skos:prefLabel": _it("Emilia-Romagna"),
            "locn:geographicName": _it("Emilia-Romagna"),
        },
        {"@id": LANGUAGE, "@type": "dct:LinguisticSystem"},
        {"@id": FREQUENCY, "@type": "dct:Frequency"},
        {"@id": homepage, "@type": "foaf:Document"},
    ]
    for file_type, media_type, _ in FORMATS.values():
        nodes.append({"@id": file_type, "@type": "dct:MediaTypeOrExtent"})
        nodes.append({"@id": media_type, "@type": "dct:MediaType"})
    return nodes


def _distribution(dataset_iri: str, base: str, resource: ResourceSummary, kind: str) -> dict[str, Any]:
    file_type, media_type, label = FORMATS[kind]
    return {
        "@id": f"{dataset_iri}-{kind}",
        "@type": ["dcat:Distribution", "dcatapit:Distribution"],
        "dct:title": _it(f"{resource.title} ({label})"),
        "dct:description": _it(f"{resource.description} File {label}, UTF-8."),
        "dcat:accessURL": _ref(f"{base}/opendata"),
        "dcat:downloadURL": _ref(f"{base}/opendata/{resource.name}.{kind}"),
        "dct:format": _ref(file_type),
        "dcat:mediaType": _ref(media_type),
        "dct:license": _ref(LICENCE),
        # The columns' types and keys (a Frictionless Table Schema), which the files follow.
        "dct:conformsTo": {
            "@id": f"{base}/opendata/schemas/{resource.name}.json",
            "@type": "dct:Standard",
            "dct:title": _it(f"Schema delle colonne di «{resource.title}» (Frictionless Table Schema)"),
        },
    }


def catalogue(summary: OpenDataSummary, *, base: str, publisher: Publisher, today: date) -> dict[str, Any]:
    """The DCAT-AP_IT catalogue of the open data as a JSON-LD document; ``base``: absolute public base URL.

    ``today`` stands in for issued/modified while the log is empty (a catalogue must say both).
    """
    base = base.rstrip("/")
    homepage = f"{base}/opendata"
    catalogue_iri = f"{homepage}/catalog.jsonld"
    publisher_iri = f"{catalogue_iri}#publisher"
    contact_iri = f"{catalogue_iri}#contact"
    contact: dict[str, Any] = {
        "@id": contact_iri,
        "@type": ["vcard:Organization", "vcard:Kind", "dcatapit:Organization"],
        "vcard:fn": publisher.contact_name,
        "vcard:hasEmail": _ref(f"mailto:{publisher.contact_email}"),
    }
    issued = _date(summary.issued or today)
    modified = _date(summary.modified or summary.issued or today)
    period = _period(summary.start, summary.end)
    spatial = _ref(EMILIA_ROMAGNA)
    datasets: list[dict[str, Any]] = []
    for resource in summary.resources:
        iri = f"{homepage}#{resource.name}"
        dataset: dict[str, Any] = {
            "@id": iri,
            "@type": ["dcat:Dataset", "dcatapit:Dataset"],
            "dct:identifier": f"{publisher.identifier}:communitylab-{resource.name}",
            "dct:title": _it(resource.title),
            "dct:description": _it(resource.description),
            "dct:publisher": _ref(publisher_iri),
            "dct:rightsHolder": _ref(publisher_iri),
            "dcat:contactPoint": _ref(contact_iri),
            "dcat:theme": [
                _ref(f"{THEME_SCHEME}/{code}") for code in DATASET_THEMES.get(resource.name, DEFAULT_THEMES)
            ],
            "dcat:keyword": [_it("Community Lab"), _it("partecipazione"), _it("welfare di comunità")],
            "dct:accrualPeriodicity": _ref(FREQUENCY),
            "dct:language": _ref(LANGUAGE),
            "dct:spatial": spatial,
            "dct:issued": issued,
            "dct:modified": modified,
            "dcat:landingPage": _ref(homepage),
            "dcat:distribution": [
                _distribution(iri, base, resource, "csv"),
                _distribution(iri, base, resource, "json"),
            ],
        }
        if (own_period := _period(resource.start, resource.end)) is not None:
            dataset["dct:temporal"] = own_period
        datasets.append(dataset)
    catalog: dict[str, Any] = {
        "@id": catalogue_iri,
        "@type": ["dcat:Catalog", "dcatapit:Catalog"],
        "dct:identifier": f"{publisher.identifier}:communitylab",
        "dct:title": _it("Dati aperti di Community Lab"),
        "dct:description": _it(
            "La programmazione partecipata nei distretti socio-sanitari dell'Emilia-Romagna: distretti, "
            "percorsi, laboratori, invenzioni, priorità e organismi, senza dati personali."
        ),
        "dct:publisher": _ref(publisher_iri),
        "dct:license": _ref(LICENCE),
        "dct:language": _ref(LANGUAGE),
        "dct:spatial": spatial,
        "dct:issued": issued,
        "dct:modified": modified,
        "foaf:homepage": _ref(homepage),
        "dcat:contactPoint": _ref(contact_iri),
        "dcat:themeTaxonomy": _ref(THEME_SCHEME),
        "dcat:dataset": datasets,
    }
    if period is not None:
        catalog["dct:temporal"] = period
    return {
        "@context": CONTEXT,
        "@graph": [catalog, contact, *_vocabulary_nodes(publisher_iri, publisher, homepage)],
    }
