from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import Info

from schema.core.permissions import require_user
from schema.receipts.inputs import UpdateLoyaltyRulesInput, kept
from schema.receipts.types import LoyaltyRulesType, ReceiptError, receipt_error
from server.receipts import loyalty
from server.receipts.errors import ReceiptsError
from server.receipts.loyalty import RULE_FIELDS, RulesEdit


@strawberry.type(description="updateLoyaltyRules: the new rules version, or why none was made.")
class UpdateLoyaltyRulesPayload:
    rules: LoyaltyRulesType | None = strawberry.field(default=None, description="The new version.")
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list, description="Empty on success; INVALID_INPUT naming the field."
    )


async def update_loyalty_rules(
    info: Info,
    input: Annotated[
        UpdateLoyaltyRulesInput,
        strawberry.argument(description="The values that change; the rest are kept."),
    ],
) -> UpdateLoyaltyRulesPayload:
    """Publish a new rules version (admins). Only later awards use it: receipts already
    awarded keep their version, also when a correction recomputes them."""
    actor = await require_user(info)
    edit = RulesEdit(**{name: kept(getattr(input, name)) for name in RULE_FIELDS})
    try:
        rules = await loyalty.update_loyalty_rules(actor=actor, edit=edit)
    except ReceiptsError as exc:
        return UpdateLoyaltyRulesPayload(errors=[receipt_error(exc)])
    return UpdateLoyaltyRulesPayload(rules=LoyaltyRulesType.from_model(rules))
