"""One way for a route to reach a resource: load it (404), check the caller's right on it (403), read If-Match.

A domain declares its resources once, in its own ``deps.py``, as ``Annotated`` aliases built from a loader
(the domain's ``get_x`` that raises ``NotFoundError``) and its authorisation rule::

    ProcessForEdit = Annotated[Edit[Process], Depends(for_edit("process_id", load_process, authorise=...))]

and a route takes ``process: ProcessForEdit``; its body is then "call the service, set the ETag". The
dependency declares the path parameter, the session, the principal and the ``If-Match`` header itself.

The order of the checks is fixed and the same as a route that does them by hand:

1. the principal (``PrincipalDep``), then the session: a write without a key is a 401 before anything is looked up,
   and a write waits for its turn at the database (``shared.deps.WriteQueue``) only once its key is resolved;
2. ``before(principal)``, a right that does not depend on the row (``Principal.require_admin``): 403 first;
3. ``load(session, id)``: 404 when the row does not exist;
4. ``authorise(session, principal, row)``: 403 when the caller may not act on this row (district scope, facilitator);
5. If-Match, read when the route reads ``Edit.expected_version`` (412): routes that first replay an idempotent
   POST or check ids named in the body (403) read it after those, as before.

Rights that depend on the request body (districts named in the payload, a sitting date) stay in the route,
after the dependency. The loaders and rules are the services'; this module only holds the machinery and
imports no service.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sqlmodel import Session

from shared.api.etag import IfMatch, expected_version_from_if_match
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SignedInDep


class Versioned(Protocol):
    """A row with a stream version (its ETag)."""

    @property
    def version(self) -> int: ...


R = TypeVar("R")
V = TypeVar("V", bound=Versioned)

Loader = Callable[[Session, uuid.UUID], R]
"""Load the row of a path id, or raise ``shared.errors.NotFoundError``."""
Check = Callable[[Principal], None]
"""A right of the caller that does not depend on the row; raises ``ForbiddenError``."""
Authorise = Callable[[Session, Principal, R], None]
"""The caller's right on the row (the session for rules that read more: a person's districts); raises
``ForbiddenError``."""
CurrentVersion = Callable[[Session, V], int]
"""The version If-Match is compared with, when it is not the row's ``version`` (a workshop's stream)."""


@dataclass(frozen=True)
class Edit(Generic[R]):
    """A row reached for an edit: loaded, the caller's right on it checked, with the If-Match sent."""

    row: R
    current_version: int
    if_match: str | None = None

    @property
    def expected_version(self) -> int:
        """The version the caller edits; ``PreconditionFailedError`` (412) when If-Match names another."""
        return expected_version_from_if_match(self.if_match, self.current_version)


def _signature(param: str, *, if_match: bool, signed_in: bool = False) -> inspect.Signature:
    """The parameters FastAPI reads, in the order it resolves them: the principal, the session, the path id
    (and If-Match).

    ``signed_in`` takes the principal from ``SignedInDep`` (a key or token required, documented so), for
    routes that declare it themselves: the same dependency, so the same principal and the same security.
    """
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("principal", keyword, annotation=SignedInDep if signed_in else PrincipalDep),
        inspect.Parameter("session", keyword, annotation=SessionDep),
        inspect.Parameter(param, keyword, annotation=uuid.UUID),
    ]
    if if_match:
        parameters.append(inspect.Parameter("if_match", keyword, annotation=IfMatch, default=None))
    return inspect.Signature(parameters)


def _reach(
    principal: Principal,
    session: Session,
    row_id: uuid.UUID,
    load: Loader[R],
    before: Check | None,
    authorise: Authorise[R] | None,
) -> R:
    if before is not None:
        before(principal)
    row = load(session, row_id)
    if authorise is not None:
        authorise(session, principal, row)
    return row


def resource(
    param: str,
    load: Loader[R],
    *,
    before: Check | None = None,
    authorise: Authorise[R] | None = None,
    signed_in: bool = False,
) -> Callable[..., R]:
    """A dependency giving the row of path parameter ``param``, the caller's rights checked (no If-Match)."""

    def dependency(*, session: Session, principal: Principal, **path: uuid.UUID) -> R:
        return _reach(principal, session, path[param], load, before, authorise)

    dependency.__signature__ = _signature(param, if_match=False, signed_in=signed_in)  # type: ignore[attr-defined]
    return dependency


def for_edit(
    param: str,
    load: Loader[V],
    *,
    before: Check | None = None,
    authorise: Authorise[V] | None = None,
    current_version: CurrentVersion[V] | None = None,
) -> Callable[..., Edit[V]]:
    """A dependency giving ``Edit[row]`` for path parameter ``param``: rights checked, If-Match kept.

    ``current_version`` gives the version If-Match is compared with; the row's ``version`` by default.
    """

    def dependency(
        *, session: Session, principal: Principal, if_match: str | None = None, **path: uuid.UUID
    ) -> Edit[V]:
        row = _reach(principal, session, path[param], load, before, authorise)
        version = row.version if current_version is None else current_version(session, row)
        return Edit(row=row, current_version=version, if_match=if_match)

    dependency.__signature__ = _signature(param, if_match=True)  # type: ignore[attr-defined]
    return dependency
