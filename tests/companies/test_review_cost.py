"""Review of issue 13: fixed-length lists (a forecast's points and intervals) are priced at
their declared largest length (`max_items`), not at the default page size."""

from __future__ import annotations

from graphql import parse

from schema.build import schema
from schema.core.cost import CostAnalyser, Limits
from schema.core.limits import DEFAULT_PAGE_SIZE
from server.companies.forecasts import MAX_HORIZON, MAX_LEVELS
from server.settings import get_settings

FORECASTS = """
query F($id: ID!, $first: Int) {
  company(id: $id) {
    forecasts(first: $first) {
      edges { node { productId model
        points { period mean intervals { level lo hi } } } }
    }
  }
}"""


def cost(document: str, variables: dict[str, object]) -> int:
    settings = get_settings()
    limits = Limits(
        max_cost=settings.max_query_cost,
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_fields=settings.max_fields,
        max_directives=settings.max_directives,
        max_page_size=settings.max_page_size,
        default_page_size=min(DEFAULT_PAGE_SIZE, settings.max_page_size),
        max_input_list_length=settings.max_input_list_length,
    )
    graphql_schema = schema._schema
    return CostAnalyser(graphql_schema, parse(document), limits, variables).run().operations[0].cost


def test_forecast_points_and_intervals_are_priced_at_their_declared_lengths() -> None:
    # given: the largest forecast: 104 points with 4 interval levels each
    horizon, levels = max(MAX_HORIZON.values()), MAX_LEVELS
    point = 1 + 2 + levels * (1 + 3)  # the point, period and mean, its intervals
    node = 2 + horizon * point  # productId, model, the points
    # when: 20 products' forecasts are priced
    priced = cost(FORECASTS, {"id": "x", "first": 20})
    # then: the upper bound is exact (company, forecasts, 20 edges of a node), under the limit
    assert priced == 1 + 1 + 20 * (1 + 1 + node)
    assert priced <= get_settings().max_query_cost
