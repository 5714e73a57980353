"""Validation of a whole bundle before anything is written: every row, every reference, every date.

``check_bundle`` turns the rows of ``bundle`` into a ``Plan`` of typed records whose references point either
to another row of the bundle (``Ref(key=...)``) or to a record already in the database (``Ref(id=...)``).
Every problem found is collected with its ``file:line:column``; the plan is only used when there is none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlmodel import Session

from services.workshops.imports.bundle import Bundle, Row
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
from services.workshops.localtime import ROME
from services.workshops.outcomes.models import InventionKind, PriorityOutcome, PrioritySource, Theme
from services.workshops.processes.models import (
    ActorCategory,
    Edition,
    Process,
    ProcessStatus,
    Workshop,
    WorkshopMethod,
    WorkshopStatus,
)
from shared.clients.registry import DistrictRef

DEFAULT_TEMPLATE_ID = uuid.UUID("e7869feb-8e08-5124-b619-27931bc0d591")
"""The default evaluation card (created by the outcomes migrations)."""
MAX_TEXT = 200
E = TypeVar("E", bound=StrEnum)


class DistrictIndex:
    """The registry's districts, found by regional code or by name (case and accents as written)."""

    def __init__(self, districts: Iterable[DistrictRef]) -> None:
        self.by_code: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for district in districts:
            if district.regional_code:
                self.by_code[district.regional_code.strip()] = district.id
            self.by_name[district.name.strip().casefold()] = district.id

    def find(self, value: str) -> str | None:
        """The district id for a regional code ("004") or a name ("Parma")."""
        value = value.strip()
        return self.by_code.get(value) or self.by_name.get(value.casefold())


class Checker:
    """Parses cells, collecting every problem against its row and column."""

    def __init__(self, bundle: Bundle, session: Session, districts: DistrictIndex, today: date) -> None:
        self.bundle = bundle
        self.session = session
        self.districts = districts
        self.today = today
        self.plan = Plan()

    def error(self, row: Row, column: str, message: str) -> None:
        self.bundle.error(row.path(column), message)

    # ---------------------------------------------------------------- cells

    def text(self, row: Row, column: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
        value = row.get(column)
        if required and not value:
            self.error(row, column, "required")
        elif len(value) > limit:
            self.error(row, column, f"at most {limit} characters")
        return value

    def day(self, row: Row, column: str, *, required: bool = True) -> date | None:
        value = row.get(column)
        if not value:
            if required:
                self.error(row, column, "required: a date YYYY-MM-DD")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(row, column, f"'{value}' is not a date YYYY-MM-DD")
            return None
        if parsed > self.today:
            self.error(row, column, f"{value} is in the future: a bundle holds past work")
        return parsed

    def moment(self, row: Row, column: str) -> datetime | None:
        value = row.get(column)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.error(row, column, f"'{value}' is not a date and time YYYY-MM-DDTHH:MM (Europe/Rome)")
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ROME)
        if parsed.date() > self.today:
            self.error(row, column, f"{value} is in the future: a bundle holds past work")
        return parsed

    def code(self, row: Row, column: str, enum: type[E], *, required: bool = True) -> E | None:
        value = row.get(column)
        if not value:
            if required:
                self.error(row, column, f"required: one of {', '.join(e.value for e in enum)}")
            return None
        try:
            return enum(value)
        except ValueError:
            self.error(row, column, f"unknown code '{value}': one of {', '.join(e.value for e in enum)}")
            return None

    def district(self, row: Row, column: str, *, required: bool = True) -> str | None:
        value = row.get(column)
        if not value:
            if required:
                self.error(row, column, "required: a district's regional code or name")
            return None
        found = self.districts.find(value)
        if found is None:
            self.error(row, column, f"no district '{value}' in the registry (regional code or name)")
        return found

    def ref(
        self, row: Row, column: str, keys: dict[str, Any], model: type[Any], *, required: bool = True
    ) -> Ref | None:
        """A row id of the bundle, or the id of a record already present."""
        value = row.get(column)
        if not value:
            if required:
                self.error(row, column, "required")
            return None
        if value in keys:
            return Ref(key=value)
        try:
            existing = uuid.UUID(value)
        except ValueError:
            existing = None
        if existing is not None and self.session.get(model, existing) is not None:
            return Ref(id=existing)
        self.error(row, column, f"'{value}' is neither a row id of this bundle nor an existing record")
        return None

    def keys(self, rows: list[Row]) -> dict[str, Row]:
        """The rows by their id column, reporting empty, long and repeated ids."""
        found: dict[str, Row] = {}
        for row in rows:
            key = row.get("id")
            if not key:
                self.error(row, "id", "required: a stable id for the row")
            elif len(key) > 100:
                self.error(row, "id", "at most 100 characters")
            elif key in found:
                self.error(row, "id", f"id '{key}' repeats line {found[key].line}")
            else:
                found[key] = row
        return found

    def ordered(self, row: Row, later: str, later_value: Any, earlier: str, earlier_value: Any) -> None:
        if later_value is not None and earlier_value is not None and later_value < earlier_value:
            self.error(row, later, f"{later_value} is before {earlier} ({earlier_value})")


def check_bundle(*, bundle: Bundle, session: Session, districts: Iterable[DistrictRef], today: date) -> Plan:
    """Check every row of ``bundle`` (errors go to ``bundle.errors``) and return what it would write."""
    checker = Checker(bundle, session, DistrictIndex(districts), today)
    rows = bundle.rows
    edition_keys = checker.keys(rows["editions"])
    process_keys = checker.keys(rows["processes"])
    workshop_keys = checker.keys(rows["workshops"])
    checker.keys(rows["inventions"])
    checker.keys(rows["priorities"])
    checker.keys(rows["evaluations"])
    _editions(checker)
    _processes(checker, edition_keys)
    _workshops(checker, process_keys)
    _attendance(checker, workshop_keys)
    _inventions(checker, process_keys, workshop_keys)
    _priorities(checker, process_keys, workshop_keys)
    _evaluations(checker, workshop_keys)
    return checker.plan


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _editions(c: Checker) -> None:
    for row in c.bundle.rows["editions"]:
        starts_on, ends_on = c.day(row, "starts_on"), c.day(row, "ends_on")
        c.ordered(row, "ends_on", ends_on, "starts_on", starts_on)
        district_ids: list[str] = []
        for name in _split(row.get("districts")):
            found = c.districts.find(name)
            if found is None:
                c.error(row, "districts", f"no district '{name}' in the registry (regional code or name)")
            elif found not in district_ids:
                district_ids.append(found)
        if not district_ids and not row.get("districts"):
            c.error(row, "districts", "required: the districts taking part, separated by ';'")
        plan = EditionPlan(
            row=row,
            key=row.get("id"),
            programme=c.text(row, "programme"),
            programme_description=c.text(row, "programme_description", required=False, limit=5000),
            name=c.text(row, "name"),
            starts_on=starts_on or date.min,
            ends_on=ends_on or date.min,
            district_ids=district_ids,
        )
        c.plan.editions.append(plan)


def _edition_window(c: Checker, ref: Ref | None) -> tuple[list[str] | None, date | None, date | None]:
    """The districts and dates of the edition a process refers to."""
    if ref is None:
        return None, None, None
    if ref.key is not None:
        edition = next(e for e in c.plan.editions if e.key == ref.key)
        return edition.district_ids, edition.starts_on, edition.ends_on
    existing = c.session.get(Edition, ref.id)
    assert existing is not None
    return list(existing.district_ids), existing.starts_on, existing.ends_on


def _processes(c: Checker, edition_keys: dict[str, Row]) -> None:
    for row in c.bundle.rows["processes"]:
        edition = c.ref(row, "edition", edition_keys, Edition)
        district_id = c.district(row, "district")
        started_on = c.day(row, "started_on")
        closed_on = c.day(row, "closed_on", required=False)
        c.ordered(row, "closed_on", closed_on, "started_on", started_on)
        status = c.code(row, "status", ProcessStatus, required=False) or ProcessStatus.ACTIVE
        if status is ProcessStatus.CLOSED and closed_on is None:
            c.error(row, "closed_on", "required when the status is closed")
        if status is not ProcessStatus.CLOSED and closed_on is not None:
            c.error(row, "status", "a process with closed_on is closed")
        district_ids, _starts, _ends = _edition_window(c, edition)
        if district_ids is not None and district_id and district_id not in district_ids:
            c.error(row, "district", "the district does not take part in this edition")
        c.plan.processes.append(
            ProcessPlan(
                row=row,
                key=row.get("id"),
                edition=edition or Ref(),
                district_id=district_id or "",
                title=c.text(row, "title"),
                started_on=started_on or date.min,
                purpose=c.text(row, "purpose", required=False, limit=5000),
                methods_and_tools=c.text(row, "methods_and_tools", required=False, limit=5000),
                location=c.text(row, "location", required=False),
                closed_on=closed_on,
            )
        )


def _process_of(c: Checker, ref: Ref | None) -> tuple[str | None, date | None, date | None]:
    """District, start and close of the process a row refers to."""
    if ref is None:
        return None, None, None
    if ref.key is not None:
        process = next(p for p in c.plan.processes if p.key == ref.key)
        return process.district_id, process.started_on, process.closed_on
    existing = c.session.get(Process, ref.id)
    assert existing is not None
    return str(existing.district_id), existing.started_on, existing.closed_on


def _workshops(c: Checker, process_keys: dict[str, Row]) -> None:
    for row in c.bundle.rows["workshops"]:
        process = c.ref(row, "process", process_keys, Process)
        starts_at, ends_at = c.moment(row, "starts_at"), c.moment(row, "ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            c.error(row, "ends_at", "a workshop ends after it starts")
        district_id, started_on, closed_on = _process_of(c, process)
        if starts_at and started_on and starts_at.astimezone(ROME).date() < started_on:
            c.error(row, "starts_at", f"before the process started ({started_on})")
        if starts_at and closed_on and starts_at.astimezone(ROME).date() > closed_on:
            c.error(row, "starts_at", f"after the process closed ({closed_on})")
        status = c.code(row, "status", WorkshopStatus, required=False) or WorkshopStatus.HELD
        if status not in (WorkshopStatus.HELD, WorkshopStatus.CANCELLED):
            c.error(row, "status", "a past workshop was held or cancelled")
        method = c.code(row, "method", WorkshopMethod)
        c.plan.workshops.append(
            WorkshopPlan(
                row=row,
                key=row.get("id"),
                process=process or Ref(),
                method=method or WorkshopMethod.OTHER,
                title=c.text(row, "title"),
                starts_at=starts_at or datetime.min,
                ends_at=ends_at or datetime.min,
                venue=c.text(row, "venue", required=False) or None,
                description=c.text(row, "description", required=False, limit=5000),
                status=status,
                district_id=district_id or "",
            )
        )


def _attendance(c: Checker, workshop_keys: dict[str, Row]) -> None:
    workshops = {w.key: w for w in c.plan.workshops}
    seen: dict[tuple[str, str], int] = {}
    for row in c.bundle.rows["attendance"]:
        key = row.get("workshop")
        if key not in workshop_keys:
            c.error(row, "workshop", f"'{key}' is not a workshop of this bundle")
        category = c.code(row, "actor_category", ActorCategory)
        raw = row.get("count")
        count = int(raw) if raw.isdigit() else None
        if count is None or count > 100_000:
            c.error(row, "count", f"'{raw}' is not a head count (a whole number, 0 to 100000)")
        if category is None or count is None or key not in workshops:
            continue
        if (key, category.value) in seen:
            c.error(row, "actor_category", f"{category.value} repeats line {seen[key, category.value]}")
            continue
        seen[key, category.value] = row.line
        workshop = workshops[key]
        if workshop.status is WorkshopStatus.CANCELLED:
            c.error(row, "workshop", "a cancelled workshop has no attendance")
        workshop.attendance[category.value] = count


def _workshop_of(
    c: Checker, ref: Ref | None
) -> tuple[str | None, Ref | None, WorkshopMethod | None, date | None]:
    """District, process, method and local day of the workshop a row refers to."""
    if ref is None:
        return None, None, None, None
    if ref.key is not None:
        w = next(w for w in c.plan.workshops if w.key == ref.key)
        day = w.starts_at.astimezone(ROME).date() if w.starts_at != datetime.min else None
        return w.district_id, w.process, w.method, day
    existing = c.session.get(Workshop, ref.id)
    assert existing is not None
    return (
        str(existing.district_id),
        Ref(id=existing.process_id),
        existing.method,
        existing.starts_at.astimezone(ROME).date(),
    )


def _same_process(c: Checker, row: Row, column: str, process: Ref | None, of_workshop: Ref | None) -> None:
    if process is None or of_workshop is None:
        return
    if of_workshop.key is not None and process.key == of_workshop.key:
        return
    if of_workshop.id is not None and process.id == of_workshop.id:
        return
    c.error(row, column, "the workshop belongs to another process")


def _inventions(c: Checker, process_keys: dict[str, Row], workshop_keys: dict[str, Row]) -> None:
    for row in c.bundle.rows["inventions"]:
        process = c.ref(row, "process", process_keys, Process)
        workshop = c.ref(row, "workshop", workshop_keys, Workshop, required=False)
        _district, of_workshop, _method, _day = _workshop_of(c, workshop)
        _same_process(c, row, "workshop", process, of_workshop)
        handed_over_to = c.district(row, "handed_over_to", required=False)
        handed_over_on = c.day(row, "handed_over_on", required=False)
        if bool(row.get("handed_over_to")) != bool(row.get("handed_over_on")):
            c.error(row, "handed_over_on", "a hand-over has both handed_over_to and handed_over_on")
        kind, theme = c.code(row, "kind", InventionKind), c.code(row, "theme", Theme)
        c.plan.inventions.append(
            InventionPlan(
                row=row,
                key=row.get("id"),
                process=process or Ref(),
                workshop=workshop,
                title=c.text(row, "title"),
                kind=kind or InventionKind.ACTION,
                theme=theme or Theme.RETI_VIVE,
                description=c.text(row, "description", required=False, limit=5000),
                handed_over_to=handed_over_to,
                handed_over_on=handed_over_on,
                handover_note=c.text(row, "handover_note", required=False, limit=1000) or None,
            )
        )


def _step(c: Checker, row: Row, column: str, needs: str, present: bool) -> None:
    if row.get(column) and not present:
        c.error(row, column, f"this step comes after {needs}, which the row does not have")


def _priorities(c: Checker, process_keys: dict[str, Row], workshop_keys: dict[str, Row]) -> None:
    for row in c.bundle.rows["priorities"]:
        district_id = c.district(row, "district")
        process = c.ref(row, "process", process_keys, Process, required=False)
        process_district, _started, _closed = _process_of(c, process)
        if process_district and district_id and process_district != district_id:
            c.error(row, "process", "the process belongs to another district")
        workshop = c.ref(row, "workshop", workshop_keys, Workshop, required=False)
        _wd, of_workshop, _m, _day = _workshop_of(c, workshop)
        _same_process(c, row, "workshop", process, of_workshop)
        source = c.code(row, "source", PrioritySource)
        if source is PrioritySource.WORKSHOP and workshop is None and not row.get("workshop"):
            c.error(row, "workshop", "required when the source is workshop: the workshop it came from")
        proposed_on = c.day(row, "proposed_on")
        raw_year = row.get("year")
        year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None
        if raw_year and year is None:
            c.error(row, "year", f"'{raw_year}' is not a year")
        submitted_on = c.day(row, "submitted_on", required=False)
        if submitted_on and year is None:
            c.error(row, "year", "required when the priority was submitted: the year of the priorities")
        decision = row.get("decision") or None
        if decision not in (None, "validated", "rejected"):
            c.error(row, "decision", f"unknown decision '{decision}': validated or rejected")
        sitting_date = c.day(row, "sitting_date", required=bool(decision))
        motivation = c.text(row, "motivation", required=bool(decision), limit=5000)
        if year and sitting_date and sitting_date.year not in (year - 1, year):
            c.error(
                row,
                "sitting_date",
                f"a sitting deciding the {year} priorities falls in that year or the one before",
            )
        assigned_on = c.day(row, "assigned_on", required=False)
        started_on = c.day(row, "started_on", required=False)
        outcome = c.code(row, "outcome", PriorityOutcome, required=False)
        tables: list[Ref] = []
        for name in _split(row.get("project_tables")):
            if name not in workshop_keys:
                c.error(row, "project_tables", f"'{name}' is not a workshop of this bundle")
                continue
            tables.append(Ref(key=name))
            table_district, _p, method, _d = _workshop_of(c, Ref(key=name))
            if method is not WorkshopMethod.PROJECT_TABLE:
                c.error(row, "project_tables", f"'{name}' is a {method}, not a project_table")
            if district_id and table_district != district_id:
                c.error(row, "project_tables", f"'{name}' belongs to another district")
        restitution = c.ref(row, "restitution_workshop", workshop_keys, Workshop, required=bool(outcome))
        restitution_district, _p, method, restitution_day = _workshop_of(c, restitution)
        if restitution is not None and method is not WorkshopMethod.RESTITUTION_EVENT:
            c.error(row, "restitution_workshop", f"a {method}, not a restitution_event")
        if restitution is not None and district_id and restitution_district != district_id:
            c.error(row, "restitution_workshop", "the workshop belongs to another district")
        if restitution is not None and not outcome:
            c.error(row, "outcome", "required with a restitution_workshop")
        _step(c, row, "decision", "submitted_on", submitted_on is not None)
        _step(c, row, "assigned_on", "decision validated", decision == "validated")
        _step(c, row, "project_tables", "assigned_on", assigned_on is not None)
        if assigned_on and not tables:
            c.error(row, "project_tables", "required when assigned: project_table workshops separated by ';'")
        _step(c, row, "started_on", "assigned_on", assigned_on is not None)
        _step(c, row, "outcome", "started_on", started_on is not None)
        c.ordered(row, "submitted_on", submitted_on, "proposed_on", proposed_on)
        c.ordered(row, "sitting_date", sitting_date, "submitted_on", submitted_on)
        c.ordered(row, "assigned_on", assigned_on, "sitting_date", sitting_date)
        c.ordered(row, "started_on", started_on, "assigned_on", assigned_on)
        c.ordered(row, "restitution_workshop", restitution_day, "started_on", started_on)
        c.plan.priorities.append(
            PriorityPlan(
                row=row,
                key=row.get("id"),
                district_id=district_id or "",
                process=process,
                workshop=workshop,
                title=c.text(row, "title"),
                description=c.text(row, "description", required=False, limit=5000),
                source=source or PrioritySource.WORKSHOP,
                proposed_on=proposed_on or date.min,
                year=year,
                submitted_on=submitted_on,
                decision=decision,
                sitting_date=sitting_date,
                motivation=motivation,
                assigned_on=assigned_on,
                project_tables=tables,
                started_on=started_on,
                outcome=outcome,
                restitution_workshop=restitution,
                note=c.text(row, "note", required=False, limit=2000) or None,
            )
        )


def _answer(value: str) -> Any:
    return int(value) if value.lstrip("-").isdigit() else value


def _evaluations(c: Checker, workshop_keys: dict[str, Row]) -> None:
    for row in c.bundle.rows["evaluations"]:
        workshop = c.ref(row, "workshop", workshop_keys, Workshop)
        raw = row.get("template_id")
        template_id = DEFAULT_TEMPLATE_ID
        if raw:
            try:
                template_id = uuid.UUID(raw)
            except ValueError:
                c.error(row, "template_id", f"'{raw}' is not a template id")
        answers = {
            column.removeprefix("answer."): _answer(value.strip())
            for column, value in row.cells.items()
            if column.startswith("answer.") and value.strip()
        }
        if not answers:
            c.error(row, "answer.*", "an evaluation card answers at least one question")
        c.plan.evaluations.append(
            EvaluationPlan(
                row=row,
                key=row.get("id"),
                workshop=workshop or Ref(),
                template_id=template_id,
                answers=answers,
            )
        )
