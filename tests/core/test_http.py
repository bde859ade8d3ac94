"""The HTTP surface: bad requests get clear JSON errors (never a 500), health, metrics, headers."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
import pytest_asyncio
import uvicorn
import websockets
from websockets.typing import Origin, Subprotocol

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


@pytest.mark.parametrize(
    "text",
    [
        "POST /graphql 200",
        "GET /files/abc 404",
        "PASSWORD=hunter2",
        "x-api-key: sbk_0a1b_secretvalue",
        "AUTHORIZATION: BEARER abc.def",
        "refreshtoken: r3fr3sh",
        "jwt eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl",
        "\u017fecret=abc",  # long s: the patterns ignore case as Unicode does
        "authori\u0131ation: x",  # dotless i
        "\u212aey sbk_00_x",  # Kelvin sign
        "caf\u00e9 password=p\u00e4ss",
    ],
)
def test_scrub_skips_only_text_the_patterns_cannot_match(text):
    from server.logging_setup import _SECRET_PATTERNS

    expected = text
    for pattern in _SECRET_PATTERNS:
        expected = pattern.sub(r"\1[REDACTED]" if pattern.groups else "[REDACTED]", expected)
    assert scrub(text) == expected


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


# --- CORS for Apollo Client / urql, websockets from the CORS origins --------------------------

APP_ORIGIN = "https://app.example.com"


def _middleware(app, **options):
    from server.http import HttpMiddleware

    defaults = {"cors_origins": [APP_ORIGIN], "max_body_bytes": 1000, "max_multipart_bytes": 1000}
    return HttpMiddleware(app, **{**defaults, **options})


@pytest.mark.parametrize(
    "header",
    [
        "apollo-require-preflight",
        "x-apollo-operation-name",
        "apollographql-client-name",
        "apollographql-client-version",
        "graphql-preflight",
        "content-type",
        "authorization",
    ],
)
async def test_a_preflight_allows_what_apollo_client_and_urql_send(app, header):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=_middleware(app)), base_url="http://t"
    ) as http:
        response = await http.options(
            "/graphql",
            headers={
                "origin": APP_ORIGIN,
                "access-control-request-method": "POST",
                "access-control-request-headers": header,
            },
        )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == APP_ORIGIN
    allowed = {h.strip() for h in response.headers["access-control-allow-headers"].split(",")}
    assert header in allowed


async def test_cors_origins_match_as_browsers_send_them(app):
    # given: an origin configured with a default port and capitals; browsers send neither
    middleware = _middleware(app, cors_origins=["https://App.Example.com:443"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=middleware), base_url="http://t"
    ) as http:
        headers = {"origin": APP_ORIGIN, "access-control-request-method": "POST"}
        response = await http.options("/graphql", headers=headers)
    assert (response.status_code, response.headers["access-control-allow-origin"]) == (
        204,
        APP_ORIGIN,
    )


@pytest_asyncio.fixture
async def live_cors_url(app, settings):
    """A second app (sharing the session's database and job runtime) whose CORS_ORIGINS lists
    APP_ORIGIN, served by uvicorn on loopback."""
    from asgi_lifespan import LifespanManager

    from server.app import create_app
    from tests.jobs.conftest import _Server, free_port

    listed = create_app(
        settings.model_copy(update={"cors_origins": [APP_ORIGIN]}), init_database=False
    )
    async with LifespanManager(listed) as manager:
        port = free_port()
        server = _Server(
            uvicorn.Config(
                manager.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
            )
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            assert not task.done(), "uvicorn stopped during startup"
            await asyncio.sleep(0.01)
        try:
            yield f"ws://127.0.0.1:{port}/graphql"
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 10)


async def _ws_init(url: str, origin: str | None) -> dict:
    async with websockets.connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        origin=Origin(origin) if origin else None,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        return json.loads(await asyncio.wait_for(ws.recv(), 5))


async def test_a_websocket_from_a_cors_origin_is_accepted_and_others_refused(live_cors_url):
    # when / then: the origin HTTP allows may subscribe (it got 403 before)
    assert (await _ws_init(live_cors_url, APP_ORIGIN))["type"] == "connection_ack"
    # a non-browser client (no Origin) too
    assert (await _ws_init(live_cors_url, None))["type"] == "connection_ack"
    # any other origin is still refused (cross-site websocket hijacking)
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        await _ws_init(live_cors_url, "https://evil.example")
    assert refused.value.response.status_code == 403


# --- the client address behind trusted proxies ---------------------------------------------


async def _client_seen(peer: str, trusted: list[str], headers: dict[str, str]) -> tuple[str, str]:
    """(Context.ip, the scheme) as the app sees a request from `peer` with `headers`."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse

    from server.context import Context

    async def echo(scope, receive, send):
        context = Context(request=Request(scope), response=None, settings=None)  # type: ignore[arg-type]
        await JSONResponse([context.ip, scope["scheme"]])(scope, receive, send)

    transport = httpx.ASGITransport(
        app=_middleware(echo, trusted_proxies=trusted), client=(peer, 40000)
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        return tuple((await http.get("/", headers=headers)).json())


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # a load balancer in the trusted range: the address it saw is the client
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),
        # a client writing its own X-Forwarded-For cannot choose its address
        ("10.0.0.5", "1.1.1.1, 203.0.113.7", "203.0.113.7"),
        # several trusted hops (CDN, then the balancer) are skipped from the right
        ("10.0.0.5", "203.0.113.7, 10.1.2.3", "203.0.113.7"),
        ("10.0.0.5", "[2001:db8::1]:5555, 10.1.2.3:80", "2001:db8::1"),
        # an untrusted peer's header is ignored
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),
        # only trusted hops: the leftmost
        ("10.0.0.5", "10.9.9.9, 10.1.2.3", "10.9.9.9"),
    ],
)
async def test_the_client_address_is_read_through_trusted_proxies_only(peer, forwarded_for, client):
    ip, _ = await _client_seen(peer, ["10.0.0.0/8"], {"x-forwarded-for": forwarded_for})
    assert ip == client


async def test_forwarded_proto_is_believed_from_a_trusted_proxy_only():
    headers = {"x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https"}
    assert await _client_seen("10.0.0.5", ["10.0.0.0/8"], headers) == ("203.0.113.7", "https")
    assert await _client_seen("192.0.2.1", ["10.0.0.0/8"], headers) == ("192.0.2.1", "http")


def test_a_bad_trusted_proxy_entry_is_refused_at_startup():
    from server.http import TrustedProxies

    with pytest.raises(ValueError, match="not-an-ip"):
        TrustedProxies(["10.0.0.0/8", "not-an-ip"])


async def test_failed_logins_behind_a_balancer_lock_out_one_client_not_everyone(
    app, settings, caplog, monkeypatch
):
    # given: the API behind a load balancer at 10.0.0.5 (trusted), 2 failures allowed per address
    from server.app import create_app
    from server.settings import get_settings

    monkeypatch.setattr(get_settings(), "login_ip_max_failures", 2)
    behind = create_app(
        settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]}), init_database=False
    )
    transport = httpx.ASGITransport(app=behind, client=("10.0.0.5", 40000))
    victim, other = await make_user(), await make_user()
    query = "mutation L($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }"
    caplog.set_level(logging.INFO, logger="scanbase.http")

    async def login(client: str, email: str, password: str) -> dict:
        variables = {"i": {"email": email, "password": password}}
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"x-forwarded-for": client},
        )
        return data_of(response.json())["login"]

    # when: an attacker fails twice against one account, then two clients sign in
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        for _ in range(2):
            await login("203.0.113.66", victim.email, "wrong password 123")
        attacker = await login("203.0.113.66", other.email, PASSWORD)
        bystander = await login("198.51.100.20", other.email, PASSWORD)

    # then: the attacker's address is throttled, the bystander behind the same balancer is not
    assert attacker["accessToken"] is None and attacker["errors"]
    assert bystander["accessToken"] and bystander["errors"] == []
    access = [r.client for r in caplog.records if r.name == "scanbase.http"]
    assert access == ["203.0.113.66"] * 3 + ["198.51.100.20"]


# --- the hot path: JSON POSTs to /graphql skip Starlette's routing ----------------------------


async def test_the_shortcut_serves_only_json_posts_to_graphql_with_every_header_and_cap():
    from server.http import STRICT_CSP, Shortcut

    served: list[str] = []

    def stub(name: str):
        async def app(scope, receive, send):
            served.append(name)
            body = b""
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})

        return app

    def is_json_post(scope) -> bool:
        return scope["method"] == "POST" and dict(scope["headers"]).get(
            b"content-type", b""
        ).startswith(b"application/json")

    middleware = _middleware(
        stub("router"), shortcut=Shortcut("/graphql", is_json_post, stub("lean"))
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=middleware), base_url="http://t"
    ) as http:
        lean = await http.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"origin": APP_ORIGIN, "x-request-id": "lean-path-0001"},
        )
        await http.post("/graphql", content=b"{}", headers={"content-type": "text/plain"})
        await http.get("/graphql")
        await http.post("/graphql/", json={})
        await http.post("/other", json={})
        too_large = await http.post("/graphql", json={"query": "x" * 2000})
    mounted = httpx.ASGITransport(app=middleware, root_path="/api")
    async with httpx.AsyncClient(transport=mounted, base_url="http://t") as http:
        await http.post("/api/graphql", json={})

    assert served == ["lean", "router", "router", "router", "router", "router"]
    assert lean.json() == {"query": "{ __typename }"}
    assert lean.headers["x-request-id"] == "lean-path-0001"
    assert lean.headers["x-frame-options"] == "DENY"
    assert lean.headers["content-security-policy"] == STRICT_CSP[1].decode()
    assert lean.headers["access-control-allow-origin"] == APP_ORIGIN
    assert too_large.status_code == 413


async def test_a_json_body_in_several_messages_is_read_whole(client):
    async def chunks():
        yield b'{"query": "{ __ty'
        yield b""
        yield b'pename }"}'

    response = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))


async def test_the_lean_executor_answers_as_graphql_cores_execute(settings):
    from schema import build_schema
    from schema.core.http_executor import JsonPostExecutor

    schema = build_schema(settings)._schema
    direct, wrapped = JsonPostExecutor(schema, settings), JsonPostExecutor(schema, settings)
    wrapped.direct = False  # graphql-core's `execute`, as a schema with @defer would need
    assert direct.direct
    for query, variables, name in [
        ("{ __typename }", None, None),
        ("query Q($n: Int!) { __typename }", {"n": "not a number"}, None),
        ("query A { __typename } query B { me { id } }", None, "B"),
    ]:
        assert await direct.run(query, variables, name, None) == await wrapped.run(
            query, variables, name, None
        )
