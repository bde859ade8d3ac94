from __future__ import annotations

from typing import Annotated, cast

import strawberry
from strawberry import Info

from schema.core.files import FileType
from schema.receipts.inputs import ExportReceiptsInput
from schema.receipts.queries import receipts_owner, service_filter
from schema.receipts.types import ReceiptError, receipt_error
from server.receipts import export
from server.receipts.errors import ReceiptsError


@strawberry.type(description="exportReceipts: the export file, or why none was made.")
class ExportReceiptsPayload:
    file: FileType | None = strawberry.field(
        default=None, description="The CSV file; download it through its signed `url`."
    )
    errors: list[ReceiptError] = strawberry.field(
        default_factory=list,
        description="Empty on success; INVALID_INPUT (an inverted range in the filter).",
    )


async def export_receipts(
    info: Info,
    input: Annotated[
        ExportReceiptsInput, strawberry.argument(description="Which receipts, in which format.")
    ],
) -> ExportReceiptsPayload:
    """Export the matching receipts as CSV (one row per line item, spreadsheet-formula safe)."""
    viewer, owner = await receipts_owner(info)
    try:
        file = await export.export_receipts(
            owner=owner,
            actor=viewer,
            filter=service_filter(input.filter),
            format=cast(str, input.format.value),  # the member's plain value, as Strawberry sets it
        )
    except ReceiptsError as exc:
        return ExportReceiptsPayload(errors=[receipt_error(exc)])
    return ExportReceiptsPayload(file=FileType.from_model(file))
