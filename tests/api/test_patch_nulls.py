"""PATCH bodies: ``null`` clears only the fields that may be empty; elsewhere it is a 422 naming the field.

Found by schemathesis: ``{"name": null}`` on a district reached the database and answered 500.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from pydantic import ValidationError

from shared.api.schemas import PatchModel
from tests.api.openapi_walk import openapi_documents, operations, resolve

SCHEMA_MODULES = (
    "services.registry.districts.schemas",
    "services.registry.organisations.schemas",
    "services.registry.people.schemas",
    "services.registry.bodies.schemas",
    "services.registry.facilitators.schemas",
    "services.registry.notifications.schemas",
    "services.workshops.participation.schemas",
    "services.workshops.participation.comments.schemas",
    "services.workshops.processes.programmes.schemas",
    "services.workshops.processes.identity.schemas",
    "services.workshops.processes.history.schemas",
    "services.workshops.processes.scheduling.schemas",
    "services.workshops.processes.attendance.schemas",
    "services.workshops.outcomes.schemas",
    "services.workshops.outcomes.inventions.schemas",
    "services.workshops.outcomes.priorities.schemas",
    "services.workshops.outcomes.evaluations.schemas",
    "services.workshops.outcomes.restitution.schemas",
    "services.workshops.sessions.schemas",
    "services.workshops.sessions.agenda.schemas",
    "services.workshops.sessions.open_space.schemas",
    "services.workshops.sessions.world_cafe.schemas",
    "services.workshops.sessions.pollination.schemas",
    "services.workshops.sessions.minutes.schemas",
    "services.workshops.knowledge.cases.schemas",
    "services.reporting.schemas",
    "services.reporting.webhooks.schemas",
)


def _update_models() -> list[type[Any]]:
    found = []
    for name in SCHEMA_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and cls.__name__.endswith("Update"):
                found.append(cls)
    return found


UPDATE_MODELS = _update_models()


def test_every_update_model_is_a_patch_model() -> None:
    assert len(UPDATE_MODELS) >= 10
    assert [m.__name__ for m in UPDATE_MODELS if not issubclass(m, PatchModel)] == []


@pytest.mark.parametrize("model", UPDATE_MODELS, ids=lambda m: m.__name__)
def test_null_is_refused_except_on_clearable_fields(model: type[PatchModel]) -> None:
    assert set(model.nullable_fields) <= set(model.model_fields), "nullable_fields names unknown fields"
    for name in model.model_fields:
        if name in model.nullable_fields:
            assert model.model_validate({name: None}).model_dump(exclude_unset=True) == {name: None}
            continue
        with pytest.raises(ValidationError) as caught:
            model.model_validate({name: None})
        assert [error["loc"] for error in caught.value.errors()] == [(name,)]


def test_openapi_advertises_null_only_where_it_is_accepted(tmp_path: Any) -> None:
    documents = openapi_documents(tmp_path)
    offenders = []
    patched = 0
    for operation in operations(documents):
        document = documents[operation.service]
        if operation.method == "patch":
            body = operation.spec.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = resolve(document, body.get("schema", {}))
            model = next((m for m in UPDATE_MODELS if schema.get("title") == m.__name__), None)
            assert model is not None, f"{operation.label}: body is not an *Update model"
            patched += 1
            for name, prop in schema.get("properties", {}).items():
                nullable = any(option.get("type") == "null" for option in prop.get("anyOf", []))
                if nullable != (name in model.nullable_fields):
                    offenders.append(f"{operation.label} {name}")
    assert patched >= 5
    assert offenders == []
