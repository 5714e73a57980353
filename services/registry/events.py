"""Event types and payloads of the registry (the catalogue consumers rely on).

Payloads never carry personal data: people appear by id only, so erasing a person never rewrites the log.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# Stream types
DISTRICT = "district"
ORGANISATION = "organisation"
PERSON = "person"
BODY = "body"

# Event types
DISTRICT_CREATED = "district.created"
DISTRICT_UPDATED = "district.updated"
DISTRICT_POPULATION_SET = "district.population_set"
DISTRICT_BOUNDARY_SET = "district.boundary_set"
DISTRICT_MUNICIPALITY_ADDED = "district.municipality_added"
ORGANISATION_CREATED = "organisation.created"
ORGANISATION_UPDATED = "organisation.updated"
PERSON_REGISTERED = "person.registered"
PERSON_UPDATED = "person.updated"
PERSON_CONSENT_RECORDED = "person.consent_recorded"
PERSON_CONSENT_WITHDRAWN = "person.consent_withdrawn"
PERSON_ERASED = "person.erased"
BODY_CREATED = "body.created"
BODY_MEMBER_ADDED = "body.member_added"
BODY_MEMBER_ENDED = "body.member_ended"
BODY_RELATION_ADDED = "body.relation_added"
BODY_RELATION_ENDED = "body.relation_ended"
FACILITATOR_PROFILE_SET = "facilitator.profile_set"
FACILITATOR_TRAINING_RECORDED = "facilitator.training_recorded"


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def dump(self) -> dict[str, Any]:
        """JSON-native payload."""
        return self.model_dump(mode="json")


class DistrictCreated(_Payload):
    """A district was created; the boundary is public geography, so reporting can draw maps from events."""

    district_id: str
    name: str
    regional_code: str | None
    province: str | None
    health_authority: str | None
    valid_from: str | None
    valid_to: str | None
    boundary: dict[str, Any] | None


class DistrictUpdated(_Payload):
    """Some attributes of a district changed (the new values)."""

    district_id: str
    changes: dict[str, Any]


class DistrictPopulationSet(_Payload):
    """The resident population of a district in a year was set."""

    district_id: str
    year: int
    population: int


class DistrictBoundarySet(_Payload):
    """A district's boundary (GeoJSON geometry, WGS84) was set or replaced."""

    district_id: str
    boundary: dict[str, Any] | None


class DistrictMunicipalityAdded(_Payload):
    """A municipality or union of municipalities was added to a district."""

    district_id: str
    municipality_id: str
    name: str
    kind: str
    istat_code: str | None
    valid_from: str | None
    valid_to: str | None


class OrganisationCreated(_Payload):
    """An organisation was created (contacts stay in the registry)."""

    organisation_id: str
    name: str
    kind: str
    district_ids: list[str]


class OrganisationUpdated(_Payload):
    """An organisation changed; contacts changes are named, never copied."""

    organisation_id: str
    district_ids: list[str]
    changes: dict[str, Any]
    changed_fields: list[str]


class PersonRegistered(_Payload):
    """A person was registered; names and contacts stay in the registry."""

    person_id: str
    actor_category: str
    organisation_ids: list[str]
    district_ids: list[str]


class PersonUpdated(_Payload):
    """A person changed: the names of the changed fields only."""

    person_id: str
    changed_fields: list[str]
    actor_category: str
    organisation_ids: list[str]
    district_ids: list[str]


class PersonConsent(_Payload):
    """Consent for a purpose was recorded or withdrawn."""

    person_id: str
    consent_id: str
    purpose: str


class PersonErased(_Payload):
    """A person's personal data was erased; the id stays as an anonymous placeholder."""

    person_id: str


class BodyCreated(_Payload):
    """A governance body was created."""

    body_id: str
    district_id: str
    kind: str
    name: str
    process_id: str | None


class BodyMemberChanged(_Payload):
    """A membership began or ended."""

    body_id: str
    district_id: str
    kind: str
    membership_id: str
    person_id: str
    role: str
    valid_from: str
    valid_to: str | None
    process_id: str | None


class BodyRelationChanged(_Payload):
    """A relation from one body (``body_id``) to another of its district began or ended."""

    relation_id: str
    district_id: str
    body_id: str
    to_body_id: str
    kind: str
    note: str
    valid_from: str
    valid_to: str | None


class FacilitatorProfileSet(_Payload):
    """A person's facilitator/tutor profile was created or changed (availability notes stay in the registry)."""

    person_id: str
    kind: str
    district_ids: list[str]


class FacilitatorTrainingRecorded(_Payload):
    """A facilitator or tutor completed a course."""

    person_id: str
    training_id: str
    course: str
    year: int
    hours: int
    provider: str


# The payload model of every event type this domain writes (the webhooks' OpenAPI is generated from it).
PAYLOADS: dict[str, type[BaseModel]] = {
    DISTRICT_CREATED: DistrictCreated,
    DISTRICT_UPDATED: DistrictUpdated,
    DISTRICT_POPULATION_SET: DistrictPopulationSet,
    DISTRICT_BOUNDARY_SET: DistrictBoundarySet,
    DISTRICT_MUNICIPALITY_ADDED: DistrictMunicipalityAdded,
    ORGANISATION_CREATED: OrganisationCreated,
    ORGANISATION_UPDATED: OrganisationUpdated,
    PERSON_REGISTERED: PersonRegistered,
    PERSON_UPDATED: PersonUpdated,
    PERSON_CONSENT_RECORDED: PersonConsent,
    PERSON_CONSENT_WITHDRAWN: PersonConsent,
    PERSON_ERASED: PersonErased,
    BODY_CREATED: BodyCreated,
    BODY_MEMBER_ADDED: BodyMemberChanged,
    BODY_MEMBER_ENDED: BodyMemberChanged,
    BODY_RELATION_ADDED: BodyRelationChanged,
    BODY_RELATION_ENDED: BodyRelationChanged,
    FACILITATOR_PROFILE_SET: FacilitatorProfileSet,
    FACILITATOR_TRAINING_RECORDED: FacilitatorTrainingRecorded,
}
