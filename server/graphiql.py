"""GraphiQL served entirely from this package, so it works on a machine without internet.

Strawberry's own page loads React and GraphiQL from a CDN (blank offline, and a third party's
scripts on the API's origin). Here the page, its bootstrap script and the pinned assets all come
from `/graphiql/` (server/static/graphiql, with their licenses and versions in its README), and
the page's Content-Security-Policy allows nothing but this origin: no inline script, no CDN.
Styles allow 'unsafe-inline' because GraphiQL's editor sets inline styles.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
ASSETS_PATH = "/graphiql"

# 'self' covers ws:// and wss:// of the same host and port in current browsers (CSP Level 3).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

PAGE = f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>Scanbase GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{ASSETS_PATH}/graphiql.min.css">
    <link rel="stylesheet" href="{ASSETS_PATH}/page.css">
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
    <script src="{ASSETS_PATH}/react.production.min.js"></script>
    <script src="{ASSETS_PATH}/react-dom.production.min.js"></script>
    <script src="{ASSETS_PATH}/graphiql.min.js"></script>
    <script src="{ASSETS_PATH}/init.js"></script>
  </body>
</html>
"""


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"content-security-policy": CSP})


def graphiql_assets() -> StaticFiles:
    """The ASGI app serving the assets under ASSETS_PATH."""
    return StaticFiles(directory=ASSETS_DIR)
