"""Open data: the datasets, their columns and types, and their rows as JSON values or CSV text (no personal data)."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from services.reporting import attachments, cases, courses, learning, manual, proposals, queries
from services.reporting.log.service import checkpoint_rows
from services.reporting.models import (
    AgreementView,
    BodyRelationView,
    InventionView,
    PriorityView,
    ProcessView,
    WorkshopView,
)

OPEN_DATA_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    # dataset -> (column, Frictionless type, description)
    "districts": [
        ("id", "string", "District id"),
        ("code", "string", "Regional code"),
        ("name", "string", "District name"),
        ("province", "string", "Province"),
        ("ausl", "string", "Health authority (AUSL)"),
        ("population", "integer", "Resident population (latest year recorded)"),
        ("population_year", "integer", "Year of the population figure"),
    ],
    "processes": [
        ("id", "string", "Process id"),
        ("district_id", "string", "District id"),
        ("edition_id", "string", "Programme edition id"),
        ("title", "string", "Title"),
        ("status", "string", "draft, active or closed"),
        ("started_on", "date", "Start date"),
    ],
    "workshops": [
        ("id", "string", "Workshop id"),
        ("process_id", "string", "Process id"),
        ("district_id", "string", "District id"),
        ("method", "string", "Method code"),
        ("title", "string", "Title"),
        ("status", "string", "planned, confirmed, held, cancelled or postponed"),
        ("starts_at", "datetime", "Start (UTC)"),
        ("ends_at", "datetime", "End (UTC)"),
        ("participants", "integer", "People present (identified and anonymous)"),
    ],
    "inventions": [
        ("id", "string", "Invention id"),
        ("process_id", "string", "Process id"),
        ("district_id", "string", "District id"),
        ("edition_id", "string", "Programme edition id"),
        ("title", "string", "Title"),
        ("kind", "string", "Kind of invention"),
        ("theme", "string", "Macro-theme"),
        ("handovers", "integer", "Number of hand-overs"),
    ],
    "priorities": [
        ("id", "string", "Priority id"),
        ("process_id", "string", "Process id"),
        ("district_id", "string", "District id"),
        ("edition_id", "string", "Programme edition id"),
        ("title", "string", "Title"),
        ("source", "string", "Where the proposal came from"),
        ("status", "string", "Status in the priority cycle"),
        ("year", "integer", "Planning year"),
        ("sitting_date", "date", "Date of the Comitato di Distretto sitting"),
    ],
    "bodies": [
        ("id", "string", "Body id"),
        ("district_id", "string", "District id"),
        (
            "kind",
            "string",
            "ufficio_di_piano, comitato_di_distretto, ctss, thematic_table, gri, project_table",
        ),
        ("name", "string", "Name"),
    ],
    "body_relations": [
        ("id", "string", "Relation id"),
        ("district_id", "string", "District id"),
        ("from_body_id", "string", "Body that acts"),
        ("to_body_id", "string", "Body acted on"),
        ("kind", "string", "proposes_to, validates, convenes, reports_to or supports"),
        ("valid_from", "date", "First day"),
        ("valid_to", "date", "Last day (empty while in force)"),
    ],
    "agreements": [
        ("id", "string", "Agreement id"),
        ("district_id", "string", "District id"),
        ("kind", "string", "accordo_di_programma or protocollo_d_intesa"),
        ("title", "string", "Title"),
        ("reference", "string", "Act reference"),
        ("signed_on", "date", "Signing date"),
        ("valid_from", "date", "In force from"),
        ("valid_to", "date", "In force until (empty while open)"),
        ("parties", "integer", "Number of organisations that signed"),
    ],
    # Courses for facilitators and tutors: counts per course edition and district, no person.
    "course_figures": courses.COURSE_FIGURE_FIELDS,
    # Supervisions and regional labs: counts per programme edition (and district), no person, no note.
    "supervision_figures": learning.SUPERVISION_FIGURE_FIELDS,
    "lab_figures": learning.LAB_FIGURE_FIELDS,
    # The case library: published cases and the guidance drawn from them (no author, no person).
    "cases": cases.CASE_FIELDS,
    "case_guidance": cases.GUIDANCE_FIELDS,
    # The collective manual: each method card's revisions, comments and published revision (numbers only).
    "method_cards": manual.METHOD_CARD_FIELDS,
    # Citizens' proposals and the official answers, anonymous: no author (nor supporter) id, no name.
    "proposals": proposals.PROPOSAL_FIELDS,
    "answers": proposals.ANSWER_FIELDS,
    # Metadata of attached files (never the files); files flagged personal are left out.
    "attachments": attachments.ATTACHMENT_FIELDS,
    # The event log's signed checkpoints, so that others keep copies (docs/operations.md, auditing).
    "log_checkpoints": [
        ("id", "integer", "Row id of the stored copy"),
        ("format", "string", "Version of the signed statement"),
        ("position", "integer", "Number of events covered"),
        ("head_hash", "string", "Chain hash of the event at position (hex)"),
        ("root_hash", "string", "RFC 6962 Merkle root over the events' hashes (hex)"),
        ("timestamp", "datetime", "When it was signed (UTC, as signed)"),
        ("key_id", "string", "Fingerprint of the signing key (see /log/keys)"),
        ("signature", "string", "Base64 Ed25519 signature over the canonical JSON of the other fields"),
    ],
}


UNCACHED_DATASETS = frozenset({"log_checkpoints"})
"""Open datasets that are not read models (their rows change without the consumer moving): never cached."""


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


CSV_FORMULA_NOTE = (
    "In the CSV files a text cell that would start with =, +, -, @, a tab or a carriage return starts with an "
    "apostrophe (') instead, so spreadsheets show it as text and never run it as a formula (OWASP CSV "
    "injection); the JSON files carry the text unchanged."
)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet cannot run as a formula; numbers and other types stay as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def open_data_csv(*, session: Session, dataset: str) -> str:
    """One open dataset as CSV text (UTF-8, header row, formula-neutralised cells)."""
    columns = [name for name, _, _ in OPEN_DATA_FIELDS[dataset]]
    out = io.StringIO()
    # CRLF as RFC 4180 says; it also makes the writer quote cells holding a lone carriage return.
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in open_data_rows(session=session, dataset=dataset):
        writer.writerow({key: csv_safe_cell(value) for key, value in row.items()})
    return out.getvalue()


def open_data_rows(*, session: Session, dataset: str) -> list[dict[str, Any]]:
    """The rows of one open dataset (no personal data: ids, titles, codes and counts only)."""
    columns = [name for name, _, _ in OPEN_DATA_FIELDS[dataset]]
    records: list[Any]
    extra: dict[Any, dict[str, Any]] = {}
    if dataset == "districts":
        records = list(session.exec(queries.districts_by_code()))
    elif dataset == "processes":
        records = list(session.exec(queries.by_id(ProcessView)))
    elif dataset == "workshops":
        records = list(session.exec(queries.by_id(WorkshopView)))
        counts: Counter[uuid.UUID] = Counter()
        for presence in session.exec(queries.all_presences()):
            counts[presence.workshop_id] += 1
        for anonymous in session.exec(queries.all_anonymous_counts()):
            counts[anonymous.workshop_id] += anonymous.count
        extra = {w.id: {"participants": counts.get(w.id, 0)} for w in records}
    elif dataset == "log_checkpoints":
        return checkpoint_rows(session=session)
    elif dataset == "attachments":
        return [
            {name: _cell(row.get(name)) for name in columns}
            for row in attachments.attachment_rows(session=session)
        ]
    elif dataset == "course_figures":
        return [
            {name: _cell(row.get(name)) for name in columns}
            for row in courses.course_figures(session=session)
        ]
    elif dataset in ("supervision_figures", "lab_figures"):
        found = (learning.supervision_figures if dataset == "supervision_figures" else learning.lab_figures)(
            session=session
        )
        return [{name: _cell(row.get(name)) for name in columns} for row in found]
    elif dataset in ("cases", "case_guidance"):
        found = (cases.case_rows if dataset == "cases" else cases.guidance_rows)(session=session)
        return [{name: _cell(row.get(name)) for name in columns} for row in found]
    elif dataset == "method_cards":
        return [
            {name: _cell(row.get(name)) for name in columns}
            for row in manual.method_card_rows(session=session)
        ]
    elif dataset in ("proposals", "answers"):
        found = (proposals.proposal_rows if dataset == "proposals" else proposals.answer_rows)(
            session=session
        )
        return [{name: _cell(row.get(name)) for name in columns} for row in found]
    elif dataset == "bodies":
        # District bodies only: steering groups belong to a process and are shown in its identity card.
        records = list(session.exec(queries.district_bodies_by_id()))
    elif dataset == "body_relations":
        # Between district bodies only (those in "bodies"), so that both ends of every row are published.
        published = set(session.exec(queries.district_body_ids()))
        records = [
            r
            for r in session.exec(queries.by_id(BodyRelationView))
            if r.from_body_id in published and r.to_body_id in published
        ]
    elif dataset == "agreements":
        records = list(session.exec(queries.by_id(AgreementView)))
        extra = {a.id: {"parties": len(a.organisation_ids)} for a in records}
    elif dataset == "inventions":
        records = list(session.exec(queries.by_id(InventionView)))
        editions = dict(session.exec(queries.process_editions()).all())
        extra = {
            i.id: {"handovers": len(i.handovers), "edition_id": i.edition_id or editions.get(i.process_id)}
            for i in records
        }
    else:
        records = list(session.exec(queries.by_id(PriorityView)))
        editions = dict(session.exec(queries.process_editions()).all())
        extra = {p.id: {"edition_id": p.edition_id or editions.get(p.process_id)} for p in records}
    rows = []
    for record in records:
        values = {name: getattr(record, name, None) for name in columns}
        values.update(extra.get(record.id, {}))
        rows.append({name: _cell(values.get(name)) for name in columns})
    return rows
