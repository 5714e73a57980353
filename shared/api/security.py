"""Every operation's ``security`` and its 401/403, declared from the dependencies it uses (once, for all routes).

FastAPI lists a security scheme on an operation when a dependency of it reads one. Two bearer schemes tell the
cases apart (``shared.deps``):

- ``optional_bearer`` (``PrincipalDep``): reads work without a key, a bad key is a 401, writes need a key;
- ``bearer`` (``SignedInDep``): a key is needed even to read.

This step rewrites them as generators and linters expect: ``[{}, {bearer: []}]`` on reads that take an
optional key (and their bad key's 401), ``[{bearer: []}]`` with 401 and 403 where a key is needed, and
``security: []`` where the route reads no key at all (a key sent there is ignored). A route that declares its
own keyless security (``openapi_extra={"security": [{}]}``: a signed token in the path) keeps it. The optional scheme's name
is dropped from the components, so the document has one scheme, ``bearer``.
"""

from __future__ import annotations

from typing import Any

BEARER_SCHEME = "bearer"
OPTIONAL_BEARER_SCHEME = "bearer_optional"
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = frozenset({"get", "head", "options", "trace", *WRITE_METHODS})

UNAUTHORIZED = "Missing or invalid API key"
UNAUTHORIZED_OPTIONAL = "The key or token sent is invalid, expired or revoked (send none to read anonymously)"
FORBIDDEN = "The key may not do this here"


def _error(description: str) -> dict[str, Any]:
    return {"description": description}


def declare_security(document: dict[str, Any]) -> dict[str, Any]:
    """Rewrite each operation's ``security`` and add the 401/403 its key handling can give."""
    schemes: dict[str, Any] = document.setdefault("components", {}).setdefault("securitySchemes", {})
    optional = schemes.pop(OPTIONAL_BEARER_SCHEME, None)
    if optional is not None:
        schemes.setdefault(BEARER_SCHEME, optional)
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            names = {name for requirement in operation.get("security", []) for name in requirement}
            responses = operation.setdefault("responses", {})
            if BEARER_SCHEME in names or (OPTIONAL_BEARER_SCHEME in names and method in WRITE_METHODS):
                operation["security"] = [{BEARER_SCHEME: []}]
                responses.setdefault("401", _error(UNAUTHORIZED))
                responses.setdefault("403", _error(FORBIDDEN))
            elif OPTIONAL_BEARER_SCHEME in names:
                operation["security"] = [{}, {BEARER_SCHEME: []}]
                responses.setdefault("401", _error(UNAUTHORIZED_OPTIONAL))
            elif not operation.get("security"):
                operation["security"] = []
            # else: declared by the route itself (``[{}]``: another credential, e.g. a token in the path)
    return document
