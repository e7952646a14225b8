// The rules of a WalletStore, written against the interface alone, so that
// every store (MemoryStore, PostgresStore) is held to the same ones. Call
// inside a describe(); `open` makes a fresh, empty store for each test.
import { afterEach, describe, expect, it } from "vitest";
import type { UserId, WalletVersion, WalletStore } from "../../src/store/store.js";
import { tokenLifetimeMs } from "../../src/store/tokens.js";
import { day, ManualClock, testScryptCost } from "../helpers.js";

export interface StoreOpening {
  clock: () => number;
  scryptCost: number;
}

/** A fresh store, and how to release it after the test (a database store's pool). */
export type OpenStore = (opening: StoreOpening) => Promise<{ store: WalletStore; close?: () => Promise<void> }>;

export async function accountIn(store: WalletStore, email = "a@example.com"): Promise<UserId> {
  await store.createAccount(email, "pw");
  const userId = await store.authenticate(email, "pw");
  if (userId === undefined) throw new Error("no account");
  return userId;
}

export const version = (sequence: number, encryptedWallet = `w${sequence}`): WalletVersion => ({ encryptedWallet, sequence, hmac: `h${sequence}` });

export function storeContract(open: OpenStore): void {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((close) => close()));
  });
  async function fresh(clock = new ManualClock()): Promise<WalletStore> {
    const { store, close } = await open({ clock: clock.now, scryptCost: testScryptCost });
    if (close) opened.push(close);
    return store;
  }

  describe("accounts (SIGNUP-2, AUTH-1)", () => {
    it("SIGNUP-2: an email is taken once; only its own password authenticates it", async () => {
      const store = await fresh();
      expect(await store.createAccount("a@example.com", "first")).toBe("created");
      expect(await store.createAccount("a@example.com", "second")).toBe("duplicate");
      expect(await store.createAccount("A@example.com", "other")).toBe("created");
      const user = await store.authenticate("a@example.com", "first");
      expect(user).toBeTypeOf("number");
      expect(await store.authenticate("a@example.com", "second")).toBeUndefined();
      expect(await store.authenticate("A@example.com", "other")).not.toBe(user);
      expect(await store.authenticate("nobody@example.com", "first")).toBeUndefined();
    });

    it("SIGNUP-2: of concurrent createAccount calls for one email, one creates the account, with its password", async () => {
      const store = await fresh();
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => store.createAccount("x@example.com", `p${i}`)));
      const created = outcomes.flatMap((outcome, i) => (outcome === "created" ? [i] : []));
      expect(created).toHaveLength(1);
      for (let i = 0; i < 10; i++) expect(await store.authenticate("x@example.com", `p${i}`) !== undefined).toBe(i === created[0]);
    });
  });

  describe("tokens (TOKEN-2 .. TOKEN-6)", () => {
    it("TOKEN-2: re-issuing for a device replaces its token; other devices keep theirs", async () => {
      const store = await fresh();
      const user = await accountIn(store);
      const phone1 = await store.issueToken(user, "phone");
      const laptop = await store.issueToken(user, "laptop");
      const phone2 = await store.issueToken(user, "phone");
      expect(await store.resolveToken(phone1.token)).toBeUndefined();
      expect(await store.resolveToken(phone2.token)).toEqual({ userId: user, deviceId: "phone" });
      expect(await store.resolveToken(laptop.token)).toEqual({ userId: user, deviceId: "laptop" });
      expect(await store.resolveToken("0".repeat(64))).toBeUndefined();
    });

    it("TOKEN-4: one deviceId in two accounts holds two independent tokens", async () => {
      const store = await fresh();
      const alice = await accountIn(store, "alice@example.com");
      const bob = await accountIn(store, "bob@example.com");
      const a = await store.issueToken(alice, "same");
      const b = await store.issueToken(bob, "same");
      expect(await store.resolveToken(a.token)).toEqual({ userId: alice, deviceId: "same" });
      expect(await store.resolveToken(b.token)).toEqual({ userId: bob, deviceId: "same" });
    });

    it("TOKEN-5: tokens are 64 hex digits; device ids are kept as sent", async () => {
      const store = await fresh();
      const user = await accountIn(store);
      const { token } = await store.issueToken(user, "d\u0000\ud800 💾");
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      expect(await store.resolveToken(token)).toEqual({ userId: user, deviceId: "d\u0000\ud800 💾" });
    });

    it("TOKEN-6: a token resolves until 14 days after issue on the store's clock, then never again", async () => {
      const clock = new ManualClock();
      const store = await fresh(clock);
      const user = await accountIn(store);
      const issuedAt = clock.nowMs;
      const { token, expiresAt } = await store.issueToken(user, "d");
      expect(tokenLifetimeMs).toBe(14 * day);
      expect(expiresAt).toBe(issuedAt + 14 * day);
      clock.advance(14 * day - 1);
      expect(await store.resolveToken(token)).toBeDefined();
      clock.advance(1);
      expect(await store.resolveToken(token)).toBeUndefined();
    });
  });

  describe("wallets (SEQ-1 .. SEQ-8)", () => {
    it("SEQ-1, SEQ-2, SEQ-3, SEQ-5: only the next sequence is stored; a refusal names the stored wallet", async () => {
      const store = await fresh();
      const user = await accountIn(store);
      const other = await accountIn(store, "other@example.com");
      expect(await store.setWallet(user, version(2))).toEqual({ stored: false, current: undefined });
      expect(await store.setWallet(user, version(0))).toEqual({ stored: false, current: undefined });
      expect(await store.setWallet(user, version(1))).toEqual({ stored: true, wallet: version(1) });
      expect(await store.setWallet(user, version(1, "again"))).toEqual({ stored: false, current: version(1) });
      expect(await store.setWallet(user, version(3))).toEqual({ stored: false, current: version(1) });
      expect(await store.setWallet(user, version(2))).toEqual({ stored: true, wallet: version(2) });
      expect(await store.getWallet(user)).toEqual(version(2));
      expect(await store.getWallet(other)).toBeUndefined();
    });

    it("SEQ-3, SEQ-5: a sequence past 32 bits is refused, with and without a stored wallet, not an error", async () => {
      const store = await fresh();
      const user = await accountIn(store);
      expect(await store.setWallet(user, version(4294967295))).toEqual({ stored: false, current: undefined });
      await store.setWallet(user, version(1));
      expect(await store.setWallet(user, version(4294967295))).toEqual({ stored: false, current: version(1) });
    });

    for (const sequence of [1, 3]) {
      it(`SEQ-6: concurrent setWallet calls of sequence ${sequence} store exactly one`, async () => {
        const store = await fresh();
        const user = await accountIn(store);
        for (let n = 1; n < sequence; n++) await store.setWallet(user, version(n));
        const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => store.setWallet(user, version(sequence, `c${i}`))));
        const stored = outcomes.filter((o) => o.stored);
        expect(stored).toHaveLength(1);
        for (const outcome of outcomes) if (!outcome.stored) expect(outcome.current).toEqual(stored[0]!.wallet);
        expect(await store.getWallet(user)).toEqual(stored[0]!.wallet);
      });
    }

    it("SEQ-8: the stored wallet is a frozen copy of exactly the three fields, strings kept as sent", async () => {
      const store = await fresh();
      const user = await accountIn(store);
      const input = { ...version(1), extra: "ignored" } as WalletVersion & { extra: string; encryptedWallet: string };
      await store.setWallet(user, input);
      input.encryptedWallet = "mutated afterwards";
      const stored = await store.getWallet(user);
      expect(stored).toEqual(version(1));
      expect(Object.isFrozen(stored)).toBe(true);
      const odd = { encryptedWallet: "\u0000\u001f\ud800\"\\", sequence: 2, hmac: "\udfff💾" };
      expect(await store.setWallet(user, odd)).toEqual({ stored: true, wallet: odd });
      expect(await store.getWallet(user)).toEqual(odd);
    });

  });
}
