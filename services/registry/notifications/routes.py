"""HTTP routes of follows, notifications and e-mail settings (``/me/...`` and ``/people/{id}/...``), and the
one-click unsubscribe link (RFC 8058) that works without signing in."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col

from services.registry.notifications import render, service
from services.registry.notifications.models import (
    EmailFrequency,
    Follow,
    Notification,
    NotificationKind,
    TargetType,
)
from services.registry.notifications.schemas import (
    FollowCreate,
    FollowPublic,
    NotificationPublic,
    NotificationSettingsPublic,
    NotificationSettingsUpdate,
    NotificationsMark,
    NotificationsMarked,
    Unsubscribed,
)
from services.registry.people.models import Person
from shared.api.etag import IfMatch, expected_version_from_if_match, set_etag
from shared.api.idempotency import IdempotencyDep
from shared.api.pagination import Page, PageRequest, Paging
from shared.auth.principal import Principal
from shared.deps import PrincipalDep, SessionDep, SettingsDep, SignedInDep
from shared.errors import ForbiddenError, UnauthorizedError, problem_responses

router = APIRouter()

OPENAPI_TAGS = [
    {
        "name": "notifications",
        "description": "Follows of processes and proposals, in-app notifications, e-mail settings and the "
        "one-click unsubscribe link. Only the person themself and regional administrators see them.",
    },
]

EXAMPLE_TOKEN = "3fa85f6457174562b3fc2c963f66afa6.AAAAAAAAAAAAAAAAAAAAAA"
Token = Annotated[
    str,
    Path(
        min_length=10,
        max_length=100,
        pattern=r"^[0-9a-f]{32}\.[A-Za-z0-9_-]+$",
        description="The signed token of the link in the e-mail.",
        examples=[EXAMPLE_TOKEN],
    ),
]


def _me(principal: Principal) -> uuid.UUID:
    """The person the caller is signed in as; 401 anonymous, 403 for keys not linked to a person."""
    principal.require_authenticated()
    if not principal.person_id:
        raise ForbiddenError("this key is not linked to a person: /me routes are for signed-in participants")
    return uuid.UUID(principal.person_id)


def _person(session: Session, principal: Principal, person_id: uuid.UUID) -> Person:
    """The person, when the caller is that person or a regional administrator (403 otherwise, before 404)."""
    principal.require_authenticated()
    if not principal.is_admin and principal.person_id != str(person_id):
        raise ForbiddenError("only the person themself and regional administrators may do this")
    return service.require_person(session=session, person_id=person_id)


def _notification_public(row: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=row.id,
        kind=NotificationKind(row.kind),
        message=render.message(row),
        process_id=row.process_id,
        proposal_id=row.proposal_id,
        phase_id=row.phase_id,
        data=dict(row.data or {}),
        read=row.read_at is not None,
        read_at=row.read_at,
        email_state=row.email_state,  # type: ignore[arg-type]
        created_at=row.created_at,
    )


# --- follows ------------------------------------------------------------------------------------------


def _list_follows(
    paging: PageRequest, session: Session, person_id: uuid.UUID, target_type: TargetType | None
) -> Page[FollowPublic]:
    statement = service.follows_statement(person_id=person_id, target_type=target_type)
    rows, next_cursor = paging.rows(session, statement, sort=col(Follow.created_at), tiebreak=col(Follow.id))
    return paging.page([FollowPublic.model_validate(r) for r in rows], next_cursor)


def _create_follow(
    session: Session, response: Response, idempotency: Any, person: Person, payload: FollowCreate, prefix: str
) -> Any:
    if (replay := idempotency.replay(payload)) is not None:
        return replay
    row, created = service.follow(
        session=session, person=person, target_type=payload.target_type, target_id=payload.target_id
    )
    body = FollowPublic.model_validate(row)
    if not created:
        response.status_code = 200
        return body
    return idempotency.created(response, body, location=f"{prefix}/follows/{row.id}")


@router.get(
    "/me/follows",
    response_model=Page[FollowPublic],
    summary="List what I follow",
    tags=["notifications"],
    responses=problem_responses(401, 403, 422),
)
def list_my_follows(
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    target_type: TargetType | None = None,
) -> Any:
    return _list_follows(paging, session, _me(principal), target_type)


@router.post(
    "/me/follows",
    status_code=201,
    response_model=FollowPublic,
    summary="Follow a process or a proposal (200 with the existing follow if already following)",
    tags=["notifications"],
    responses={
        200: {"model": FollowPublic, "description": "Already following"},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
def follow_as_me(
    payload: FollowCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    person = service.require_person(session=session, person_id=_me(principal))
    return _create_follow(session, response, idempotency, person, payload, "/me")


@router.delete(
    "/me/follows/{follow_id}",
    status_code=204,
    summary="Stop following",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 422),
)
def unfollow_as_me(follow_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    row = service.get_follow(session=session, person_id=_me(principal), follow_id=follow_id)
    service.unfollow(session=session, row=row)
    return Response(status_code=204)


@router.get(
    "/people/{person_id}/follows",
    response_model=Page[FollowPublic],
    summary="List what a person follows (the person themself or an administrator)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 422),
)
def list_person_follows(
    person_id: uuid.UUID,
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    target_type: TargetType | None = None,
) -> Any:
    person = _person(session, principal, person_id)
    return _list_follows(paging, session, person.id, target_type)


@router.post(
    "/people/{person_id}/follows",
    status_code=201,
    response_model=FollowPublic,
    summary="Make a person follow a process or a proposal (the person themself or an administrator)",
    tags=["notifications"],
    responses={
        200: {"model": FollowPublic, "description": "Already following"},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
def follow_as_person(
    person_id: uuid.UUID,
    payload: FollowCreate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idempotency: IdempotencyDep,
) -> Any:
    person = _person(session, principal, person_id)
    return _create_follow(session, response, idempotency, person, payload, f"/people/{person_id}")


@router.delete(
    "/people/{person_id}/follows/{follow_id}",
    status_code=204,
    summary="Make a person stop following (the person themself or an administrator)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 422),
)
def unfollow_as_person(
    person_id: uuid.UUID, follow_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    person = _person(session, principal, person_id)
    row = service.get_follow(session=session, person_id=person.id, follow_id=follow_id)
    service.unfollow(session=session, row=row)
    return Response(status_code=204)


# --- notifications ---------------------------------------------------------------------------------


def _list_notifications(
    paging: PageRequest,
    session: Session,
    person_id: uuid.UUID,
    unread: bool | None,
    kind: NotificationKind | None,
) -> Page[NotificationPublic]:
    rows, next_cursor = service.notifications_page(
        session=session,
        person_id=person_id,
        unread=unread,
        kind=kind.value if kind else None,
        limit=paging.limit,
        cursor=paging.cursor,
    )
    return paging.page([_notification_public(r) for r in rows], next_cursor)


UnreadQuery = Annotated[bool | None, Query(description="true: only unread; false: only read; absent: all.")]


@router.get(
    "/me/notifications",
    response_model=Page[NotificationPublic],
    summary="My notifications, newest first",
    tags=["notifications"],
    responses=problem_responses(401, 403, 422),
)
def list_my_notifications(
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    unread: UnreadQuery = None,
    kind: NotificationKind | None = None,
) -> Any:
    return _list_notifications(paging, session, _me(principal), unread, kind)


@router.post(
    "/me/notifications/read",
    response_model=NotificationsMarked,
    summary="Mark some or all of my notifications read (or unread with read=false)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 422),
)
def mark_my_notifications(payload: NotificationsMark, session: SessionDep, principal: PrincipalDep) -> Any:
    changed = service.mark_notifications(session=session, person_id=_me(principal), data=payload)
    return NotificationsMarked(changed=changed)


@router.get(
    "/people/{person_id}/notifications",
    response_model=Page[NotificationPublic],
    summary="A person's notifications, newest first (the person themself or an administrator)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 422),
)
def list_person_notifications(
    person_id: uuid.UUID,
    session: SessionDep,
    principal: SignedInDep,
    paging: Paging,
    unread: UnreadQuery = None,
    kind: NotificationKind | None = None,
) -> Any:
    person = _person(session, principal, person_id)
    return _list_notifications(paging, session, person.id, unread, kind)


@router.post(
    "/people/{person_id}/notifications/read",
    response_model=NotificationsMarked,
    summary="Mark a person's notifications read or unread (the person themself or an administrator)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 422),
)
def mark_person_notifications(
    person_id: uuid.UUID, payload: NotificationsMark, session: SessionDep, principal: PrincipalDep
) -> Any:
    person = _person(session, principal, person_id)
    return NotificationsMarked(
        changed=service.mark_notifications(session=session, person_id=person.id, data=payload)
    )


# --- e-mail settings --------------------------------------------------------------------------------


def _settings_public(
    session: Session, person: Person, purpose: str, response: Response
) -> NotificationSettingsPublic:
    current = service.email_settings(session=session, person=person, consent_purpose=purpose)
    set_etag(response, current.version)
    return NotificationSettingsPublic(**current.__dict__)


def _update_settings(
    session: Session,
    person: Person,
    payload: NotificationSettingsUpdate,
    if_match: str | None,
    purpose: str,
    response: Response,
) -> NotificationSettingsPublic:
    current = service.preference_of(session=session, person_id=person.id)
    expected = expected_version_from_if_match(if_match, current.version)
    service.update_email_settings(session=session, person=person, data=payload, expected_version=expected)
    return _settings_public(session, person, purpose, response)


@router.get(
    "/me/notification-settings",
    response_model=NotificationSettingsPublic,
    summary="How my notifications are e-mailed (immediately, daily digest or off)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404),
)
def get_my_notification_settings(
    response: Response, session: SessionDep, principal: SignedInDep, settings: SettingsDep
) -> Any:
    person = service.require_person(session=session, person_id=_me(principal))
    return _settings_public(session, person, settings.notification_email_consent_purpose, response)


@router.patch(
    "/me/notification-settings",
    response_model=NotificationSettingsPublic,
    summary="Choose how my notifications are e-mailed",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_my_notification_settings(
    payload: NotificationSettingsUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Any:
    person = service.require_person(session=session, person_id=_me(principal))
    return _update_settings(
        session, person, payload, if_match, settings.notification_email_consent_purpose, response
    )


@router.get(
    "/people/{person_id}/notification-settings",
    response_model=NotificationSettingsPublic,
    summary="How a person's notifications are e-mailed (the person themself or an administrator)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 422),
)
def get_person_notification_settings(
    person_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: SignedInDep,
    settings: SettingsDep,
) -> Any:
    person = _person(session, principal, person_id)
    return _settings_public(session, person, settings.notification_email_consent_purpose, response)


@router.patch(
    "/people/{person_id}/notification-settings",
    response_model=NotificationSettingsPublic,
    summary="Choose how a person's notifications are e-mailed (the person themself or an administrator)",
    tags=["notifications"],
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
def update_person_notification_settings(
    person_id: uuid.UUID,
    payload: NotificationSettingsUpdate,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> Any:
    person = _person(session, principal, person_id)
    return _update_settings(
        session, person, payload, if_match, settings.notification_email_consent_purpose, response
    )


# --- one-click unsubscribe (RFC 8058): the signed token is the credential ------------------------------


def _token_person(session: Session, secret: str, token: str) -> uuid.UUID:
    try:
        person_id = service.person_of_token(secret=secret, token=token)
    except service.BadToken as exc:
        if exc.malformed:
            raise UnauthorizedError(str(exc)) from exc
        raise ForbiddenError(str(exc)) from exc
    service.require_person(session=session, person_id=person_id)
    return person_id


UNSUBSCRIBE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **problem_responses(401, 403, 404, 422),
}
UNSUBSCRIBE_SECURITY = [{}]  # no API key: the token in the path is the credential


@router.get(
    "/notifications/unsubscribe/{token}",
    response_class=HTMLResponse,
    summary="The unsubscribe page of an e-mail's link: a button that confirms with a POST (GET changes nothing)",
    tags=["notifications"],
    responses={
        200: {"content": {"text/html": {"example": '<form method="post">...</form>'}}},
        **UNSUBSCRIBE_RESPONSES,
    },
    openapi_extra={"security": UNSUBSCRIBE_SECURITY},
)
def unsubscribe_page(
    token: Token, request: Request, session: SessionDep, settings: SettingsDep
) -> HTMLResponse:
    _token_person(session, settings.secret_key, token)
    return HTMLResponse(render.unsubscribe_page(action=str(request.url), done=False))


@router.post(
    "/notifications/unsubscribe/{token}",
    response_model=Unsubscribed,
    summary="One-click unsubscribe (RFC 8058): stop all notification e-mail, no sign-in needed",
    description="Mail clients POST `List-Unsubscribe=One-Click` (form-encoded) to the `List-Unsubscribe` URL; "
    "the body is not needed. In-app notifications go on; choosing a frequency again re-subscribes.",
    tags=["notifications"],
    responses=UNSUBSCRIBE_RESPONSES,
    openapi_extra={
        "security": UNSUBSCRIBE_SECURITY,
        "requestBody": {
            "required": False,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"List-Unsubscribe": {"type": "string", "enum": ["One-Click"]}},
                    },
                    "example": {"List-Unsubscribe": "One-Click"},
                }
            },
        },
    },
)
def unsubscribe_one_click(token: Token, session: SessionDep, settings: SettingsDep) -> Any:
    person_id = _token_person(session, settings.secret_key, token)
    row = service.unsubscribe(session=session, person_id=person_id)
    return Unsubscribed(unsubscribed=True, email_frequency=EmailFrequency(row.email_frequency))
