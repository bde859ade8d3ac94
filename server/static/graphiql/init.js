// Scanbase's GraphiQL bootstrap (served from /graphiql/, no inline script: see server/graphiql.py).
// URL parameters prefill the editors: ?q=<query>&variables=<json>&headers=<json>. Headers (e.g.
// {"Authorization": "Bearer <token>"}) go with every HTTP request and, for subscriptions, in the
// websocket's connection_init payload, where the API reads credentials.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var url = window.location.origin + window.location.pathname;
  var subscriptionUrl = url.replace(/^http/, "ws");
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });

  var EXAMPLE = [
    "# Scanbase GraphQL API. Ctrl-Enter runs the query; Ctrl-Space completes.",
    "# Signed-in queries need a header (bottom pane): {\"Authorization\": \"Bearer <token>\"}",
    "",
    "{",
    "  __typename",
    "}",
    "",
  ].join("\n");

  function App() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      query: params.get("q") || undefined,
      variables: params.get("variables") || undefined,
      headers: params.get("headers") || undefined,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: Boolean(params.get("variables") || params.get("headers")),
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
