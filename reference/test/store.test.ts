// MemoryStore: the rules every store keeps (support/store-contract.ts), and
// what is its own: password storage, token digests as keys, forgetting
// expired tokens, and that each rule sits in a method a subclass can change.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultScryptCost, PasswordHasher, scryptCostByDefault, type PasswordHash } from "../src/store/passwords.js";
import { MemoryStore, type TokenRecord, type UserId, type WalletVersion } from "../src/store/store.js";
import { tokenDigest } from "../src/store/tokens.js";
import { day, InspectableStore, ManualClock } from "./helpers.js";
import { accountIn, storeContract } from "./support/store-contract.js";
import { api3StoreContract, change } from "./support/api3-store-contract.js";

describe("MemoryStore keeps the rules of every store", () => {
  storeContract(async ({ clock, scryptCost }) => ({ store: new MemoryStore({ clock, scryptCost }) }));
});

describe("passwords (SEC-1, SEC-2)", () => {
  it("SEC-1: the default scrypt cost is a real one (N = 16384), unless WALLET_SYNC_SCRYPT_COST lowers it (npm test does)", () => {
    expect(defaultScryptCost).toBe(16384);
    expect(scryptCostByDefault({})).toBe(16384);
    const expected = scryptCostByDefault();
    expect(new PasswordHasher().cost).toBe(expected);
    class CostOf extends MemoryStore {
      cost(): number {
        return this.passwords.cost;
      }
    }
    expect(new CostOf().cost()).toBe(expected);
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

  it("SEC-1: every cost it takes hashes, the smallest (2) and the real one (16384) included", async () => {
    for (const cost of [2, 4, 16, defaultScryptCost]) {
      const hasher = new PasswordHasher(cost);
      expect(await hasher.verify("secret", await hasher.hash("secret")), `cost ${cost}`).toBe(true);
    }
  });

  it("SEC-1: the scrypt cost must be a power of two", () => {
    for (const cost of [0, 1, 1000, 16383, 1.5, -2]) expect(() => new PasswordHasher(cost)).toThrow(RangeError);
  });

  it("SEC-2: hashes are compared with timingSafeEqual and tokens are looked up by their digest", async () => {
    const source = readFileSync(new URL("../src/store/passwords.ts", import.meta.url), "utf8");
    expect(source).toMatch(/timingSafeEqual\(candidate, reference\.hash\)/);
    const store = new InspectableStore();
    const { token } = await store.issueToken(await accountIn(store), "d");
    expect(store.tokenKeys()).toEqual([tokenDigest(token)]);
    expect(store.tokenKeys()).not.toContain(token);
  });

});

describe("MemoryStore's own bookkeeping (TOKEN-2, TOKEN-6)", () => {
  it("TOKEN-2, TOKEN-6: replaced and expired tokens are forgotten, not only refused", async () => {
    const clock = new ManualClock();
    const store = new InspectableStore({ clock: clock.now });
    const user = await accountIn(store);
    const replaced = await store.issueToken(user, "phone");
    await store.issueToken(user, "laptop");
    const phone = await store.issueToken(user, "phone");
    expect(store.tokenKeys()).not.toContain(tokenDigest(replaced.token));
    expect(store.tokenCount()).toBe(2);
    clock.advance(14 * day);
    expect(await store.resolveToken(phone.token)).toBeUndefined();
    expect(store.tokenKeys()).not.toContain(tokenDigest(phone.token));
    expect(store.tokenCount()).toBe(1);
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

describe("MemoryStore keeps the rules of an Api3Store", () => {
  api3StoreContract(async ({ clock, scryptCost }) => ({ store: new MemoryStore({ clock, scryptCost }) }));
});

/** Holds every verification of `held`, once computed, until released. */
class HeldVerifications extends PasswordHasher {
  readonly waiting: Array<() => void> = [];
  constructor(private readonly held: string) {
    super(64);
  }
  override async verify(password: string, stored: PasswordHash | undefined): Promise<boolean> {
    const matches = await super.verify(password, stored);
    if (password === this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return matches;
  }
  /** Waits (a bounded number of turns) until `count` verifications are held. */
  async holding(count: number): Promise<void> {
    for (let turn = 0; turn < 1000 && this.waiting.length < count; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(this.waiting.length).toBe(count);
  }
}

class HeldVerificationStore extends MemoryStore {
  readonly held: HeldVerifications;
  constructor(held: string) {
    super({ scryptCost: 64 });
    this.held = new HeldVerifications(held);
    (this as unknown as { passwords: PasswordHasher }).passwords = this.held;
  }
}

describe("a password change and a login that began before it (PASS-2)", () => {
  it("PASS-2: a login with the old password still hashing when the change completes does not log in", async () => {
    const store = new HeldVerificationStore("old-password");
    await store.createAccount("a@example.com", "old-password", "a".repeat(64));
    const login = store.authenticate("a@example.com", "old-password");
    await store.held.holding(1);
    const changing = store.changePassword(change());
    await store.held.holding(2);
    store.held.waiting.pop()!();
    expect((await changing).changed).toBe(true);
    store.held.waiting.pop()!();
    expect(await login).toBeUndefined();
    expect(await store.authenticate("a@example.com", "new-password")).toBeTypeOf("number");
  });

  it("PASS-2: a login that completed before the change logs in (the check above is not simply refusing)", async () => {
    const store = new HeldVerificationStore("old-password");
    await store.createAccount("a@example.com", "old-password", "a".repeat(64));
    const login = store.authenticate("a@example.com", "old-password");
    await store.held.holding(1);
    store.held.waiting.pop()!();
    expect(await login).toBeTypeOf("number");
  });
});
