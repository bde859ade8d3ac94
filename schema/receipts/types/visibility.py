"""Who sees which receipts, for the receipts types: the receipt's rule (`server.access`) decides
for its items and corrections too."""

from __future__ import annotations

from typing import Any

from strawberry import Info

from schema.core.permissions import actor_of
from server.access import owner_filter
from server.receipts.reading import receipts_by_ids


async def visible_owner(info: Info) -> Any:
    """Whose receipts the caller may see (`server.access.owner_filter`): themself; None
    (anyone's) for an admin; False when nobody's (anonymous, or no `receipts:read` scope)."""
    actor = await actor_of(info)
    if not actor.has_scope("receipts:read"):
        return False
    return owner_filter(actor)


async def of_visible_receipts(info: Info, model: Any, ids: list[str], related: str) -> list[Any]:
    """The rows of `model` (items, corrections) among `ids` whose receipt the caller may see:
    the receipt's rule (`visible_owner`, live receipts) decides, not a copy of it."""
    owner = await visible_owner(info)
    if owner is False or not ids:
        return []
    rows = await model.filter(id__in=ids).select_related(related)
    receipt_ids = {row.receipt_id for row in rows}
    visible = {r.id for r in await receipts_by_ids(ids=list(receipt_ids), owner=owner)}
    return [row for row in rows if row.receipt_id in visible]
