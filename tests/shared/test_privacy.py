"""shared.privacy: the marker, the scope rule per role, and redaction of nested models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel

from shared.auth.principal import ANONYMOUS, Principal, Role
from shared.privacy import Personal, Scope, may_see, personal_fields, view


class Contact(BaseModel):
    label: str
    email: Annotated[str | None, Personal] = None


class Card(BaseModel):
    id: str
    name: Annotated[str | None, Personal] = None
    attendees: Annotated[list[str], Personal]
    contacts: list[Contact] = []


CARD = Card(id="c1", name="Giulia", attendees=["p1"], contacts=[Contact(label="uff", email="g@example.org")])
SCOPE = Scope.of(["d1"], ["f1"])


def test_the_marker_is_found_on_the_model_and_in_the_json_schema() -> None:
    assert personal_fields(Card) == {"name", "attendees"}
    properties = Card.model_json_schema()["properties"]
    assert properties["name"]["x-personal"] is True and "x-personal" not in properties["id"]


def test_each_role_sees_personal_data_only_within_its_scope() -> None:
    assert may_see(Principal(role=Role.REGIONAL_ADMIN), SCOPE)
    assert may_see(Principal(role=Role.DISTRICT_EDITOR, district_ids=frozenset({"d1"})), SCOPE)
    assert not may_see(Principal(role=Role.DISTRICT_EDITOR, district_ids=frozenset({"d2"})), SCOPE)
    assert may_see(Principal(role=Role.FACILITATOR, person_id="f1"), SCOPE)
    assert not may_see(Principal(role=Role.FACILITATOR, person_id="f2"), SCOPE)
    assert not may_see(Principal(role=Role.INTEGRATION), SCOPE)
    assert not may_see(ANONYMOUS, SCOPE)


def test_view_outside_the_scope_empties_personal_fields_also_nested_ones() -> None:
    hidden = view(CARD, ANONYMOUS, SCOPE)
    assert hidden.model_dump() == {
        "id": "c1",
        "name": None,
        "attendees": [],
        "contacts": [{"label": "uff", "email": None}],
    }
    assert view(CARD, Principal(role=Role.REGIONAL_ADMIN), SCOPE) == CARD
    assert CARD.name == "Giulia"  # the original is not touched
