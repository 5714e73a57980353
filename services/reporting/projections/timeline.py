"""Projection "timeline": a process's history merged from its own, its workshops', priorities', inventions'
and steering group's events, each described by a sentence in Italian and in English.

Events carry no names of people, so people are described by their actor category and role. Sentences are
written when the event is applied, with the titles known at that moment (a history, not a current view).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session, SQLModel

from services.reporting.labels import (
    BODIES,
    CATEGORIES,
    METHODS,
    PRIORITY_STATUSES,
    PROCESS_STATUSES,
    THEMES,
    WORKSHOP_STATUSES,
    date_en,
    date_it,
    datetime_en,
    datetime_it,
    label,
)
from services.reporting.models import PersonCategory, TimelineEntry, TimelineLabel
from services.reporting.projections.base import (
    Handler,
    Projection,
    as_date,
    as_datetime,
    as_dict,
    as_int,
    as_uuid,
    batch_store,
    cached,
    category,
    get_or_new,
    text,
)
from services.reporting.projections.outcomes import PRIORITY_STATUS
from services.reporting.projections.proposal_sentences import PROPOSAL_STATE, proposal_sentence
from shared.eventlog import RecordedEvent

Sentence = tuple[str, str]
TIMELINE_STREAMS = frozenset(
    ("process", "workshop", "invention", "priority", "body", "evaluation_response", "proposal")
)

# Events recorded inside a workshop (sessions domain): (Italian, English) description.
SESSION_EVENTS: dict[str, Sentence] = {
    "workshop.agenda_set": ("definito l'ordine del giorno", "agenda set"),
    "workshop.ost_topic_proposed": ("proposto un tema di Open Space", "an Open Space topic was proposed"),
    "workshop.ost_joined": (
        "un partecipante si è unito a un gruppo di Open Space",
        "a participant joined an Open Space group",
    ),
    "workshop.ost_left": (
        "un partecipante ha lasciato un gruppo di Open Space",
        "a participant left an Open Space group",
    ),
    "workshop.ost_report_filed": (
        "depositato l'instant report di un gruppo di Open Space",
        "an Open Space instant report was filed",
    ),
    "workshop.cafe_table_added": ("aggiunto un tavolo di World Café", "a World Café table was added"),
    "workshop.cafe_round_added": ("aggiunto un giro di World Café", "a World Café round was added"),
    "workshop.cafe_note_added": (
        "aggiunta una nota a un tavolo di World Café",
        "a note was added to a World Café table",
    ),
    "workshop.cafe_harvest_recorded": (
        "registrata la raccolta finale del World Café",
        "the World Café harvest was recorded",
    ),
    "workshop.pollination_linked": (
        "collegate idee tra gruppi (impollinazione)",
        "ideas were linked across groups (cross-pollination)",
    ),
    "workshop.minutes_recorded": ("registrato il verbale", "minutes recorded"),
}


def _state(event: RecordedEvent) -> str | None:
    """The state the event leaves its record in, in the producer API's codes (None if it sets none)."""
    payload = event.payload
    if event.stream_type == "priority":
        status = payload.get("to_state") or PRIORITY_STATUS.get(event.type)
    elif event.type in ("workshop.scheduled", "process.created"):
        status = payload.get("status") or ("planned" if event.stream_type == "workshop" else None)
    elif event.type in ("workshop.status_changed", "process.status_changed"):
        status = payload.get("status")
    elif event.type in PROPOSAL_STATE:
        status = PROPOSAL_STATE[event.type]
    else:
        return None
    return text(status, 40) or None


def _q(value: str) -> str:
    return f"'{value}'" if value else "''"


class TimelineProjection(Projection):
    """One row per (process, event) with its two sentences."""

    name = "timeline"
    tables = (TimelineEntry, TimelineLabel)

    def apply(self, session: Session, event: RecordedEvent) -> None:
        """Describe the event if it belongs to a process."""
        stream_type = event.stream_type
        if stream_type not in TIMELINE_STREAMS:
            return
        if stream_type == "body":
            self._body(session, event)
            return
        process_id = self._process_of(session, event)
        if process_id is None:
            return
        self._remember(session, event, process_id)
        sentence = self._describe(session, event)
        if sentence is not None:
            self._write(session, event, process_id, sentence)

    def handlers(self) -> dict[str, Handler]:
        """Unused: ``apply`` dispatches on the stream type."""
        return {}

    def wants(self, event: RecordedEvent) -> bool:
        """Only the streams a process's history is made of."""
        return event.stream_type in TIMELINE_STREAMS

    def keys(self, event: RecordedEvent) -> Iterator[tuple[type[SQLModel], Any]]:
        """The labels (and, for steering-group members, the person's category) the event will read."""
        if event.stream_type == "body":
            body_id = event.payload.get("body_id") or event.stream_id
            yield TimelineLabel, ("body", str(body_id))
            person_id = event.payload.get("person_id")
            if person_id:
                yield PersonCategory, str(person_id)
            return
        yield TimelineLabel, (event.stream_type, str(event.stream_id))
        phase_id = event.payload.get("phase_id")
        if phase_id:
            yield TimelineLabel, ("phase", str(phase_id))

    # --- lookups -------------------------------------------------------------------------------------

    @staticmethod
    def _label(session: Session, stream_type: str, stream_id: Any) -> TimelineLabel | None:
        return cached(session, TimelineLabel, (stream_type, str(stream_id))) if stream_id else None

    def _process_of(self, session: Session, event: RecordedEvent) -> str | None:
        if event.stream_type == "process":
            return str(as_uuid(event.payload.get("process_id")) or as_uuid(event.stream_id) or "") or None
        process_id = as_uuid(event.payload.get("process_id"))
        if process_id is not None:
            return str(process_id)
        known = self._label(session, event.stream_type, event.stream_id)
        return known.process_id if known is not None else None

    def _remember(self, session: Session, event: RecordedEvent, process_id: str) -> None:
        row = get_or_new(
            session,
            TimelineLabel,
            (event.stream_type, event.stream_id),
            stream_type=event.stream_type,
            stream_id=event.stream_id,
        )
        row.process_id = process_id
        payload = event.payload
        changes = as_dict(payload.get("changes"))
        title = payload.get("title") or changes.get("title")
        if title:
            row.label = text(title)
        kind = payload.get("method") or changes.get("method") or payload.get("theme") or changes.get("theme")
        if kind:
            row.kind = text(kind, 64)

    def _title(self, session: Session, stream_type: str, stream_id: Any) -> str:
        known = self._label(session, stream_type, stream_id)
        return known.label if known is not None else ""

    def _write(self, session: Session, event: RecordedEvent, process_id: str, sentence: Sentence) -> None:
        process_uuid = as_uuid(process_id)
        if process_uuid is None:
            return
        # The whole row is derived from the event: written blind (upserted by process and position).
        batch_store(session).put(
            TimelineEntry,
            {
                "process_id": process_uuid,
                "position": event.position,
                "occurred_at": event.occurred_at,
                "event_type": event.type,
                "stream_type": event.stream_type,
                "stream_id": event.stream_id,
                "sentence_it": sentence[0],
                "sentence_en": sentence[1],
                "state": _state(event),
                "recorded_at": event.recorded_at,
            },
        )

    # --- sentences -----------------------------------------------------------------------------------

    def _describe(self, session: Session, event: RecordedEvent) -> Sentence | None:
        _, _, verb = event.type.partition(".")
        payload = event.payload
        title = _q(self._title(session, event.stream_type, event.stream_id))
        when = as_date(payload.get("sitting_date")) or as_date(payload.get("on")) or event.occurred_at
        if event.stream_type == "process":
            if verb in ("phase_added", "phase_changed") and payload.get("phase_id"):
                phase = get_or_new(
                    session,
                    TimelineLabel,
                    ("phase", str(payload["phase_id"])),
                    stream_type="phase",
                    stream_id=str(payload["phase_id"]),
                )
                changes = as_dict(payload.get("changes"))
                name = payload.get("name") or changes.get("name")
                if name:
                    phase.label = text(name)
                phase.process_id = str(as_uuid(event.stream_id))
                payload = {
                    **payload,
                    "name": phase.label,
                    "is_current": payload.get("is_current") or changes.get("is_current"),
                }
            return self._process_sentence(verb, title, payload)
        if event.stream_type == "workshop":
            return self._workshop_sentence(session, event.type, verb, title, payload)
        if event.stream_type == "invention":
            theme_it = label(THEMES, self._kind(session, event), "it")
            theme_en = label(THEMES, self._kind(session, event), "en")
            if verb == "created":
                return (
                    f"È nata l'invenzione {title} (macro-tema: {theme_it})",
                    f"Invention {title} was born (macro-theme: {theme_en})",
                )
            if verb == "handed_over":
                to_it = "a un altro distretto" if payload.get("to_district_id") else "a un'organizzazione"
                to_en = "to another district" if payload.get("to_district_id") else "to an organisation"
                return (
                    f"L'invenzione {title} è stata consegnata {to_it} il {date_it(when)}",
                    f"Invention {title} was handed over {to_en} on {date_en(when)}",
                )
            return (f"Aggiornata l'invenzione {title}", f"Invention {title} was updated")
        if event.stream_type == "priority":
            return self._priority_sentence(verb, title, payload, when)
        if event.stream_type == "evaluation_response":
            return ("È stata compilata una carta di valutazione", "An evaluation card was filled in")
        if event.stream_type == "proposal":
            return proposal_sentence(session, verb, title, payload)
        return None

    def _kind(self, session: Session, event: RecordedEvent) -> str:
        known = self._label(session, event.stream_type, event.stream_id)
        return known.kind if known is not None else ""

    @staticmethod
    def _process_sentence(verb: str, title: str, payload: dict[str, Any]) -> Sentence:
        if verb == "created":
            return (
                f"È stato creato il processo partecipativo {title}",
                f"Participatory process {title} was created",
            )
        if verb == "status_changed":
            status = str(payload.get("status") or "")
            return (
                f"Il processo {title} è ora: {label(PROCESS_STATUSES, status, 'it')}",
                f"Process {title} is now: {label(PROCESS_STATUSES, status, 'en')}",
            )
        if verb in ("phase_added", "phase_changed"):
            phase = as_dict(payload.get("phase")) or payload
            name = _q(text(phase.get("name") or phase.get("title") or phase.get("phase") or ""))
            if verb == "phase_added":
                return (f"Aggiunta la fase {name} al processo", f"Phase {name} was added to the process")
            if phase.get("is_current"):
                return (f"Il processo è passato alla fase {name}", f"The process moved to phase {name}")
            return (f"Aggiornata la fase {name} del processo", f"Phase {name} of the process was updated")
        changes = as_dict(payload.get("changes"))
        fields = ", ".join(sorted(changes)) or "—"
        return (
            f"Aggiornata la carta d'identità del processo {title} (campi: {fields})",
            f"The identity card of process {title} was updated (fields: {fields})",
        )

    def _workshop_sentence(
        self, session: Session, event_type: str, verb: str, title: str, payload: dict[str, Any]
    ) -> Sentence:
        if verb == "scheduled":
            method = str(payload.get("method") or "")
            starts = as_datetime(payload.get("starts_at"))
            return (
                f"Programmato il laboratorio {title} ({label(METHODS, method, 'it')}) per il {datetime_it(starts)}",
                f"Workshop {title} ({label(METHODS, method, 'en')}) was scheduled for {datetime_en(starts)}",
            )
        if verb == "status_changed":
            status = str(payload.get("status") or "")
            reason = text(payload.get("reason"), 300)
            suffix_it = f" (motivo: {reason})" if reason else ""
            suffix_en = f" (reason: {reason})" if reason else ""
            return (
                f"Il laboratorio {title} è ora: {label(WORKSHOP_STATUSES, status, 'it')}{suffix_it}",
                f"Workshop {title} is now: {label(WORKSHOP_STATUSES, status, 'en')}{suffix_en}",
            )
        if verb == "registration_added":
            cat = category(payload.get("actor_category"))
            count = as_int(payload.get("count")) or 1
            wait_it = " (in lista d'attesa)" if payload.get("waitlisted") else ""
            wait_en = " (waiting list)" if payload.get("waitlisted") else ""
            if count > 1:
                return (
                    f"Un gruppo di {count} ({label(CATEGORIES, cat, 'it')}) si è iscritto al laboratorio {title}{wait_it}",
                    f"A group of {count} ({label(CATEGORIES, cat, 'en')}) registered for workshop {title}{wait_en}",
                )
            return (
                f"Una persona ({label(CATEGORIES, cat, 'it')}) si è iscritta al laboratorio {title}{wait_it}",
                f"A participant ({label(CATEGORIES, cat, 'en')}) registered for workshop {title}{wait_en}",
            )
        if verb == "registration_promoted":
            return (
                f"Un'iscrizione in lista d'attesa al laboratorio {title} è stata confermata",
                f"A waitlisted registration for workshop {title} got a place",
            )
        if verb == "registration_cancelled":
            return (
                f"Annullata un'iscrizione al laboratorio {title}",
                f"A registration for workshop {title} was cancelled",
            )
        if verb == "attendance_recorded":
            identified = len({str(p) for p in payload.get("present") or []})
            anonymous = sum(as_int(v) or 0 for v in (payload.get("anonymous_counts") or {}).values())
            return (
                f"Registrate le presenze del laboratorio {title}: {identified + anonymous} presenti "
                f"({identified} identificati, {anonymous} anonimi)",
                f"Attendance of workshop {title} was recorded: {identified + anonymous} present "
                f"({identified} identified, {anonymous} anonymous)",
            )
        if verb == "updated":
            changes = as_dict(payload.get("changes"))
            fields = ", ".join(sorted(changes)) or "—"
            return (
                f"Aggiornato il laboratorio {title} (campi: {fields})",
                f"Workshop {title} was updated (fields: {fields})",
            )
        it, en = SESSION_EVENTS.get(event_type, (verb.replace("_", " "), verb.replace("_", " ")))
        return (f"Laboratorio {title}: {it}", f"Workshop {title}: {en}")

    @staticmethod
    def _priority_sentence(verb: str, title: str, payload: dict[str, Any], when: Any) -> Sentence:
        if verb == "proposed":
            source = text(payload.get("source"), 64)
            extra_it = f" (fonte: {source.replace('_', ' ')})" if source else ""
            extra_en = f" (source: {source.replace('_', ' ')})" if source else ""
            return (f"Proposta la priorità {title}{extra_it}", f"Priority {title} was proposed{extra_en}")
        if verb == "submitted":
            year = as_int(payload.get("year"))
            return (
                f"L'Ufficio di Piano ha presentato la priorità {title}" + (f" per il {year}" if year else ""),
                f"Ufficio di Piano submitted priority {title}" + (f" for {year}" if year else ""),
            )
        if verb in ("validated", "rejected"):
            verb_it = "validato" if verb == "validated" else "respinto"
            return (
                f"Il Comitato di Distretto ha {verb_it} la priorità {title} il {date_it(when)}",
                f"Comitato di Distretto {verb} priority {title} on {date_en(when)}",
            )
        if verb == "assigned":
            tables = len(payload.get("project_table_workshop_ids") or [])
            return (
                f"La priorità {title} è stata assegnata a {tables} tavoli di progetto",
                f"Priority {title} was assigned to {tables} project table(s)",
            )
        if verb == "started":
            return (f"Avviati i lavori sulla priorità {title}", f"Work on priority {title} started")
        if verb == "reported":
            return (
                f"L'esito della priorità {title} è stato restituito alla comunità",
                f"The outcome of priority {title} was reported back to the community",
            )
        if verb == "linked_to_plan_action":
            action = payload.get("plan_action")
            if isinstance(action, dict):
                action = action.get("code") or action.get("title")
            action_text = _q(text(action))
            return (
                f"La priorità {title} è stata collegata alla scheda intervento {action_text}",
                f"Priority {title} was linked to plan action {action_text}",
            )
        status = verb.replace("_", " ")
        return (
            f"Priorità {title}: {label(PRIORITY_STATUSES, verb, 'it') if verb in PRIORITY_STATUSES else status}",
            f"Priority {title}: {status}",
        )

    def _body(self, session: Session, event: RecordedEvent) -> None:
        """Steering-group memberships of a process, described by category and role (never by name)."""
        payload = event.payload
        body_id = payload.get("body_id") or event.stream_id
        known = self._label(session, "body", body_id)
        if event.type == "body.created":
            if payload.get("process_id"):
                row = get_or_new(
                    session, TimelineLabel, ("body", str(body_id)), stream_type="body", stream_id=str(body_id)
                )
                row.process_id = str(as_uuid(payload["process_id"]))
                row.kind = text(payload.get("kind"), 64)
            return
        if event.type not in ("body.member_added", "body.member_ended"):
            return
        process_id = payload.get("process_id") or (known.process_id if known else None)
        kind = str(payload.get("kind") or (known.kind if known else ""))
        if not process_id or as_uuid(process_id) is None:
            return
        person = cached(session, PersonCategory, str(payload.get("person_id") or ""))
        cat = person.actor_category if person is not None else "other"
        role = text(payload.get("role"), 64).replace("_", " ")
        role_it = f", ruolo: {role}" if role else ""
        role_en = f", role: {role}" if role else ""
        body_it, body_en = label(BODIES, kind, "it"), label(BODIES, kind, "en")
        when = (
            as_date(payload.get("valid_to" if event.type.endswith("ended") else "valid_from"))
            or event.occurred_at
        )
        if event.type == "body.member_added":
            sentence = (
                f"Un componente ({label(CATEGORIES, cat, 'it')}{role_it}) è entrato nella {body_it} il {date_it(when)}",
                f"A member ({label(CATEGORIES, cat, 'en')}{role_en}) joined the {body_en} on {date_en(when)}",
            )
        else:
            sentence = (
                f"Un componente ({label(CATEGORIES, cat, 'it')}{role_it}) ha lasciato la {body_it} il {date_it(when)}",
                f"A member ({label(CATEGORIES, cat, 'en')}{role_en}) left the {body_en} on {date_en(when)}",
            )
        self._write(session, event, str(as_uuid(process_id)), sentence)
