"""Rules of sign-in: link a verified token to a person, register participants, grant and revoke roles.

The linking identifier (a fiscal code, a subject, an email) is stored only in ``registry.person_identities``;
events name the issuer and the claim kind, never the value.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.registry.bodies import service as bodies
from services.registry.districts import service as districts
from services.registry.facilitators import service as facilitators
from services.registry.facilitators.models import FacilitatorProfile
from services.registry.identity import events as ev
from services.registry.identity.models import GrantRole, PersonIdentity, RoleGrant
from services.registry.identity.schemas import GrantCreate
from services.registry.people import service as people
from services.registry.people.models import ActorCategory, Person
from services.registry.people.schemas import ConsentCreate, PersonCreate
from shared.auth.identity import PersonResolver, SignedInPerson, link_value
from shared.auth.oidc import VerifiedToken
from shared.auth.principal import Principal
from shared.config import OidcIssuer
from shared.db import Database, utcnow
from shared.errors import ConflictError, FieldError, ForbiddenError, NotFoundError, ValidationFailed
from shared.eventlog import NewEvent, append, append_to

_EMAIL = re.compile(r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")

# Memberships of these bodies carry the priority steps (the same table the workshops service checks).
BODY_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "ufficio_di_piano": ("priorities.submit",),
    "comitato_di_distretto": ("priorities.validate", "priorities.reject"),
}


def _first_district(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    districts = people.person_district_ids(session=session, person_ids=[person_id])[person_id]
    return districts[0] if districts else None


def _link(
    session: Session,
    *,
    person: Person,
    namespace: str,
    value: str,
    issuer: str,
    claim: str,
    registered: bool,
) -> PersonIdentity:
    identity = PersonIdentity(
        person_id=person.id, namespace=namespace, value=value, issuer=issuer, claim=claim
    )
    session.add(identity)
    session.flush()
    append(
        session,
        stream_type=ev.PERSON,
        stream_id=str(person.id),
        expected_version=person.version,
        events_to_append=[
            NewEvent(
                ev.PERSON_IDENTITY_LINKED,
                ev.PersonIdentityLinked(
                    person_id=str(person.id),
                    identity_id=str(identity.id),
                    issuer=issuer,
                    claim=claim,
                    registered_at_sign_in=registered,
                ).dump(),
            )
        ],
        district_id=_first_district(session, person.id),
    )
    person.version += 1
    session.flush()
    return identity


def _find_identity(session: Session, namespace: str, value: str) -> PersonIdentity | None:
    return session.exec(
        select(PersonIdentity).where(PersonIdentity.namespace == namespace, PersonIdentity.value == value)
    ).first()


def _person_by_verified_email(session: Session, token: VerifiedToken, email: str) -> Person | None:
    """Staff already in the registry are matched by email when the provider says it verified it."""
    if token.claims.get("email_verified") is not True:
        return None
    people = session.exec(
        select(Person).where(func.lower(Person.email) == email, Person.erased.is_(False)).limit(2)  # type: ignore[arg-type, attr-defined]
    ).all()
    return people[0] if len(people) == 1 else None


def _text_claim(claims: dict[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value.strip()[:200] or None if isinstance(value, str) else None


def _register_participant(session: Session, token: VerifiedToken) -> Person:
    """A citizen's first sign-in: a participant record from the token's claims, with the sign-in consent.

    Names and email are what the provider vouched for (absent ones stay empty); the person has no district
    yet (they choose where they take part later), which is why this does not go through ``PersonCreate``.
    """
    claims = token.claims
    email = _text_claim(claims, "email")
    data = PersonCreate.model_construct(
        given_name=_text_claim(claims, "given_name"),
        family_name=_text_claim(claims, "family_name"),
        email=email.casefold() if email and _EMAIL.match(email) else None,
        phone=None,
        actor_category=ActorCategory.CITIZEN,
        organisation_ids=[],
        district_ids=[],
        # The sign-in identity (fiscal code, subject) says who this is; a matching e-mail of another record
        # is neither linked (that would hand it over) nor a reason to refuse the sign-in.
        different_person=True,
    )
    person = people.create_person(session=session, data=data)
    people.record_consent(
        session=session, person=person, data=ConsentCreate(purpose=token.issuer.consent_purpose)
    )
    return person


def active_grants(*, session: Session, person_id: uuid.UUID) -> list[RoleGrant]:
    """The person's grants not revoked, oldest first."""
    return list(
        session.exec(
            select(RoleGrant)
            .where(RoleGrant.person_id == person_id, RoleGrant.revoked_at.is_(None))  # type: ignore[union-attr]
            .order_by(RoleGrant.granted_at, RoleGrant.id)  # type: ignore[arg-type]
        ).all()
    )


def signed_in_person(*, session: Session, person_id: uuid.UUID) -> SignedInPerson:
    """The person's rights as the registry holds them now."""
    grants = active_grants(session=session, person_id=person_id)
    return SignedInPerson(
        person_id=str(person_id),
        regional_admin=any(g.role is GrantRole.REGIONAL_ADMIN for g in grants),
        district_editor_ids=frozenset(
            str(g.district_id) for g in grants if g.role is GrantRole.DISTRICT_EDITOR and g.district_id
        ),
        facilitator=session.get(FacilitatorProfile, person_id) is not None,
    )


def resolve_signed_in(*, session: Session, token: VerifiedToken) -> SignedInPerson:
    """The person a verified token is linked to; a first sign-in links or registers them when allowed."""
    namespace, value = link_value(token)
    issuer = token.issuer
    identity = _find_identity(session, namespace, value)
    if identity is not None:
        person = people.get_person(session=session, person_id=identity.person_id)
    else:
        matched = _person_by_verified_email(session, token, value) if issuer.link_claim == "email" else None
        if matched is not None:
            person = matched
            _link(
                session,
                person=person,
                namespace=namespace,
                value=value,
                issuer=issuer.issuer,
                claim=issuer.link_claim,
                registered=False,
            )
        elif issuer.create_participants:
            person = _register_participant(session, token)
            _link(
                session,
                person=person,
                namespace=namespace,
                value=value,
                issuer=issuer.issuer,
                claim=issuer.link_claim,
                registered=True,
            )
        else:
            raise ForbiddenError(
                "you are signed in, but no registry person is linked to this identity; ask a regional "
                "administrator to link it (POST /people/{person_id}/identities)",
                reason="not_registered",
            )
    if person.erased:
        raise ForbiddenError("the registry person linked to this identity was erased", reason="erased")
    return signed_in_person(session=session, person_id=person.id)


def in_process_resolver(database: Database) -> PersonResolver:
    """The registry's own resolver: a short transaction of its own, so a first sign-in commits its link."""

    def resolve(token: VerifiedToken, raw_token: str) -> SignedInPerson:
        try:
            with database.transaction() as session:
                return resolve_signed_in(session=session, token=token)
        except IntegrityError:
            # Two first sign-ins of one person at once: the other one linked it; read that link.
            with database.transaction() as session:
                return resolve_signed_in(session=session, token=token)

    return resolve


# ---------------------------------------------------------------- identities managed by administrators


def person_identities(*, session: Session, person_id: uuid.UUID) -> list[PersonIdentity]:
    """A person's sign-in identities, oldest first."""
    return list(
        session.exec(
            select(PersonIdentity)
            .where(PersonIdentity.person_id == person_id)
            .order_by(PersonIdentity.created_at, PersonIdentity.id)  # type: ignore[arg-type]
        ).all()
    )


def link_identity(
    *, session: Session, person: Person, issuer: OidcIssuer | None, issuer_name: str, value: str
) -> PersonIdentity:
    """Link an identity of a configured issuer to an existing person (409 when linked to someone already)."""
    if issuer is None:
        raise ValidationFailed(
            "unknown issuer",
            errors=[FieldError(path="body.issuer", message=f"{issuer_name} is not a configured issuer")],
        )
    if person.erased:
        raise ConflictError(f"person {person.id} was erased", person_id=str(person.id))
    token = VerifiedToken(issuer=issuer, claims={issuer.link_claim: value})
    namespace, normalised = link_value(token)
    existing = _find_identity(session, namespace, normalised)
    if existing is not None:
        raise ConflictError("this identity is already linked to a person", person_id=str(existing.person_id))
    return _link(
        session,
        person=person,
        namespace=namespace,
        value=normalised,
        issuer=issuer.issuer,
        claim=issuer.link_claim,
        registered=False,
    )


# ---------------------------------------------------------------- role grants


def get_grant(*, session: Session, grant_id: uuid.UUID) -> RoleGrant:
    """The grant, or NotFoundError."""
    grant = session.get(RoleGrant, grant_id)
    if grant is None:
        raise NotFoundError(f"grant {grant_id} does not exist", grant_id=str(grant_id))
    return grant


def _grant_event(event_type: str, grant: RoleGrant) -> NewEvent:
    return NewEvent(
        event_type,
        ev.GrantChanged(
            grant_id=str(grant.id),
            person_id=str(grant.person_id),
            role=grant.role.value,
            district_id=str(grant.district_id) if grant.district_id else None,
        ).dump(),
    )


def make_grant(*, session: Session, data: GrantCreate) -> RoleGrant:
    """Grant a role (grant.made); the same active grant twice is a 409."""
    person = people.get_person(session=session, person_id=data.person_id)
    if person.erased:
        raise ConflictError(f"person {person.id} was erased", person_id=str(person.id))
    if data.district_id is not None:
        districts.get_district(session=session, district_id=data.district_id)
    for grant in active_grants(session=session, person_id=person.id):
        if grant.role is data.role and grant.district_id == data.district_id:
            raise ConflictError("the person already holds this grant", grant_id=str(grant.id))
    grant = RoleGrant(person_id=person.id, role=data.role, district_id=data.district_id)
    session.add(grant)
    session.flush()
    append_to(
        session,
        row=grant,
        stream_type=ev.GRANT,
        new_events=[_grant_event(ev.GRANT_MADE, grant)],
        expected_version=0,
        district_id=grant.district_id,
    )
    return grant


def revoke_grant(*, session: Session, grant: RoleGrant) -> RoleGrant:
    """Revoke a grant at once (grant.revoked); revoking twice is a 409."""
    if grant.revoked_at is not None:
        raise ConflictError(f"grant {grant.id} was already revoked", grant_id=str(grant.id))
    grant.revoked_at = utcnow()
    append_to(
        session,
        row=grant,
        stream_type=ev.GRANT,
        new_events=[_grant_event(ev.GRANT_REVOKED, grant)],
        expected_version=grant.version,
        district_id=grant.district_id,
    )
    return grant


# ---------------------------------------------------------------- GET /me


def describe_me(*, session: Session, principal: Principal, on: date, personal: bool) -> dict[str, Any]:
    """Who the caller is and what they may do on ``on``, read fresh from the registry (never cached)."""
    person_id = uuid.UUID(principal.person_id) if principal.person_id else None
    memberships: list[dict[str, Any]] = []
    grants: list[RoleGrant] = []
    facilitator_districts: list[uuid.UUID] = []
    person: Person | None = None
    if person_id is not None:
        person = session.get(Person, person_id)
        for membership, body in bodies.memberships(session=session, person_id=person_id, on=on):
            memberships.append(
                {
                    "body_id": body.id,
                    "body_kind": body.kind.value,
                    "district_id": body.district_id,
                    "process_id": body.process_id,
                    "role": membership.role.value,
                    "valid_from": membership.valid_from,
                    "valid_to": membership.valid_to,
                }
            )
        grants = active_grants(session=session, person_id=person_id)
        if session.get(FacilitatorProfile, person_id) is not None:
            facilitator_districts = facilitators.facilitator_district_ids(
                session=session, person_ids=[person_id]
            )[person_id]
    admin = principal.is_admin
    editor_of = (
        sorted(principal.district_ids) if principal.role and principal.role.value == "district_editor" else []
    )
    permissions: list[dict[str, Any]] = []
    if admin:
        permissions += [{"action": "region.administer"}, {"action": "grants.manage"}]
    permissions += [{"action": "district.edit", "district_id": d} for d in editor_of]
    for item in memberships:
        for action in BODY_PERMISSIONS.get(item["body_kind"], ()):
            entry = {"action": action, "district_id": item["district_id"]}
            if entry not in permissions:
                permissions.append(entry)
    permissions += [{"action": "workshops.facilitate", "district_id": d} for d in facilitator_districts]
    result: dict[str, Any] = {
        "kind": "person" if principal.signed_in else "api_key",
        "person_id": person_id,
        "issuer": principal.issuer,
        "role": principal.role.value if principal.role else "anonymous",
        "regional_admin": admin,
        "district_editor_of": editor_of,
        "facilitator": principal.facilitator or bool(facilitator_districts),
        "memberships": memberships,
        "grants": grants,
        "permissions": permissions,
        "on": on,
    }
    if personal and person is not None and principal.signed_in:
        # The caller's own record: personal data, shown to the person themself.
        result["person"] = {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "email": person.email,
            "actor_category": person.actor_category.value,
        }
        result["identities"] = person_identities(session=session, person_id=person.id)
    return result
