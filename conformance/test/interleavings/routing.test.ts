// Workloads over the nodes of a deployment: routes are generated only for
// several nodes (one node's workloads stay what a seed always gave), they
// are read back and described, and an execution sends each request along its
// device's route and reads every account on every node at the end.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../../reference/src/index.js";
import { ProtocolClient } from "../../src/client/protocol-client.js";
import { executeWorkload } from "../../src/interleavings/execution/execute.js";
import { readFinally, withFinalReads } from "../../src/interleavings/execution/final-reads.js";
import { RouteCursor, deploymentNodes } from "../../src/interleavings/execution/nodes.js";
import { workloadArbitrary, workloadArbitraryFor } from "../../src/interleavings/workload/arbitrary.js";
import { describeWorkload, nodesNeeded, parseWorkload, type DeviceScript, type Workload } from "../../src/interleavings/workload/workload.js";

const device = (fields: Partial<DeviceScript> = {}): DeviceScript => ({ startMs: 0, opening: "post", sharedId: false, moves: [], ...fields });
const devicesOf = (workload: Workload) => workload.accounts.flatMap((account) => account.devices);

describe("generated routes", () => {
  test("one node: the workloads of a single server, without routes", () => {
    expect(fc.sample(workloadArbitraryFor({ nodes: 1 }), { numRuns: 10, seed: 4 })).toEqual(fc.sample(workloadArbitrary, { numRuns: 10, seed: 4 }));
    const workloads = fc.sample(workloadArbitraryFor({ nodes: 1 }), { numRuns: 30, seed: 4 });
    expect(workloads.flatMap(devicesOf).every((d) => d.route === undefined)).toBe(true);
  });

  test("three nodes: every device pinned or spread, within the nodes, and read back as generated", () => {
    const workloads = fc.sample(workloadArbitraryFor({ nodes: 3 }), { numRuns: 100, seed: 4 });
    const routes = workloads.flatMap(devicesOf).map((d) => d.route!);
    expect(routes.every((route) => route.length >= 1 && route.every((node) => node >= 0 && node < 3))).toBe(true);
    expect(routes.some((route) => route.length === 1)).toBe(true);
    expect(routes.some((route) => new Set(route).size > 1)).toBe(true);
    for (const workload of workloads) {
      expect(nodesNeeded(workload)).toBeLessThanOrEqual(3);
      expect(parseWorkload(JSON.parse(JSON.stringify(workload)))).toEqual(workload);
    }
  });
});

test("a route in words, and a bad one refused with its field", () => {
  const workload: Workload = { accounts: [{ devices: [device({ route: [1] }), device({ route: [0, 2, 0] })] }, { devices: [device(), device()] }] };
  expect(describeWorkload(workload).slice(0, 2)).toEqual([
    "a0/d0 on n2 at 0 ms: POST of a first change at once",
    "a0/d1 spread over n1 n3 n1 at 0 ms: POST of a first change at once",
  ]);
  expect(nodesNeeded(workload)).toBe(3);
  const bad = { accounts: [{ devices: [device(), device({ route: [-1] })] }, { devices: [device(), device()] }] };
  expect(() => parseWorkload(bad)).toThrow(/workload\.accounts\[0\]\.devices\[1\]\.route must be a list of 1 to 6 node indices/);
});

test("a cursor goes along its route over and over, and refuses a node the deployment lacks", () => {
  const clients = [0, 1, 2].map(() => new ProtocolClient({ baseUrl: "http://127.0.0.1:9" }));
  const nodes = deploymentNodes(clients);
  const cursor = new RouteCursor(nodes, [2, 0]);
  expect([1, 2, 3, 4, 5].map(() => cursor.next().label)).toEqual(["n3", "n1", "n3", "n1", "n3"]);
  expect(deploymentNodes(clients.slice(0, 1))[0]!.label).toBeUndefined();
  expect(() => new RouteCursor(nodes.slice(0, 2), [0, 2])).toThrow("the workload sends requests to n3, but the deployment has 2 nodes");
});

describe("an execution over two nodes (two clients of one server)", () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, scryptCost: 64 });
  });
  afterAll(() => server.close());

  test("each request goes along its device's route; final reads read every account on every node", async () => {
    const nodes = [0, 1].map(() => new ProtocolClient({ baseUrl: server.url }));
    const edit = { kind: "edit", changes: 1, pauseMs: 0 } as const;
    const workload: Workload = {
      accounts: [
        { devices: [device({ route: [1], moves: [edit] }), device({ route: [0, 1], opening: "get", moves: [edit, edit] })] },
        { devices: [device({ route: [0] }), device({ route: [0] })] },
      ],
    };
    let counter = 0;
    const execution = await executeWorkload(workload, { nodes, unique: (label) => `routing-${process.pid}-${++counter}-${label}`, timeoutMs: 5000 });
    const ops = execution.history.operations;
    const nodesOf = (account: string, client: string) => ops.filter((op) => op.account === account && op.client === client).map((op) => op.node);
    // a0/d0 signs the account up and does everything on n2; a0/d1 alternates from n1.
    expect(new Set(nodesOf("a0", "d0"))).toEqual(new Set(["n2"]));
    expect(nodesOf("a0", "d1").slice(0, 4)).toEqual(["n1", "n2", "n1", "n2"]);
    expect(new Set(nodesOf("a1", "d0"))).toEqual(new Set(["n1"]));

    await readFinally([execution], nodes);
    const read = withFinalReads(execution);
    const finalGets = read.history.operations.slice(ops.length);
    expect(finalGets.map((op) => `${op.account} ${op.node}`).sort()).toEqual(["a0 n1", "a0 n2", "a1 n1", "a1 n2"]);
    expect(read.check.violations).toEqual([]);
  });

  test("with one node, no operation names a node", async () => {
    let counter = 0;
    const workload: Workload = { accounts: [{ devices: [device(), device()] }, { devices: [device(), device()] }] };
    const execution = await executeWorkload(workload, {
      nodes: [new ProtocolClient({ baseUrl: server.url })],
      unique: (label) => `single-${process.pid}-${++counter}-${label}`,
      timeoutMs: 5000,
    });
    expect(execution.history.operations.length).toBeGreaterThan(4);
    expect(execution.history.operations.some((op) => "node" in op)).toBe(false);
  });
});
