// Each api3 broken server has the defect it claims, shown with plain
// requests and sockets, without the suite: so that a suite check that
// passes one of them is the check's fault, not the zoo's.
import { afterEach, describe, expect, it } from "vitest";
import { requirementsOf } from "../../spec/index.js";
import type { ReferenceServer } from "../../reference/src/index.js";
import { Api3TestClient, defaultPassword, saltSeedOf, UpgradeRefused, type NotificationSocket } from "../../reference/test/support/api3-client.js";
import { brokenApi3Servers, brokenServersByProfile, passwordWriteGapMs } from "../src/broken/servers.js";

const running: ReferenceServer[] = [];
const sockets: NotificationSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(name: string): Promise<Api3TestClient> {
  const server = await brokenApi3Servers[name]!.start({ scryptCost: 64 });
  running.push(server);
  expect(server.protocol).toBe("api3");
  return new Api3TestClient(server.url);
}

async function open(client: Api3TestClient, token: string): Promise<NotificationSocket> {
  const socket = await client.openSocket(token);
  sockets.push(socket);
  return socket;
}

let accountNumber = 0;
const freshEmail = (): string => `zoo${++accountNumber}@example.com`;
const newPassword = "new-login-password";
const passwordChange = (email: string, wallet?: { sequence: number }) => ({
  email,
  oldPassword: defaultPassword,
  newPassword,
  clientSaltSeed: saltSeedOf("b"),
  ...(wallet ? { encryptedWallet: `re-encrypted-${wallet.sequence}`, sequence: wallet.sequence, hmac: `mac-${wallet.sequence}` } : {}),
});
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the api3 zoo", () => {
  it("names, for each server, api3 requirements that exist, and serves the api3 protocol", () => {
    const ids = new Set(requirementsOf("api3").map((requirement) => requirement.id));
    expect(Object.keys(brokenApi3Servers)).toHaveLength(9);
    for (const [name, server] of Object.entries(brokenApi3Servers)) {
      expect(server.protocol, name).toBe("api3");
      for (const requirement of server.breaks) expect(ids, `${name}: ${requirement}`).toContain(requirement);
    }
    for (const server of Object.values(brokenServersByProfile.seed)) expect(server.protocol).toBe("seed");
  });
});

describe("password-change-check-then-write (PASS-1)", () => {
  it("PASS-1: a POST /wallet landing between its check and its write is accepted as well as the change, of the same sequence", async () => {
    const client = await start("password-change-check-then-write");
    // The POST is aimed at the middle of the gap: the change's last duration less half the gap.
    let changeMs = 2 * passwordWriteGapMs;
    let bothAccepted = false;
    for (let round = 0; round < 30 && !bothAccepted; round++) {
      const email = freshEmail();
      const token = await client.tokenFor(email);
      await client.postWallet(token, 1, "w1");
      const started = performance.now();
      const changing = client.changePassword(passwordChange(email, { sequence: 2 })).then((reply) => {
        changeMs = performance.now() - started;
        return reply;
      });
      await delay(Math.max(0, changeMs - passwordWriteGapMs / 2));
      const post = await client.postWallet(token, 2, "posted in the gap");
      bothAccepted = (await changing).status === 200 && post.status === 200;
    }
    expect(bothAccepted).toBe(true);
  });
});

describe("tokens-kept-after-password-change (PASS-2)", () => {
  it("PASS-2: after the change is answered 200 the old token still reads and writes the wallet", async () => {
    const client = await start("tokens-kept-after-password-change");
    const email = freshEmail();
    const token = await client.tokenFor(email);
    await client.postWallet(token, 1, "w1");
    expect((await client.changePassword(passwordChange(email, { sequence: 2 }))).status).toBe(200);
    expect((await client.getWallet(token)).json).toEqual({ encryptedWallet: "re-encrypted-2", sequence: 2, hmac: "mac-2" });
    expect((await client.postWallet(token, 3, "with the old key")).status).toBe(200);
    expect((await client.auth(email, defaultPassword, "probe")).status).toBe(401);
  });
});

describe("password-change-without-wallet (PASS-4)", () => {
  it("PASS-4: a change without wallet fields over a stored wallet is answered 200: the new password logs in, the old wallet stays", async () => {
    const client = await start("password-change-without-wallet");
    const email = freshEmail();
    const token = await client.tokenFor(email);
    await client.postWallet(token, 1, "w1");
    expect((await client.changePassword(passwordChange(email))).status).toBe(200);
    expect((await client.auth(email, defaultPassword, "probe")).status).toBe(401);
    const fresh = await client.tokenFor(email, "after", newPassword);
    expect((await client.getWallet(fresh)).json).toMatchObject({ sequence: 1 });
  });
});

describe("notifies-refused-post (NOTIFY-3)", () => {
  it("NOTIFY-3: a POST answered 409 is announced, with a sequence no write stored or one already announced", async () => {
    const client = await start("notifies-refused-post");
    const token = await client.tokenFor(freshEmail());
    const socket = await open(client, token);
    expect((await client.postWallet(token, 1, "w1")).status).toBe(200);
    expect((await client.postWallet(token, 5, "skipped")).status).toBe(409);
    expect((await client.postWallet(token, 1, "again")).status).toBe(409);
    expect(await socket.framesUntil(3)).toEqual(["wallet-update:1", "wallet-update:5", "wallet-update:1"]);
  });
});

describe("skips-posting-device (NOTIFY-2)", () => {
  it("NOTIFY-2: the posting device's socket hears nothing of its stored version; another device's does", async () => {
    const client = await start("skips-posting-device");
    const email = freshEmail();
    const phone = await client.tokenFor(email, "phone");
    const laptop = await client.tokenFor(email, "laptop");
    const [phoneSocket, laptopSocket] = [await open(client, phone), await open(client, laptop)];
    expect((await client.postWallet(phone, 1, "w1")).status).toBe(200);
    expect(await laptopSocket.framesUntil(1)).toEqual(["wallet-update:1"]);
    expect(await phoneSocket.framesUntil(1, 300)).toEqual([]);
  });
});

describe("accepts-unknown-fields (VAL-5)", () => {
  it("VAL-5: POSTs with fields their endpoint does not define are answered as if the fields were not there", async () => {
    const client = await start("accepts-unknown-fields");
    const email = freshEmail();
    expect((await client.post("/signup", { email, password: defaultPassword, clientSaltSeed: saltSeedOf("a"), nickname: "x" })).status).toBe(201);
    const token = await client.tokenFor(email);
    expect((await client.post("/wallet", { version: 1, token, encryptedWallet: "w1", sequence: 1, hmac: "h1" })).status).toBe(200);
    expect((await client.getWallet(token)).json).toEqual({ encryptedWallet: "w1", sequence: 1, hmac: "h1" });
    // Malformed bodies are still refused: the one defect is the unknown fields.
    expect((await client.post("/wallet", { token, encryptedWallet: "w2", sequence: 0, hmac: "h2" })).status).toBe(400);
  });
});

describe("socket-outlives-password-change (NOTIFY-4)", () => {
  it("NOTIFY-4: after the change the socket opened with the ended token stays open, though the token is 401", async () => {
    const client = await start("socket-outlives-password-change");
    const email = freshEmail();
    const token = await client.tokenFor(email);
    const socket = await open(client, token);
    expect((await client.changePassword(passwordChange(email))).status).toBe(200);
    expect((await client.getWallet(token)).status).toBe(401);
    const refused = await client.openSocket(token).catch((error: unknown) => error);
    expect((refused as UpgradeRefused).status).toBe(401);
    expect(await socket.closesWithin(500)).toBeUndefined();
    expect(socket.isOpen).toBe(true);
  });
});
