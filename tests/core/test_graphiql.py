"""GraphiQL works offline: its page names no other origin, every asset it loads is served here
(with a license beside it), and its CSP allows nothing but this origin. The real browser run
(rendering, a query and a subscription with the outside network blocked) is in
tests/e2e/test_graphiql_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

from server.app import create_app
from server.graphiql import ASSETS_DIR

URL_RE = re.compile(r"(?:https?:|wss?:)?//[a-z0-9.-]+", re.I)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            self.inline_scripts += 1
        for name in ("src", "href"):
            if values.get(name):
                self.links.append(values[name] or "")


async def _page(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response


async def test_the_page_and_its_scripts_name_no_other_origin(client):
    # when
    page = await _page(client)
    parser = _Links()
    parser.feed(page.text)
    # then: every link is a path on this server (or inline data), and no script is inline
    assert parser.inline_scripts == 0
    assets = [link for link in parser.links if not link.startswith("data:")]
    assert sorted(assets) == [
        "/graphiql/graphiql.min.css",
        "/graphiql/graphiql.min.js",
        "/graphiql/init.js",
        "/graphiql/page.css",
        "/graphiql/react-dom.production.min.js",
        "/graphiql/react.production.min.js",
    ]
    assert URL_RE.findall(page.text) == []
    # and each is served, as what it is
    for path in assets:
        asset = await client.get(path)
        assert asset.status_code == 200, path
        kind = "text/css" if path.endswith(".css") else "javascript"
        assert kind in asset.headers["content-type"], path
    init = (await client.get("/graphiql/init.js")).text
    assert URL_RE.findall(init) == []


async def test_the_page_allows_only_its_own_origin(client):
    csp = (await _page(client)).headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["frame-ancestors"] == "'none'"
    assert not URL_RE.search(csp)


def test_every_shipped_asset_has_its_license_and_pinned_version():
    names = {p.name for p in ASSETS_DIR.iterdir()}
    readme = (ASSETS_DIR / "README.md").read_text()
    for package, asset in (
        ("react", "react.production.min.js"),
        ("react-dom", "react-dom.production.min.js"),
        ("graphiql", "graphiql.min.js"),
    ):
        assert asset in names
        assert "MIT License" in (ASSETS_DIR / f"LICENSE.{package}.txt").read_text()
        assert re.search(rf"`{re.escape(package)}@\d+\.\d+\.\d+`", readme), package


async def test_without_graphiql_neither_page_nor_assets_are_served(settings):
    app = create_app(settings.model_copy(update={"graphiql": False}), init_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        asset = await http.get("/graphiql/graphiql.min.js")
    assert "text/html" not in page.headers.get("content-type", "")
    assert asset.status_code == 404
