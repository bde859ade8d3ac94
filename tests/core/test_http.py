"""The HTTP surface: bad requests get clear JSON errors (never a 500), health, metrics, headers."""

from __future__ import annotations

import json
import logging

from server.logging_setup import JsonFormatter, scrub
from tests.conftest import data_of
from tests.factories import PASSWORD, make_user


async def test_malformed_json_is_a_400_with_a_json_error(client):
    response = await client.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Unable to parse request body as JSON"


async def test_wrong_content_type_is_refused(client):
    response = await client.post(
        "/graphql", content=b"query { me { id } }", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_10_mb_body_is_refused_before_parsing(client):
    body = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * 10_000_000}}).encode()
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_a_chunked_oversized_body_is_refused_too(client):
    async def chunks():
        yield b'{"query": "{ __typename }", "variables": {"x": "'
        for _ in range(20):
            yield b"a" * 100_000
        yield b'"}}'

    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_unknown_operation_name_is_a_clear_400(client):
    response = await client.post(
        "/graphql", json={"query": "query A { __typename }", "operationName": "B"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == 'Unknown operation named "B".'


async def test_a_subscription_over_plain_http_is_a_clear_error(client):
    # given: a subscription POSTed as JSON (SPAs subscribe over the websocket instead)
    query = 'subscription { jobUpdated(id: "Sm9iOjE=") { status } }'
    # when
    response = await client.post("/graphql", json={"query": query})
    # then: a 400 that says where subscriptions are served (it was a masked 500-like error)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "websocket" in error["message"]


async def test_syntax_error_and_unknown_field_are_graphql_errors(gql):
    syntax = await gql("{ me { ")
    unknown = await gql("{ nope }")
    assert "Syntax Error" in syntax["errors"][0]["message"]
    assert "Cannot query field 'nope'" in unknown["errors"][0]["message"]


async def test_get_serves_graphiql_to_browsers(client):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_reports_database_and_version(client):
    response = await client.get("/health")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["version"]
    ping = await client.get("/health/ping")
    assert (ping.status_code, ping.text) == (200, "ok")


async def test_security_headers_and_request_id(client):
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc12345-req"}
    )
    assert response.headers["x-request-id"] == "abc12345-req"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    generated = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "bad id!"}
    )
    assert len(generated.headers["x-request-id"]) == 32


async def test_cors_allows_only_listed_origins(app, settings, monkeypatch):
    from server.http import HttpMiddleware

    middleware = HttpMiddleware(
        app, cors_origins=["https://app.example.com"], max_body_bytes=1000, max_multipart_bytes=1000
    )
    import httpx

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=middleware), base_url="http://t"
    ) as http:
        headers = {"origin": "https://app.example.com", "access-control-request-method": "POST"}
        allowed = await http.options("/graphql", headers=headers)
        denied = await http.options(
            "/graphql", headers={**headers, "origin": "https://evil.example"}
        )
        simple = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"origin": "https://app.example.com"},
        )
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
    assert "x-api-key" in allowed.headers["access-control-allow-headers"]
    assert denied.status_code == 403
    assert "access-control-allow-origin" not in denied.headers
    assert simple.headers["access-control-allow-origin"] == "https://app.example.com"


async def test_metrics_count_operations_by_name_and_outcome(client, gql):
    def sample(text: str, operation: str, outcome: str) -> float:
        for line in text.splitlines():
            if (
                line.startswith("scanbase_graphql_requests_total{")
                and f'operation="{operation}"' in line
                and f'outcome="{outcome}"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    before = (await client.get("/metrics")).text
    await gql("query MetricsProbe { __typename }", operation_name="MetricsProbe")
    await gql("query MetricsProbe { __typename }", operation_name="MetricsProbe")
    await gql("query MetricsProbe { nope }", operation_name="MetricsProbe")
    after = (await client.get("/metrics")).text
    assert sample(after, "MetricsProbe", "ok") - sample(before, "MetricsProbe", "ok") == 2
    assert sample(after, "MetricsProbe", "error") - sample(before, "MetricsProbe", "error") == 1
    assert 'scanbase_graphql_duration_seconds_bucket{le="0.005",operation="MetricsProbe"}' in after
    assert 'scanbase_http_requests_total{route="/graphql",status="200"}' in after


def test_scrub_removes_passwords_tokens_and_keys():
    line = (
        '{"password": "hunter2-secret", "refreshToken":"r3fr3sh"} Authorization: Bearer eyJabc.def.ghi '
        "key=sbk_0123abcd_SeCrEt-value token=abc"
    )
    cleaned = scrub(line)
    for secret in ("hunter2-secret", "r3fr3sh", "eyJabc.def.ghi", "SeCrEt-value"):
        assert secret not in cleaned
    assert cleaned.count("[REDACTED]") >= 4


async def test_logs_of_a_login_never_contain_the_password_or_tokens(gql, caplog):
    # given
    account = await make_user()
    caplog.set_level(logging.DEBUG)
    # when: a login, a failed login, and a request that logs the body of an unexpected error
    login = data_of(
        await gql(
            "mutation L($i: LoginInput!) { login(input: $i) { accessToken refreshToken } }",
            {"i": {"email": account.email, "password": PASSWORD}},
        )
    )["login"]
    await gql(
        "mutation L($i: LoginInput!) { login(input: $i) { accessToken } }",
        {"i": {"email": account.email, "password": "wrong-" + PASSWORD}},
    )
    logging.getLogger("scanbase.test").warning("payload was %s", json.dumps({"password": PASSWORD}))
    # then
    formatted = "\n".join(JsonFormatter().format(record) for record in caplog.records)
    assert formatted  # something was logged
    for secret in (PASSWORD, login["accessToken"], login["refreshToken"]):
        assert secret not in formatted
    for line in formatted.splitlines():
        assert json.loads(line)["request_id"]
