"""Receipts queries: one receipt, the history, loyalty points, spending stats; brands and the
loyalty rules (admins). Users see their own receipts; an admin signed in as such sees everyone's."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry import Info

from schema.core.errors import BadUserInputError, ForbiddenError, UnauthenticatedError
from schema.core.permissions import HasScope, IsAdmin, actor_of
from schema.core.relay import After, Connection, First, paginate, parse_global_id
from schema.receipts.inputs import ReceiptFilter
from schema.receipts.types import (
    ORDERINGS,
    BrandType,
    Loyalty,
    LoyaltyRulesType,
    ReceiptOrder,
    ReceiptStats,
    ReceiptType,
)
from server.access import owner_filter
from server.accounts.models import User
from server.receipts import reading
from server.receipts.brand_catalog import brands_query
from server.receipts.errors import ReceiptsError
from server.receipts.loyalty import get_loyalty_rules, loyalty_balance
from server.receipts.reading import get_receipt, receipts_of
from server.receipts.review import receipts_for_review
from server.receipts.stats import receipt_stats


def service_filter(value: ReceiptFilter | None) -> reading.ReceiptFilter:
    if value is None:
        return reading.ReceiptFilter()
    return reading.ReceiptFilter(
        status=value.status,
        store=value.store,
        date_from=value.date_from,
        date_to=value.date_to,
        min_total=value.min_total,
        max_total=value.max_total,
    )


async def receipts_owner(info: Info) -> Any:
    """The caller, and whose receipts they see (`server.access.owner_filter`): themself, or None
    (anyone's) for an admin; for resolvers whose field rule has refused anonymous callers."""
    actor = await actor_of(info)
    if actor.user is None:
        raise UnauthenticatedError()
    return actor.user, owner_filter(actor)


async def target_user(info: Info, user_id: strawberry.ID | None) -> Any:
    """The caller, or (admins only) the user `user_id` names."""
    viewer, owner = await receipts_owner(info)
    if user_id is None:
        return viewer
    if owner is not None:
        raise ForbiddenError("Only administrators may look at another user's points.")
    user = await User.get_or_none(id=parse_global_id(user_id, "User"))
    if user is None:
        raise BadUserInputError("No such user.")
    return user


@strawberry.type
class ReceiptsQuery:
    @strawberry.field(
        permission_classes=[HasScope("receipts:read")],
        description="A receipt of yours (admins: anyone's); null if absent, deleted or not "
        "yours. API keys need the `receipts:read` scope.",
    )
    async def receipt(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The Receipt's global id.")],
    ) -> ReceiptType | None:
        receipt_id = parse_global_id(id, "Receipt")
        _viewer, owner = await receipts_owner(info)
        try:
            receipt = await get_receipt(receipt_id=receipt_id, owner=owner)
        except ReceiptsError:
            return None
        return ReceiptType.from_model(receipt)

    @strawberry.field(
        permission_classes=[HasScope("receipts:read")],
        description="Your receipts (admins: everyone's), filtered and ordered; deleted ones "
        "never appear. An inverted range is BAD_USER_INPUT. API keys need the `receipts:read` "
        "scope.",
    )
    async def receipts(
        self,
        info: Info,
        filter: Annotated[
            ReceiptFilter | None,
            strawberry.argument(description="Which receipts; all when left out."),
        ] = None,
        order_by: Annotated[
            ReceiptOrder,
            strawberry.argument(description="The order; latest upload first by default."),
        ] = ReceiptOrder.CREATED_AT_DESC,
        first: First = None,
        after: After = None,
    ) -> Connection[ReceiptType]:
        _viewer, owner = await receipts_owner(info)
        try:
            query = receipts_of(owner=owner, filter=service_filter(filter))
        except ReceiptsError as exc:
            raise BadUserInputError(exc.message) from exc
        sort_field, sort_type, descending = ORDERINGS[order_by]
        return await paginate(
            query,
            first=first,
            after=after,
            to_node=ReceiptType.from_model,
            sort_field=sort_field,
            sort_type=sort_type,
            descending=descending,
        )

    @strawberry.field(
        permission_classes=[HasScope("receipts:read")],
        description="Your loyalty points and their ledger (admins: anyone's by userId). API "
        "keys need the `receipts:read` scope.",
    )
    async def loyalty(
        self,
        info: Info,
        user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Another user's global id (admins only: FORBIDDEN otherwise); "
                "yourself when left out."
            ),
        ] = None,
    ) -> Loyalty:
        user = await target_user(info, user_id)
        return Loyalty(balance=await loyalty_balance(user_id=user.id), _user_id=user.id)

    @strawberry.field(
        permission_classes=[HasScope("receipts:read")],
        description="Your spending between `from` and `to` (purchase dates, inclusive), from SQL "
        "aggregates (admins: anyone's by userId). API keys need the `receipts:read` scope.",
    )
    async def receipt_stats(
        self,
        info: Info,
        from_: Annotated[
            dt.date | None,
            strawberry.argument(
                name="from",
                description="First purchase date counted (YYYY-MM-DD); no lower bound when "
                "left out.",
            ),
        ] = None,
        to: Annotated[
            dt.date | None,
            strawberry.argument(
                description="Last purchase date counted (YYYY-MM-DD); no upper bound when left "
                "out. Before `from`: BAD_USER_INPUT."
            ),
        ] = None,
        user_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Another user's global id (admins only: FORBIDDEN otherwise); "
                "yourself when left out."
            ),
        ] = None,
    ) -> ReceiptStats:
        user = await target_user(info, user_id)
        try:
            stats = await receipt_stats(owner=user, date_from=from_, date_to=to)
        except ReceiptsError as exc:
            raise BadUserInputError(exc.message) from exc
        return ReceiptStats.from_stats(stats)

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="Brands in name order. Admins only (an API key needs the `admin` scope).",
    )
    async def brands(
        self,
        search: Annotated[
            str | None,
            strawberry.argument(
                description="Only brands whose name contains this, ignoring case, accents and "
                "punctuation (aliases are not searched)."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[BrandType]:
        return await paginate(
            brands_query(search=search),
            first=first,
            after=after,
            to_node=BrandType.from_model,
            sort_field="key",
            sort_type=str,
            descending=False,
        )

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="The current loyalty rules, or one earlier version; null for an unknown "
        "version. Admins only (an API key needs the `admin` scope).",
    )
    async def loyalty_rules(
        self,
        version: Annotated[
            int | None,
            strawberry.argument(description="A rules version; the current one when left out."),
        ] = None,
    ) -> LoyaltyRulesType | None:
        try:
            rules = await get_loyalty_rules(version=version)
        except ReceiptsError:
            return None
        return LoyaltyRulesType.from_model(rules)

    @strawberry.field(
        permission_classes=[IsAdmin()],
        description="Receipts whose points from typed values wait for a decision, oldest first "
        "(admins only): `pointsPending` is what `approveReceipt` would grant; `rejectReceipt` "
        "refuses it. An API key needs the `admin` scope.",
    )
    async def receipts_for_review(
        self, first: First = None, after: After = None
    ) -> Connection[ReceiptType]:
        return await paginate(
            receipts_for_review(),
            first=first,
            after=after,
            to_node=ReceiptType.from_model,
            descending=False,
        )
