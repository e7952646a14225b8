// The rules an Api3Store keeps beyond a WalletStore's: the salt seed per
// account, and the password change as one atomic step under the sequence
// rule that ends every token of the account. Written against the interface
// alone; call inside a describe(), `open` makes a fresh, empty store.
import { afterEach, describe, expect, it } from "vitest";
import type { Api3Store, PasswordChange, UserId, WalletVersion } from "../../src/store/store.js";
import { ManualClock, testScryptCost } from "../helpers.js";
import { version } from "./store-contract.js";

export type OpenApi3Store = (opening: { clock: () => number; scryptCost: number }) => Promise<{ store: Api3Store; close?: () => Promise<void> }>;

/** Resolves after `turns` turns of the event loop. */
async function afterTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
}

export const saltSeed = (digit: string): string => digit.repeat(64);

const email = "a@example.com";
const oldPassword = "old-password";
const newPassword = "new-password";

export const change = (overrides: Partial<PasswordChange> = {}): PasswordChange => ({
  email,
  oldPassword,
  newPassword,
  clientSaltSeed: saltSeed("b"),
  ...overrides,
});

export function api3StoreContract(open: OpenApi3Store): void {
  const opened: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((close) => close()));
  });

  /** A store holding one account (a@example.com, old-password, salt seed a...a) with `wallets` versions stored. */
  async function storeWithAccount(wallets = 0): Promise<{ store: Api3Store; user: UserId }> {
    const { store, close } = await open({ clock: new ManualClock().now, scryptCost: testScryptCost });
    if (close) opened.push(close);
    expect(await store.createAccount(email, oldPassword, saltSeed("a"))).toBe("created");
    const user = await store.authenticate(email, oldPassword);
    if (user === undefined) throw new Error("no account");
    for (let sequence = 1; sequence <= wallets; sequence++) await store.setWallet(user, version(sequence));
    return { store, user };
  }

  /** Everything a refused change must leave as it was. */
  async function state(store: Api3Store, user: UserId, token: string) {
    return {
      oldLogsIn: (await store.authenticate(email, oldPassword)) === user,
      newLogsIn: (await store.authenticate(email, newPassword)) !== undefined,
      seed: await store.clientSaltSeed(email),
      wallet: await store.getWallet(user),
      token: await store.resolveToken(token),
    };
  }

  describe("salt seeds (SALT-1)", () => {
    it("SALT-1: the signup's salt seed is the account's; an unknown email has none", async () => {
      const { store } = await storeWithAccount();
      expect(await store.clientSaltSeed(email)).toBe(saltSeed("a"));
      expect(await store.clientSaltSeed("nobody@example.com")).toBeUndefined();
      expect(await store.createAccount(email, "other-password", saltSeed("c"))).toBe("duplicate");
      expect(await store.clientSaltSeed(email)).toBe(saltSeed("a"));
    });
  });

  describe("password changes (PASS-1 .. PASS-4)", () => {
    it("PASS-1, PASS-2, SALT-1: without a wallet, the change stores the password and salt seed and ends every token of the account", async () => {
      const { store, user } = await storeWithAccount();
      const other = await store.createAccount("other@example.com", oldPassword, saltSeed("c")).then(() => store.authenticate("other@example.com", oldPassword));
      const phone = await store.issueToken(user, "phone");
      const laptop = await store.issueToken(user, "laptop");
      const elsewhere = await store.issueToken(other!, "phone");
      expect(await store.changePassword(change())).toEqual({ changed: true, userId: user });
      expect(await store.authenticate(email, oldPassword)).toBeUndefined();
      expect(await store.authenticate(email, newPassword)).toBe(user);
      expect(await store.clientSaltSeed(email)).toBe(saltSeed("b"));
      expect(await store.resolveToken(phone.token)).toBeUndefined();
      expect(await store.resolveToken(laptop.token)).toBeUndefined();
      expect(await store.resolveToken(elsewhere.token)).toEqual({ userId: other, deviceId: "phone" });
      expect(await store.getWallet(user)).toBeUndefined();
    });

    it("PASS-1: with a wallet, the change stores the wallet of sequence stored + 1 with the password", async () => {
      const { store, user } = await storeWithAccount(2);
      expect(await store.changePassword(change({ wallet: version(3, "re-encrypted") }))).toEqual({ changed: true, userId: user });
      expect(await store.getWallet(user)).toEqual(version(3, "re-encrypted"));
      expect(await store.setWallet(user, version(3))).toEqual({ stored: false, current: version(3, "re-encrypted") });
      expect(await store.setWallet(user, version(4))).toMatchObject({ stored: true });
    });

    const refusals: Array<{ title: string; wallets: number; change: PasswordChange; reason: string }> = [
      { title: "PASS-3: a wrong old password", wallets: 1, change: change({ oldPassword: "wrong-password", wallet: version(2) }), reason: "wrong-credentials" },
      { title: "PASS-3: an unknown email", wallets: 0, change: change({ email: "nobody@example.com" }), reason: "wrong-credentials" },
      { title: "PASS-3: a wrong old password with a wrong sequence too", wallets: 1, change: change({ oldPassword: "wrong-password", wallet: version(5) }), reason: "wrong-credentials" },
      { title: "PASS-4: no wallet for an account that has one", wallets: 1, change: change(), reason: "wallet-required" },
      { title: "PASS-4: the stored sequence again", wallets: 2, change: change({ wallet: version(2) }), reason: "bad-sequence" },
      { title: "PASS-4: a skipped sequence", wallets: 2, change: change({ wallet: version(4) }), reason: "bad-sequence" },
      { title: "PASS-4: a wallet for an account that has none", wallets: 0, change: change({ wallet: version(1) }), reason: "bad-sequence" },
    ];
    for (const refusal of refusals) {
      it(`${refusal.title} is refused (${refusal.reason}) and changes nothing`, async () => {
        const { store, user } = await storeWithAccount(refusal.wallets);
        const { token } = await store.issueToken(user, "phone");
        const before = await state(store, user, token);
        expect(before.oldLogsIn).toBe(true);
        expect(await store.changePassword(refusal.change)).toEqual({ changed: false, reason: refusal.reason });
        expect(await state(store, user, token)).toEqual(before);
      });
    }

    it("PASS-1: of a change and concurrent setWallet calls of the same sequence, exactly one is stored", async () => {
      for (const wallets of [1, 3]) {
        const { store, user } = await storeWithAccount(wallets);
        const next = wallets + 1;
        const [changed, ...posts] = await Promise.all([
          store.changePassword(change({ wallet: version(next, "by-change") })),
          // Spread over the change's hashing, so that some land before its check and some after.
          ...Array.from({ length: 10 }, (_, i) => afterTurns(i * 3).then(() => store.setWallet(user, version(next, `post-${i}`)))),
        ]);
        const stored: WalletVersion[] = posts.flatMap((post) => (post.stored ? [post.wallet] : []));
        if (changed!.changed) stored.push(version(next, "by-change"));
        expect(stored).toHaveLength(1);
        expect(await store.getWallet(user)).toEqual(stored[0]);
        // The password moved exactly when the change's wallet was the one stored.
        expect((await store.authenticate(email, newPassword)) !== undefined).toBe(changed!.changed);
      }
    });

    it("PASS-1, PASS-2: of a change without a wallet and concurrent POSTs of sequence 1 with the account's token, either the change is made and no POST stores, or one POST stores and the change is refused", async () => {
      const { store, user } = await storeWithAccount();
      const { token } = await store.issueToken(user, "phone");
      const [changed, ...posts] = await Promise.all([
        store.changePassword(change()),
        ...Array.from({ length: 10 }, (_, i) => afterTurns(i * 3).then(() => store.setWalletWithToken(token, version(1, `post-${i}`)))),
      ]);
      const stored = posts.filter((post) => post?.outcome.stored);
      if (changed!.changed) expect(stored).toHaveLength(0);
      else expect({ reason: changed!.reason, stored: stored.length }).toEqual({ reason: "wallet-required", stored: 1 });
      // Every POST that found no owner came after the change.
      if (posts.some((post) => post === undefined)) expect(changed!.changed).toBe(true);
      expect(await store.setWalletWithToken(token, version(2))).toEqual(changed!.changed ? undefined : expect.objectContaining({ owner: { userId: user, deviceId: "phone" } }));
    });

    it("PASS-2: no token a login with the old password issued outlives a concurrent change", async () => {
      const { store, user } = await storeWithAccount();
      const [changed, ...logins] = await Promise.all([
        store.changePassword(change()),
        ...Array.from({ length: 10 }, (_, i) => afterTurns(i * 3).then(() => store.logIn(email, oldPassword, `device-${i}`))),
      ]);
      expect(changed).toEqual({ changed: true, userId: user });
      for (const login of logins) if (login) expect(await store.resolveToken(login.token)).toBeUndefined();
      expect(await store.logIn(email, newPassword, "after")).toMatchObject({ userId: user });
      expect(await store.logIn(email, oldPassword, "after")).toBeUndefined();
    });

    it("PASS-1, PASS-3: of concurrent changes from one old password, one is made; the others find the old password gone", async () => {
      const { store, user } = await storeWithAccount();
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.changePassword(change({ newPassword: `new-password-${i}`, clientSaltSeed: saltSeed(String(i)) }))),
      );
      const made = outcomes.flatMap((outcome, i) => (outcome.changed ? [i] : []));
      expect(made).toHaveLength(1);
      for (const outcome of outcomes) if (!outcome.changed) expect(outcome.reason).toBe("wrong-credentials");
      expect(await store.authenticate(email, `new-password-${made[0]}`)).toBe(user);
      expect(await store.clientSaltSeed(email)).toBe(saltSeed(String(made[0])));
    });
  });
}
