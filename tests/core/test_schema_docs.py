"""Every type, field, argument, enum value and mutation of the public schema is described, so
GraphiQL's docs explain the whole API (issue 10, item 23). A new field without a description fails
here, naming it."""

from __future__ import annotations

from enum import Enum

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)

from schema import schema

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(graphql_schema: GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, gql_type in graphql_schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not (gql_type.description or "").strip():
            missing.append(f"type {name}")
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gql_type.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"field {name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not (arg.description or "").strip():
                        missing.append(f"argument {name}.{field_name}({arg_name})")
        elif isinstance(gql_type, GraphQLEnumType):
            for value_name, value in gql_type.values.items():
                if not (value.description or "").strip():
                    missing.append(f"enum value {name}.{value_name}")
        elif not isinstance(gql_type, GraphQLScalarType | GraphQLUnionType):
            raise AssertionError(f"unexpected kind of type {name}")
    return missing


def test_every_schema_element_has_a_description() -> None:
    missing = undescribed(schema._schema)
    assert missing == [], f"{len(missing)} schema elements lack a description:\n" + "\n".join(
        missing
    )


@strawberry.enum(description="A colour.")
class Colour(Enum):
    RED = "red"


@strawberry.type(description="The probe's root.")
class Probe:
    @strawberry.field(description="Echoes its argument.")
    def echo(self, x: int) -> int:
        return x

    @strawberry.field
    def colour(self) -> Colour:
        return Colour.RED


def test_the_walk_names_each_kind_of_undescribed_element() -> None:
    missing = undescribed(strawberry.Schema(query=Probe)._schema)
    assert sorted(missing) == [
        "argument Probe.echo(x)",
        "enum value Colour.RED",
        "field Probe.colour",
    ]
