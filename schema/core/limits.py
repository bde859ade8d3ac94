"""The gate every GraphQL document passes before execution, on every transport.

`QueryGate.prepare` parses a document (at most MAX_TOKENS tokens), runs the cost analysis of
schema/core/cost.py and, only when that passes, graphql-core's validation: so a document built to
be expensive is refused after work proportional to its text. The outcome, errors included, is
cached per query text (LRU), so a repeated document, accepted or refused, costs a dictionary
lookup. `QueryGate.check_request` then does what depends on the variables: list lengths, page
sizes, and the cost again only when the cached analysis had to assume MAX_PAGE_SIZE for a
variable page size and that bound was over the limit.

The lean JSON path (schema/core/http_executor.py) calls the gate directly; Strawberry's path
(GET, multipart, websockets) through the `QueryLimits` extension. Suggestions ("Did you mean
...?") are hidden together with introspection: they would reveal field and type names.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values
from graphql.validation import MaxIntrospectionDepthRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from schema.core.cost import Analysis, CostAnalyser, Limits, list_too_long
from schema.core.relay import DEFAULT_PAGE_SIZE
from schema.core.validation import with_code
from server.settings import Settings

# Longer query texts are checked every time rather than cached: the cache stays small.
MAX_CACHED_QUERY_CHARS = 20_000
# New documents longer than this are parsed and checked off the event loop (~1 ms below it).
MAX_INLINE_QUERY_CHARS = 2_000
# Strawberry needs a document to reach validation, where a parse error is reported with its code.
_PLACEHOLDER = parse("{ __typename }")


def coded(error: GraphQLError, code: str, **extensions: Any) -> GraphQLError:
    """`error` with `extensions.code` set (kept when it already has one)."""
    current = error.extensions or {}
    if "code" in current and not extensions:
        return error
    return GraphQLError(
        error.message,
        error.nodes,
        error.source,
        error.positions,
        error.path,
        error.original_error,
        {"code": code, **extensions, **current},
    )


class IntrospectionDepthRule(MaxIntrospectionDepthRule):
    """graphql-core's rule, its error carrying QUERY_TOO_DEEP."""

    def report_error(self, error: GraphQLError) -> None:
        super().report_error(coded(error, "QUERY_TOO_DEEP"))


def limit_error(code: str, message: str, found: int, limit: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "found": found, "limit": limit})


_GATES: weakref.WeakKeyDictionary[GraphQLSchema, QueryGate] = weakref.WeakKeyDictionary()


class Prepared:
    """A parsed and checked document: errors (refused) or a document to execute."""

    __slots__ = ("analysis", "document", "errors", "recheck_cost")

    def __init__(
        self,
        document: DocumentNode | None,
        errors: list[GraphQLError],
        analysis: Analysis | None = None,
        recheck_cost: bool = False,
    ) -> None:
        self.document = document
        self.errors = errors
        self.analysis = analysis
        self.recheck_cost = recheck_cost


class QueryGate:
    """Parse, analyse and validate documents for one schema and one set of settings."""

    def __init__(self, schema: GraphQLSchema, settings: Settings, cache_size: int = 512) -> None:
        self.schema = schema
        self.settings = settings
        self.cache_size = cache_size
        self.hide_suggestions = not settings.introspection
        self.limits = Limits(
            max_cost=settings.max_query_cost,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_fields=settings.max_fields,
            max_directives=settings.max_directives,
            max_page_size=settings.max_page_size,
            default_page_size=min(DEFAULT_PAGE_SIZE, settings.max_page_size),
            max_input_list_length=settings.max_input_list_length,
        )
        rules = [
            IntrospectionDepthRule if rule is MaxIntrospectionDepthRule else rule
            for rule in specified_rules
        ]
        rules += [MaybeNullValidationRule, OneOfInputValidationRule]
        if not settings.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self._cache: OrderedDict[str, Prepared] = OrderedDict()

    @classmethod
    def for_schema(cls, schema: GraphQLSchema, settings: Settings) -> QueryGate:
        """The gate of this schema: both HTTP paths and websockets share its cache."""
        gate = _GATES.get(schema)
        if gate is None:
            gate = _GATES[schema] = cls(schema, settings)
        return gate

    def prepare(self, query: str) -> Prepared:
        prepared = self._cached(query)
        if prepared is None:
            prepared = self._prepare(query)
            self._store(query, prepared)
        return prepared

    async def prepare_async(self, query: str) -> Prepared:
        """`prepare`, with a long new document parsed and checked in a worker thread: parsing
        MAX_TOKENS tokens takes graphql-core ~15 ms, and several such requests arriving together
        would otherwise hold the event loop for all of them in a row."""
        prepared = self._cached(query)
        if prepared is None:
            if len(query) <= MAX_INLINE_QUERY_CHARS:
                prepared = self._prepare(query)
            else:
                prepared = await asyncio.to_thread(self._prepare, query)
            self._store(query, prepared)
        return prepared

    def _cached(self, query: str) -> Prepared | None:
        prepared = self._cache.get(query)
        if prepared is not None:
            self._cache.move_to_end(query)
        return prepared

    def _store(self, query: str, prepared: Prepared) -> None:
        if len(query) <= MAX_CACHED_QUERY_CHARS:
            self._cache[query] = prepared
            if len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLError as error:
            return Prepared(None, [self._parse_error(error)])
        try:
            analysis = CostAnalyser(self.schema, document, self.limits).run()
        except RecursionError:
            error = GraphQLError(
                "The document nests fragments too deeply.", extensions={"code": "QUERY_TOO_DEEP"}
            )
            return Prepared(None, [error])
        errors = self._limit_errors(analysis, deferrable=True)
        recheck = analysis.used_upper_bound and any(
            op.cost > self.limits.max_cost for op in analysis.operations
        )
        if errors:
            return Prepared(None, errors)
        errors = [
            with_code(error)
            for error in validate(
                self.schema, document, self.rules, hide_suggestions=self.hide_suggestions
            )
        ]
        if errors:
            return Prepared(None, errors)
        return Prepared(document, [], analysis, recheck)

    def _parse_error(self, error: GraphQLError) -> GraphQLError:
        message = error.message
        if "tokens" in message and "Parsing aborted" in message:
            return coded(error, "TOO_MANY_TOKENS", limit=self.settings.max_tokens)
        if "nested too deeply" in message:
            return coded(error, "QUERY_TOO_DEEP")
        return with_code(error)

    def _limit_errors(self, analysis: Analysis, *, deferrable: bool) -> list[GraphQLError]:
        """One error per limit exceeded, by the worst operation; the cost error is left for
        `check_request` when it may be an artefact of unknown variables (`deferrable`)."""
        limits = self.limits
        errors: list[GraphQLError] = []
        if not analysis.operations:
            return list(analysis.input_errors)
        depth = max(op.depth for op in analysis.operations)
        aliases = max(op.aliases for op in analysis.operations)
        directives = max(op.directives for op in analysis.operations)
        fields = max(op.fields for op in analysis.operations)
        cost = max(op.cost for op in analysis.operations)
        if depth > limits.max_depth:
            errors.append(
                limit_error(
                    "QUERY_TOO_DEEP",
                    f"The query is {depth} fields deep; the limit is {limits.max_depth}.",
                    depth,
                    limits.max_depth,
                )
            )
        if aliases > limits.max_aliases:
            errors.append(
                limit_error(
                    "TOO_MANY_ALIASES",
                    f"The query has {aliases} aliases (fragments expanded); the limit is"
                    f" {limits.max_aliases}.",
                    aliases,
                    limits.max_aliases,
                )
            )
        if directives > limits.max_directives:
            errors.append(
                limit_error(
                    "TOO_MANY_DIRECTIVES",
                    f"The query has {directives} directives (fragments expanded); the limit is"
                    f" {limits.max_directives}.",
                    directives,
                    limits.max_directives,
                )
            )
        if fields > limits.max_fields:
            errors.append(
                limit_error(
                    "TOO_MANY_FIELDS",
                    f"The query selects {fields} fields (fragments expanded); the limit is"
                    f" {limits.max_fields}.",
                    fields,
                    limits.max_fields,
                )
            )
        if cost > limits.max_cost and not (deferrable and analysis.used_upper_bound and not errors):
            errors.append(cost_error(cost, limits.max_cost))
        return errors + analysis.input_errors

    def check_request(
        self, prepared: Prepared, variables: dict[str, Any] | None
    ) -> list[GraphQLError]:
        """Checks that depend on this request's variables; [] when it may run."""
        analysis = prepared.analysis
        if analysis is None:
            return []
        errors: list[GraphQLError] = []
        if variables:
            error = list_too_long(variables, self.limits.max_input_list_length)
            if error is not None:
                errors.append(error)
            limit = self.limits.max_page_size
            for name, where in analysis.page_variables.items():
                value = variables.get(name)
                if isinstance(value, int) and not 0 <= value <= limit:
                    errors.append(
                        coded(
                            GraphQLError(f"{where} (${name}) must be between 0 and {limit}."),
                            "BAD_USER_INPUT",
                            field=name,
                        )
                    )
        if errors or not prepared.recheck_cost:
            return errors
        assert prepared.document is not None
        exact = CostAnalyser(self.schema, prepared.document, self.limits, variables or {}).run()
        cost = max(op.cost for op in exact.operations)
        if cost > self.limits.max_cost:
            errors.append(cost_error(cost, self.limits.max_cost))
        return errors

    def coerce_variables(
        self, document: DocumentNode, operation_name: str | None, variables: dict[str, Any]
    ) -> list[GraphQLError]:
        """Variable coercion errors without suggestions (Strawberry's path cannot ask
        graphql-core's execute to hide them)."""
        operation = get_operation_ast(document, operation_name)
        if not isinstance(operation, OperationDefinitionNode):
            return []
        coerced = get_variable_values(
            self.schema,
            operation.variable_definitions or (),
            variables,
            max_errors=50,
            hide_suggestions=True,
        )
        return [with_code(error) for error in coerced] if isinstance(coerced, list) else []


_REFUSED = "scanbase_refused"


def refused(context: Any) -> bool:
    """The gate refused this operation (Strawberry's path): metrics then say "unknown" for its
    type, as the lean path does."""
    return getattr(context, _REFUSED, False)


def cost_error(cost: int, limit: int) -> GraphQLError:
    return limit_error(
        "QUERY_TOO_COMPLEX",
        f"The query may return up to {cost} values (each list counted at its page size); the"
        f" limit is {limit}. Ask for fewer fields or smaller pages.",
        cost,
        limit,
    )


class QueryLimits(SchemaExtension):
    """The gate on Strawberry's path: parse and validation replaced by `QueryGate`'s cached
    ones, then the per-request checks; built per request (`factory`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.prepared: Prepared | None = None

    @classmethod
    def factory(cls, settings: Settings) -> Any:
        return lambda: cls(settings)

    def _gate(self) -> QueryGate:
        return QueryGate.for_schema(self.execution_context.schema._schema, self.settings)

    async def on_parse(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            self.prepared = await self._gate().prepare_async(context.query)
            context.graphql_document = self.prepared.document or _PLACEHOLDER
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        prepared = self.prepared
        if prepared is not None:
            gate = self._gate()
            errors = prepared.errors or gate.check_request(prepared, context.variables)
            if not errors and gate.hide_suggestions and context.variables:
                assert prepared.document is not None
                errors = gate.coerce_variables(
                    prepared.document, context.operation_name, context.variables
                )
            # A list, even empty: Strawberry then skips its own (uncached) validation.
            context.pre_execution_errors = list(errors)
            if errors:
                setattr(context, _REFUSED, True)
        yield
