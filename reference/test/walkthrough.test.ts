// The founding walkthrough, replayed against the reference server with the
// same changes (cfF6, 565b, ...) so that every printed wallet state matches.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ProfileName } from "../../spec/index.js";
import { ProtocolClient } from "../../conformance/src/client/protocol-client.js";
import { WalletClient } from "../../conformance/src/client/wallet-client.js";
import { startTestServer, type TestServer } from "./helpers.js";

/** The walkthrough's client, printing into its own log. */
function walkthroughClient(t: TestServer, profile: ProfileName = "seed"): WalletClient & { log: string[] } {
  const log: string[] = [];
  const client = new WalletClient(new ProtocolClient({ baseUrl: t.server.url, profile }), { print: (line) => log.push(line) });
  return Object.assign(client, { log });
}

/**
 * Two devices of a new account each make a change per round and post until
 * it gets through, rebasing on every 409; then both read. Returns the change
 * ids made and the wallets both end with.
 */
async function postInTurns(c1: WalletClient, c2: WalletClient, rounds: number): Promise<{ made: string[]; ends: Array<string | undefined> }> {
  for (const client of [c1, c2]) client.setAccount("sync@example.com", "root-password");
  await c1.register();
  await c1.getAuthToken();
  await c2.getAuthToken();
  c1.newWalletState();
  await c1.postWallet();
  await c2.getWallet();
  const made: string[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const client of [c1, c2]) {
      client.changeEncryptedWallet();
      made.push(client.curEncryptedWallet()?.split(":").at(-1) ?? "");
    }
    // Each posts until it gets through (bounded), rebasing on every 409.
    for (const client of [c2, c1]) {
      for (let attempt = 0; attempt < 5 && (await client.postWallet()).kind === "conflict"; attempt++);
    }
  }
  await c1.getWallet();
  await c2.getWallet();
  return { made, ends: [c1.curEncryptedWallet(), c2.curEncryptedWallet()] };
}

describe("the walkthrough (SYNC-1)", () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => {
    await t.server.close();
  });

  it("SYNC-1: two clients register, sync, merge and resolve a conflict exactly as the walkthrough shows", async () => {
    const c1 = walkthroughClient(t);
    const c2 = walkthroughClient(t);
    const printed: string[] = [];
    const step = async (client: { log: string[] }, action: () => Promise<unknown> | void): Promise<string[]> => {
      const before = client.log.length;
      await action();
      const lines = client.log.slice(before);
      printed.push(...lines);
      return lines;
    };

    // Initial setup
    c1.setAccount("joe2@example.com", "123abc2");
    c2.setAccount("joe2@example.com", "123abc2");
    expect(await step(c1, () => c1.register())).toEqual(["Registered"]);
    const [token1] = await step(c1, () => c1.getAuthToken());
    const [token2] = await step(c2, () => c2.getAuthToken());
    expect(token1).toMatch(/^Got auth token: [0-9a-f]{64}$/);
    expect(token2).toMatch(/^Got auth token: [0-9a-f]{64}$/);
    expect(token1).not.toBe(token2);

    // Syncing
    c1.newWalletState();
    expect(await step(c1, () => c1.postWallet())).toEqual([
      "Successfully updated wallet state on server",
      "Got new walletState:",
      "WalletState(sequence=1, encrypted_wallet='-')",
    ]);
    expect(await step(c2, () => c2.getWallet())).toEqual([
      "Got latest walletState:",
      "WalletState(sequence=1, encrypted_wallet='-')",
    ]);

    // Updating
    expect((await step(c2, () => c2.postWallet())).at(-1)).toBe("WalletState(sequence=2, encrypted_wallet='-')");
    expect((await step(c1, () => c1.getWallet())).at(-1)).toBe("WalletState(sequence=2, encrypted_wallet='-')");

    // Wallet changes
    expect(c1.curEncryptedWallet()).toBe("-");
    c1.changeEncryptedWallet("cfF6");
    expect(c1.curEncryptedWallet()).toBe("-:cfF6");
    expect((await step(c1, () => c1.postWallet())).at(-1)).toBe("WalletState(sequence=3, encrypted_wallet='-:cfF6')");
    expect((await step(c2, () => c2.getWallet())).at(-1)).toBe("WalletState(sequence=3, encrypted_wallet='-:cfF6')");
    expect(c2.curEncryptedWallet()).toBe("-:cfF6");

    // Merging changes
    c1.changeEncryptedWallet("565b");
    c2.changeEncryptedWallet("6De1");
    expect(c1.curEncryptedWallet()).toBe("-:cfF6:565b");
    expect(c2.curEncryptedWallet()).toBe("-:cfF6:6De1");
    expect((await step(c1, () => c1.postWallet())).at(-1)).toBe("WalletState(sequence=4, encrypted_wallet='-:cfF6:565b')");
    expect((await step(c2, () => c2.getWallet())).at(-1)).toBe("WalletState(sequence=4, encrypted_wallet='-:cfF6:565b')");
    expect(c2.curEncryptedWallet()).toBe("-:cfF6:565b:6De1");
    expect((await step(c2, () => c2.postWallet())).at(-1)).toBe(
      "WalletState(sequence=5, encrypted_wallet='-:cfF6:565b:6De1')",
    );
    expect((await step(c1, () => c1.getWallet())).at(-1)).toBe(
      "WalletState(sequence=5, encrypted_wallet='-:cfF6:565b:6De1')",
    );
    expect(c1.curEncryptedWallet()).toBe("-:cfF6:565b:6De1");

    // Conflicts
    c2.changeEncryptedWallet("053a");
    expect((await step(c2, () => c2.postWallet())).at(-1)).toBe(
      "WalletState(sequence=6, encrypted_wallet='-:cfF6:565b:6De1:053a')",
    );
    c1.changeEncryptedWallet("6774");
    expect(await step(c1, () => c1.postWallet())).toEqual([
      "Wallet state out of date. Getting updated wallet state. Try posting again after this.",
      "Got new walletState:",
      "WalletState(sequence=6, encrypted_wallet='-:cfF6:565b:6De1:053a')",
    ]);
    expect(await step(c1, () => c1.postWallet())).toEqual([
      "Successfully updated wallet state on server",
      "Got new walletState:",
      "WalletState(sequence=7, encrypted_wallet='-:cfF6:565b:6De1:053a:6774')",
    ]);

    // Both devices end on the same wallet with every change of both.
    await c2.getWallet();
    expect(c2.curEncryptedWallet()).toBe("-:cfF6:565b:6De1:053a:6774");
    // As many wallet states as the walkthrough prints.
    expect(printed.filter((line) => line.startsWith("WalletState(")).length).toBe(13);
  });

  it("SYNC-1: two devices posting changes in turn converge on a wallet holding every change", async () => {
    const { made, ends } = await postInTurns(walkthroughClient(t), walkthroughClient(t), 10);
    expect(ends[0]).toBe(ends[1]);
    expect([...(ends[0] ?? "").split(":").slice(1)].sort()).toEqual([...made].sort());
  });
});

describe("the walkthrough's client in the api3 profile", () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer({ protocol: "api3" });
  });
  afterEach(async () => {
    await t.server.close();
  });

  it("SYNC-1: with the salt seed fetched and a read after each 409, two devices posting in turn converge on every change", async () => {
    const c1 = walkthroughClient(t, "api3");
    const c2 = walkthroughClient(t, "api3");
    const { made, ends } = await postInTurns(c1, c2, 10);
    expect(c2.clientSaltSeed).toBe(c1.clientSaltSeed);
    expect(ends[0]).toBe(ends[1]);
    expect([...(ends[0] ?? "").split(":").slice(1)].sort()).toEqual([...made].sort());
    // c1 posted second in every round, after c2's change: each of its first posts was a 409 followed by a read.
    expect(c1.log.filter((line) => line.startsWith("Wallet state out of date")).length).toBe(10);
  });
});
