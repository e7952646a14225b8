// The reference over PostgreSQL is durable: a process killed with SIGKILL
// right after it answered keeps every acknowledged version and account, and
// the tokens it issued, for the process started after it.
import { expect, it } from "vitest";
import { TestClient } from "./helpers.js";
import { startCli } from "./support/cli-process.js";
import { describeWithPostgres } from "./support/postgres-tests.js";

describeWithPostgres("the reference over PostgreSQL, killed and started again", (postgres) => {
  it("DUR-1, DUR-2: acknowledged versions and accounts survive SIGKILL, and so do tokens", async () => {
    const database = await postgres().createDatabase();
    const first = await startCli(["--port", "0", "--store", database]);
    const before = new TestClient(first.url);
    const token = await before.tokenFor("durable@example.com");
    expect((await before.postWallet(token, 1, "v1")).status).toBe(200);
    expect((await before.postWallet(token, 2, "v2")).status).toBe(200);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const second = await startCli(["--port", "0", "--store", database]);
    try {
      const after = new TestClient(second.url);
      const read = await after.getWallet(token);
      expect(read.status).toBe(200);
      expect(read.json).toMatchObject({ sequence: 2, encryptedWallet: "v2" });
      expect((await after.auth("durable@example.com", "login-password", "device-2")).status).toBe(200);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
