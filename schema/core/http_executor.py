"""The lean path for `POST /graphql` with a JSON body: the bulk of API traffic.

Strawberry's HTTP view and `Schema.execute` spend ~0.3 ms per request around graphql-core
(content negotiation, seven extension context managers per operation, runtime protocol checks).
For plain JSON POSTs this module does the same work directly: parse and validate once per
distinct document (schema/core/limits.py's QueryGate: tokens, cost, depth, aliases, directives,
input lists, introspection; shared with Strawberry's path), execute with
graphql-core and the fast-leaf execution context, mask internal errors, count metrics.
Everything else (GET and GraphiQL, multipart uploads, websockets, subscriptions over HTTP) goes
through Strawberry's view unchanged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeGuard, cast

import orjson
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLFormattedError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
)
from graphql.execution import ExecutionResult, execute
from graphql.execution.executor import UNEXPECTED_MULTIPLE_PAYLOADS
from strawberry.execution.is_awaitable import optimized_is_awaitable

from schema.core.compiled_completion import FastLeafExecutionContext
from schema.core.extensions import log_error, public_error
from schema.core.limits import Prepared, QueryGate
from server.metrics import GRAPHQL_LATENCY, GRAPHQL_REQUESTS, labelled, operation_label
from server.settings import Settings

log = logging.getLogger("scanbase.graphql")
# Strawberry's check, typed as the guard graphql-core's `execute` asks for (no wrapper: it runs
# for every resolved field).
is_awaitable = cast(Callable[[Any], TypeGuard[Awaitable[Any]]], optimized_is_awaitable)
SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions are served over the websocket at /graphql (graphql-transport-ws), not over HTTP."
)


class RequestError(Exception):
    """A malformed request: answered with HTTP 400 and a JSON error body."""


class JsonPostExecutor:
    def __init__(self, graphql_schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = graphql_schema
        self.settings = settings
        # Parse, cost limits and validation, cached per document (shared with Strawberry's path).
        self.gate = QueryGate.for_schema(graphql_schema, settings)
        # graphql-core's `execute` refuses schemas with @defer or @stream; without them the
        # executor is built and run directly (see _execute).
        self.direct = not (
            graphql_schema.get_directive("defer") or graphql_schema.get_directive("stream")
        )

    async def prepare(self, query: str) -> Prepared:
        return await self.gate.prepare_async(query)

    @staticmethod
    def parse_body(body: bytes) -> tuple[str, dict[str, Any] | None, str | None]:
        try:
            data = orjson.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise RequestError("Unable to parse request body as JSON") from exc
        if not isinstance(data, dict):
            raise RequestError(
                "The request body must be a JSON object (batching is not supported)."
            )
        query = data.get("query")
        variables = data.get("variables")
        operation_name = data.get("operationName")
        if not isinstance(query, str) or not query:
            raise RequestError("No GraphQL query found in the request")
        if variables is not None and not isinstance(variables, dict):
            raise RequestError("Variables must be a JSON object.")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError("operationName must be a string.")
        return query, variables, operation_name

    async def run(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, context: Any
    ) -> dict[str, Any]:
        """Execute one operation and return the response body. Raises RequestError for HTTP 400,
        subscriptions included: they are served over the websocket only."""
        started = time.perf_counter()
        label = operation_label(operation_name)
        prepared = await self.prepare(query)
        op_type = "unknown"
        refused = prepared.errors or (
            prepared.document is not None and self.gate.check_request(prepared, variables)
        )
        if refused:
            result = ExecutionResult(data=None, errors=refused)
        else:
            assert prepared.document is not None  # no errors: the document parsed
            operation = get_operation_ast(prepared.document, operation_name)
            if operation is None:
                if operation_name:
                    raise RequestError(f'Unknown operation named "{operation_name}".')
                raise RequestError(
                    "Must provide operation name if query contains multiple operations."
                )
            if operation.operation == OperationType.SUBSCRIPTION:
                raise RequestError(SUBSCRIPTION_OVER_HTTP)
            op_type = operation.operation.value
            if operation_name is None and operation.name is not None:
                label = operation_label(operation.name.value)  # as Strawberry names it
            result = await self._execute(prepared.document, variables, operation_name, context)
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            # A refused document answers `"data": null` too, as Strawberry's view does.
            body["errors"] = [self._format(error, label) for error in result.errors]
        outcome = "error" if result.errors else "ok"
        labelled(GRAPHQL_REQUESTS, label, op_type, outcome).inc()
        labelled(GRAPHQL_LATENCY, label).observe(time.perf_counter() - started)
        return body

    async def _execute(
        self,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        context: Any,
    ) -> ExecutionResult:
        """graphql-core's `execute`, without its two wrappers: they look up @defer and @stream
        in the schema on every call (this schema declares neither: checked once, at start) and
        pass some twenty arguments on twice."""
        if not self.direct:
            executed = execute(
                self.schema,
                document,
                context_value=context,
                variable_values=variables,
                operation_name=operation_name,
                executor_class=FastLeafExecutionContext,
                is_awaitable=is_awaitable,
                hide_suggestions=self.gate.hide_suggestions,
            )
        else:
            executor = FastLeafExecutionContext.build(
                self.schema,
                document,
                None,
                context,
                variables,
                operation_name,
                is_awaitable=is_awaitable,
                hide_suggestions=self.gate.hide_suggestions,
            )
            if isinstance(executor, list):
                return ExecutionResult(data=None, errors=executor)
            executed = executor.execute_operation()
        if is_awaitable(executed):
            executed = await executed
        if not isinstance(executed, ExecutionResult):  # incremental results: no @defer here
            raise GraphQLError(UNEXPECTED_MULTIPLE_PAYLOADS)
        return executed

    def _format(self, error: GraphQLError, label: str) -> GraphQLFormattedError:
        log_error(error, label)
        return public_error(error, debug=self.settings.debug).formatted
