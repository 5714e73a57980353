"""A demo-like region for the open-data tests: the scripted edition, a district's bodies, their relations
(one from a process's steering group, which the open data leaves out), an agreement, citizens' proposals (one
merged into another, which is answered and promoted to a priority), attached files and a signed checkpoint."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session

from services.reporting.consumer import catch_up
from shared.eventlog.checkpoints import checkpoint_log
from shared.eventlog.signing import Keyring
from tests.reporting.conftest import EventScript, at, new_id
from tests.reporting.scripted import Edition, build


def _body(script: EventScript, district: str, kind: str, name: str, process: str | None = None) -> str:
    body_id = new_id()
    payload = {"body_id": body_id, "district_id": district, "kind": kind, "name": name, "process_id": process}
    script.emit("body", body_id, "body.created", payload)
    return body_id


def _relate(script: EventScript, district: str, source: str, target: str, kind: str, start: str) -> str:
    relation_id = new_id()
    payload = {
        "relation_id": relation_id,
        "district_id": district,
        "body_id": source,
        "to_body_id": target,
        "kind": kind,
        "note": "",
        "valid_from": start,
        "valid_to": None,
    }
    script.emit("body", source, "body.relation_added", payload)
    return relation_id


def _proposals(script: EventScript, edition: Edition) -> None:
    """Two proposals to process PA: the second merged into the first, which is answered and promoted (in
    March 2019, within the period the rest of the region covers)."""
    when = at("2019-03-01T10:00:00+00:00")
    district, process = edition["A"], edition["PA"]
    ids = {"process_id": process, "district_id": district}
    first, second = edition.ids["prop1"], edition.ids["prop2"] = new_id(), new_id()
    for proposal, title in ((first, "Pulmino per le frazioni"), (second, "Trasporto sociale")):
        script.emit(
            "proposal",
            proposal,
            "proposal.created",
            {**ids, "proposal_id": proposal, "phase_id": new_id(), "author_id": new_id(), "title": title}
            | {"theme": "reti_vive"},
            at=when,
        )
    script.emit(
        "proposal",
        first,
        "proposal.supported",
        {**ids, "proposal_id": first, "supporter_id": new_id(), "support_count": 1},
        at=when,
    )
    merged = {**ids, "proposal_id": second, "into_proposal_id": first}
    script.emit("proposal", second, "proposal.merged", merged, at=when)
    script.emit(
        "proposal",
        first,
        "proposal.answered",
        {**ids, "proposal_id": first, "answer_state": "accolta", "answer_category": "accepted"}
        | {"text": "Entra nel piano.", "first_answer": True},
        at=when,
    )
    script.emit(
        "proposal",
        first,
        "proposal.promoted",
        {**ids, "proposal_id": first, "priority_id": edition["pr2"]},
        at=when,
    )


def _attachments(script: EventScript, edition: Edition) -> None:
    """Files on workshop wA1 (one of them personal, which open data leaves out) and on invention i1."""
    when = at("2019-03-02T10:00:00+00:00")
    district, process = edition["A"], edition["PA"]
    for name, parent_kind, workshop, invention, personal in (
        ("att1", "workshop", edition["wA1"], None, False),
        ("att2", "minutes", edition["wA1"], None, True),
        ("att3", "invention", None, edition["i1"], False),
    ):
        attachment = edition.ids[name] = new_id()
        script.emit(
            "attachment",
            attachment,
            "attachment.added",
            {
                "attachment_id": attachment,
                "district_id": district,
                "process_id": process,
                "parent_kind": parent_kind,
                "parent_id": workshop or invention,
                "workshop_id": workshop,
                "invention_id": invention,
                "title": f"Allegato {name}",
                "media_type": "application/pdf",
                "size_bytes": 48_213,
                "sha256": "9f" * 32,
                "licence": "CC-BY-4.0",
                "personal": personal,
            },
            at=when,
        )


def build_region(script: EventScript, session: Session) -> Edition:
    """Write the region, project it and sign one checkpoint of the log."""
    edition = build(script)
    district = edition["A"]
    comitato = _body(script, district, "comitato_di_distretto", "Comitato di Distretto Pianura Est")
    ufficio = _body(script, district, "ufficio_di_piano", "Ufficio di Piano Pianura Est")
    cabina = edition.ids["cabina"] = _body(script, district, "steering_group_core", "Cabina", edition["PA"])
    edition.ids["r1"] = _relate(script, district, ufficio, comitato, "proposes_to", "2009-01-01")
    edition.ids["r2"] = _relate(script, district, comitato, ufficio, "validates", "2009-01-01")
    edition.ids["r_cabina"] = _relate(script, district, cabina, ufficio, "reports_to", "2018-10-05")
    agreement = new_id()
    script.emit(
        "agreement",
        agreement,
        "agreement.recorded",
        {
            "agreement_id": agreement,
            "district_id": district,
            "kind": "accordo_di_programma",
            "title": "Accordo di programma 2018-2020",
            "reference": "DGR 1234/2018",
            "signed_on": "2018-06-28",
            "valid_from": "2018-07-01",
            "valid_to": None,
            "organisation_ids": [new_id(), new_id()],
        },
    )
    _course(script, district)
    _supervision(script, district, edition)
    _lab(script, edition)
    published_case(script, district, edition["PA"])
    _proposals(script, edition)
    _attachments(script, edition)
    session.flush()
    sign_checkpoint(session)
    catch_up(session)
    return edition


def _course(script: EventScript, district: str) -> None:
    """A course edition with one member of the district who attended its session and completed it."""
    course, edition, day, person = new_id(), new_id(), new_id(), new_id()
    script.emit(
        "course",
        course,
        "course.created",
        {"course_id": course, "kind": "tutors_track", "title": "Percorso tutor", "provider": ""},
    )
    edition_payload = {
        "course_edition_id": edition,
        "course_id": course,
        "kind": "tutors_track",
        "title": "2018",
        "year": 2018,
        "starts_on": None,
        "ends_on": None,
        "completion_hours": 4,
    }
    script.emit("course_edition", edition, "course.edition_created", edition_payload)
    session_payload = {"course_edition_id": edition, "session_id": day, "held_on": "2018-05-04", "hours": 4}
    script.emit("course_edition", edition, "course.session_added", session_payload)
    members = {"course_edition_id": edition, "members": [{"person_id": person, "district_id": district}]}
    script.emit("course_edition", edition, "course.cohort_set", members)
    attendance = {"course_edition_id": edition, "session_id": day, "hours": 4, "person_ids": [person]}
    script.emit("course_edition", edition, "course.attendance_recorded", attendance)
    completion = {
        "course_edition_id": edition,
        "person_id": person,
        "district_id": district,
        "basis": "hours",
        "attended_hours": 4,
        "training_id": new_id(),
    }
    script.emit("course_edition", edition, "course.completion_recorded", completion, district_id=district)


def published_case(script: EventScript, district: str, process: str) -> None:
    """A published case of the district with two pieces of guidance, and a draft that stays out of reports."""
    case, draft = new_id(), new_id()
    state = {
        "case_id": case,
        "code": "casa-della-salute",
        "district_id": district,
        "side": "social_and_health",
        "status": "draft",
        "lines": ["subjects", "institutional_architectures"],
        "process_ids": [process],
        "lab_meeting_ids": [new_id()],
        "question_count": 1,
        "guidance_count": 2,
        "published_at": None,
        "content": None,
    }
    script.emit("case", case, "case.created", state)
    content = {
        "title": "La casa della salute come luogo di comunità",
        "summary": "Servizi e associazioni ripensano l'accoglienza.",
        "story": "Un racconto.",
        "questions": ["Chi decide l'uso degli spazi?"],
        "guidance": [
            {
                "guidance_id": new_id(),
                "line": "subjects",
                "position": 1,
                "text": "Coinvolgere le associazioni.",
            },
            {
                "guidance_id": new_id(),
                "line": "institutional_architectures",
                "position": 2,
                "text": "Un tavolo stabile.",
            },
        ],
    }
    published = {
        **state,
        "status": "published",
        "published_at": "2019-03-12T10:00:00+00:00",
        "content": content,
    }
    script.emit("case", case, "case.published", published)
    script.emit("case", draft, "case.created", {**state, "case_id": draft, "code": "bozza"})


SUPERVISION_NOTE = "Nota riservata della supervisione"


def _supervision(script: EventScript, district: str, edition: Edition) -> None:
    """A supervision session with one case of the district's process and two notes (their text never in events)."""
    supervision, case, facilitator, supervisor = new_id(), new_id(), new_id(), new_id()
    edition.ids["supervision"], edition.ids["supervisor"] = supervision, supervisor
    scheduled = {
        "supervision_id": supervision,
        "held_on": "2019-03-14",
        "edition_id": edition["E1"],
        "supervisor_ids": [supervisor],
    }
    script.emit("supervision", supervision, "supervision.scheduled", scheduled)
    brought = {
        "supervision_id": supervision,
        "case_id": case,
        "brought_by_id": facilitator,
        "subject_kind": "process",
        "subject_id": edition["PA"],
        "process_id": edition["PA"],
        "district_id": district,
        "edition_id": edition["E1"],
    }
    script.emit("supervision", supervision, "supervision.case_brought", brought, district_id=district)
    for author in (supervisor, facilitator):
        note = {
            "supervision_id": supervision,
            "case_id": case,
            "note_id": new_id(),
            "author_id": author,
            "district_id": district,
        }
        script.emit("supervision", supervision, "supervision.note_added", note, district_id=district)


def _lab(script: EventScript, edition: Edition) -> None:
    """The edition's regional lab: two groups, two meetings, three people (one a district director twice)."""
    director, head, ctss = new_id(), new_id(), new_id()
    edition.ids["lab_director"] = director
    groups = []
    for name, members in (
        ("Gruppo 1", [(director, "district_director")]),
        ("Gruppo 2", [(head, "ufficio_di_piano_head")]),
    ):
        group = new_id()
        groups.append(group)
        created = {
            "lab_group_id": group,
            "edition_id": edition["E1"],
            "programme_id": new_id(),
            "name": name,
            "topic": "",
        }
        script.emit("lab_group", group, "lab_group.created", created)
        people = [{"person_id": p, "recipient": r} for p, r in members]
        script.emit(
            "lab_group",
            group,
            "lab_group.members_set",
            {"lab_group_id": group, "edition_id": edition["E1"], "members": people},
        )
    for day, people in (
        ("2018-11-05", [(director, "district_director"), (ctss, "ctss_office")]),
        ("2019-02-11", [(director, "district_director"), (head, "ufficio_di_piano_head")]),
    ):
        meeting = new_id()
        scheduled = {
            "lab_meeting_id": meeting,
            "edition_id": edition["E1"],
            "programme_id": new_id(),
            "held_on": day,
            "topic": "Studio dei casi",
            "lab_group_ids": groups,
        }
        script.emit("lab_meeting", meeting, "lab_meeting.scheduled", scheduled)
        recorded = {
            "lab_meeting_id": meeting,
            "edition_id": edition["E1"],
            "participants": [{"person_id": p, "recipient": r} for p, r in people],
        }
        script.emit("lab_meeting", meeting, "lab_meeting.participants_recorded", recorded)


def sign_checkpoint(session: Session) -> None:
    """Sign a checkpoint of the log as it stands (with a throwaway key)."""
    key = Ed25519PrivateKey.generate()
    checkpoint_log(session.connection(), key, Keyring(current=key.public_key()))
