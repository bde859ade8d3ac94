"""Relay plumbing: opaque global IDs, `node(id:)`, and cursor connections with keyset paging.

Pages are keyset-paginated on (sort field, id), so deep pages cost the same as the first and rows
inserted meanwhile neither repeat nor vanish. `totalCount` is computed only when asked for.
"""

from __future__ import annotations

import base64
import operator
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from strawberry import Info, relay
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from schema.core.errors import BadUserInputError
from schema.core.permissions import IsCompanyMember, allowed
from server.settings import get_settings

NodeT = TypeVar("NodeT")


@strawberry.interface(name="Node", description="An object with a globally unique, opaque id.")
class Node:
    """Relay's Node. The id is computed once, when the object is built (`global_id`), so that on
    a page of objects it is a plain field: Strawberry's relay.Node resolves it per object."""

    id: strawberry.ID = strawberry.field(
        description="Opaque global id: pass it to `node(id:)` or to a mutation's input."
    )

    # Each Node type declares who may read it through `node(id:)`, with the rules of its typed
    # field (schema/core/permissions.py), e.g. `read_permissions = (HasScope("jobs"),)`; a type
    # without one is never served. `resolve_nodes` then fetches only what the caller may see
    # (`server.access.visible`); a company rule (IsCompanyMember, its role included) is then
    # checked on each object found, in its `company_pk`'s company.
    read_permissions: ClassVar[tuple[Any, ...]] = ()

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[Any]:
        """The objects with these ids that the caller may see (None for the others), in order."""
        raise NotImplementedError


# GraphQL type name -> Node class; filled by `register_node`, used by `node(id:)`.
NODE_TYPES: dict[str, type[Node]] = {}

NodeClass = TypeVar("NodeClass", bound=type)


def company_rules(node_type: type) -> list[IsCompanyMember]:
    """The company rules among a Node type's read rules, which `node(id:)` checks on each object
    found (its `company_pk`), as the same rule does on a field of the object."""
    rules = getattr(node_type, "read_permissions", None) or ()
    return [rule for rule in rules if isinstance(rule, IsCompanyMember)]


def register_node(cls: NodeClass) -> NodeClass:
    """Serve `cls` through `node(id:)`. A type read under a company rule must carry its
    company (`company_pk`), or node could not check the caller's role there: refused."""
    if company_rules(cls) and not any(
        "company_pk" in getattr(klass, "__annotations__", {}) for klass in cls.__mro__
    ):
        raise TypeError(
            f"{cls.__name__} is read under IsCompanyMember: declare its company as "
            "`company_pk: strawberry.Private[uuid.UUID]` so node(id:) can check the role"
        )
    NODE_TYPES[cls.__strawberry_definition__.name] = cls  # type: ignore[attr-defined]
    return cls


def nodes_in_order(ids: list[str], rows: Iterable[Any], to_node: Callable[[Any], Any]) -> list[Any]:
    """`resolve_nodes`' answer: one node per requested id, in order, None where no row was found."""
    found = {str(row.id): to_node(row) for row in rows}
    return [found.get(i) for i in ids]


def parse_global_id(value: str, expected_type: str | None = None) -> uuid.UUID:
    """The UUID inside a global ID; BAD_USER_INPUT when malformed or of another type."""
    try:
        gid = relay.GlobalID.from_id(value)
        if expected_type and gid.type_name != expected_type:
            raise ValueError(gid.type_name)
        return uuid.UUID(gid.node_id)
    except (ValueError, TypeError) as exc:
        what = f"a {expected_type} id" if expected_type else "a node id"
        raise BadUserInputError(f"'{value}' is not {what}.") from exc


def global_id(type_name: str, pk: uuid.UUID | str) -> strawberry.ID:
    """The opaque id clients see: base64("Type:uuid"), as Relay servers conventionally do."""
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def _node_ref(value: str) -> tuple[type[Node], str] | None:
    """(Node type, its row id) a global id names; None when malformed or of no Node type."""
    try:
        gid = relay.GlobalID.from_id(value)
        uuid.UUID(gid.node_id)
    except (ValueError, TypeError):
        return None
    node_type = NODE_TYPES.get(gid.type_name)
    return (node_type, gid.node_id) if node_type is not None else None


async def resolve_node(info: Info, id: strawberry.ID) -> Node | None:
    """Fetch any node by global id; None when it does not exist or the caller may not see it."""
    return (await resolve_many_nodes(info, [id]))[0]


async def resolve_many_nodes(info: Info, ids: Sequence[str]) -> list[Node | None]:
    """`node`/`nodes`: one answer per id, in order, None for what is absent or not the caller's.
    Each type's read rule (the same as its typed field's) is checked once, before anything of
    that type is fetched; then one `resolve_nodes` call per type."""
    limit = get_settings().max_page_size
    if len(ids) > limit:
        raise BadUserInputError(f"'ids' takes at most {limit} ids.")
    wanted: dict[type[Node], list[tuple[int, str]]] = {}
    for index, value in enumerate(ids):
        ref = _node_ref(value)
        if ref is not None:
            wanted.setdefault(ref[0], []).append((index, ref[1]))
    answer: list[Node | None] = [None] * len(ids)
    for node_type, entries in wanted.items():
        if not await allowed(info, getattr(node_type, "read_permissions", None)):
            continue
        found = await node_type.resolve_nodes(
            info=info, node_ids=[node_id for _, node_id in entries], required=False
        )
        rules = company_rules(node_type)
        for (index, _), node in zip(entries, found, strict=True):
            if node is not None and rules and not await _company_admits(info, rules, node):
                continue
            answer[index] = node
    return answer


async def _company_admits(info: Info, rules: list[IsCompanyMember], node: Any) -> bool:
    """Whether the caller has, in the node's company, the role each company rule needs (what
    `allowed` cannot check before the object is found: its company). Memberships are read
    once per request."""
    actor = await info.context.actor()
    company = getattr(node, "company_pk", None)
    for rule in rules:
        if not await rule.admits(actor, company):
            return False
    return True


@strawberry.type(description="Where a page of a connection sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more items follow: fetch them with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether this page was asked for with `after` (pages only go forward)."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first edge; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last edge, to pass as `after` for the next page; "
        "null on an empty page."
    )


@strawberry.type(description="One item of a connection page, with its cursor.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        description="Opaque position of this item: pass it as `after` to continue after it."
    )
    node: NodeT = strawberry.field(description="The item.")


@strawberry.type(
    description="A page of a list, paged forward with `first`/`after` (keyset paging: items "
    "added meanwhile neither repeat nor vanish)."
)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's items, in list order.")
    page_info: PageInfo = strawberry.field(description="Cursors, and whether more pages follow.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of items matching the filter, over all pages.")
    async def total_count(self) -> int:
        return await self._count()


def _encode_cursor(value: Any, pk: uuid.UUID) -> str:
    """base64url("<sort value>|<id>"): the sort value in its text form (ISO datetime, decimal
    string, plain text), which may itself hold '|': the id after the last one never does."""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return base64.urlsafe_b64encode(f"{text}|{pk}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, field_type: type) -> tuple[Any, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text, separator, pk = base64.urlsafe_b64decode(padded).decode().rpartition("|")
        if not separator:
            raise ValueError(cursor)
        value: Any = text
        if field_type is datetime:
            value = datetime.fromisoformat(text)
        elif field_type is Decimal:
            value = Decimal(text)
            if not value.is_finite():
                raise ValueError(text)
        return value, uuid.UUID(pk)
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise BadUserInputError("'after' is not a cursor of this list.") from exc


# The page size when `first` is absent (capped by MAX_PAGE_SIZE); the cost analysis assumes it too.
DEFAULT_PAGE_SIZE = 20

# The paging arguments of every connection field, described once. The maximum is a setting, so
# the description names its default rather than the running value (schema.graphql is committed).
First = Annotated[
    int | None,
    strawberry.argument(
        description=f"How many items, 0 or more: {DEFAULT_PAGE_SIZE} when left out, at most "
        "the maximum page size (MAX_PAGE_SIZE, 100 by default); more is BAD_USER_INPUT."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="Start after this cursor (the previous page's `pageInfo.endCursor`); "
        "leave out for the first page."
    ),
]


def check_page_size(first: int | None) -> int:
    """Also checked before execution (schema/core/limits.py); kept here for direct callers."""
    limit = get_settings().max_page_size
    if first is None:
        return min(DEFAULT_PAGE_SIZE, limit)
    if not 0 <= first <= limit:
        raise BadUserInputError(f"'first' must be between 0 and {limit}.")
    return first


async def paginate(
    queryset: QuerySet[Any],
    *,
    first: int | None,
    after: str | None,
    to_node: Callable[[Any], NodeT],
    sort_field: str = "created_at",
    sort_type: type = datetime,
    descending: bool = True,
    prefetch: Sequence[str] = (),
    columns: Sequence[str] = (),
) -> Connection[NodeT]:
    """One page of `queryset` as a Connection, ordered by (sort_field, id).

    With `columns`, rows are fetched as dicts of those columns (`to_node` gets a dict), which
    skips building ORM objects: the better choice for read-only list pages."""
    size = check_page_size(first)
    base = queryset
    page_query = queryset
    if after:
        value, pk = _decode_cursor(after, sort_type)
        op = "lt" if descending else "gt"
        page_query = page_query.filter(
            Q(**{f"{sort_field}__{op}": value}) | Q(**{sort_field: value, f"id__{op}": pk})
        )
    sign = "-" if descending else ""
    page_query = page_query.order_by(f"{sign}{sort_field}", f"{sign}id").limit(size + 1)
    rows: list[Any]
    if columns:
        rows = await page_query.values(*dict.fromkeys([*columns, sort_field, "id"]))
    else:
        rows = await page_query.prefetch_related(*prefetch)
    has_next = len(rows) > size
    read = operator.getitem if columns else getattr
    edges = [
        Edge(cursor=_encode_cursor(read(row, sort_field), read(row, "id")), node=to_node(row))
        for row in rows[:size]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=base.count,
    )
