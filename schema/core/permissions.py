"""Access rules, declared where a reader of the schema sees them.

Every root field (Query, Mutation, Subscription) declares its rule in `permission_classes`:

    job: ... = strawberry.field(permission_classes=[HasScope("jobs")])

and every Node type declares the rule for reading it through `node(id:)` in `read_permissions`,
the same rule as its typed field. tests/core/test_access_matrix.py fails on a root field or a
Node type without one, and tries each with the callers who must be refused.

The rules read the request's Actor (server/access.py): a user's own token holds every user
scope (and `admin` for an ADMIN), an API key only the scopes it was given. Whose rows a caller
sees is `server.access.visible` / `owner_filter`, never decided here.

Strawberry instantiates each entry of `permission_classes` without arguments, so a rule with
arguments (`HasScope("jobs")`) is written as an instance, which returns itself when called. Its
annotation asks for classes, so to the type checker a rule's constructor returns its class
(`__new__` under TYPE_CHECKING): the instance stands for the class Strawberry calls.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Self, cast

from graphql import GraphQLError
from strawberry import Info
from strawberry.permission import BasePermission, PermissionExtension

from schema.core.errors import ForbiddenError, UnauthenticatedError
from server.access import ADMIN, SCOPES, Actor
from server.companies.models import CompanyRole


async def actor_of(info: Info) -> Actor:
    """The caller; credentials that are present but invalid (expired, tampered, revoked) raise
    UNAUTHENTICATED, so the client knows to refresh or sign in again."""
    actor = await info.context.actor()
    if not actor.is_authenticated and info.context.has_credentials():
        raise UnauthenticatedError("Invalid or expired credentials.")
    return actor


class AccessRule(BasePermission):
    """A declared rule. `scope`: the scope it needs (None: none); anonymous callers get
    UNAUTHENTICATED, authenticated ones who may not get FORBIDDEN."""

    scope: str | None = None
    message: str = "You may not do this."
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012

    if TYPE_CHECKING:

        def __new__(cls) -> type[Self]: ...

    def __call__(self) -> Self:
        return self

    def __repr__(self) -> str:
        return type(self).__name__ + (f"({self.scope!r})" if self.scope else "()")

    def allows(self, actor: Actor) -> bool:
        raise NotImplementedError

    def refusal(self, actor: Actor) -> str:
        if actor.api_key is not None and self.scope is not None:
            return f"This API key lacks the '{self.scope}' scope."
        return self.message

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        actor = await actor_of(info)
        if self.allows(actor):
            return True
        if not actor.is_authenticated:
            raise UnauthenticatedError()
        raise ForbiddenError(self.refusal(actor))


class Public(AccessRule):
    """Anyone, signed in or not (signup, login, `me`, `node`: whose rules are per type).
    It never authenticates, so a public field costs no database round-trip for that."""

    def allows(self, actor: Actor) -> bool:
        return True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:  # type: ignore[override]
        return True


class IsAuthenticated(AccessRule):
    """Any signed-in user or API key; what it then sees is its own (server.access.visible)."""

    message = "Authentication required."

    def allows(self, actor: Actor) -> bool:
        return actor.is_authenticated


class HasScope(AccessRule):
    """A user's own token, or an API key given `scope`."""

    if TYPE_CHECKING:

        def __new__(cls, scope: str) -> type[Self]: ...

    def __init__(self, scope: str) -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}: declare it in server.access.SCOPES")
        self.scope = scope

    def allows(self, actor: Actor) -> bool:
        return actor.has_scope(self.scope or "")


class IsAdmin(HasScope):
    """An ADMIN signed in as such, or an ADMIN's API key given the `admin` scope."""

    message = "Administrators only."

    if TYPE_CHECKING:

        def __new__(cls) -> type[Self]: ...

    def __init__(self) -> None:
        super().__init__(ADMIN)


class IsCompanyMember(AccessRule):
    """A member of the company the field is about (ADMIN only when `role` is ADMIN): on a field
    of a company-owned type (a source object with a `company_pk` attribute), the object's
    company, whatever the arguments say (a `companyId` naming another company is FORBIDDEN);
    on a root field, the `companyId` argument or the `input`'s `companyId`. A company's key is
    a MEMBER of its own company. Membership comes from `Actor.company_roles`: one query per
    request at most.

    `otherwise`: the rule that applies when no company is named (createApiKey: a key for
    yourself, admins only); without it, naming none is FORBIDDEN. Through `node(id:)` the same
    check runs on each object found (`admits`, on its `company_pk`: schema.core.relay), so the
    role holds there too."""

    message = "You are not a member of this company."

    if TYPE_CHECKING:

        def __new__(
            cls,
            role: CompanyRole | None = None,
            otherwise: type[AccessRule] | None = None,
            argument: str = "company_id",
        ) -> type[Self]: ...

    def __init__(
        self,
        role: CompanyRole | None = None,
        otherwise: type[AccessRule] | None = None,
        argument: str = "company_id",
    ) -> None:
        self.role = role or CompanyRole.MEMBER
        # The argument naming the company (`company(id:)` names it by `id`).
        self.argument = argument
        # A rule instance (`IsAdmin()`), which type checkers see as its class (see above).
        self.otherwise = cast(AccessRule | None, otherwise)
        if self.role == CompanyRole.ADMIN:
            self.message = "Company administrators only."

    def __repr__(self) -> str:
        return f"IsCompanyMember(role={self.role.value}, otherwise={self.otherwise!r})"

    def allows(self, actor: Actor) -> bool:
        return actor.is_authenticated

    def company_argument(self, kwargs: dict[str, Any]) -> Any:
        """The company the arguments name (a global id): `companyId` (or the rule's
        `argument`), or the input's."""
        named = kwargs.get(self.argument)
        if named is None and kwargs.get("input") is not None:
            named = getattr(kwargs["input"], "company_id", None)
        return named

    def company_named(self, source: Any, kwargs: dict[str, Any]) -> uuid.UUID | str | None:
        """The company the call is about: the source object's (a row's UUID; None when it
        belongs to no company) when it has one, else the one the arguments name (a global id)."""
        if source is not None and hasattr(source, "company_pk"):
            return source.company_pk
        return self.company_argument(kwargs)

    async def admits(self, actor: Actor, company_id: uuid.UUID | None) -> bool:
        """Whether the actor has the role this rule needs in that company."""
        role = None if company_id is None else await actor.role_in(company_id)
        return role is not None and (self.role != CompanyRole.ADMIN or role == CompanyRole.ADMIN)

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        named = self.company_named(source, kwargs)
        argument = self.company_argument(kwargs)
        # A field of company B's object asked about another company (or about one, of an object
        # of none): the object decides, and such a call is refused, never answered.
        conflict = (
            argument is not None
            and argument is not named
            and (named is None or _company_pk(argument) != named)
        )
        if named is None and self.otherwise is not None and not conflict:
            return await self.otherwise.has_permission(source, info, **kwargs)
        actor = await actor_of(info)
        if not actor.is_authenticated:
            raise UnauthenticatedError()
        if conflict:
            raise ForbiddenError("The companyId given is not this object's company.")
        company_id = named if isinstance(named, uuid.UUID) else _company_pk(named)
        if not await self.admits(actor, company_id):
            raise ForbiddenError(self.message)
        return True


def _company_pk(value: Any) -> uuid.UUID | None:
    """The UUID a Company global id names; None when malformed (refused like a stranger's)."""
    from schema.core.relay import parse_global_id

    if value is None:
        return None
    try:
        return parse_global_id(str(value), "Company")
    except GraphQLError:
        return None


class UserSession(AccessRule):
    """A user signed in with their own token, never an API key: for what would let a leaked key
    outlive its revocation (new keys, a new password)."""

    message = "An API key cannot do this; sign in as a user."

    def allows(self, actor: Actor) -> bool:
        return actor.is_authenticated and actor.api_key is None

    def refusal(self, actor: Actor) -> str:
        return self.message


def declared_rules(field: Any) -> list[AccessRule]:
    """The access rules a Strawberry field declares (in `permission_classes`)."""
    return [
        permission
        for extension in field.extensions or ()
        if isinstance(extension, PermissionExtension)
        for permission in extension.permissions
        if isinstance(permission, AccessRule)
    ]


async def allowed(info: Info, rules: Sequence[AccessRule] | None) -> bool:
    """Whether the caller passes every rule, without raising FORBIDDEN (for `node(id:)`, which
    answers null); no rule at all means nobody (fail closed)."""
    if not rules:
        return False
    actor = await actor_of(info)
    return all(rule.allows(actor) for rule in rules)


async def current_user(info: Info) -> Any:
    """The caller's user (an API key's owner) or None when anonymous; invalid credentials raise
    UNAUTHENTICATED."""
    return (await actor_of(info)).user


async def require_user(info: Info) -> Any:
    """The caller's user, or an UNAUTHENTICATED error (FORBIDDEN for a company's key, which acts
    for no user); for resolvers that need the user object (the field's own rule has checked
    what the caller may do)."""
    actor = await actor_of(info)
    if actor.user is None:
        if actor.is_authenticated:
            raise ForbiddenError("A company's API key cannot do this.")
        raise UnauthenticatedError()
    return actor.user
