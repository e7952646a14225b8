// The built program over a real, throwaway PostgreSQL: --store and
// DATABASE_URL, two processes over one database as one deployment, and a
// database lost while the process runs (503 with a JSON body, never a crash).
import { spawnSync } from "node:child_process";
import { afterEach, expect, it } from "vitest";
import { errorText, TestClient } from "./helpers.js";
import { builtCli, startCli, type RunningCli } from "./support/cli-process.js";
import { describeWithPostgres } from "./support/postgres-tests.js";

/** Processes start and hash passwords at the real scrypt cost: seconds, not milliseconds. */
const slow = 30_000;

const running: RunningCli[] = [];
async function reference(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ program: RunningCli; client: TestClient }> {
  const program = await startCli(["--port", "0", ...args], { env });
  running.push(program);
  return { program, client: new TestClient(program.url) };
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((program) => program.stop()));
});

describeWithPostgres("wallet-sync-reference --store postgres://...", (postgres) => {
  it("serves the protocol, and its state outlives the process", async () => {
    const url = await postgres().createDatabase();
    const first = await reference(["--store", url]);
    const token = await first.client.tokenFor("kept@example.com");
    expect((await first.client.postWallet(token, 1, "first")).status).toBe(200);
    expect(await first.program.stop()).toBe(0);
    const second = await reference(["--store", url]);
    expect((await second.client.getWallet(token)).json).toMatchObject({ encryptedWallet: "first", sequence: 1 });
  }, slow);

  it("takes the database from DATABASE_URL when --store is not given", async () => {
    const url = await postgres().createDatabase();
    const { client } = await reference([], { ...process.env, DATABASE_URL: url });
    const token = await client.tokenFor("env@example.com");
    await client.postWallet(token, 1, "from env");
    const { client: other } = await reference(["--store", url]);
    expect((await other.getWallet(token)).json).toMatchObject({ encryptedWallet: "from env" });
  }, slow);

  it("SEQ-6, TOKEN-2, DEPLOY-1, DEPLOY-2: two processes over one database are one deployment", async () => {
    const url = await postgres().createDatabase();
    const [a, b] = await Promise.all([reference(["--store", url]), reference(["--store", url])]);
    // An account made on one process logs in on the other; a write on one is read on the other.
    const token = await a!.client.tokenFor("both@example.com", "phone");
    expect((await b!.client.postWallet(token, 1, "written on a")).status).toBe(200);
    expect((await a!.client.getWallet(token)).json).toMatchObject({ encryptedWallet: "written on a", sequence: 1 });
    // A login on one process replaces the device's token on both.
    const renewed = await b!.client.tokenFor("both@example.com", "phone");
    expect((await a!.client.getWallet(token)).status).toBe(401);
    // Of concurrent POSTs of one sequence, half to each process, exactly one is stored.
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).client.postWallet(renewed, 2, `contender-${i}`)),
    );
    const winners = replies.filter((reply) => reply.status === 200);
    expect(winners).toHaveLength(1);
    expect(replies.filter((reply) => reply.status === 409)).toHaveLength(19);
    for (const client of [a!.client, b!.client]) expect((await client.getWallet(renewed)).json).toEqual(winners[0]!.json);
  }, slow);

  it("exits 2 with one line on stderr for a role the database does not know", () => {
    const url = `postgres://nobody:secret@127.0.0.1:${postgres().port}/postgres`;
    const run = spawnSync(process.execPath, [builtCli, "--port", "0", "--store", url], { encoding: "utf8", timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^wallet-sync-reference: cannot use the database postgres:\/\/nobody:\*\*\*@.*role "nobody" does not exist/);
  });
});

describeWithPostgres("a reference process whose database goes away", (postgres) => {
  it("answers 503 with a JSON error body while the database is down, stays up, and serves again once it is back", async () => {
    const url = await postgres().createDatabase();
    const { program, client } = await reference(["--store", url]);
    const token = await client.tokenFor("outage@example.com");
    await postgres().stop();
    for (const reply of [await client.getWallet(token), await client.postWallet(token, 1, "during"), await client.signup("new@example.com", "pw")]) {
      expect(reply.status).toBe(503);
      expect(errorText(reply)).toBe("Service Unavailable: The store is unavailable");
    }
    expect(program.alive()).toBe(true);
    expect(program.stderr()).toMatch(/wallet-sync-reference: database query failed: /);
    await postgres().start();
    expect((await client.postWallet(token, 1, "after")).status).toBe(200);
  }, slow);

  it("goes on after the database ends its idle connections, with new ones", async () => {
    const url = await postgres().createDatabase();
    const { program, client } = await reference(["--store", url]);
    const token = await client.tokenFor("terminated@example.com");
    expect(await postgres().terminateConnections(new URL(url).pathname.slice(1))).toBeGreaterThan(0);
    // The pool hears of the ended connections as errors of idle clients; wait until it has.
    for (let i = 0; i < 50 && !program.stderr().includes("idle database connection lost"); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(program.stderr()).toContain("idle database connection lost");
    expect((await client.postWallet(token, 1, "after")).status).toBe(200);
    expect(program.alive()).toBe(true);
  }, slow);
});
