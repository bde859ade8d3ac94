// GraphiQL in a real browser (Chromium through playwright-core) with the outside network cut
// off: every request to another host is aborted and recorded. Runs `{ __typename }` and a
// `jobUpdated` subscription (over the websocket, credentials from the headers editor) by clicking
// GraphiQL's run button, and prints one JSON object with what the result pane showed.
// Usage: node graphiql_browser.mjs <http base of the API> <access token> <job global id>
import { chromium } from "playwright-core";

const [base, token, jobId] = process.argv.slice(2);
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const local = new Set([new URL(base).hostname, "localhost", "127.0.0.1"]);

const blocked = [];
const problems = [];
const browser = await chromium.launch({
  executablePath,
  headless: true,
  // As root in a container, without the sandbox; no background traffic to Google's hosts.
  args: [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  const context = await browser.newContext();
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || local.has(url.hostname)) return route.continue();
    blocked.push(route.request().url());
    return route.abort("internetdisconnected");
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => {
    problems.push(`requestfailed: ${request.url()} ${request.failure()?.errorText}`);
  });

  async function run(query, headers) {
    const params = new URLSearchParams({ q: query });
    if (headers) params.set("headers", JSON.stringify(headers));
    await page.goto(`${base}/graphql?${params}`, { waitUntil: "load" });
    // GraphiQL's editors load lazily: run once the query is in the editor.
    const editor = page.locator(".graphiql-query-editor .CodeMirror-code");
    await editor.filter({ hasText: query.split(" ")[0] }).waitFor({ timeout: 30000 });
    await page.locator(".graphiql-execute-button").click({ timeout: 30000 });
    await page.waitForFunction(
      () => /"data"|"errors"/.test(document.querySelector(".result-window")?.innerText || ""),
      null,
      { timeout: 30000 },
    );
    const text = await page.locator(".result-window").innerText();
    await page.waitForLoadState("networkidle"); // let the schema fetch end before navigating
    return text;
  }

  const rendered = await page
    .goto(`${base}/graphql`, { waitUntil: "load" })
    .then(() => page.locator(".graphiql-container .graphiql-query-editor").waitFor({ timeout: 30000 }))
    .then(() => page.waitForLoadState("networkidle"))
    .then(() => true, (error) => (problems.push(`render: ${error.message}`), false));
  const query = await run("{ __typename }");
  const subscription = await run(
    `subscription { jobUpdated(id: "${jobId}") { id status progress } }`,
    { Authorization: `Bearer ${token}` },
  );
  console.log(JSON.stringify({ rendered, query, subscription, blocked, problems }));
} finally {
  await browser.close();
}
