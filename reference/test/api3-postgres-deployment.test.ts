// The built program serving api3 over a real, throwaway PostgreSQL: processes
// over one database are one deployment, their sockets told of every
// process's writes (NOTIFY-2) and closed by a password change on any of them
// (NOTIFY-4, PASS-2); a process that stops hearing the others closes its
// sockets and says so; a lost database is a 503 with a JSON body.
import { afterEach, expect, it } from "vitest";
import { errorText } from "./helpers.js";
import { Api3TestClient, defaultPassword, saltSeedOf, UpgradeRefused } from "./support/api3-client.js";
import { startCli, type RunningCli } from "./support/cli-process.js";
import { describeWithPostgres } from "./support/postgres-tests.js";

/** Processes start and hash passwords at the real scrypt cost: seconds, not milliseconds. */
const slow = 30_000;

const running: RunningCli[] = [];
async function api3Node(url: string): Promise<{ program: RunningCli; client: Api3TestClient }> {
  const program = await startCli(["--port", "0", "--protocol", "api3", "--store", url]);
  running.push(program);
  return { program, client: new Api3TestClient(program.url) };
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((program) => program.stop()));
});

async function untilTrue(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition() && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
}

describeWithPostgres("wallet-sync-reference --protocol api3 --store postgres://...", (postgres) => {
  it("SALT-1, PASS-1, PASS-2, NOTIFY-2, NOTIFY-4, DEPLOY-2: three processes over one database are one api3 deployment", async () => {
    const url = await postgres().createDatabase();
    const [a, b, c] = await Promise.all([api3Node(url), api3Node(url), api3Node(url)]);
    const phone = await a!.client.tokenFor("both@example.com", "phone");
    const laptop = await b!.client.tokenFor("both@example.com", "laptop");
    expect((await c!.client.saltSeed("both@example.com")).json).toEqual({ clientSaltSeed: saltSeedOf("a") });
    // Sockets on every node hear a version stored through any one, in order.
    const sockets = await Promise.all([a!, b!, c!].map((node) => node.client.openSocket(laptop)));
    expect((await a!.client.postWallet(phone, 1, "first")).status).toBe(200);
    expect((await c!.client.postWallet(laptop, 2, "second")).status).toBe(200);
    expect((await b!.client.postWallet(phone, 2, "refused")).status).toBe(409);
    for (const socket of sockets) expect(await socket.framesUntil(2)).toEqual(["wallet-update:1", "wallet-update:2"]);
    // A password change through one node ends the tokens and closes the sockets on every node.
    const changed = await b!.client.changePassword({
      email: "both@example.com",
      oldPassword: defaultPassword,
      newPassword: "new-password",
      clientSaltSeed: saltSeedOf("b"),
      encryptedWallet: "re-encrypted",
      sequence: 3,
      hmac: "hmac-3",
    });
    expect(changed.status).toBe(200);
    for (const socket of sockets) expect(await socket.closesWithin(5000)).toEqual({ code: 1000, reason: "Password changed" });
    for (const node of [a!, b!, c!]) {
      expect((await node.client.postWallet(phone, 4, "old token")).status).toBe(401);
      expect((await node.client.getWallet(laptop)).status).toBe(401);
      expect((await node.client.saltSeed("both@example.com")).json).toEqual({ clientSaltSeed: saltSeedOf("b") });
    }
    const renewed = await c!.client.tokenFor("both@example.com", "phone", "new-password");
    expect((await a!.client.getWallet(renewed)).json).toEqual({ encryptedWallet: "re-encrypted", sequence: 3, hmac: "hmac-3" });
  }, slow);

  it("closes its sockets with 1012 and says so when it stops hearing the others' writes, and serves sockets again once it hears them", async () => {
    const url = await postgres().createDatabase();
    const node = await api3Node(url);
    const token = await node.client.tokenFor("cut@example.com");
    const socket = await node.client.openSocket(token);
    // A frame heard means the socket is registered and its token checked again: the cut below is the listener's.
    expect((await node.client.postWallet(token, 1, "before")).status).toBe(200);
    expect(await socket.framesUntil(1)).toEqual(["wallet-update:1"]);
    expect(await postgres().terminateConnections(new URL(url).pathname.slice(1))).toBeGreaterThan(0);
    expect(await socket.closesWithin(5000)).toEqual({ code: 1012, reason: "Notifications interrupted; read the wallet again" });
    expect(node.program.stderr()).toMatch(/lost the database connection that hears other processes' writes .*closing 1 notification sockets/);
    await untilTrue(() => node.program.stderr().includes("hears other processes' writes again"));
    const again = await node.client.openSocket(token);
    expect((await node.client.postWallet(token, 2, "after")).status).toBe(200);
    expect(await again.framesUntil(2)).toEqual(["wallet-update:2"]);
    again.close();
  }, slow);

  it("answers 503 with a JSON error body, upgrades included, while the database is down, and serves again once it is back", async () => {
    const url = await postgres().createDatabase();
    const node = await api3Node(url);
    const token = await node.client.tokenFor("outage@example.com");
    await postgres().stop();
    try {
      const replies = [
        await node.client.getWallet(token),
        await node.client.postWallet(token, 1, "during"),
        await node.client.saltSeed("outage@example.com"),
        await node.client.changePassword({ email: "outage@example.com", oldPassword: defaultPassword, newPassword: "other-password", clientSaltSeed: saltSeedOf("c") }),
      ];
      for (const reply of replies) {
        expect(reply.status, reply.text).toBe(503);
        expect(errorText(reply)).toMatch(/^Service Unavailable: /);
      }
      const refused = await node.client.openSocket(token).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(UpgradeRefused);
      expect((refused as UpgradeRefused).status).toBe(503);
      expect((refused as UpgradeRefused).json).toMatchObject({ error: expect.stringMatching(/^Service Unavailable: /) });
      expect(node.program.alive()).toBe(true);
    } finally {
      await postgres().start();
    }
    await untilTrue(() => node.program.stderr().includes("hears other processes' writes again"));
    expect((await node.client.postWallet(token, 1, "after")).status).toBe(200);
  }, slow);
});
