"""Who is calling and what they may do: roles, districts and the checks routes and services use."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shared.auth.roles import KEY_ROLES as KEY_ROLES  # re-exported: callers import the roles from here
from shared.auth.roles import Role as Role
from shared.errors import ForbiddenError, UnauthorizedError


@dataclass(frozen=True)
class Principal:
    """The caller: anonymous, the holder of one API key, or a person signed in with an access token."""

    actor_id: str | None = None
    role: Role | None = None
    district_ids: frozenset[str] = field(default_factory=frozenset)
    person_id: str | None = None
    key_id: str | None = None
    issuer: str | None = None
    facilitator: bool = False

    @property
    def signed_in(self) -> bool:
        """True for a person signed in with an OpenID Connect access token (not an API key)."""
        return self.issuer is not None

    @property
    def is_anonymous(self) -> bool:
        """True when no key was sent."""
        return self.role is None

    @property
    def is_admin(self) -> bool:
        """True for a regional administrator."""
        return self.role is Role.REGIONAL_ADMIN

    def require_authenticated(self) -> None:
        """401 for anonymous callers."""
        if self.is_anonymous:
            raise UnauthorizedError("This operation needs an API key (Authorization: Bearer <key>).")

    def require_role(self, *roles: Role) -> None:
        """401 when anonymous, 403 unless the key has one of ``roles`` (admins always pass)."""
        self.require_authenticated()
        if self.is_admin or self.role in roles:
            return
        raise ForbiddenError(
            f"role {self.role} may not do this; needs one of: {', '.join(r.value for r in roles)}"
        )

    def require_admin(self) -> None:
        """Only regional administrators."""
        self.require_role(Role.REGIONAL_ADMIN)

    def can_edit_district(self, district_id: object) -> bool:
        """True when the key may write data of this district."""
        if self.is_admin:
            return True
        return self.role is Role.DISTRICT_EDITOR and str(district_id) in self.district_ids

    def require_district_editor(self, district_id: object) -> None:
        """Allow admins and editors of ``district_id``; 401/403 otherwise."""
        self.require_authenticated()
        if not self.can_edit_district(district_id):
            raise ForbiddenError(f"this key may not change data of district {district_id}")

    def require_any_district_editor(self, district_ids: Iterable[object]) -> None:
        """Allow when the key may edit every one of ``district_ids`` (e.g. an organisation serving several)."""
        self.require_authenticated()
        missing = [str(d) for d in district_ids if not self.can_edit_district(d)]
        if missing:
            raise ForbiddenError(f"this key may not change data of district(s) {', '.join(missing)}")

    def require_reference(
        self, path: str, district_ids: Iterable[object], *, target_district_id: object | None = None
    ) -> None:
        """403 when a body id (at ``path``) refers to an object of districts this key may not write.

        The one rule for ids in bodies: admins may refer to anything; others only to objects of a district they
        edit, or of ``target_district_id`` (the district of what is written: a facilitator registers people of
        the workshop's district). Objects of no district (regional ones) are free. Whether an allowed object
        fits the resource (a workshop of the same process, ...) stays a 422 of the service.
        """
        self.require_authenticated()
        owners = {str(d) for d in district_ids}
        if self.is_admin or not owners:
            return
        allowed = {d for d in owners if self.can_edit_district(d)}
        if allowed or (target_district_id is not None and str(target_district_id) in owners):
            return
        raise ForbiddenError(
            f"{path} refers to an object of district(s) {', '.join(sorted(owners))}, "
            "which this key may not use here"
        )

    def require_facilitator_or_editor(self, district_id: object, facilitator_ids: Iterable[object]) -> None:
        """Allow admins, editors of the district, and facilitators listed on the workshop."""
        self.require_authenticated()
        if self.can_edit_district(district_id):
            return
        if (
            (self.role is Role.FACILITATOR or self.facilitator or self.signed_in)
            and self.person_id
            and self.person_id in {str(f) for f in facilitator_ids}
        ):
            return
        raise ForbiddenError("only the workshop's facilitators or the district's editors may do this")


ANONYMOUS = Principal()
