// MemoryStore on its own: tokens, expiry, password storage, the atomic
// sequence step, and that each rule sits in a method a subclass can change.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultScryptCost, PasswordHasher } from "../src/passwords.js";
import { MemoryStore, type TokenRecord, type UserId, type WalletVersion } from "../src/store.js";
import { tokenDigest, tokenLifetimeMs } from "../src/tokens.js";
import { day, InspectableStore, ManualClock } from "./helpers.js";

async function accountIn(store: MemoryStore, email = "a@example.com"): Promise<UserId> {
  await store.createAccount(email, "pw");
  const userId = await store.authenticate(email, "pw");
  if (userId === undefined) throw new Error("no account");
  return userId;
}

describe("passwords (SEC-1, SEC-2)", () => {
  it("SEC-1: the default scrypt cost is a real one (N = 16384)", () => {
    expect(defaultScryptCost).toBe(16384);
    expect(new PasswordHasher().cost).toBe(16384);
    class CostOf extends MemoryStore {
      cost(): number {
        return this.passwords.cost;
      }
    }
    expect(new CostOf().cost()).toBe(16384);
  });

  it("SEC-1: a hash is salted per account and verifies only its own password", async () => {
    const hasher = new PasswordHasher(64);
    const first = await hasher.hash("secret");
    const second = await hasher.hash("secret");
    expect(first.salt.equals(second.salt)).toBe(false);
    expect(first.hash.equals(second.hash)).toBe(false);
    expect(await hasher.verify("secret", first)).toBe(true);
    expect(await hasher.verify("secret ", first)).toBe(false);
    expect(await hasher.verify("secret", undefined)).toBe(false);
  });

  it("SEC-1: the scrypt cost must be a power of two", () => {
    for (const cost of [0, 1, 1000, 16383, 1.5, -2]) expect(() => new PasswordHasher(cost)).toThrow(RangeError);
  });

  it("SEC-2: hashes are compared with timingSafeEqual and tokens are looked up by their digest", async () => {
    const source = readFileSync(new URL("../src/passwords.ts", import.meta.url), "utf8");
    expect(source).toMatch(/timingSafeEqual\(candidate, reference\.hash\)/);
    const store = new InspectableStore();
    const { token } = await store.issueToken(await accountIn(store), "d");
    expect(store.tokenKeys()).toEqual([tokenDigest(token)]);
    expect(store.tokenKeys()).not.toContain(token);
  });

  it("SIGNUP-2: of concurrent createAccount calls for one email, one creates the account", async () => {
    const store = new InspectableStore({ scryptCost: 1024 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => store.createAccount("x@example.com", `p${i}`)));
    expect(outcomes.filter((o) => o === "created")).toHaveLength(1);
    expect(store.accountCount()).toBe(1);
  });
});

describe("tokens (TOKEN-2 .. TOKEN-6)", () => {
  it("TOKEN-2: re-issuing for a device replaces its token; other devices keep theirs", async () => {
    const store = new InspectableStore();
    const user = await accountIn(store);
    const phone1 = await store.issueToken(user, "phone");
    const laptop = await store.issueToken(user, "laptop");
    const phone2 = await store.issueToken(user, "phone");
    expect(await store.resolveToken(phone1.token)).toBeUndefined();
    expect(await store.resolveToken(phone2.token)).toEqual({ userId: user, deviceId: "phone" });
    expect(await store.resolveToken(laptop.token)).toEqual({ userId: user, deviceId: "laptop" });
    expect(store.tokenCount()).toBe(2);
  });

  it("TOKEN-4: one deviceId in two accounts holds two independent tokens", async () => {
    const store = new InspectableStore();
    const alice = await accountIn(store, "alice@example.com");
    const bob = await accountIn(store, "bob@example.com");
    const a = await store.issueToken(alice, "same");
    const b = await store.issueToken(bob, "same");
    expect(await store.resolveToken(a.token)).toEqual({ userId: alice, deviceId: "same" });
    expect(await store.resolveToken(b.token)).toEqual({ userId: bob, deviceId: "same" });
  });

  it("TOKEN-6: a token resolves until 14 days after issue, then never again", async () => {
    const clock = new ManualClock();
    const store = new InspectableStore({ clock: clock.now });
    const user = await accountIn(store);
    const issuedAt = clock.nowMs;
    const { token, expiresAt } = await store.issueToken(user, "d");
    expect(tokenLifetimeMs).toBe(14 * day);
    expect(expiresAt).toBe(issuedAt + 14 * day);
    clock.advance(14 * day - 1);
    expect(await store.resolveToken(token)).toBeDefined();
    clock.advance(1);
    expect(await store.resolveToken(token)).toBeUndefined();
    expect(store.tokenCount()).toBe(0);
    clock.advance(-day);
    expect(await store.resolveToken(token)).toBeUndefined();
  });

  it("TOKEN-5: tokens are 64 hex digits", async () => {
    const store = new MemoryStore({ scryptCost: 64 });
    const { token } = await store.issueToken(1, "d");
    expect(token).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("wallets (SEQ-1 .. SEQ-8)", () => {
  const version = (sequence: number, encryptedWallet = `w${sequence}`): WalletVersion => ({ encryptedWallet, sequence, hmac: `h${sequence}` });

  it("SEQ-1, SEQ-2, SEQ-3, SEQ-5: only the next sequence is stored; a refusal names the wallet it was decided against", async () => {
    const store = new MemoryStore({ scryptCost: 64 });
    expect(await store.setWallet(1, version(2))).toEqual({ stored: false, current: undefined });
    expect(await store.setWallet(1, version(1))).toEqual({ stored: true, wallet: version(1) });
    expect(await store.setWallet(1, version(1, "again"))).toEqual({ stored: false, current: version(1) });
    expect(await store.setWallet(1, version(3))).toEqual({ stored: false, current: version(1) });
    expect(await store.setWallet(1, version(2))).toEqual({ stored: true, wallet: version(2) });
    expect(await store.getWallet(1)).toEqual(version(2));
    expect(await store.getWallet(2)).toBeUndefined();
  });

  it("SEQ-6: concurrent setWallet calls of one sequence store exactly one", async () => {
    const store = new MemoryStore({ scryptCost: 64 });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setWallet(7, version(1, `c${i}`))));
    const stored = outcomes.filter((o) => o.stored);
    expect(stored).toHaveLength(1);
    for (const outcome of outcomes) if (!outcome.stored) expect(outcome.current).toEqual(stored[0]!.wallet);
  });

  it("SEQ-8: the stored wallet is a frozen copy of exactly the three fields", async () => {
    const store = new MemoryStore({ scryptCost: 64 });
    const input = { ...version(1), extra: "ignored" } as WalletVersion & { extra: string; encryptedWallet: string };
    await store.setWallet(1, input);
    input.encryptedWallet = "mutated afterwards";
    const stored = await store.getWallet(1);
    expect(stored).toEqual(version(1));
    expect(Object.isFrozen(stored)).toBe(true);
  });
});

describe("each rule can be changed by a subclass (for deliberately broken servers)", () => {
  it("followsSequence: a store that accepts skipped sequences", async () => {
    class SkippingStore extends MemoryStore {
      protected override followsSequence(current: WalletVersion | undefined, sequence: number): boolean {
        return sequence > (current?.sequence ?? 0);
      }
    }
    const store = new SkippingStore({ scryptCost: 64 });
    await store.setWallet(1, { encryptedWallet: "a", sequence: 1, hmac: "h" });
    expect((await store.setWallet(1, { encryptedWallet: "b", sequence: 5, hmac: "h" })).stored).toBe(true);
  });

  it("deviceKey: a store that keys tokens by deviceId alone breaks TOKEN-4", async () => {
    class DeviceOnlyStore extends MemoryStore {
      protected override deviceKey(_userId: UserId, deviceId: string): string {
        return deviceId;
      }
    }
    const store = new DeviceOnlyStore({ scryptCost: 64 });
    const first = await store.issueToken(1, "same");
    await store.issueToken(2, "same");
    expect(await store.resolveToken(first.token)).toBeUndefined();
  });

  it("isExpired: a store whose tokens never expire", async () => {
    const clock = new ManualClock();
    class ForeverStore extends MemoryStore {
      protected override isExpired(_record: TokenRecord): boolean {
        return false;
      }
    }
    const store = new ForeverStore({ clock: clock.now, scryptCost: 64 });
    const { token } = await store.issueToken(1, "d");
    clock.advance(100 * day);
    expect(await store.resolveToken(token)).toBeDefined();
  });

  it("getWallet: a store that serves reads from a stale cache", async () => {
    class StaleStore extends MemoryStore {
      private readonly cache = new Map<UserId, WalletVersion | undefined>();
      override async getWallet(userId: UserId): Promise<WalletVersion | undefined> {
        if (!this.cache.has(userId)) this.cache.set(userId, await super.getWallet(userId));
        return this.cache.get(userId);
      }
    }
    const store = new StaleStore({ scryptCost: 64 });
    await store.setWallet(1, { encryptedWallet: "a", sequence: 1, hmac: "h" });
    await store.getWallet(1);
    await store.setWallet(1, { encryptedWallet: "b", sequence: 2, hmac: "h" });
    expect((await store.getWallet(1))?.sequence).toBe(1);
  });
});
