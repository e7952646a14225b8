// The depth defects of the zoo misbehave only deep in a history or with
// large or non-ASCII wallets: shown here request by request, since the
// defects of a deep history lie beyond what the contract cases store.
import { afterEach, describe, expect, test } from "vitest";
import type { ReferenceServer } from "../../reference/src/index.js";
import { asciiOnly, brokenServers, cutToUtf8Bytes, depthDefects, duplicateFromVersion, textColumnBytes, tinyintMax } from "../src/broken/servers.js";
import { interleavingCasesOf } from "../src/interleavings/property/cases.js";
import { runChecks } from "../src/run/run-checks.js";
import { counterexampleFolder, failedRequirements } from "./interleavings/broken-runs.js";
import { device, post, storedSequence } from "./support/wallet-requests.js";

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("deep histories", () => {
  test(`duplicate-sequence-from-version-25: a second POST of the stored sequence is refused before ${duplicateFromVersion}, accepted from then on`, async () => {
    server = await brokenServers["duplicate-sequence-from-version-25"]!.start({ scryptCost: 64 });
    const token = await device(server.url);
    for (let sequence = 1; sequence < duplicateFromVersion; sequence++) expect(await post(server.url, token, sequence)).toBe(200);
    expect(await post(server.url, token, duplicateFromVersion - 1)).toBe(409);
    expect(await post(server.url, token, duplicateFromVersion)).toBe(200);
    expect(await post(server.url, token, duplicateFromVersion)).toBe(200);
  });

  test(`clamps-sequence-at-127: POSTs of 1..130 in turn store 1..128, and GET /wallet answers ${tinyintMax}`, async () => {
    server = await brokenServers["clamps-sequence-at-127"]!.start({ scryptCost: 64 });
    const token = await device(server.url);
    const statuses: number[] = [];
    for (let sequence = 1; sequence <= 130; sequence++) statuses.push(await post(server.url, token, sequence));
    expect(statuses.slice(0, 128).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(128)).toEqual([409, 409]);
    expect(await storedSequence(server.url, token)).toBe(tinyintMax);
    // 128 "follows" the stored 127 for ever.
    expect(await post(server.url, token, tinyintMax + 1)).toBe(200);
  });
});

describe("what the columns of the depth defects keep", () => {
  test("a 64 KiB column keeps whole characters that fit in its bytes", () => {
    expect(cutToUtf8Bytes("x".repeat(99_000), textColumnBytes)).toBe("x".repeat(textColumnBytes));
    expect(cutToUtf8Bytes("short", textColumnBytes)).toBe("short");
    // é takes two bytes: one that would be split is left out.
    expect(cutToUtf8Bytes(`${"x".repeat(textColumnBytes - 1)}é`, textColumnBytes)).toBe("x".repeat(textColumnBytes - 1));
  });

  test("an ASCII column turns each character beyond ASCII, emoji included, into one ?", () => {
    expect(asciiOnly("é\u0000 😀 \u2028 a")).toBe("?\u0000 ? ? a");
  });
});

const folder = counterexampleFolder("wallet-sync-depth-");

describe.each(depthDefects)("%s: caught by the interleaving cases of a default run", (name) => {
  const broken = brokenServers[name]!;
  // What the histories show; the contract cases' SEQ-8 has tests of its own (wallet-content.test.ts).
  const seen = broken.breaks.filter((requirement) => requirement.startsWith("LIN-"));
  // One seed each keeps npm test short.
  test.each([1])(`seed %i: fails, naming ${seen.join(", ")}`, async (seed) => {
    server = await broken.start({ scryptCost: 64 });
    // The default number of runs; it stops at the first failure, and shrinking is timed elsewhere (bench:verdict).
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, interleavings: { seed, shrinkBudgetMs: 0, settleMs: 100, counterexampleDir: folder() } });
    expect(run.exitCode).toBe(1);
    expect(failedRequirements(run)).toEqual(expect.arrayContaining(seen));
  }, 60_000);
});
