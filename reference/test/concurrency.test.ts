// Concurrent requests: the sequence rule is one atomic step (SEQ-6), signup
// of one email creates one account, and a history of many devices syncing at
// once is one the sequence rule explains (LIN-1 .. LIN-7). Each check is also
// run against a deliberately racy store to show that it can fail.
import { afterEach, describe, expect, it } from "vitest";
import { type SetWalletOutcome, type SignupOutcome, type UserId, type Wallet } from "../src/store.js";
import type { Readable } from "node:stream";
import { InspectableStore, startTestServer, TestClient, testScryptCost, type Reply, type TestServer } from "./helpers.js";
import { WalkthroughClient } from "./walkthrough-client.js";

/** Yields between the sequence check and the write: two POSTs of one sequence can both pass the check. */
class RacySetWalletStore extends InspectableStore {
  override async setWallet(userId: UserId, wallet: Wallet): Promise<SetWalletOutcome> {
    const current = this.wallets.get(userId);
    if (!this.followsSequence(current, wallet.sequence)) return { stored: false, current };
    await new Promise((resolve) => setTimeout(resolve, 10));
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

interface WalletVersion {
  sequence: number;
  encryptedWallet: string;
  hmac: string;
}

interface Observation {
  device: number;
  kind: "get" | "post";
  startedAt: number;
  endedAt: number;
  status: number;
  /** The wallet in the answer (GET 200, POST 200, 409 with a wallet). */
  returned: WalletVersion | undefined;
  posted: WalletVersion | undefined;
}

/** Records every exchange with /wallet of one device. */
class RecordingClient extends TestClient {
  constructor(
    baseUrl: string,
    private readonly device: number,
    private readonly history: Observation[],
  ) {
    super(baseUrl);
  }

  override async send(method: string, path: string, body?: string | Uint8Array | Readable, headers?: Record<string, string>): Promise<Reply> {
    const reply = await super.send(method, path, body, headers);
    if (!path.startsWith("/wallet")) return reply;
    const answer = reply.json as Partial<WalletVersion> | undefined;
    this.history.push({
      device: this.device,
      kind: method === "GET" ? "get" : "post",
      startedAt: reply.startedAt,
      endedAt: reply.endedAt,
      status: reply.status,
      returned: typeof answer?.sequence === "number" ? pickVersion(answer as WalletVersion) : undefined,
      posted: method === "POST" ? pickVersion(JSON.parse(String(body)) as WalletVersion) : undefined,
    });
    return reply;
  }
}

function pickVersion(wallet: WalletVersion): WalletVersion {
  return { sequence: wallet.sequence, encryptedWallet: wallet.encryptedWallet, hmac: wallet.hmac };
}

describe("8. Concurrent histories", () => {
  it("LIN-1, LIN-2, LIN-3, LIN-4, LIN-5, LIN-6, LIN-7: a history of 8 devices syncing at once is one the sequence rule explains", async () => {
    const t = await serve();
    const history: Observation[] = [];
    const devices = Array.from(
      { length: 8 },
      (_, index) => new WalkthroughClient(new RecordingClient(t.server.url, index, history)),
    );
    for (const device of devices) device.setAccount("history@example.com", "root");
    await devices[0]!.register();
    for (const device of devices) await device.getAuthToken();

    devices.forEach((device) => device.newWalletState());
    await Promise.all(
      devices.map(async (device, index) => {
        for (let round = 0; round < 12; round++) {
          if ((round + index) % 3 === 0) {
            await device.getWallet().catch(() => undefined); // 404 before the first wallet
            continue;
          }
          device.changeEncryptedWallet();
          // The client algorithm: on 409, rebase on the returned wallet and post again.
          let attempts = 0;
          while ((await device.postWallet()) === "conflict") expect(++attempts).toBeLessThan(100);
        }
      }),
    );

    // LIN-7: only 200, 409, and 404 for a GET before the first wallet.
    for (const o of history) expect([200, 409, ...(o.kind === "get" ? [404] : [])]).toContain(o.status);

    // LIN-2: at most one accepted POST per sequence.
    const accepted = new Map<number, Observation>();
    for (const o of history.filter((o) => o.kind === "post" && o.status === 200)) {
      expect(accepted.has(o.posted!.sequence)).toBe(false);
      accepted.set(o.posted!.sequence, o);
    }
    const sequences = [...accepted.keys()].sort((a, b) => a - b);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    // Every change of every device was accepted once (8 devices, 8 changes each, after the first wallet).
    expect(sequences.length).toBe(64);

    // LIN-1: every accepted version extends the one before it; LIN-5: so nothing acknowledged is lost.
    for (const n of sequences.slice(1)) {
      expect(accepted.get(n)!.posted!.encryptedWallet.startsWith(`${accepted.get(n - 1)!.posted!.encryptedWallet}:`)).toBe(true);
    }
    const last = accepted.get(sequences.at(-1)!)!.posted!.encryptedWallet;
    for (const o of accepted.values()) for (const segment of o.posted!.encryptedWallet.split(":")) expect(last).toContain(segment);

    // LIN-3: every returned wallet is exactly a version that a POST wrote.
    for (const o of history.filter((o) => o.returned)) {
      expect(accepted.get(o.returned!.sequence)?.posted).toEqual(o.returned);
    }

    // LIN-4: no returned wallet is older than a version acknowledged before the request began.
    for (const o of history.filter((o) => o.returned)) {
      for (const write of accepted.values()) {
        if (write.endedAt < o.startedAt) expect(o.returned!.sequence).toBeGreaterThanOrEqual(write.posted!.sequence);
      }
    }

    // LIN-6: a device never sees the sequence go backwards.
    for (let device = 0; device < devices.length; device++) {
      const seen = history.filter((o) => o.device === device && o.returned).map((o) => o.returned!.sequence);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
  });
});
