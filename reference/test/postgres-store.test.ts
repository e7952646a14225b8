// PostgresStore on a real, throwaway PostgreSQL: the rules of every store,
// the same rules raced across two stores over one database (two pools, as two
// processes of one deployment have), schema creation by processes starting at
// once, and the errors of a database that cannot be used.
import { describe, expect, it } from "vitest";
import { openPostgresStore, StoreOpenError, type PostgresStore } from "../src/store/postgres-store.js";
import type { WalletStore } from "../src/store/store.js";
import { ManualClock, testScryptCost } from "./helpers.js";
import { describeWithPostgres } from "./support/postgres-tests.js";
import { accountIn, storeContract, version } from "./support/store-contract.js";

describeWithPostgres("PostgresStore", (postgres) => {
  describe("keeps the rules of every store", () => {
    storeContract(async ({ clock, scryptCost }) => {
      const store = await openPostgresStore(await postgres().createDatabase(), { clock, scryptCost });
      return { store, close: () => store.close() };
    });
  });

  /** Two stores over one new database, with their own pools: two processes of one deployment. */
  async function twoProcesses(clock = new ManualClock()): Promise<{ stores: PostgresStore[]; [Symbol.asyncDispose](): Promise<void> }> {
    const url = await postgres().createDatabase();
    const stores = await Promise.all([1, 2].map(() => openPostgresStore(url, { clock: clock.now, scryptCost: testScryptCost })));
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
