"""Schema extensions: metrics per operation, error masking, and query-cost limits."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from schema.core.errors import SERVICE_UNAVAILABLE_MESSAGE, ServiceUnavailableError
from schema.core.limits import QueryLimits, refused
from schema.core.validation import with_code
from server.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, labelled, operation_label
from server.outages import outage_cause
from server.settings import Settings

log = logging.getLogger("scanbase.graphql")


class OperationMetrics(SchemaExtension):
    """Count each operation by name and outcome and time it (errors are logged by the schema's
    `process_errors`, see `log_error`)."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        ctx = self.execution_context
        name = operation_label(ctx.operation_name)
        result = ctx.result
        errors = (result.errors if result else None) or ctx.pre_execution_errors or []
        outcome = "error" if errors else "ok"
        try:
            # refused before execution: "unknown", as on the lean JSON path
            op_type = "unknown" if refused(ctx) else ctx.operation_type.value
        except Exception:  # no valid operation in the document
            op_type = "unknown"
        labelled(GRAPHQL_REQUESTS, name, op_type, outcome).inc()
        labelled(GRAPHQL_LATENCY, name).observe(time.perf_counter() - started)


MASKED_MESSAGE = "Internal server error."


def is_internal(error: GraphQLError) -> bool:
    """Mask errors raised by bugs; keep validation, auth and input errors readable."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def public_error(error: GraphQLError, *, debug: bool) -> GraphQLError:
    """The error as the client sees it, the one place both execution paths go through: a
    dependency that is down (database, Redis) becomes a retryable SERVICE_UNAVAILABLE, a bug is
    masked unless DEBUG, anything else (auth, input, limits) is shown as raised."""
    if is_internal(error):
        cause = outage_cause(error.original_error)
        if cause is not None:
            message = SERVICE_UNAVAILABLE_MESSAGE
            if debug:
                message += f" ({type(cause).__name__}: {cause})"
            return ServiceUnavailableError(message, nodes=error.nodes, path=error.path)
        if not debug:
            return GraphQLError(MASKED_MESSAGE, nodes=error.nodes, path=error.path)
    # GraphQL's own errors (syntax, validation, variables) get their extensions.code here.
    return with_code(error)


def log_error(error: GraphQLError, operation: str) -> None:
    """Log one GraphQL error at the level it deserves: a caller's mistake at INFO, a dependency
    outage at WARNING, a bug at ERROR with its traceback."""
    if not is_internal(error):
        code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION_FAILED")
        log.info("client error in %s: %s: %s", operation, code, error.message)
    elif (cause := outage_cause(error.original_error)) is not None:
        log.warning("service unavailable in %s: %s: %s", operation, type(cause).__name__, cause)
    else:
        log.error("unexpected error in %s", operation, exc_info=error.original_error)


class PublicErrors(MaskErrors):
    """Strawberry's error masking, with `public_error`'s rules (multipart, GET, websockets)."""

    def __init__(self, *, debug: bool) -> None:
        super().__init__(error_message=MASKED_MESSAGE)
        self.debug = debug

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [public_error(error, debug=self.debug) for error in errors]


def schema_extensions(settings: Settings) -> list:
    # QueryLimits replaces Strawberry's parser/validation caches and depth/alias/token limiters
    # (which expanded every fragment spread: exponential on nested fragments); it also applies
    # the introspection switch, with suggestions hidden alongside.
    extensions: list = [OperationMetrics, QueryLimits.factory(settings)]
    extensions.append(PublicErrors(debug=settings.debug))
    return extensions
