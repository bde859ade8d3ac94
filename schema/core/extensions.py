"""Schema extensions: metrics per operation, error masking, and query-cost limits."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from schema.core.limits import QueryLimits
from server.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, labelled, operation_label
from server.settings import Settings

log = logging.getLogger("scanbase.graphql")


class OperationMetrics(SchemaExtension):
    """Count each operation by name and outcome and time it; log unexpected errors once."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        ctx = self.execution_context
        name = operation_label(ctx.operation_name)
        result = ctx.result
        errors = (result.errors if result else None) or ctx.pre_execution_errors or []
        outcome = "error" if errors else "ok"
        try:
            op_type = ctx.operation_type.value
        except Exception:  # no valid operation in the document
            op_type = "unknown"
        labelled(GRAPHQL_REQUESTS, name, op_type, outcome).inc()
        labelled(GRAPHQL_LATENCY, name).observe(time.perf_counter() - started)
        for error in errors:
            original = getattr(error, "original_error", None)
            if original is not None and not isinstance(original, GraphQLError):
                log.error("unexpected error in %s", name, exc_info=original)


def is_internal(error: GraphQLError) -> bool:
    """Mask errors raised by bugs; keep validation, auth and input errors readable."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def schema_extensions(settings: Settings) -> list:
    # QueryLimits replaces Strawberry's parser/validation caches and depth/alias/token limiters
    # (which expanded every fragment spread: exponential on nested fragments); it also applies
    # the introspection switch, with suggestions hidden alongside.
    extensions: list = [OperationMetrics, QueryLimits.factory(settings)]
    if not settings.debug:
        extensions.append(
            MaskErrors(should_mask_error=is_internal, error_message="Internal server error.")
        )
    return extensions
