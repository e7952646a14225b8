// The contract checks of the api3 profile against the api3 reference: every
// case passes with no warning (no false alarm against a correct server), the
// cases reach every api3 endpoint, the WebSocket included, and every api3
// requirement a contract case can observe has one. And correct servers that
// differ from the reference where no client can care (the original's text/plain
// and `expiration: null`, late frames, frames no client knows, sockets cut
// without a close frame) pass too.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { requirementsOf } from "../../spec/index.js";
import { rewriteResponses } from "../src/broken/wrappers.js";
import { contractChecks } from "../src/checks/index.js";
import type { RunResult } from "../src/model/result.js";
import { formatTerminalReport } from "../src/report/terminal.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";
import { correctNotificationHubs } from "./fixtures/api3-correct-notifications.js";

const api3Contract = casesOf("api3").filter((check) => contractChecks.includes(check));

let server: ReferenceServer;
let run: RunResult;

beforeAll(async () => {
  server = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  run = await runChecks(api3Contract, { profile: "api3", baseUrl: server.url });
}, 120_000);
afterAll(() => server.close());

test("every api3 contract case passes against the api3 reference, without warnings", () => {
  const findings = run.results.flatMap((r) => r.findings.map((f) => `${r.id}: ${f.requirement} ${f.message}`));
  expect(findings).toEqual([]);
  expect(run.profile).toBe("api3");
  expect(run.totals).toMatchObject({ checks: api3Contract.length, passed: api3Contract.length, warned: 0, failed: 0 });
  expect(run.exitCode).toBe(0);
});

test("the cases talk api3: every request is under /api/3, every api3 endpoint is reached, the WebSocket upgraded", () => {
  const exchanges = run.results.flatMap((r) => r.exchanges);
  expect(exchanges.length).toBeGreaterThan(500);
  expect(exchanges.every((e) => e.response !== undefined)).toBe(true);
  expect(exchanges.filter((e) => !e.request.path.startsWith("/api/3/")).map((e) => e.request.path)).toEqual([]);
  const reached = new Set(exchanges.map((e) => `${e.request.method} ${e.request.path.split("?")[0]} ${e.response?.status}`));
  for (const expected of [
    "GET /api/3/client-salt-seed 200",
    "GET /api/3/client-salt-seed 404",
    "POST /api/3/password 200",
    "POST /api/3/password 409",
    "GET /api/3/websocket 101",
    "GET /api/3/websocket 401",
  ]) {
    expect([...reached]).toContain(expected);
  }
});

test("the seed profile's parts are left out: no case expects an echo, a wallet in a 409 or a `version`", () => {
  const ids = api3Contract.map((check) => check.id);
  expect(ids.filter((id) => /^(SEQ-4|SEQ-7|CLIENT-3)\//.test(id))).toEqual([]);
  expect(ids).not.toContain("VAL-2/version-not-1");
  expect(ids).toContain("VAL-2/bad-values");
  const posts = run.results.flatMap((r) => r.exchanges).filter((e) => e.request.method === "POST" && e.request.path === "/api/3/wallet");
  expect(posts.filter((e) => e.response?.status === 200 && /"version"/.test(e.request.body ?? ""))).toEqual([]);
});

test("the terminal report lists as unchecked only requirements that bind api3", () => {
  const report = formatTerminalReport(run, { registry: casesOf("api3") });
  const unchecked = /No check in this suite for: (.*)/.exec(report)?.[1]?.split(", ") ?? [];
  expect(unchecked).toContain("TOKEN-6");
  expect(unchecked).not.toContain("SEQ-4");
  expect(unchecked).not.toContain("SEQ-7");
});

test("every api3 requirement of a server that a contract case can observe has one", () => {
  const checked = new Set(api3Contract.map((check) => check.requirement));
  const api3Only = requirementsOf("api3").filter((r) => r.party === "server" && r.profiles.length === 1);
  expect(api3Only.map((r) => r.id).filter((id) => !checked.has(id))).toEqual([]);
  expect(api3Only.map((r) => r.id)).toEqual(expect.arrayContaining(["SALT-1", "SALT-2", "SIGNUP-5", "VAL-5", "PASS-1", "PASS-5", "NOTIFY-1", "NOTIFY-4"]));
});

/** The original's wire: every body as text/plain, its own error wording, a token body with `expiration: null`. */
const originalWire = rewriteResponses((request, answer) => {
  const body = typeof answer.body === "object" && answer.body !== null ? (answer.body as Record<string, unknown>) : undefined;
  const headers = { "content-type": "text/plain; charset=utf-8" };
  if (answer.status >= 400 && body) return { ...answer, headers, body: { error: `Refused (${answer.status}): see the docs` } };
  if (request.url?.startsWith("/api/3/auth/full") && answer.status === 200 && body) return { ...answer, headers, body: { ...body, expiration: null } };
  return { ...answer, headers };
});

const api3Variants: Record<string, { should: readonly string[]; options: Parameters<typeof startReferenceServer>[0] }> = {
  "original-wire": { should: ["HTTP-3", "AUTH-5"], options: { wrapHandler: originalWire } },
  ...Object.fromEntries(
    Object.entries(correctNotificationHubs).map(([name, hub]) => [name, { should: [], options: { notifications: hub() } }]),
  ),
};

describe.each(Object.entries(api3Variants))("a correct api3 server: %s", (_name, variant) => {
  test(`passes; with --strict fails only in the cases owning ${variant.should.join(", ") || "nothing"}`, async () => {
    const variantServer = await startReferenceServer({ scryptCost: 64, protocol: "api3", onError: () => undefined, ...variant.options });
    try {
      const strict = await runChecks(api3Contract, { profile: "api3", baseUrl: variantServer.url, strict: true, concurrency: 8 });
      const must = strict.results.flatMap((r) => r.findings.filter((f) => f.level === "MUST").map((f) => `${r.id}: ${f.message}`));
      expect(must).toEqual([]);
      expect(strict.results.filter((r) => r.error !== undefined).map((r) => `${r.id}: ${r.error}`)).toEqual([]);
      const owners = variant.should.map((requirement) => api3Contract.find((c) => c.requirement === requirement)?.id);
      expect(strict.results.filter((r) => r.verdict === "failed").map((r) => r.id).sort()).toEqual(owners.sort());
    } finally {
      await variantServer.close();
    }
  }, 120_000);
});
