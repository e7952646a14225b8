// Faults (--faults) and crashes (--server-cmd, --restarts): the proxy does
// what each fault kind says, the two servers whose defects only faults or
// restarts reveal are caught and pass without them, and a server command
// that cannot start is a usage-level error.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { brokenServers } from "../src/broken/servers.js";
import { runCli } from "../src/cli/main.js";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { faultHeader, faultKindNames, type FaultKind } from "../src/faults/fault-kinds.js";
import { startFaultProxy, type FaultProxy } from "../src/faults/fault-proxy.js";
import { executeWorkload } from "../src/interleavings/execution/execute.js";
import { describeWorkload, ordinal, parseWorkload } from "../src/interleavings/workload/workload.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";
import { freePort } from "./support/ports.js";
import { startGateway } from "./support/gateway.js";

const brokenCli = fileURLToPath(new URL("../../dist/conformance/src/broken/cli.js", import.meta.url));
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "wallet-sync-faults-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const quietOutput = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) } };
};

describe("the fault proxy", () => {
  let server: ReferenceServer;
  let proxy: FaultProxy;
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, scryptCost: 64 });
    proxy = await startFaultProxy(server.url);
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
  });

  const signupThrough = (fault: FaultKind | undefined, email: string) => {
    const client = new ProtocolClient({ baseUrl: proxy.url, timeoutMs: 5_000, requestHeaders: (): Record<string, string> => (fault ? { [faultHeader]: fault } : {}) });
    return client.signup({ email, password: "pw-123456" });
  };
  const direct = () => new ProtocolClient({ baseUrl: server.url, timeoutMs: 5_000 });

  test.each([
    ["drop-answer", true],
    ["reset-before-forward", false],
  ] as const)("%s: the client gets no answer, and the request took effect: %s", async (fault, tookEffect) => {
    const email = `proxy-${fault}@example.com`;
    const exchange = await signupThrough(fault, email);
    expect(exchange.response).toBeUndefined();
    expect(exchange.failure?.kind).toBe("connection");
    // A second signup of the email tells whether the first one reached the server.
    const again = await direct().signup({ email, password: "pw-123456" });
    expect(again.response?.status).toBe(tookEffect ? 409 : 201);
  });

  test("hangup-after-send: the server sees the request, then its client go away", async () => {
    const exchange = await signupThrough("hangup-after-send", "proxy-hangup@example.com");
    expect(exchange.response).toBeUndefined();
    expect(exchange.failure?.kind).toBe("connection");
  });

  test.each(["delay-request", "delay-answer"] as const)("%s: the answer comes, later", async (fault) => {
    const exchange = await signupThrough(fault, `proxy-${fault}@example.com`);
    expect(exchange.response?.status).toBe(201);
    expect(exchange.endedAt - exchange.startedAt).toBeGreaterThanOrEqual(25);
  });

  test("without a fault, requests pass unchanged and the fault header never reaches the server", async () => {
    const exchange = await signupThrough(undefined, "proxy-plain@example.com");
    expect(exchange.response?.status).toBe(201);
    expect(faultKindNames.length).toBeGreaterThanOrEqual(5);
  });

  test("a target neither http:// nor https:// is refused with a message", async () => {
    await expect(startFaultProxy("ftp://127.0.0.1:1")).rejects.toThrow(/HTTP and HTTPS only/);
  });

  test("to an https:// server the proxy speaks TLS: trusted with the CA given (or --insecure), refused without it", async () => {
    const apiKey = { name: "X-Api-Key", value: "fault-proxy-key" };
    const gateway = await startGateway({ upstream: server.url, prefix: "/gw", header: apiKey });
    const through = async (trust: { ca?: string; insecure: boolean }, fault?: FaultKind) => {
      const tls = await startFaultProxy(gateway.url, trust);
      try {
        const headers = (): Record<string, string> => ({ [apiKey.name]: apiKey.value, ...(fault ? { [faultHeader]: fault } : {}) });
        const client = new ProtocolClient({ baseUrl: tls.url, timeoutMs: 5_000, requestHeaders: headers });
        return await client.signup({ email: `tls-${fault ?? "plain"}-${trust.insecure}-${trust.ca !== undefined}@example.com`, password: "pw-123456" });
      } finally {
        await tls.close();
      }
    };
    try {
      const ca = await readFile(gateway.caFile, "utf8");
      // 201 through the gateway: TLS made, the key forwarded, the prefix kept.
      expect((await through({ ca, insecure: false })).response?.status).toBe(201);
      expect((await through({ insecure: true })).response?.status).toBe(201);
      expect((await through({ ca, insecure: false }, "delay-answer")).response?.status).toBe(201);
      expect((await through({ ca, insecure: false }, "drop-answer")).failure?.kind).toBe("connection");
      expect((await through({ insecure: false })).response).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});

test("a saved workload keeps its faults, and an unknown fault is named", () => {
  const move = { kind: "get", pauseMs: 0, fault: "drop-answer" };
  const workload = { accounts: [0, 1].map(() => ({ devices: [0, 1].map(() => ({ startMs: 0, opening: "get", sharedId: false, moves: [move] })) })) };
  expect(parseWorkload(workload).accounts[0]!.devices[0]!.moves[0]).toEqual(move);
  const wrong = structuredClone(workload);
  wrong.accounts[0]!.devices[0]!.moves[0]!.fault = "lightning";
  expect(() => parseWorkload(wrong)).toThrow(/fault must be one of hangup-after-send/);
});

test("a fault names the request of its move it hits; a file without the index hits the first, as before", () => {
  const device = (moves: unknown[]) => ({ startMs: 0, opening: "get", sharedId: false, moves });
  const file = (moves: unknown[]) => ({ accounts: [{ devices: [device(moves)] }] });
  const first = { kind: "password-change", pauseMs: 0, fault: "drop-answer" };
  const third = { ...first, faultAt: 2 };
  const parsed = parseWorkload(file([first, third, { ...first, faultAt: 0 }]), "workload", "api3");
  expect(parsed.accounts[0]!.devices[0]!.moves).toEqual([first, third, first]);
  expect(describeWorkload(parsed)[0]).toContain("password change [fault: drop-answer on its 1st request] · password change [fault: drop-answer on its 3rd request]");
  expect(() => parseWorkload(file([{ kind: "get", pauseMs: 0, faultAt: 1 }]))).toThrow(/faultAt needs a fault/);
  expect(() => parseWorkload(file([{ ...first, kind: "get", faultAt: 99 }]))).toThrow(/faultAt must be an integer from 0 to 15/);
  expect([1, 2, 3, 4, 11, 12, 13, 21, 22].map(ordinal)).toEqual(["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd"]);
});

test("api3: a fault at a move's 4th request hits the login after a password change, not the change", async () => {
  const api3 = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  const proxy = await startFaultProxy(api3.url);
  try {
    const moves = (faultAt: number) => [{ kind: "password-change" as const, pauseMs: 0, fault: "delay-request" as const, ...(faultAt > 0 ? { faultAt } : {}) }];
    const run = (faultAt: number) => {
      const workload = { accounts: [{ devices: [{ startMs: 0, opening: "get" as const, sharedId: false, moves: moves(faultAt) }] }] };
      const node = new ProtocolClient({ baseUrl: proxy.url, profile: "api3", timeoutMs: 5_000 });
      return executeWorkload(workload, { nodes: [node], unique: (label) => `${label}-${faultAt}-${Date.now()}`, timeoutMs: 5_000, settleMs: 0 });
    };
    const faulted = async (faultAt: number) => {
      const { history } = await run(faultAt);
      const password = history.operations.findIndex((op) => op.kind === "password");
      expect(password).toBeGreaterThan(0);
      return history.operations.flatMap((op, index) => (op.fault === undefined ? [] : [{ kind: op.kind, afterChange: index > password }]));
    };
    // The move's requests: the salt seed's GET (no operation of the history), the change, the salt seed's GET again, the login.
    expect(await faulted(1)).toEqual([{ kind: "password", afterChange: false }]);
    expect(await faulted(3)).toEqual([{ kind: "auth", afterChange: true }]);
    // A move of four requests never reaches a 5th: no fault at all, and none left for a later move.
    expect(await faulted(4)).toEqual([]);
  } finally {
    await proxy.close();
    await api3.close();
  }
}, 30_000);

describe("half-write-on-cancel", () => {
  const interleavings = (faults: boolean) =>
    runChecks(
      casesOf("seed").filter((c) => c.id.startsWith("LIN-")),
      { baseUrl: server.url, interleavings: { runs: 8, seed: 1, shrinkBudgetMs: 0, settleMs: 0, counterexampleDir: folder, depthCap: 0, ...(faults ? { faults } : {}) } },
    );
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await brokenServers["half-write-on-cancel"]!.start({ scryptCost: 64 });
  });
  afterAll(() => server.close());

  test("passes without faults", async () => {
    const run = await interleavings(false);
    expect(run.results.filter((r) => r.verdict === "failed").map((r) => r.id)).toEqual([]);
  }, 60_000);

  test("is caught with --faults, a hung-up POST marked in the history", async () => {
    const run = await interleavings(true);
    const failed = run.results.filter((r) => r.verdict === "failed");
    expect(failed.map((r) => r.requirement)).toContain("LIN-3");
    const history = failed.find((r) => r.requirement === "LIN-3")!.interleaving!.history;
    expect(history.operations.some((op) => op.fault === "hangup-after-send" && op.kind === "post")).toBe(true);
  }, 60_000);
});

test("api3: the fault proxy forwards WebSocket upgrades, so sockets are held and judged under --faults", async () => {
  const api3 = await startReferenceServer({ scryptCost: 64, protocol: "api3" });
  try {
    const cases = casesOf("api3").filter((c) => c.id === "NOTIFY-2/interleavings" || c.id === "LIN-4/interleavings");
    const run = await runChecks(cases, {
      profile: "api3",
      baseUrl: api3.url,
      interleavings: { runs: 4, seed: 3, shrinkBudgetMs: 0, settleMs: 100, counterexampleDir: folder, faults: true, depthCap: 0 },
    });
    expect(run.results.filter((r) => r.verdict === "failed").map((r) => r.id)).toEqual([]);
    const sockets = run.results.flatMap((r) => r.interleaving?.history.operations ?? []).filter((op) => op.kind === "socket");
    expect(sockets.some((op) => op.outcome.type !== "indeterminate" && op.outcome.status === 101)).toBe(true);
    expect(sockets.some((op) => op.kind === "socket" && op.frames.length > 0)).toBe(true);
  } finally {
    await api3.close();
  }
}, 60_000);

describe("--server-cmd and --restarts", () => {
  test("ack-before-persist passes without restarts and fails DUR-1 or DUR-2 with them, the crash on the timeline", async () => {
    const port = await freePort();
    const state = join(folder, "state.json");
    const command = `node ${brokenCli} ack-before-persist --port ${port} --state ${state}`;
    const html = join(folder, "ack.html");
    const common = ["--server-cmd", command, "--only", "LIN,DUR", "--runs", "4", "--seed", "1", "--settle", "0.5", "--quiet"];
    const calm = quietOutput();
    expect((await runCli(common, calm.output)).exitCode, calm.out.join("")).toBe(0);
    const crashed = quietOutput();
    const result = await runCli([...common, "--restarts", "2", "--html", html], crashed.output);
    expect(result.exitCode, crashed.out.join("")).toBe(1);
    const failed = result.run!.results.filter((r) => r.verdict === "failed").map((r) => r.requirement);
    // What the crash lost depends on its moment: acknowledged versions (DUR-1), or accounts too young to be saved (DUR-2).
    expect(failed.filter((requirement) => requirement.startsWith("DUR-")).length, failed.join(", ")).toBeGreaterThan(0);
    const histories = result.run!.results.flatMap((r) => (r.interleaving ? [r.interleaving.history] : []));
    expect(histories.some((history) => (history.events ?? []).some((event) => event.kind === "crash"))).toBe(true);
    const page = await readFile(html, "utf8");
    expect(page).toContain('data-event="crash"');
    expect(page).toContain('data-event="restart"');
  }, 120_000);

  test.each([
    ["exits at once", "exit 3", /exited with status 3 before it answered/],
    ["cannot be run", "no-such-command-for-wallet-sync", /exited with status 127 before it answered: .*not found/],
  ])("a command that %s is one line and exit 2", async (_what, command, message) => {
    const run = quietOutput();
    const result = await runCli(["--server-cmd", command, "--restarts", "1", "--runs", "1"], run.output);
    expect(result.exitCode).toBe(2);
    expect(run.err.join("")).toMatch(message);
    expect(run.err.join("").trim().split("\n")).toHaveLength(1);
  });

  test("--restarts needs --server-cmd", async () => {
    const run = quietOutput();
    expect((await runCli(["--restarts", "2"], run.output)).exitCode).toBe(2);
    expect(run.err.join("")).toMatch(/--restarts needs --server-cmd/);
  });
});
