// A server as deployed behind a gateway (HTTPS with a private certificate,
// a path prefix, a required API key) is checked with --ca or --insecure and
// --header; without them the run says plainly why it cannot go on, and the
// key's value appears in no output.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { runCli } from "../src/cli/main.js";
import { startGateway, type Gateway } from "./support/gateway.js";
import { captured } from "./support/captured-output.js";

const apiKey = { name: "X-Api-Key", value: "s3cret-gateway-key-0042" };
let reference: ReferenceServer;
let gateway: Gateway;
let reports: string;

beforeAll(async () => {
  reference = await startReferenceServer({ scryptCost: 64 });
  gateway = await startGateway({ upstream: reference.url, prefix: "/wallet-sync", header: apiKey });
  reports = mkdtempSync(join(tmpdir(), "wallet-sync-gateway-reports-"));
});
afterAll(async () => {
  await gateway.close();
  await reference.close();
  rmSync(reports, { recursive: true, force: true });
});

const keyArgs = ["--header", `${apiKey.name}: ${apiKey.value}`];

test("passes through the gateway with --ca and the header; the key is in no report", async () => {
  const { out, output } = captured();
  const json = join(reports, "ca.json");
  const junit = join(reports, "ca.xml");
  const html = join(reports, "ca.html");
  // Every case goes through the gateway; deep accounts would only add more of the same requests.
  const args = ["--url", gateway.url, "--ca", gateway.caFile, ...keyArgs, "--runs", "3", "--depth", "0", "--quiet"];
  const result = await runCli([...args, "--json", json, "--junit", junit, "--html", html], output);
  expect(out.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  for (const text of [out.stdout, readFileSync(json, "utf8"), readFileSync(junit, "utf8"), readFileSync(html, "utf8")]) {
    expect(text).not.toContain(apiKey.value);
  }
}, 120_000);

test("passes through the gateway with --insecure and the header", async () => {
  const { out, output } = captured();
  const result = await runCli(["--url", gateway.url, "--insecure", ...keyArgs, "--only", "SIGNUP,WGET", "--quiet"], output);
  expect(out.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.run?.totals.passed).toBeGreaterThan(0);
}, 120_000);

test("an untrusted certificate is a clear usage-level failure (exit 2) naming --ca and --insecure", async () => {
  const { out, output } = captured();
  const result = await runCli(["--url", gateway.url, ...keyArgs], output);
  expect(result.exitCode).toBe(2);
  expect(out.stderr).toMatch(/certificate is not trusted.*--ca FILE.*--insecure/);
});

test("without the header every request is refused by the gateway: the run fails and says 401", async () => {
  const { out, output } = captured();
  const result = await runCli(["--url", gateway.url, "--ca", gateway.caFile, "--only", "SIGNUP", "--quiet"], output);
  expect(result.exitCode).toBe(1);
  expect(out.stdout).toMatch(/answered 401/);
}, 60_000);

test("--header rejects a line that is not 'Name: value' without echoing it", async () => {
  const { out, output } = captured();
  const result = await runCli(["--url", gateway.url, "--header", "no colon s3cret"], output);
  expect(result.exitCode).toBe(2);
  expect(out.stderr).toContain("--header takes 'Name: value'");
  expect(out.stderr).not.toContain("s3cret");
});

test("api3 through the gateway: --ca, the header and the prefix reach the WebSocket too, and a rate-limited upgrade is waited for", async () => {
  const api3 = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  const limiting = await startGateway({ upstream: api3.url, prefix: "/wallet-sync", header: apiKey, limitUpgrades: true });
  try {
    const { out, output } = captured();
    // What goes through the gateway is the point, not deep accounts or many runs.
    const args = ["--url", limiting.url, "--protocol", "api3", "--ca", limiting.caFile, ...keyArgs, "--only", "NOTIFY,PASS-2", "--depth", "0", "--runs", "4", "--seed", "3", "--quiet"];
    const result = await runCli(args, output);
    expect(out.stderr).toBe("");
    expect(result.exitCode, out.stdout).toBe(0);
    expect(result.run?.results.map((r) => r.requirement)).toEqual(expect.arrayContaining(["NOTIFY-1", "NOTIFY-2", "NOTIFY-3", "NOTIFY-4", "PASS-2"]));
    const upgrades = (result.run?.results ?? []).flatMap((r) => r.exchanges).filter((e) => e.request.path.startsWith("/api/3/websocket"));
    expect(upgrades.some((e) => e.response?.status === 101)).toBe(true);
    // The interleavings' sockets too: every upgrade was answered (a 429 was waited for and tried again), and frames came.
    const history = result.run!.results.find((r) => r.interleaving)!.interleaving!.history;
    const sockets = history.operations.filter((op) => op.kind === "socket");
    const answers = sockets.map((op) => (op.outcome.type === "indeterminate" ? op.outcome.cause : op.outcome.status));
    expect(answers).toContain(101);
    expect(answers.filter((answer) => answer !== 101 && answer !== 401)).toEqual([]);
    expect(sockets.some((op) => op.kind === "socket" && op.frames.length > 0)).toBe(true);
    expect(result.run?.rateLimits.limitedResponses).toBeGreaterThan(0);
  } finally {
    await limiting.close();
    await api3.close();
  }
}, 120_000);

test("--faults to an https:// server: the suite's proxy speaks TLS with --ca and forwards the header, sockets included", async () => {
  const api3 = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  const secured = await startGateway({ upstream: api3.url, prefix: "/wallet-sync", header: apiKey });
  try {
    const { out, output } = captured();
    const only = "LIN-4/interleavings,NOTIFY-2/interleavings,PASS-4/interleavings";
    const args = ["--url", secured.url, "--protocol", "api3", "--ca", secured.caFile, ...keyArgs, "--faults", "--only", only, "--depth", "0", "--runs", "2", "--seed", "3", "--settle", "0.1", "--quiet"];
    const result = await runCli(args, output);
    expect(result.exitCode, out.stdout + out.stderr).toBe(0);
    const history = result.run!.results.find((r) => r.interleaving)!.interleaving!.history;
    // Through the proxy, TLS and the key reached the server: requests were answered, faults injected, sockets upgraded.
    expect(history.operations.some((op) => op.kind === "post" && op.outcome.type === "ok")).toBe(true);
    expect(history.operations.filter((op) => op.fault !== undefined).length).toBeGreaterThan(0);
    expect(history.operations.some((op) => op.kind === "socket" && op.outcome.type === "ok" && op.outcome.status === 101)).toBe(true);
    expect(out.stdout).not.toContain(apiKey.value);
  } finally {
    await secured.close();
    await api3.close();
  }
}, 120_000);
