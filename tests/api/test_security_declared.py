"""What each operation declares in ``security`` and 401 is what it does, over every GET route of the world.

``shared.api.security`` declares security from the dependencies a route uses; this checks the declarations
against the running apps, with the ids of world A (test_district_isolation):

- ``[{bearer: []}]`` (a key needed): an anonymous call is a 401;
- ``[{}, {bearer: []}]`` (key optional): an anonymous call is not a 401, a bad key's is (and 401 is declared);
- ``[]`` (no key read): neither an anonymous call nor a bad key is a 401.

Every write needs a key: it is declared ``[{bearer: []}]`` with 401 and 403 (but the one-click unsubscribe,
``[{}]``, whose credential is the signed token in its path). New routes are covered as they come.
"""

from __future__ import annotations

import httpx
import pytest

from tests.api.openapi_walk import operations
from tests.api.test_district_isolation import DOCUMENTS, KNOWN, READ_OPERATIONS, _every_path
from tests.api.world import World

pytestmark = pytest.mark.anyio

REQUIRED = [{"bearer": []}]
OPTIONAL = [{}, {"bearer": []}]
TOKEN_IN_PATH = [{}]  # declared by the route: a signed token in the path is the credential (unsubscribe)
BAD_KEY = {"Authorization": "Bearer clk_00000000000000000000000000000000_not-a-key"}


def test_every_operation_declares_one_of_the_three_securities() -> None:
    offenders = []
    for op in operations(DOCUMENTS):
        security = op.spec.get("security")
        if security not in (REQUIRED, OPTIONAL, [], TOKEN_IN_PATH):
            offenders.append(f"{op.label}: security {security!r}")
        elif security == TOKEN_IN_PATH and not any(p["in"] == "path" for p in op.parameters):
            offenders.append(f"{op.label}: keyless security [{{}}] without a token in the path")
        elif op.is_write and security not in (REQUIRED, TOKEN_IN_PATH):
            offenders.append(f"{op.label}: a write declared {security!r}")
        elif security and "401" not in op.spec["responses"]:
            offenders.append(f"{op.label}: reads a key but declares no 401")
        elif security == REQUIRED and "403" not in op.spec["responses"]:
            offenders.append(f"{op.label}: needs a key but declares no 403")
    for service, document in DOCUMENTS.items():
        assert set(document["components"]["securitySchemes"]) == {"bearer"}, service
    assert not offenders, "\n".join(offenders)


async def test_anonymous_and_bad_key_answers_match_the_declared_security(
    clients: dict[str, httpx.AsyncClient], worlds: dict[str, World]
) -> None:
    world = worlds["A"]
    offenders = []
    checked = {"required": 0, "optional": 0, "none": 0}
    for op in READ_OPERATIONS:
        security = op.spec.get("security")
        paths = _every_path(op, world.ids_for(op, KNOWN))
        if not paths:
            continue
        path = paths[0]
        anonymous = (await clients[op.service].get(path)).status_code
        bad_key = (await clients[op.service].get(path, headers=BAD_KEY)).status_code
        if security == REQUIRED:
            checked["required"] += 1
            if anonymous != 401:
                offenders.append(f"{op.label}: declared key-only, anonymous answered {anonymous}")
        elif security == OPTIONAL:
            checked["optional"] += 1
            if anonymous == 401:
                offenders.append(f"{op.label}: declared key-optional, anonymous answered 401")
            if bad_key != 401:
                offenders.append(f"{op.label}: declared key-optional, a bad key answered {bad_key}")
        elif security == []:
            checked["none"] += 1
            if 401 in (anonymous, bad_key):
                offenders.append(f"{op.label}: declared no security, answered 401 ({anonymous}, {bad_key})")
    assert not offenders, "\n".join(offenders)
    assert all(checked.values()), checked  # each kind of declaration was exercised
