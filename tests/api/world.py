"""Build a "world" of objects through the services' own APIs, driven only by their OpenAPI documents.

A world belongs to one district: as a regional administrator it calls every creating POST (201) of the three
services, using the route's OpenAPI example as the body and filling path ids and id fields (``district_id``,
``process_id``, ``person_ids``, ``{"kind": "workshop", "id": ...}``, ...) with objects already in the world,
in passes until nothing new can be created. New routes and new kinds are picked up automatically.

People get recognisable names, emails and phones (``SENTINELS``) so anonymous responses can be scanned.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.api.openapi_walk import Operation, body_example, operations, request_body_schema, resolve

# Recognisable personal data: no anonymous response may ever contain these.
SENTINEL_GIVEN = "Zebediah"
SENTINEL_FAMILY = "Quuxworthington"
SENTINEL_EMAIL = "zebediah.quuxworthington"
SENTINEL_PHONE_DIGITS = "7654321"
SENTINELS = (SENTINEL_GIVEN, SENTINEL_FAMILY, SENTINEL_EMAIL, SENTINEL_PHONE_DIGITS)

# Field names that refer to a kind under another name.
KIND_ALIASES = {
    "template": "evaluation_template",
    "key": "api_key",
    "facilitator": "person",
    "convener": "person",
    "host": "person",
    "member": "person",
    "participant": "person",
    "tutor": "person",
}
# What a creating POST makes when its last path segment does not name it.
CREATED_KIND_ALIASES = {
    "member": "membership",
    "facilitator": "person",
    "ping": "delivery",
    "redeliver": "delivery",
    "redeliveries": "delivery",
}
# Kinds created once per value of their top-level ``kind`` enum, and whose ``to_<kind>_id`` fields take the
# second object: a relation joins two bodies of one district (Ufficio di Piano -> Comitato di Distretto).
KIND_VARIANTS = {"body"}
IRREGULAR_PLURALS = {"people": "person", "bodies": "body", "minutes": "minutes", "harvest": "harvest"}


def singular(segment: str) -> str:
    """``processes`` -> ``process``, ``evaluation-templates`` -> ``evaluation_template``, ``people`` -> ``person``."""
    name = segment.replace("-", "_")
    if name in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[name]
    last = name.rsplit("_", 1)[-1]
    if last in IRREGULAR_PLURALS:
        return name[: -len(last)] + IRREGULAR_PLURALS[last]
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s"):
        return name[:-1]
    return name


def created_kind(path: str) -> str:
    """The kind a creating POST makes: its last static path segment, singular."""
    statics = [part for part in path.strip("/").split("/") if part and not part.startswith("{")]
    kind = singular(statics[-1]) if statics else "root"
    return CREATED_KIND_ALIASES.get(kind, kind)


def kind_of_field(name: str, known: set[str]) -> str | None:
    """The kind an id field refers to: ``to_district_id`` -> district, ``template_id`` -> evaluation_template."""
    if name == "id":
        return None
    if name.endswith("_ids"):
        base = name[:-4]
    elif name.endswith("_id"):
        base = name[:-3]
    else:
        return None
    parts = base.split("_")
    for start in range(len(parts)):
        candidate = "_".join(parts[start:])
        if candidate in known:
            return candidate
        if candidate in KIND_ALIASES:
            return KIND_ALIASES[candidate]
    return base


@dataclass
class World:
    """The objects of one district: every id created, by kind, and the parents each was created under."""

    label: str
    all_ids: dict[str, list[str]] = field(default_factory=dict)
    context: dict[str, dict[str, str]] = field(default_factory=dict)  # object id -> {kind: id} it hangs on
    created: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, id, route label)
    failures: dict[str, str] = field(default_factory=dict)  # route label -> last error

    @property
    def ids(self) -> dict[str, str]:
        """The first object of each kind."""
        return {kind: ids[0] for kind, ids in self.all_ids.items() if ids}

    @property
    def district_id(self) -> str:
        """The world's district."""
        return self.ids["district"]

    def add(self, kind: str, object_id: str, route: str, parents: dict[str, str]) -> None:
        """Record a created object and what it was created under."""
        self.all_ids.setdefault(kind, []).append(object_id)
        self.context[object_id] = {k: v for k, v in parents.items() if k != kind}
        self.created.append((kind, object_id, route))

    def ids_for(self, op: Operation, known: set[str], chosen: dict[str, str] | None = None) -> dict[str, str]:
        """Ids to fill ``op`` with: path objects (or ``chosen`` ones) and the parents they were created under."""
        mapping = self.ids
        for param in op.parameters:
            if param["in"] != "path":
                continue
            kind = kind_of_field(param["name"], known)
            if kind is None:
                continue
            object_id = (chosen or {}).get(kind) or mapping.get(kind)
            if object_id is None:
                continue
            mapping.update(self.context.get(object_id, {}))
            mapping[kind] = object_id
        if op.method == "post" and not chosen and (made := self.all_ids.get(created_kind(op.path))):
            # Create under the parents an object of this kind was created under (a topic needs an OST workshop).
            mapping.update(self.context.get(made[0], {}))
        return mapping

    def pick(self, kind: str, occurrence: int) -> str | None:
        """The n-th object of a kind (cycling), so two references in one body can differ."""
        ids = self.all_ids.get(kind) or []
        return ids[occurrence % len(ids)] if ids else None


def referenced_kinds(op: Operation, example: Any, known: set[str]) -> set[str]:
    """Kinds the route needs: its path ids and the id fields of its example body."""
    kinds = {
        kind
        for p in op.parameters
        if p["in"] == "path" and (kind := kind_of_field(p["name"], known)) is not None
    }
    kinds |= _body_kinds(example, known)
    return kinds


def _body_kinds(value: Any, known: set[str]) -> set[str]:
    kinds: set[str] = set()
    if isinstance(value, dict):
        if isinstance(value.get("kind"), str) and "id" in value:
            kinds.add(kind_of_field(f"{value['kind']}_id", known) or value["kind"])
        for key, child in value.items():
            kind = kind_of_field(key, known)
            if kind and child not in (None, []):
                kinds.add(kind)
            kinds |= _body_kinds(child, known)
    elif isinstance(value, list):
        for child in value:
            kinds |= _body_kinds(child, known)
    return kinds


def fill_ids(
    value: Any,
    ids: dict[str, str],
    known: set[str],
    *,
    fill_empty: bool = False,
    world: World | None = None,
    _seen: dict[str, int] | None = None,
) -> Any:
    """A copy of ``value`` with every id field pointing at the given objects (where the kind is known).

    Successive ``{"kind": k, "id": ...}`` references take successive objects of the world, so a link
    "from" one workshop "to" another does not point at the same one twice.
    """
    seen = _seen if _seen is not None else {}
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            kind = kind_of_field(key, known)
            if kind in ids and key.endswith("_ids") and isinstance(child, list) and (child or fill_empty):
                out[key] = [ids[kind]]
            elif kind in ids and key.endswith("_id") and (child is not None or fill_empty):
                second = world.pick(kind, 1) if world is not None and kind in KIND_VARIANTS else None
                out[key] = second if second and key.startswith("to_") else ids[kind]
            else:
                out[key] = fill_ids(child, ids, known, fill_empty=fill_empty, world=world, _seen=seen)
        if isinstance(out.get("kind"), str) and "id" in out:
            kind = kind_of_field(f"{out['kind']}_id", known)
            if kind in ids:
                occurrence = seen.get(kind, 0)
                seen[kind] = occurrence + 1
                picked = world.pick(kind, occurrence) if world is not None and occurrence else None
                out["id"] = picked or ids[kind]
        return out
    if isinstance(value, list):
        return [
            fill_ids(child, ids, known, fill_empty=fill_empty, world=world, _seen=seen) for child in value
        ]
    return value


def fill_path(
    op: Operation, ids: dict[str, str], known: set[str], document: dict[str, Any] | None = None
) -> str | None:
    """The operation's path with each path id replaced by the world's object; None if one is missing.

    Non-id path parameters (``{dataset}``) take the first value of their enum, or their example.
    """
    path = op.path
    for param in op.parameters:
        if param["in"] != "path":
            continue
        kind = kind_of_field(param["name"], known)
        if kind is None:
            values = path_values(param, document or {})
            if not values:
                return None
            path = path.replace("{" + param["name"] + "}", values[0])
            continue
        if kind not in ids:
            return None
        path = path.replace("{" + param["name"] + "}", ids[kind])
    return path


def path_values(param: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """Every value a non-id path parameter can take (its enum), or its example."""
    schema = resolve(document, param.get("schema", {})) if document else param.get("schema", {})
    if isinstance(schema.get("enum"), list):
        return [str(v) for v in schema["enum"]]
    for source in (param, schema):
        if "example" in source:
            return [str(source["example"])]
        if isinstance(source.get("examples"), list) and source["examples"]:
            return [str(source["examples"][0])]
    return []


def personalise(value: Any, label: str) -> Any:
    """Put the sentinel name, email and phone into every personal field of a person's example."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, child in value.items():
            lowered = key.lower()
            if isinstance(child, str) and "email" in lowered:
                out[key] = f"{SENTINEL_EMAIL}.{label.lower()}@example.org"
            elif isinstance(child, str) and "phone" in lowered:
                out[key] = f"+39 051 {SENTINEL_PHONE_DIGITS}"
            elif isinstance(child, str) and lowered in ("given_name", "first_name", "forename"):
                out[key] = SENTINEL_GIVEN
            elif isinstance(child, str) and lowered in ("family_name", "last_name", "surname"):
                out[key] = f"{SENTINEL_FAMILY}{label}"
            elif isinstance(child, str) and lowered in ("name", "full_name", "display_name"):
                out[key] = f"{SENTINEL_GIVEN} {SENTINEL_FAMILY}{label}"
            else:
                out[key] = personalise(child, label)
        return out
    if isinstance(value, list):
        return [personalise(child, label) for child in value]
    return value


UNIQUE_FIELD_HINTS = ("code", "name", "title", "slug", "label", "venue", "location", "place", "value")


def uniquify(value: Any, salt: int, *, hot: bool = False) -> Any:
    """Vary code- and name-like fields so a second world does not clash with the first (409 on codes)."""
    if isinstance(value, dict):
        return {
            key: uniquify(child, salt, hot=hot or any(h in key.lower() for h in UNIQUE_FIELD_HINTS))
            for key, child in value.items()
        }
    if isinstance(value, list):
        return [uniquify(child, salt, hot=hot) for child in value]
    if hot and isinstance(value, str) and not _looks_structured(value):
        if value.isdigit():  # a numeric code keeps its width
            return str((int(value) + 1 + salt) % 10 ** len(value)).zfill(len(value))
        return f"{value} {salt}"
    return value


def _looks_structured(text: str) -> bool:
    try:
        uuid.UUID(text)
        return True
    except ValueError:
        pass
    return bool(
        re.match(r"^\d{4}-\d{2}-\d{2}", text)
        or text.startswith(("http://", "https://"))
        or "@" in text
        or re.match(r"^[a-z_.*]+$", text)  # enum values, event types
    )


def creating_operations(documents: dict[str, dict[str, Any]]) -> list[Operation]:
    """Every POST answering 201, in document order."""
    return [
        op for op in operations(documents) if op.method == "post" and "201" in op.spec.get("responses", {})
    ]


def known_kinds(documents: dict[str, dict[str, Any]]) -> set[str]:
    """Kinds some route creates."""
    return {created_kind(op.path) for op in creating_operations(documents)} | {"district"}


def method_variants(document: dict[str, Any], op: Operation, field_name: str = "method") -> list[str]:
    """Enum values of a top-level ``method`` field (one workshop per method lets OST, Café... routes run)."""
    schema = request_body_schema(document, op) or {}
    prop = schema.get("properties", {}).get(field_name)
    if not prop:
        return []
    options = [resolve(document, prop)] + [resolve(document, o) for o in prop.get("anyOf", [])]
    for option in options:
        if isinstance(option.get("enum"), list):
            return [str(v) for v in option["enum"]]
    return []


async def build_world(
    label: str,
    clients: dict[str, httpx.AsyncClient],
    documents: dict[str, dict[str, Any]],
    admin_headers: dict[str, str],
    *,
    max_passes: int = 12,
    salt: int = 0,
    participant: Callable[[str], dict[str, str]] | None = None,
) -> World:
    """Create objects of every kind, as a regional administrator, for one district.

    ``participant(person_id)``: headers of a key linked to that person of the world, for the creating POSTs
    only a person may make (a comment: 403 for a key linked to nobody).
    """
    world = World(label)
    known = known_kinds(documents)
    pending = creating_operations(documents)
    force = False  # after a pass without progress, try the rest once with the example's ids
    for _ in range(max_passes):
        progressed = False
        for op in list(pending):
            if await _try_create(
                world,
                op,
                clients,
                documents,
                admin_headers,
                known,
                force=force,
                salt=salt,
                participant=participant,
            ):
                pending.remove(op)
                progressed = True
        if not pending:
            break
        if not progressed:
            if force:
                break
            force = True
    return world


async def _try_create(
    world: World,
    op: Operation,
    clients: dict[str, httpx.AsyncClient],
    documents: dict[str, dict[str, Any]],
    admin_headers: dict[str, str],
    known: set[str],
    *,
    force: bool,
    salt: int,
    participant: Callable[[str], dict[str, str]] | None = None,
) -> bool:
    kind = created_kind(op.path)
    document = documents[op.service]
    example = body_example(document, op) if op.spec.get("requestBody") else None
    needs = referenced_kinds(op, example, known) - {kind}
    if not force and any(need in known and need not in world.all_ids for need in needs):
        return False
    path_kinds = [
        k for p in op.parameters if p["in"] == "path" and (k := kind_of_field(p["name"], known)) is not None
    ]
    # Try each object of the innermost parent kind: a topic needs an Open Space workshop, not any workshop.
    candidates: list[dict[str, str]] = [{}]
    if path_kinds and len(world.all_ids.get(path_kinds[-1], [])) > 1:
        candidates = [{path_kinds[-1]: object_id} for object_id in world.all_ids[path_kinds[-1]][:12]]
    for chosen in candidates:
        ids = world.ids_for(op, known, chosen)
        path = fill_path(op, ids, known, document)
        if path is None:
            world.failures[op.label] = "a path id has no object in the world"
            return False
        body = fill_ids(copy.deepcopy(example), ids, known, world=world) if example is not None else None
        if kind == "person":
            body = personalise(body, label=world.label)
        client = clients[op.service]
        if _media_type(op) == "application/zip":
            # A bundle of past work (POST /imports): a small one of the world's own district.
            bundle = await _bundle_for(world, clients, salt)
            zip_headers = {**admin_headers, "Content-Type": "application/zip"}
            response = await client.request("POST", path, content=bundle, headers=zip_headers)
        else:
            response = await client.request("POST", path, json=body, headers=admin_headers)
        if response.status_code == 409 and body is not None:
            body = uniquify(body, salt)
            response = await client.request("POST", path, json=body, headers=admin_headers)
        if response.status_code == 403 and participant is not None and (person := world.pick("person", 0)):
            # Only a person takes part (comments): the world's first person does.
            response = await client.request("POST", path, json=body, headers=participant(person))
        if response.status_code != 201:
            world.failures[op.label] = f"{response.status_code} {response.text[:300]}"
            continue
        created_id = _created_id(response, kind)
        if created_id is None:
            world.failures[op.label] = "201 without an id in the body or Location"
            return True
        world.failures.pop(op.label, None)
        parents = {k: ids[k] for k in set(path_kinds) | _body_kinds(body, known) if k in ids}
        world.add(kind, created_id, op.label, parents)
        if isinstance(body, dict):
            field_name = "kind" if kind in KIND_VARIANTS else "method"
            for number, method in enumerate(method_variants(document, op, field_name)):
                if method == body.get(field_name):
                    continue
                # Same time and place would clash (409): every variant gets its own venue and title.
                variant_body = uniquify({**body, field_name: method}, 1000 * (salt + 1) + number)
                variant = await client.request("POST", path, json=variant_body, headers=admin_headers)
                if variant.status_code == 422 and (rejected := _rejected_body_fields(variant, variant_body)):
                    # A field the example sets for its own variant only (a steering group's process_id).
                    variant_body = {k: v for k, v in variant_body.items() if k not in rejected}
                    variant = await client.request("POST", path, json=variant_body, headers=admin_headers)
                if variant.status_code == 201 and (variant_id := _created_id(variant, kind)):
                    world.add(kind, variant_id, op.label, parents)
                else:
                    world.failures[f"{op.label} {field_name}={method}"] = (
                        f"{variant.status_code} {variant.text[:300]}"
                    )
        return True
    return False


def _created_id(response: httpx.Response, kind: str) -> str | None:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("id", f"{kind}_id"):
            if isinstance(body.get(key), str):
                return str(body[key])
    location = response.headers.get("location")
    return location.rstrip("/").rsplit("/", 1)[-1] if location else None


def _media_type(op: Operation) -> str | None:
    content = (op.spec.get("requestBody") or {}).get("content", {})
    return next(iter(content), None)


def _rejected_body_fields(response: httpx.Response, body: dict[str, Any]) -> set[str]:
    """Top-level optional fields a 422 names (``body.process_id``) that the body sets."""
    try:
        errors = response.json().get("errors", [])
    except ValueError:
        return set()
    names = {str(e.get("path", "")).removeprefix("body.") for e in errors if isinstance(e, dict)}
    return {name for name in names if name in body and body[name] is not None}


def _csv(header: list[str], row: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, row])
    return buffer.getvalue()


async def _bundle_for(world: World, clients: dict[str, httpx.AsyncClient], salt: int) -> bytes:
    """A ZIP bundle with one past edition and one closed process in the world's district."""
    district = (await clients["registry"].get(f"/districts/{world.district_id}")).json()
    tag = f"world-{world.label.lower()}-{salt}"
    files = {
        "editions.csv": _csv(
            ["id", "programme", "programme_description", "name", "starts_on", "ends_on", "districts"],
            [
                f"{tag}-edition",
                f"Archivio {tag}",
                "",
                f"Edizione {tag}",
                "2018-01-15",
                "2018-12-31",
                district["name"],
            ],
        ),
        "processes.csv": _csv(
            [
                "id",
                "edition",
                "district",
                "title",
                "started_on",
                "purpose",
                "methods_and_tools",
                "location",
                "status",
                "closed_on",
            ],
            [
                f"{tag}-process",
                f"{tag}-edition",
                district["name"],
                f"Processo {tag}",
                "2018-02-01",
                "Priorità del Piano di Zona.",
                "Tavoli tematici.",
                "Sede del distretto",
                "closed",
                "2018-12-31",
            ],
        ),
    }
    manifest = {
        "format": "communitylab-bundle",
        "format_version": 1,
        "bundle_id": tag,
        "title": f"Bundle {tag}",
        "source": "tests/api/world.py",
        "files": [
            {"path": "editions.csv", "kind": "editions"},
            {"path": "processes.csv", "kind": "processes"},
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
