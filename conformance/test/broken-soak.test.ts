// The soak defects of the zoo show only once a server has lived long: after
// hundreds of accounts, or thousands of versions of one. Shown here request
// by request, then caught by the interleaving cases once the server is
// there (a soak gets there by itself: README, "Soak").
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { ReferenceServer } from "../../reference/src/index.js";
import { accountIdLimit, brokenServers, losesVersionsPast } from "../src/broken/servers.js";
import { interleavingCasesOf } from "../src/interleavings/property/cases.js";
import { defaultTrafficProfile } from "../src/interleavings/workload/traffic.js";
import { loadCounterexample } from "../src/interleavings/property/counterexample-file.js";
import { runChecks } from "../src/run/run-checks.js";
import { counterexampleFolder, failedRequirements } from "./interleavings/broken-runs.js";
import { device, post, storedSequence } from "./support/wallet-requests.js";

let server: ReferenceServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const folder = counterexampleFolder("wallet-sync-soak-");

describe("account-ids-wrap-after-400", () => {
  test(`account ${accountIdLimit + 1} reads the wallet of account 1`, async () => {
    server = await brokenServers["account-ids-wrap-after-400"]!.start({ scryptCost: 64 });
    const first = await device(server.url);
    expect(await post(server.url, first, 1)).toBe(200);
    for (let account = 2; account <= accountIdLimit; account++) await device(server.url);
    const wrapped = await device(server.url);
    expect(await storedSequence(server.url, wrapped)).toBe(1);
  });

  test(`the interleaving cases pass it while it has fewer than ${accountIdLimit} accounts, and fail it naming LIN-3 once it has more`, async () => {
    server = await brokenServers["account-ids-wrap-after-400"]!.start({ scryptCost: 64 });
    const interleavings = { runs: 3, seed: 5, shrinkBudgetMs: 0, settleMs: 100, depthCap: 0, counterexampleDir: folder() };
    const young = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings });
    expect(failedRequirements(young)).toEqual([]);
    // Accounts with a wallet each, as a soak leaves them: whichever id the next ones wrap to, it has a wallet.
    // (Those that wrap onto one of the first run's accounts find a wallet there already: 409.)
    for (let account = 0; account < accountIdLimit; account++) expect([200, 409]).toContain(await post(server.url, await device(server.url), 1));
    const old = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings });
    expect(failedRequirements(old)).toContain("LIN-3");
  });

  test(`a soak gets past ${accountIdLimit} accounts by itself: its newcomers sign up until one shares a wallet, and it fails naming LIN-3`, async () => {
    server = await brokenServers["account-ids-wrap-after-400"]!.start({ scryptCost: 64 });
    const started = performance.now();
    const traffic = { ...defaultTrafficProfile, longLived: { ...defaultTrafficProfile.longLived, accounts: 1, devicesPerAccount: 2, newcomers: 8 } };
    const interleavings = { durationMs: 60_000, seed: 3, settleMs: 100, depthCap: 0, traffic, counterexampleDir: folder() };
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings });
    expect(failedRequirements(run)).toContain("LIN-3");
    // Stopped at the first violation, long before the soak's time was up.
    expect(performance.now() - started).toBeLessThan(40_000);
    expect(run.coverage!.longLived!.newcomers).toBeGreaterThan(0);
    expect(run.coverage!.accounts).toBeGreaterThan(accountIdLimit);
  });
});

describe("loses-versions-past-2000", () => {
  const lost = losesVersionsPast + 250;

  test(`version ${lost} is acknowledged, then gone`, async () => {
    server = await brokenServers["loses-versions-past-2000"]!.start({ scryptCost: 64 });
    const token = await device(server.url);
    for (let sequence = 1; sequence < lost; sequence++) expect(await post(server.url, token, sequence)).toBe(200);
    expect(await post(server.url, token, lost)).toBe(200);
    expect(await storedSequence(server.url, token)).toBe(lost - 1);
  });

  test(`a workload that advances an account past ${lost} versions fails it, naming LIN-4`, async () => {
    server = await brokenServers["loses-versions-past-2000"]!.start({ scryptCost: 64 });
    // A workload file as a user may write one: one account advanced to lost + 10, one device that reads.
    const file = join(folder(), "deep-account.json");
    const device = { startMs: 0, opening: "get", sharedId: false, moves: [] };
    await writeFile(file, JSON.stringify({ format: "wallet-sync-counterexample/1", workload: { accounts: [{ depth: lost + 10, devices: [device] }] } }));
    const replay = await loadCounterexample(file);
    const run = await runChecks(interleavingCasesOf("seed"), { baseUrl: server.url, aloneRuns: 0, interleavings: { replay, settleMs: 100, counterexampleDir: folder() } });
    expect(failedRequirements(run)).toContain("LIN-4");
  });
});
