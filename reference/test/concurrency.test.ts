// Concurrent requests: the sequence rule is one atomic step (SEQ-6), signup
// of one email creates one account, and a history of many devices syncing at
// once is one the sequence rule explains (LIN-1 .. LIN-7). Each check is also
// run against a deliberately racy store to show that it can fail.
import { afterEach, describe, expect, it } from "vitest";
import { type SetWalletOutcome, type SignupOutcome, type UserId, type WalletVersion } from "../src/store/store.js";
import type { Readable } from "node:stream";
import { InspectableStore, startTestServer, TestClient, testScryptCost, type Reply, type TestServer } from "./helpers.js";
import { ProtocolClient } from "../../conformance/src/client/protocol-client.js";
import { WalletClient } from "../../conformance/src/client/wallet-client.js";
import { checkHistory } from "../../conformance/src/history/checker.js";
import type { History } from "../../conformance/src/history/history.js";
import { HistoryRecorder } from "../../conformance/src/interleavings/execution/recorder.js";

/**
 * Yields between the sequence check and the write: two POSTs of one sequence
 * can both pass the check. A POST that passed waits for the next one to pass
 * too (or for 200 ms), so that the race happens on every run.
 */
class RacySetWalletStore extends InspectableStore {
  private passedCheck: Array<() => void> = [];

  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const current = this.wallets.get(userId);
    if (!this.followsSequence(current, wallet.sequence)) return { stored: false, current };
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.passedCheck = this.passedCheck.filter((waiting) => waiting !== release);
        resolve();
      }, 200);
      this.passedCheck.push(release);
      if (this.passedCheck.length >= 2) for (const waiting of this.passedCheck.splice(0)) waiting();
    });
    this.wallets.set(userId, wallet);
    return { stored: true, wallet };
  }
}

/** Does not check the email again after hashing. */
class RacySignupStore extends InspectableStore {
  override async createAccount(email: string, password: string): Promise<SignupOutcome> {
    if (this.accounts.has(email)) return "duplicate";
    const hashed = await this.passwords.hash(password);
    this.accounts.set(email, { userId: this.nextUserId++, password: hashed });
    return "created";
  }
}

const servers: TestServer[] = [];
async function serve(store?: InspectableStore): Promise<TestServer> {
  const t = await startTestServer(store ? { store } : {});
  servers.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((t) => t.server.close()));
});

async function concurrentPosts(t: TestServer, sequence: number, count: number): Promise<Reply[]> {
  const token = await t.client.tokenFor("race@example.com");
  for (let n = 1; n < sequence; n++) await t.client.postWallet(token, n, `base-${n}`);
  return Promise.all(Array.from({ length: count }, (_, i) => t.client.postWallet(token, sequence, `contender-${i}`, `mac-${i}`)));
}

function winnersAndLosers(replies: Reply[]): { winners: Reply[]; losers: Reply[] } {
  return { winners: replies.filter((r) => r.status === 200), losers: replies.filter((r) => r.status === 409) };
}

describe("SEQ-6: concurrent POSTs of one sequence", () => {
  for (const sequence of [1, 2, 7]) {
    it(`SEQ-6, SEQ-4: of 50 concurrent POSTs of sequence ${sequence} exactly one is 200, the rest 409 with the winner's wallet`, async () => {
      const t = await serve();
      const replies = await concurrentPosts(t, sequence, 50);
      const { winners, losers } = winnersAndLosers(replies);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(49);
      const winner = winners[0]!.json as Record<string, unknown>;
      expect(winner["sequence"]).toBe(sequence);
      for (const loser of losers) expect(loser.json).toEqual({ ...winner, error: "Bad sequence number" });
      const token = await t.client.tokenFor("race@example.com", "reader");
      expect((await t.client.getWallet(token)).json).toEqual(winner);
    });
  }

  it("SEQ-6: the same check finds more than one winner on a store that yields between check and write", async () => {
    const t = await serve(new RacySetWalletStore({ scryptCost: testScryptCost }));
    const { winners } = winnersAndLosers(await concurrentPosts(t, 2, 50));
    expect(winners.length).toBeGreaterThan(1);
  });
});

describe("SIGNUP-2: concurrent signups of one email", () => {
  async function concurrentSignups(t: TestServer, count: number): Promise<Reply[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => t.client.signup("same@example.com", `password-${i}`)));
  }

  // A cost at which hashes take milliseconds, so that the signups overlap while hashing.
  const overlappingCost = 4096;

  it("SIGNUP-2: of 20 concurrent signups of one email exactly one is 201, and its password is the account's", async () => {
    const t = await serve(new InspectableStore({ scryptCost: overlappingCost }));
    const replies = await concurrentSignups(t, 20);
    const created = replies.flatMap((reply, i) => (reply.status === 201 ? [i] : []));
    expect(created).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(19);
    expect(t.store.accountCount()).toBe(1);
    for (let i = 0; i < 20; i++) {
      expect((await t.client.auth("same@example.com", `password-${i}`, "d")).status).toBe(i === created[0] ? 200 : 401);
    }
  });

  it("SIGNUP-2: the same check finds more than one 201 on a store that does not re-check after hashing", async () => {
    const t = await serve(new RacySignupStore({ scryptCost: overlappingCost }));
    const replies = await concurrentSignups(t, 20);
    expect(replies.filter((r) => r.status === 201).length).toBeGreaterThan(1);
  });
});

/**
 * Eight devices of one account run the walkthrough's client algorithm at once
 * (change, post base + 1, rebase and retry on 409, sometimes read), recorded
 * as a history for the suite's checker.
 */
async function syncConcurrently(t: TestServer): Promise<History> {
  const recorder = new HistoryRecorder();
  const protocol = new ProtocolClient({ baseUrl: t.server.url });
  const devices = Array.from({ length: 8 }, (_, index) => ({
    labels: { account: "a0", client: `d${index}` },
    client: new WalletClient(protocol),
    generation: 0,
  }));
  for (const device of devices) device.client.setAccount("history@example.com", "root");
  recorder.signup(devices[0]!.labels, await devices[0]!.client.register());
  for (const device of devices) {
    device.generation = recorder.auth(device.labels, await device.client.getAuthToken()).tokenGeneration;
    device.client.newWalletState();
  }
  await Promise.all(
    devices.map(async (device, index) => {
      for (let round = 0; round < 12; round++) {
        if ((round + index) % 3 === 0) {
          recorder.get(device.labels, device.generation, (await device.client.getWallet()).exchange);
          continue;
        }
        device.client.changeEncryptedWallet();
        for (let attempt = 0; attempt < 100; attempt++) {
          const baseSequence = device.client.walletState?.sequence ?? 0;
          const { encryptedWallet, sequence, hmac } = device.client.nextWalletRequest();
          const outcome = await device.client.postWallet();
          if (!("exchange" in outcome)) throw new Error("the device has no wallet state");
          recorder.post(device.labels, device.generation, { encryptedWallet, sequence, hmac, baseSequence }, outcome.exchange);
          if (outcome.kind !== "conflict") break;
        }
      }
    }),
  );
  await protocol.close();
  return recorder.toHistory();
}

describe("8. Concurrent histories", () => {
  it("LIN-1, LIN-2, LIN-3, LIN-4, LIN-5, LIN-6, LIN-7: a history of 8 devices syncing at once passes the suite's history checker", async () => {
    const history = await syncConcurrently(await serve());
    const check = checkHistory(history);
    expect(check.violations).toEqual([]);
    expect(check.warnings).toEqual([]);
    // Every change of every device was accepted once: the first wallet and 8 devices x 8 changes.
    const accepted = history.operations.filter((op) => op.kind === "post" && op.outcome.type === "ok");
    expect(accepted).toHaveLength(64);
  });

  it("LIN-2: the same history shows two acceptances of one sequence on a store that yields between check and write", async () => {
    const history = await syncConcurrently(await serve(new RacySetWalletStore({ scryptCost: testScryptCost })));
    expect(checkHistory(history).violations.map((v) => v.requirement)).toContain("LIN-2");
  });
});
