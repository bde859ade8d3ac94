"""The GraphQL schema: Query, Mutation and Subscription assembled from each domain."""

from schema.build import build_schema, schema

__all__ = ["build_schema", "schema"]
