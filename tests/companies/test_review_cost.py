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


FIRST_POINTS = """
query F($id: ID!) {
  company(id: $id) {
    forecasts(first: 50) {
      edges { node { productId model
        points(first: 8) { period mean intervals { level lo hi } } } }
    }
  }
}"""


def test_fifty_products_forecasts_fit_when_asking_the_periods_wanted() -> None:
    # given: 50 products' forecasts, 8 periods each, 4 levels at most
    point = 1 + 2 + MAX_LEVELS * (1 + 3)
    # when / then: priced at 8 points each (the declared 104 caps a larger `first`)
    assert cost(FIRST_POINTS, {"id": "x"}) == 1 + 1 + 50 * (1 + 1 + 2 + 8 * point)
    assert cost(FIRST_POINTS, {"id": "x"}) <= get_settings().max_query_cost
    # while all 104 periods of 50 products are honestly beyond the limit
    assert cost(FORECASTS, {"id": "x", "first": 50}) > get_settings().max_query_cost


async def test_points_first_returns_the_first_periods(gql):
    from datetime import date, timedelta

    from schema.core.relay import global_id
    from tests.companies.factories import make_company, make_forecast, make_product
    from tests.conftest import data_of
    from tests.factories import make_user

    alice = await make_user()
    company = await make_company(alice)
    points = [
        {"period": (date(2030, 1, 7) + timedelta(weeks=w)).isoformat(), "mean": float(w),
         "lo": {"80": 0.0}, "hi": {"80": 9.0}}
        for w in range(10)
    ]  # fmt: skip
    await make_forecast(await make_product(company), points, levels=(80,))
    query = FIRST_POINTS.replace("first: 8", "first: 3")
    page = data_of(await gql(query, {"id": global_id("Company", company.id)}, token=alice.token))
    [edge] = page["company"]["forecasts"]["edges"]
    assert [p["mean"] for p in edge["node"]["points"]] == [0.0, 1.0, 2.0]
    assert edge["node"]["points"][0]["intervals"] == [{"level": 80, "lo": 0.0, "hi": 9.0}]
