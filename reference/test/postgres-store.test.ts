// PostgresStore on a real, throwaway PostgreSQL: the rules of every store,
// the same rules raced across two stores over one database (two pools, as two
// processes of one deployment have), schema creation by processes starting at
// once, and the errors of a database that cannot be used.
import { describe, expect, it } from "vitest";
import { openPostgresStore, StoreOpenError, type PostgresStore } from "../src/store/postgres-store.js";
import type { StoreEvent } from "../src/store/postgres-events.js";
import type { WalletStore } from "../src/store/store.js";
import { ManualClock, testScryptCost } from "./helpers.js";
import { describeWithPostgres } from "./support/postgres-tests.js";
import { accountIn, storeContract, version } from "./support/store-contract.js";
import { api3StoreContract, change, saltSeed } from "./support/api3-store-contract.js";

describeWithPostgres("PostgresStore", (postgres) => {
  describe("keeps the rules of every store", () => {
    storeContract(async ({ clock, scryptCost }) => {
      const store = await openPostgresStore(await postgres().createDatabase(), { clock, scryptCost });
      return { store, close: () => store.close() };
    });
  });

  describe("keeps the rules of an api3 store", () => {
    api3StoreContract(async ({ clock, scryptCost }) => {
      const store = await openPostgresStore(await postgres().createDatabase(), { clock, scryptCost });
      return { store, close: () => store.close() };
    });
  });

  /** Two stores over one new database, with their own pools: two processes of one deployment. */
  async function twoProcesses(clock = new ManualClock(), announceWrites = false): Promise<{ stores: PostgresStore[]; [Symbol.asyncDispose](): Promise<void> }> {
    const url = await postgres().createDatabase();
    const stores = await Promise.all([1, 2].map(() => openPostgresStore(url, { clock: clock.now, scryptCost: testScryptCost, announceWrites })));
    return { stores, [Symbol.asyncDispose]: async () => void (await Promise.all(stores.map((store) => store.close()))) };
  }

  /** `count` calls spread over the stores in turn, all in flight at once. */
  function raceOver<T>(stores: WalletStore[], count: number, call: (store: WalletStore, i: number) => Promise<T>): Promise<T[]> {
    return Promise.all(Array.from({ length: count }, (_, i) => call(stores[i % stores.length]!, i)));
  }

  describe("two stores over one database", () => {
    for (const sequence of [1, 2, 5]) {
      it(`SEQ-6: of 40 concurrent setWallet calls of sequence ${sequence} over two stores, exactly one stores`, async () => {
        await using deployment = await twoProcesses();
        const [first] = deployment.stores;
        const user = await accountIn(first!);
        for (let n = 1; n < sequence; n++) await first!.setWallet(user, version(n));
        const outcomes = await raceOver(deployment.stores, 40, (store, i) => store.setWallet(user, version(sequence, `contender-${i}`)));
        const stored = outcomes.flatMap((outcome) => (outcome.stored ? [outcome.wallet] : []));
        expect(stored).toHaveLength(1);
        for (const outcome of outcomes) if (!outcome.stored) expect(outcome.current).toEqual(stored[0]);
        for (const store of deployment.stores) expect(await store.getWallet(user)).toEqual(stored[0]);
      });
    }

    it("SIGNUP-2: of 20 concurrent signups of one email over two stores, one is created, with its password", async () => {
      await using deployment = await twoProcesses();
      const outcomes = await raceOver(deployment.stores, 20, (store, i) => store.createAccount("same@example.com", `password-${i}`));
      const created = outcomes.flatMap((outcome, i) => (outcome === "created" ? [i] : []));
      expect(created).toHaveLength(1);
      const [, second] = deployment.stores;
      for (let i = 0; i < 20; i++) expect((await second!.authenticate("same@example.com", `password-${i}`)) !== undefined).toBe(i === created[0]);
    });

    it("TOKEN-2: of 20 concurrent logins of one device over two stores, exactly one token stays live", async () => {
      await using deployment = await twoProcesses();
      const user = await accountIn(deployment.stores[0]!);
      const issued = await raceOver(deployment.stores, 20, (store) => store.issueToken(user, "phone"));
      const owners = await Promise.all(issued.map(({ token }) => deployment.stores[1]!.resolveToken(token)));
      expect(owners.filter((owner) => owner !== undefined)).toEqual([{ userId: user, deviceId: "phone" }]);
    });

    it("TOKEN-6: expiry is decided on the clock of the store that resolves", async () => {
      const clock = new ManualClock();
      await using deployment = await twoProcesses(clock);
      const [first, second] = deployment.stores;
      const { token } = await first!.issueToken(await accountIn(first!), "d");
      clock.advance(14 * 24 * 60 * 60 * 1000);
      expect(await second!.resolveToken(token)).toBeUndefined();
    });
  });

  describe("api3 over two stores", () => {
    it("PASS-1, PASS-2: of a change through one store and 20 POSTs with the account's token through the other, one version of the next sequence is stored; none after the change", async () => {
      await using deployment = await twoProcesses();
      const [first, second] = deployment.stores;
      await first!.createAccount("a@example.com", "old-password", saltSeed("a"));
      const user = (await first!.authenticate("a@example.com", "old-password"))!;
      await first!.setWallet(user, version(1));
      const { token } = await second!.issueToken(user, "phone");
      const [changed, ...posts] = await Promise.all([
        first!.changePassword(change({ wallet: version(2, "by-change") })),
        ...Array.from({ length: 20 }, (_, i) => second!.setWalletWithToken(token, version(2, `post-${i}`))),
      ]);
      const stored = posts.filter((post) => post?.outcome.stored);
      expect(stored.length + (changed!.changed ? 1 : 0)).toBe(1);
      expect(await second!.setWalletWithToken(token, version(3))).toEqual(changed!.changed ? undefined : expect.objectContaining({ owner: { userId: user, deviceId: "phone" } }));
    });

    it("announces each stored version and each password change to every listener, in sequence order, and nothing refused", async () => {
      await using deployment = await twoProcesses(new ManualClock(), true);
      const [first, second] = deployment.stores;
      const heard: StoreEvent[] = [];
      const feed = await second!.listen({ event: (event) => heard.push(event), lost: () => undefined, listening: () => undefined });
      try {
        await first!.createAccount("a@example.com", "old-password", saltSeed("a"));
        const user = (await first!.authenticate("a@example.com", "old-password"))!;
        const { token } = await first!.issueToken(user, "phone");
        const posts = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first! : second!).setWalletWithToken(token, version(1, `post-${i}`))));
        expect(posts.filter((post) => post?.outcome.stored)).toHaveLength(1);
        for (const sequence of [2, 3]) await first!.setWallet(user, version(sequence));
        await first!.changePassword(change({ wallet: version(4) }));
        await expect.poll(() => heard.length).toBe(4);
        expect(heard).toEqual([
          ...[1, 2, 3].map((sequence) => ({ kind: "wallet-stored", userId: user, sequence })),
          { kind: "tokens-ended", userId: user },
        ]);
        expect(feed.live).toBe(true);
      } finally {
        await feed.close();
      }
    });

    it("tells a listener whose connection is lost, and that it listens again", async () => {
      const url = await postgres().createDatabase();
      const store = await openPostgresStore(url, { scryptCost: testScryptCost, announceWrites: true });
      const told: string[] = [];
      const feed = await store.listen({ event: () => undefined, lost: () => told.push("lost"), listening: () => told.push("listening") });
      try {
        expect(await postgres().terminateConnections(new URL(url).pathname.slice(1))).toBeGreaterThan(0);
        await expect.poll(() => told, { timeout: 10_000 }).toEqual(["lost", "listening"]);
        expect(feed.live).toBe(true);
      } finally {
        await feed.close();
        await store.close();
      }
    });
  });

  describe("schema", () => {
    it("is created once when five processes start at once, and kept with its data by the next start", async () => {
      const url = await postgres().createDatabase();
      const starting = await Promise.allSettled(Array.from({ length: 5 }, () => openPostgresStore(url, { scryptCost: testScryptCost })));
      const stores = starting.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
      expect(starting.filter((result) => result.status === "rejected")).toEqual([]);
      const user = await accountIn(stores[0]!);
      await stores[1]!.setWallet(user, version(1));
      await Promise.all(stores.map((store) => store.close()));
      const again = await openPostgresStore(url, { scryptCost: testScryptCost });
      expect(await again.getWallet(user)).toEqual(version(1));
      await again.close();
    });
  });

  describe("a database that cannot be used", () => {
    async function openError(url: string): Promise<StoreOpenError> {
      const error = await openPostgresStore(url).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(StoreOpenError);
      expect((error as Error).message).not.toContain("\n");
      return error as StoreOpenError;
    }

    it("names an unknown role, an unknown database and a URL that is not postgres://, without the password", async () => {
      const { port } = postgres();
      expect((await openError(`postgres://nobody:secret@127.0.0.1:${port}/postgres`)).message).toMatch(
        /^cannot use the database postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:\d+\/postgres: .*role "nobody" does not exist/,
      );
      expect((await openError(postgres().url("missing"))).message).toMatch(/database "missing" does not exist/);
      expect((await openError("mysql://root:secret@127.0.0.1/db")).message).toBe("not a postgres:// URL: mysql://root:***@127.0.0.1/db");
    });
  });
});
