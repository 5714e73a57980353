"""The open data's descriptions: the Frictionless Data Package (types, formats, keys) and a summary of each
resource (rows, period covered) that the landing page and the DCAT-AP_IT catalogue show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from services.reporting import opendata
from services.reporting.labels import to_rome
from shared.eventlog.tables import events, log_checkpoints

NOT_UUID_COLUMNS = frozenset({("log_checkpoints", "key_id")})
"""Text columns named like ids that are not UUIDs (a key's fingerprint)."""

FOREIGN_KEYS: dict[str, list[tuple[str, str, str]]] = {
    # dataset -> (column, referenced dataset, referenced column); an empty cell references nothing.
    "processes": [("district_id", "districts", "id")],
    "workshops": [("process_id", "processes", "id"), ("district_id", "districts", "id")],
    "inventions": [("process_id", "processes", "id"), ("district_id", "districts", "id")],
    "priorities": [("process_id", "processes", "id"), ("district_id", "districts", "id")],
    "bodies": [("district_id", "districts", "id")],
    "body_relations": [
        ("district_id", "districts", "id"),
        ("from_body_id", "bodies", "id"),
        ("to_body_id", "bodies", "id"),
    ],
    "agreements": [("district_id", "districts", "id")],
    "course_figures": [("district_id", "districts", "id")],
    "supervision_figures": [("district_id", "districts", "id")],
    "cases": [("district_id", "districts", "id")],
    "case_guidance": [("case_id", "cases", "id"), ("district_id", "districts", "id")],
    "proposals": [
        ("process_id", "processes", "id"),
        ("district_id", "districts", "id"),
        ("merged_into_id", "proposals", "id"),
        ("priority_id", "priorities", "id"),
    ],
    "answers": [("proposal_id", "proposals", "id"), ("process_id", "processes", "id")],
    "attachments": [
        ("workshop_id", "workshops", "id"),
        ("invention_id", "inventions", "id"),
        ("process_id", "processes", "id"),
        ("district_id", "districts", "id"),
    ],
}

TITLES_IT: dict[str, str] = {
    "districts": "Distretti socio-sanitari",
    "processes": "Percorsi partecipativi",
    "workshops": "Laboratori",
    "inventions": "Invenzioni",
    "priorities": "Priorità",
    "bodies": "Organismi dei distretti",
    "body_relations": "Relazioni tra organismi",
    "agreements": "Accordi",
    "course_figures": "Corsi di formazione per facilitatori e tutor",
    "supervision_figures": "Supervisioni dei facilitatori e dei tutor",
    "lab_figures": "Laboratori regionali delle edizioni dei programmi",
    "cases": "Studi di caso",
    "case_guidance": "Indicazioni operative degli studi di caso",
    "method_cards": "Schede del manuale collettivo sulla facilitazione",
    "proposals": "Proposte dei cittadini",
    "answers": "Risposte ufficiali alle proposte",
    "attachments": "Allegati di laboratori, verbali e invenzioni",
    "log_checkpoints": "Checkpoint firmati del registro degli eventi",
}
DESCRIPTIONS_IT: dict[str, str] = {
    "districts": "I distretti socio-sanitari dell'Emilia-Romagna: codice regionale, provincia, AUSL e "
    "popolazione residente.",
    "processes": "I percorsi partecipativi di Community Lab avviati nei distretti, con edizione, stato e "
    "data di avvio.",
    "workshops": "I laboratori dei percorsi (metodo, stato, date) con il numero di persone presenti.",
    "inventions": "Le invenzioni nate nei percorsi, con macro-tema e numero di passaggi ad altri distretti.",
    "priorities": "Le priorità proposte al Comitato di Distretto, il loro stato e la data della seduta.",
    "bodies": "Gli organismi di governo dei distretti (Ufficio di Piano, Comitato di Distretto, tavoli...).",
    "body_relations": "Le relazioni tra gli organismi di un distretto (propone a, valida, convoca...) e il "
    "loro periodo di validità.",
    "agreements": "Accordi di programma e protocolli d'intesa dei distretti, con il numero di enti firmatari.",
    "course_figures": "I corsi di formazione per facilitatori e tutor (formazione regionale, Alta Formazione, "
    "percorso tutor): per edizione e distretto, persone in formazione, ore frequentate e attestati, senza "
    "dati personali.",
    "supervision_figures": "Le supervisioni di facilitatori e tutor: per edizione e distretto dei processi da "
    "cui vengono i casi, numero di sedute, di casi e di note (il contenuto delle note resta riservato).",
    "lab_figures": "I laboratori regionali di ogni edizione (come il primo Community Lab): incontri, gruppi di "
    "lavoro e partecipanti per ruolo (direttori di distretto, responsabili degli Uffici di Piano, uffici di "
    "supporto alla CTSS...), senza dati personali.",
    "cases": "Gli studi di caso pubblicati: esperienze locali dei distretti, dal lato sanitario o sociale, "
    "studiate nel Community Lab, con le domande che hanno sollevato, le linee (soggetti, soluzioni "
    "metodologiche, architetture istituzionali) e il numero di percorsi e di incontri del laboratorio collegati.",
    "case_guidance": "Le indicazioni operative tratte dagli studi di caso pubblicati, una per riga, con la linea "
    "a cui appartengono.",
    "method_cards": "Le schede di metodo del manuale collettivo sulla facilitazione: revisioni scritte dai "
    "facilitatori, commenti e revisione pubblicata per edizione del programma (senza testi né autori).",
    "proposals": "Le proposte dei cittadini ai percorsi, in forma anonima (senza autori): tema, stato, "
    "numero di sostegni, risposta ufficiale e priorità in cui sono confluite.",
    "answers": "Le risposte ufficiali dell'Ufficio di Piano alle proposte, nello stato di risposta del "
    "percorso e nella categoria (accolta, in valutazione, non accolta) in cui è conteggiato.",
    "attachments": "I file allegati ai laboratori, agli eventi di restituzione, ai verbali e alle invenzioni: "
    "titolo, tipo, dimensione, impronta SHA-256 e licenza (solo i metadati, mai il file; esclusi i file con dati "
    "personali).",
    "log_checkpoints": "Le dichiarazioni firmate (Ed25519) sullo stato del registro degli eventi, perché "
    "altri ne conservino copia e possano verificarlo.",
}


def field_descriptor(dataset: str, name: str, type_: str, description: str) -> dict[str, Any]:
    """One column's Frictionless field: ids are UUIDs (``string`` with ``format: uuid``)."""
    field: dict[str, Any] = {"name": name, "type": type_, "description": description}
    if (
        type_ == "string"
        and (name == "id" or name.endswith("_id"))
        and (dataset, name) not in NOT_UUID_COLUMNS
    ):
        field["format"] = "uuid"
    return field


def resource_schema(dataset: str) -> dict[str, Any]:
    """The Table Schema of one resource: fields, primary key and foreign keys to the other resources."""
    schema: dict[str, Any] = {
        "fields": [field_descriptor(dataset, *column) for column in opendata.OPEN_DATA_FIELDS[dataset]],
        "primaryKey": ["id"],
        "missingValues": [""],
    }
    keys = [
        {"fields": [column], "reference": {"resource": target, "fields": [target_column]}}
        for column, target, target_column in FOREIGN_KEYS.get(dataset, [])
        if target in opendata.OPEN_DATA_FIELDS
    ]
    if keys:
        schema["foreignKeys"] = keys
    return schema


def package_descriptor(*, homepage: str) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of every open dataset (paths relative to ``homepage``)."""
    resources = [
        {
            "name": dataset,
            "path": f"{dataset}.csv",
            "title": TITLES_IT.get(dataset, dataset),
            "description": DESCRIPTIONS_IT.get(dataset, ""),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": resource_schema(dataset),
        }
        for dataset in opendata.OPEN_DATA_FIELDS
    ]
    return {
        "profile": "tabular-data-package",
        "name": "communitylab-open-data",
        "title": "Community Lab: participatory planning in the districts of Emilia-Romagna",
        "description": "Districts, participatory processes, workshops, inventions, priorities, citizens' proposals "
        "and the official answers to them (anonymous: no author). No personal data. "
        + opendata.CSV_FORMULA_NOTE,
        "homepage": homepage,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "CC BY 4.0",
            }
        ],
        "resources": resources,
    }


# --- what the landing page and the catalogue say about each resource ------------------------------------


@dataclass(frozen=True)
class ResourceSummary:
    """One resource as of the read models' state: rows and the period its dates cover."""

    name: str
    title: str
    description: str
    rows: int
    start: date | None
    end: date | None


@dataclass(frozen=True)
class OpenDataSummary:
    """Every resource, and when the log the data comes from was first and last written."""

    resources: list[ResourceSummary]
    issued: datetime | None
    modified: datetime | None

    @property
    def start(self) -> date | None:
        starts = [r.start for r in self.resources if r.start is not None]
        return min(starts) if starts else None

    @property
    def end(self) -> date | None:
        ends = [r.end for r in self.resources if r.end is not None]
        return max(ends) if ends else None


def _day(value: Any) -> date | None:
    """The day of a date cell, or of a UTC timestamp cell in Rome."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) > 10:
            parsed = datetime.fromisoformat(value)
            return to_rome(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).date()
        return date.fromisoformat(value)
    except ValueError:
        return None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def summarise(*, session: Session, position: int) -> OpenDataSummary:
    """Rows and dates of every resource; ``issued``/``modified``: when the log's first and ``position``-th
    events were recorded (the data as of the read models' position)."""
    resources = []
    for dataset, fields in opendata.OPEN_DATA_FIELDS.items():
        rows = opendata.open_data_rows(session=session, dataset=dataset)
        dated = [name for name, type_, _ in fields if type_ in ("date", "datetime")]
        days = [d for row in rows for name in dated if (d := _day(row.get(name))) is not None]
        resources.append(
            ResourceSummary(
                name=dataset,
                title=TITLES_IT.get(dataset, dataset),
                description=DESCRIPTIONS_IT.get(dataset, ""),
                rows=len(rows),
                start=min(days) if days else None,
                end=max(days) if days else None,
            )
        )
    issued = session.execute(select(func.min(events.c.recorded_at))).scalar()
    modified = session.execute(
        select(func.max(events.c.recorded_at)).where(events.c.position <= position)
    ).scalar()
    return OpenDataSummary(resources, _aware(issued), _aware(modified))


def checkpoints_stored(*, session: Session) -> int:
    """How many signed checkpoints are stored: that resource changes without the read models moving."""
    return int(session.execute(select(func.count()).select_from(log_checkpoints)).scalar() or 0)
