"""Post-processing of every service's OpenAPI document for client generators and linters (one place, all routes).

- ``security`` and the 401/403 of each operation, from the dependencies it uses (``shared.api.security``);
- one media type per JSON operation's 2xx: where a route also answers ``text/html``, ``text/csv`` or
  ``application/geo+json`` at the same URL (by ``Accept`` or a ``format`` value), its 2xx documents
  ``application/json`` only and names the alternatives in its description, so a generated client's ``data`` is
  the JSON type and not a union with a string. Those variants keep working at their URLs; where they are
  typed, they have their own operations (``/districts.geojson``);
- ``items`` beside ``prefixItems`` on tuples (GeoJSON positions), as linters ask.
"""

from __future__ import annotations

from typing import Any

from shared.api.security import HTTP_METHODS, declare_security

JSON_MEDIA_TYPE = "application/json"


def single_json_media_type(document: dict[str, Any]) -> dict[str, Any]:
    """Keep only ``application/json`` in 2xx responses that offer it beside other media types."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                content = response.get("content") if isinstance(response, dict) else None
                if not str(code).startswith("2") or not content or JSON_MEDIA_TYPE not in content:
                    continue
                others = sorted(media for media in content if media != JSON_MEDIA_TYPE)
                if not others:
                    continue
                response["content"] = {JSON_MEDIA_TYPE: content[JSON_MEDIA_TYPE]}
                note = (
                    "Also served as "
                    + ", ".join(f"`{media}`" for media in others)
                    + " at this URL (see the operation's description); documented here as JSON only, "
                    "the type a generated client gets."
                )
                description = str(response.get("description") or "").strip().rstrip(".")
                response["description"] = f"{description}. {note}" if description else note
    return document


def tuple_items(node: Any) -> None:
    """Give tuples (``prefixItems``, e.g. GeoJSON positions and bboxes) the ``items`` their members share.

    Linters (Spectral's ``array-items``) and older generators expect ``items`` on every array; with ``minItems``
    and ``maxItems`` equal to the tuple's length it says nothing new, only what each member is."""
    if isinstance(node, dict):
        prefix = node.get("prefixItems")
        if isinstance(prefix, list) and prefix and "items" not in node:
            unique = [member for n, member in enumerate(prefix) if member not in prefix[:n]]
            node["items"] = dict(unique[0]) if len(unique) == 1 else {"anyOf": unique}
        for value in node.values():
            tuple_items(value)
    elif isinstance(node, list):
        for value in node:
            tuple_items(value)


def polish_openapi(document: dict[str, Any]) -> dict[str, Any]:
    """Every generic step above, in order."""
    tuple_items(document.get("components", {}))
    return single_json_media_type(declare_security(document))
