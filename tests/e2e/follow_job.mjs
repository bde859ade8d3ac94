// What a single-page app does: upload a file with extractText on one API replica (multipart, with
// the preflight header), then follow the job over graphql-transport-ws on another replica.
// Prints one JSON line per event: {"event": "subscribed" | "update" | "complete" | "error", ...}.
// Usage: node follow_job.mjs <http base of API 1> <ws url of API 2> <access token> <image path>
import { readFile } from "node:fs/promises";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [httpBase, wsUrl, token, imagePath] = process.argv.slice(2);
const say = (event, data = {}) => console.log(JSON.stringify({ event, ...data }));

const mutation = `mutation Extract($input: ExtractTextInput!) {
  extractText(input: $input) { job { id status } errors { code message } }
}`;
const form = new FormData();
form.append("operations", JSON.stringify({ query: mutation, variables: { input: { file: null } } }));
form.append("map", JSON.stringify({ 0: ["variables.input.file"] }));
form.append("0", new Blob([await readFile(imagePath)], { type: "image/png" }), "receipt.png");
const response = await fetch(`${httpBase}/graphql`, {
  method: "POST",
  headers: { Authorization: `Bearer ${token}`, "graphql-preflight": "1" },
  body: form,
});
const body = await response.json();
if (!body.data || body.data.extractText.errors.length) {
  say("error", { body });
  process.exit(2);
}
const jobId = body.data.extractText.job.id;
say("created", { jobId });

const client = createClient({
  url: wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
const query = `subscription Follow($id: ID!) {
  jobUpdated(id: $id) { id status progress stage attempts result error { code message } }
}`;
let first = true;
const timer = setTimeout(() => { say("error", { message: "timeout" }); process.exit(3); }, 180000);
client.subscribe(
  { query, variables: { id: jobId } },
  {
    next: (message) => {
      if (first) { say("subscribed"); first = false; }
      say("update", { data: message.data, errors: message.errors });
    },
    error: (error) => { say("error", { message: String(error && (error.message || error.reason || JSON.stringify(error))) }); process.exit(4); },
    complete: () => { clearTimeout(timer); say("complete"); client.dispose(); },
  },
);
