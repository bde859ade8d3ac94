"""Assemble Query, Mutation and Subscription from every domain into one schema."""

from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import Info
from strawberry.types import ExecutionContext

from schema.accounts.mutations import AccountsMutation
from schema.accounts.queries import AccountsQuery
from schema.companies.mutations import CompaniesMutation
from schema.companies.queries import CompaniesQuery
from schema.core.compiled_completion import FastLeafExecutionContext
from schema.core.extensions import log_error, schema_extensions
from schema.core.permissions import Public
from schema.core.relay import Node, resolve_many_nodes, resolve_node
from schema.core.validation import install as install_input_validation
from schema.jobs.mutations import JobsMutation
from schema.jobs.queries import JobsQuery
from schema.jobs.subscriptions import JobsSubscription
from schema.ocr.mutations import OcrMutation
from schema.receipts.mutations import ReceiptsMutation
from schema.receipts.queries import ReceiptsQuery
from server.metrics import operation_label
from server.settings import Settings, get_settings


@strawberry.type
class NodeQuery:
    # Public here and on `nodes`: each Node type's own read rule applies (resolve_many_nodes).
    @strawberry.field(
        permission_classes=[Public()],
        description="Any object by its global id; null if absent or not yours.",
    )
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id, as any `id` field gives.")
        ],
    ) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        permission_classes=[Public()],
        description="Objects by their global ids (at most the maximum page size), in order; "
        "null for each one absent or not yours.",
    )
    async def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Global ids, as `node` takes.")
        ],
    ) -> list[Node | None]:
        return await resolve_many_nodes(info, ids)


# As `strawberry.tools.merge_types` assembles them, with a description for GraphiQL's docs.
@strawberry.type(
    description="Reads. Each field says who may call it; API keys need the scope it names. "
    "Lists are cursor connections (`first`/`after`)."
)
class Query(NodeQuery, AccountsQuery, CompaniesQuery, JobsQuery, ReceiptsQuery):
    pass


@strawberry.type(
    description="Changes. Each takes one `input` and returns a payload whose `errors` list "
    "holds expected failures (nothing was changed); authentication and permission problems "
    "are GraphQL errors with `extensions.code` (UNAUTHENTICATED, FORBIDDEN)."
)
class Mutation(AccountsMutation, CompaniesMutation, JobsMutation, OcrMutation, ReceiptsMutation):
    pass


@strawberry.type(
    description="Live updates over a websocket (graphql-transport-ws on /graphql); "
    "authenticate in the `connection_init` payload."
)
class Subscription(JobsSubscription):
    pass


class ScanbaseSchema(strawberry.Schema):
    """Strawberry's schema, logging each error at its level (`log_error`: a caller's mistake at
    INFO, a bug at ERROR) where Strawberry logs every error at ERROR."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        name = operation_label(execution_context.operation_name if execution_context else None)
        for error in errors:
            log_error(error, name)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    settings = settings or get_settings()
    built = ScanbaseSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=schema_extensions(settings),
        # FAST_EXECUTION=false: graphql-core's own field-by-field completion.
        execution_context_class=FastLeafExecutionContext if settings.fast_execution else None,
    )
    # Every argument of every field goes through the one validation layer (schema/core/validation).
    install_input_validation(built._schema)
    return built


schema = build_schema()
