// The suite never crashes on what a server sends: against a server that
// answers nonsense, drops connections and stalls, every check ends with a
// verdict and none of them stops with an exception.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";

const answers: Array<(response: import("node:http").ServerResponse) => void> = [
  (r) => r.socket?.destroy(),
  (r) => r.writeHead(200, { "content-type": "application/json" }).end("garbage{"),
  (r) => r.writeHead(200).end("[]"),
  (r) => r.writeHead(200).end("null"),
  (r) => r.writeHead(200).end('{"token": 7, "encryptedWallet": null, "sequence": "x"}'),
  (r) => r.writeHead(409).end('{"version": 1, "sequence": -1}'),
  (r) => r.writeHead(500).end(),
  (r) => r.writeHead(204).end(),
  (r) => r.writeHead(201).end(`{"token":"${"a".repeat(64)}"}`),
  (r) => r.writeHead(200).end(JSON.stringify({ version: 1, encryptedWallet: "-", sequence: 1, hmac: "x".repeat(64) })),
  () => undefined, // never answers
];

let server: Server;
let url: string;

beforeAll(async () => {
  let next = 0;
  server = createServer((request, response) => {
    request.resume();
    answers[next++ % answers.length]!(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

test("every check ends with a verdict, none with an exception", async () => {
  const run = await runChecks(casesOf("seed"), { baseUrl: url, timeoutMs: 200, concurrency: 16 });
  expect(run.exitCode).toBe(1);
  expect(run.results.filter((r) => r.error !== undefined).map((r) => `${r.id}: ${r.error}`)).toEqual([]);
  // Blocked: a set-up step (a signup, a login) that the case owning it reports.
  expect(run.results.every((r) => ["failed", "warned", "passed", "blocked", "not-exercised"].includes(r.verdict))).toBe(true);
}, 30_000);
