"""Import a bundle of past work: validate it whole, then write it through the services' own rules.

Nothing is written unless every row is valid: ``check_bundle`` collects every row error first, and the writes
run in the request's one transaction, so a rule that still refuses a row (reported with that row's file and
line) rolls the whole bundle back. Each write is dated with its business date (``occurred_at``: the day a
workshop was held, the sitting of a decision, the day a step was taken). A bundle is imported once: its id and
the digest of its files are kept with the record each row became; the same bundle again writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from services.workshops.imports.bundle import Bundle, Row
from services.workshops.imports.models import ImportedBundle, ImportedRow
from services.workshops.imports.plans import (
    EditionPlan,
    EvaluationPlan,
    InventionPlan,
    Plan,
    PriorityPlan,
    ProcessPlan,
    Ref,
    WorkshopPlan,
)
from services.workshops.imports.validate import check_bundle
from services.workshops.localtime import ROME
from services.workshops.outcomes.evaluations.schemas import EvaluationResponseCreate
from services.workshops.outcomes.evaluations.service import record_response
from services.workshops.outcomes.inventions.schemas import InventionCreate, InventionHandover
from services.workshops.outcomes.inventions.service import create_invention, hand_over_invention
from services.workshops.outcomes.models import Priority
from services.workshops.outcomes.priorities import service as priorities
from services.workshops.outcomes.priorities.schemas import PriorityCreate
from services.workshops.processes.attendance.schemas import AttendanceRecord
from services.workshops.processes.attendance.service import record_attendance
from services.workshops.processes.identity.schemas import ProcessCreate, ProcessStatusChange
from services.workshops.processes.identity.service import change_process_status, create_process
from services.workshops.processes.models import (
    Process,
    ProcessStatus,
    Programme,
    Workshop,
    WorkshopStatus,
)
from services.workshops.processes.programmes.schemas import EditionCreate, ProgrammeCreate
from services.workshops.processes.programmes.service import create_edition, create_programme
from services.workshops.processes.scheduling.schemas import WorkshopCreate, WorkshopStatusChange
from services.workshops.processes.scheduling.service import change_workshop_status, schedule_workshop
from shared.clients.registry import RegistryClient
from shared.errors import AppError, ConflictError, FieldError, ValidationFailed, validation_errors


@dataclass
class ImportOutcome:
    """What an import did: ``created`` is False when the bundle had been imported before."""

    bundle: ImportedBundle
    created: bool
    records: dict[str, dict[str, str]] = field(default_factory=dict)


def _noon(day: date) -> datetime:
    """A business day as a moment (noon in Rome: the same local day whatever the offset)."""
    return datetime.combine(day, time(12), tzinfo=ROME)


@contextmanager
def _row(row: Row) -> Iterator[None]:
    """Report a rule refusing ``row`` at write time against its file and line (the transaction rolls back)."""
    try:
        yield
    except ValidationError as exc:
        errors = [
            FieldError(path=f"{row.file}:{row.line}:{e.path.removeprefix('body.')}", message=e.message)
            for e in validation_errors(exc.errors())
        ]
        raise ValidationFailed(f"{row.file}:{row.line}: refused; nothing was written", errors=errors) from exc
    except AppError as exc:
        fields = exc.errors or [FieldError(path="", message=exc.detail or exc.title)]
        errors = [
            FieldError(
                path=f"{row.file}:{row.line}:{e.path.removeprefix('body.')}".rstrip(":"), message=e.message
            )
            for e in fields
        ]
        raise ValidationFailed(
            f"{row.file}:{row.line}: {exc.detail or exc.title}; nothing was written", errors=errors
        ) from exc


class Writer:
    """Writes a checked plan, keeping the record id of every row."""

    def __init__(self, session: Session, registry: RegistryClient, bundle: Bundle) -> None:
        self.session = session
        self.registry = registry
        self.bundle = bundle
        self.ids: dict[str, dict[str, uuid.UUID]] = {}

    def keep(self, kind: str, key: str, record_id: uuid.UUID) -> None:
        self.ids.setdefault(kind, {})[key] = record_id
        self.session.add(
            ImportedRow(bundle_id=self.bundle.bundle_id, kind=kind, row_id=key, record_id=record_id)
        )

    def resolve(self, kind: str, ref: Ref) -> uuid.UUID:
        if ref.id is not None:
            return ref.id
        assert ref.key is not None
        return self.ids[kind][ref.key]

    def write(self, plan: Plan) -> None:
        steps: list[tuple[list[Any], Callable[[Any], None]]] = [
            (plan.editions, self.edition),
            (plan.processes, self.process),
            (plan.workshops, self.workshop),
            (plan.inventions, self.invention),
            (plan.priorities, self.priority),
            (plan.evaluations, self.evaluation),
        ]
        for items, write in steps:
            for item in items:
                with _row(item.row):
                    write(item)
        for process in plan.processes:  # closed last: their workshops and outcomes are in by now
            if process.closed_on is not None:
                with _row(process.row):
                    row = self.session.get(Process, self.ids["processes"][process.key])
                    assert row is not None
                    change = ProcessStatusChange(status=ProcessStatus.CLOSED, closed_on=process.closed_on)
                    change_process_status(
                        session=self.session, process_id=row.id, data=change, expected_version=row.version
                    )

    def edition(self, item: EditionPlan) -> None:
        programme = self.session.exec(select(Programme).where(Programme.name == item.programme)).first()
        if programme is None:
            data = ProgrammeCreate(name=item.programme, description=item.programme_description)
            programme = create_programme(session=self.session, data=data, occurred_at=item.starts_on)
        edition = create_edition(
            session=self.session,
            registry=self.registry,
            programme_id=programme.id,
            data=EditionCreate(
                name=item.name,
                starts_on=item.starts_on,
                ends_on=item.ends_on,
                district_ids=[uuid.UUID(d) for d in item.district_ids],
            ),
            occurred_at=item.starts_on,
        )
        self.keep("editions", item.key, edition.id)

    def process(self, item: ProcessPlan) -> None:
        data = ProcessCreate(
            district_id=uuid.UUID(item.district_id),
            edition_id=self.resolve("editions", item.edition),
            title=item.title,
            purpose=item.purpose,
            methods_and_tools=item.methods_and_tools,
            started_on=item.started_on,
            location=item.location,
            status=ProcessStatus.ACTIVE,
        )
        process = create_process(session=self.session, registry=self.registry, data=data)
        self.keep("processes", item.key, process.id)

    def workshop(self, item: WorkshopPlan) -> None:
        data = WorkshopCreate(
            method=item.method,
            title=item.title,
            description=item.description,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            venue=item.venue,
        )
        workshop = schedule_workshop(
            session=self.session,
            registry=self.registry,
            process_id=self.resolve("processes", item.process),
            data=data,
            occurred_at=item.starts_at,
        )
        self.keep("workshops", item.key, workshop.id)
        if item.status is WorkshopStatus.HELD and item.attendance:
            record = AttendanceRecord.model_validate({"anonymous_counts": item.attendance})
            record_attendance(
                session=self.session, registry=self.registry, workshop_id=workshop.id, data=record
            )
        change_workshop_status(
            session=self.session,
            workshop_id=workshop.id,
            data=WorkshopStatusChange(status=item.status),
            expected_version=workshop.version,
            # A past workshop was held, or called off, by its day (the bundle has no other date for it).
            occurred_at=item.starts_at,
        )

    def _workshop(self, ref: Ref) -> Workshop:
        workshop = self.session.get(Workshop, self.resolve("workshops", ref))
        assert workshop is not None
        return workshop

    def invention(self, item: InventionPlan) -> None:
        process = self.session.get(Process, self.resolve("processes", item.process))
        assert process is not None
        workshop = self._workshop(item.workshop) if item.workshop else None
        data = InventionCreate(
            process_id=process.id,
            workshop_id=workshop.id if workshop else None,
            title=item.title,
            description=item.description,
            kind=item.kind,
            theme=item.theme,
        )
        born = workshop.starts_at if workshop else (_noon(process.started_on) if process.started_on else None)
        invention = create_invention(
            session=self.session, registry=self.registry, process=process, data=data, occurred_at=born
        )
        self.keep("inventions", item.key, invention.id)
        if item.handed_over_to and item.handed_over_on:
            handover = InventionHandover(
                to_district_id=uuid.UUID(item.handed_over_to), on=item.handed_over_on, note=item.handover_note
            )
            hand_over_invention(
                session=self.session,
                registry=self.registry,
                invention=invention,
                data=handover,
                expected_version=invention.version,
            )

    def priority(self, item: PriorityPlan) -> None:
        workshop = self._workshop(item.workshop) if item.workshop else None
        process_id = self.resolve("processes", item.process) if item.process else None
        data = PriorityCreate(
            district_id=uuid.UUID(item.district_id),
            process_id=process_id or (workshop.process_id if workshop else None),
            workshop_id=workshop.id if workshop else None,
            source=item.source,
            title=item.title,
            description=item.description,
        )
        session = self.session
        priority: Priority = priorities.create_priority(
            session=session, data=data, occurred_at=_noon(item.proposed_on)
        )
        self.keep("priorities", item.key, priority.id)
        if item.submitted_on is None or item.year is None:
            return
        priorities.submit_priority(
            session=session,
            priority=priority,
            year=item.year,
            expected_version=priority.version,
            occurred_at=_noon(item.submitted_on),
        )
        if item.decision is None or item.sitting_date is None:
            return
        priorities.decide_priority(
            session=session,
            priority=priority,
            validated=item.decision == "validated",
            sitting_date=item.sitting_date,
            motivation=item.motivation,
            expected_version=priority.version,
        )
        if item.assigned_on is None:
            return
        priorities.assign_priority(
            session=session,
            priority=priority,
            workshop_ids=[self.resolve("workshops", ref) for ref in item.project_tables],
            expected_version=priority.version,
            occurred_at=_noon(item.assigned_on),
        )
        if item.started_on is None:
            return
        priorities.start_priority(
            session=session,
            priority=priority,
            expected_version=priority.version,
            occurred_at=_noon(item.started_on),
        )
        if item.outcome is None or item.restitution_workshop is None:
            return
        priorities.report_priority(
            session=session,
            priority=priority,
            outcome=item.outcome,
            restitution_workshop_id=self.resolve("workshops", item.restitution_workshop),
            note=item.note,
            expected_version=priority.version,
        )

    def evaluation(self, item: EvaluationPlan) -> None:
        workshop = self._workshop(item.workshop)
        process = self.session.get(Process, workshop.process_id)
        assert process is not None
        data = EvaluationResponseCreate.model_validate(
            {
                "template_id": item.template_id,
                "process_id": process.id,
                "workshop_id": workshop.id,
                "answers": item.answers,
            }
        )
        response = record_response(
            session=self.session, registry=self.registry, process=process, workshop=workshop, data=data
        )
        self.keep("evaluations", item.key, response.id)


def _records(session: Session, bundle_id: str) -> dict[str, dict[str, str]]:
    rows = session.exec(select(ImportedRow).where(ImportedRow.bundle_id == bundle_id)).all()
    records: dict[str, dict[str, str]] = {}
    for row in rows:
        records.setdefault(row.kind, {})[row.row_id] = str(row.record_id)
    return records


def check_or_raise(*, session: Session, registry: RegistryClient, bundle: Bundle, today: date) -> Plan:
    """The plan of a valid bundle; ValidationFailed listing every row error otherwise."""
    if bundle.errors:  # the manifest or a file could not be read: the rows cannot be trusted
        raise ValidationFailed(
            f"the bundle has {len(bundle.errors)} errors; nothing was written", errors=bundle.errors
        )
    plan = check_bundle(bundle=bundle, session=session, districts=registry.list_districts(), today=today)
    if bundle.errors:
        raise ValidationFailed(
            f"the bundle has {len(bundle.errors)} errors; nothing was written", errors=bundle.errors
        )
    return plan


def import_bundle(
    *, session: Session, registry: RegistryClient, bundle: Bundle, imported_by: str | None, today: date
) -> ImportOutcome:
    """Validate ``bundle`` whole and write it; the same bundle again returns the first import, unwritten."""
    if bundle.bundle_id:
        previous = session.get(ImportedBundle, bundle.bundle_id)
        if previous is not None:
            if previous.digest != bundle.digest:
                raise ConflictError(
                    f"bundle '{bundle.bundle_id}' was imported on {previous.imported_at:%Y-%m-%d} with other "
                    "contents; nothing was written (a changed bundle needs a new bundle_id)",
                    bundle_id=bundle.bundle_id,
                )
            return ImportOutcome(previous, created=False, records=_records(session, bundle.bundle_id))
    plan = check_or_raise(session=session, registry=registry, bundle=bundle, today=today)
    writer = Writer(session, registry, bundle)
    writer.write(plan)
    imported = ImportedBundle(
        bundle_id=bundle.bundle_id,
        digest=bundle.digest,
        source=bundle.source[:200],
        title=bundle.title,
        counts=plan.count(),
        imported_by=imported_by,
    )
    session.add(imported)
    session.flush()
    records = {kind: {k: str(v) for k, v in ids.items()} for kind, ids in writer.ids.items()}
    return ImportOutcome(imported, created=True, records=records)
