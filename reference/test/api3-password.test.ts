// POST /api/3/password over HTTP: what a change stores and ends (PASS-1,
// PASS-2, SALT-1), what a refused one leaves (PASS-3 .. PASS-5), and that a
// change is one write in the account's sequence chain (PASS-1 under races).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateResponse } from "../../spec/schemas.js";
import { contentType, errorText, startTestServer, type Reply, type TestServer } from "./helpers.js";
import { Api3TestClient, defaultPassword, saltSeedOf, UpgradeRefused } from "./support/api3-client.js";

let t: TestServer;
let client: Api3TestClient;
beforeAll(async () => {
  t = await startTestServer({ protocol: "api3" });
  client = new Api3TestClient(t.server.url);
});
afterAll(async () => {
  await t.server.close();
});

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let accountNumber = 0;
const newPassword = "new-login-password";

/** An account (salt seed a...a) with two devices' tokens and `wallets` versions stored. */
async function account(wallets = 0): Promise<{ email: string; phone: string; laptop: string }> {
  const email = `pass${++accountNumber}@example.com`;
  const phone = await client.tokenFor(email, "phone");
  const laptop = await client.tokenFor(email, "laptop");
  for (let sequence = 1; sequence <= wallets; sequence++) expect((await client.postWallet(phone, sequence, `w${sequence}`)).status).toBe(200);
  return { email, phone, laptop };
}

const changeBody = (email: string, fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  email,
  oldPassword: defaultPassword,
  newPassword,
  clientSaltSeed: saltSeedOf("b"),
  ...fields,
});

const walletFields = (sequence: number) => ({ encryptedWallet: `re-encrypted-${sequence}`, sequence, hmac: `mac-${sequence}` });

function conforming(reply: Reply): Reply {
  expect(validateResponse("/api/3/password", "post", reply.status, reply.json, "api3").errors, reply.text).toEqual([]);
  expect(contentType(reply)).toBe("application/json; charset=utf-8");
  return reply;
}

/** Whether a password logs in (on a device of its own, so that no token of the test is replaced). */
async function logsIn(email: string, password: string): Promise<boolean> {
  return (await client.auth(email, password, "probe")).status === 200;
}

/** Everything a refused change must leave: the passwords, the salt seed, the wallet and the tokens. */
async function state(email: string, phone: string, laptop: string) {
  return {
    oldLogsIn: await logsIn(email, defaultPassword),
    newLogsIn: await logsIn(email, newPassword),
    seed: (await client.saltSeed(email)).json,
    wallet: (await client.getWallet(phone)).json,
    laptop: (await client.getWallet(laptop)).status,
  };
}

describe("a password change that is made (PASS-1, PASS-2, SALT-1)", () => {
  it("PASS-1, SALT-1: without a wallet it is 200 {} and stores the password and the salt seed", async () => {
    const { email } = await account();
    const reply = conforming(await client.changePassword(changeBody(email)));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({});
    expect(await logsIn(email, defaultPassword)).toBe(false);
    expect(await logsIn(email, newPassword)).toBe(true);
    expect((await client.saltSeed(email)).json).toEqual({ clientSaltSeed: saltSeedOf("b") });
  });

  it("PASS-1: with the wallet of sequence stored + 1 it is 200 and stores that wallet, the next in the chain", async () => {
    const { email } = await account(3);
    expect(conforming(await client.changePassword(changeBody(email, walletFields(4)))).status).toBe(200);
    const token = await client.tokenFor(email, "phone", newPassword);
    expect((await client.getWallet(token)).json).toEqual({ encryptedWallet: "re-encrypted-4", sequence: 4, hmac: "mac-4" });
    expect((await client.postWallet(token, 4, "stale")).status).toBe(409);
    expect((await client.postWallet(token, 5, "next")).status).toBe(200);
  });

  it("PASS-2: every token the account had is 401 afterwards, for GET, POST and the websocket; other accounts keep theirs", async () => {
    const { email, phone, laptop } = await account(1);
    const other = await account(1);
    expect((await client.changePassword(changeBody(email, walletFields(2)))).status).toBe(200);
    for (const token of [phone, laptop]) {
      expect(errorText(await client.getWallet(token))).toBe("Unauthorized: Token Not Found");
      expect((await client.postWallet(token, 3, "with an ended token")).status).toBe(401);
      const refused = await client.openSocket(token).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(UpgradeRefused);
      expect((refused as UpgradeRefused).status).toBe(401);
    }
    expect((await client.getWallet(other.phone)).status).toBe(200);
    expect((await client.getWallet(await client.tokenFor(email, "phone", newPassword))).json).toMatchObject({ sequence: 2 });
  });
});

describe("a password change that is refused changes nothing (PASS-3, PASS-4, PASS-5)", () => {
  const refusals: Array<{ title: string; wallets: number; body: (email: string) => Record<string, unknown>; status: number }> = [
    { title: "PASS-3: a wrong oldPassword is 401", wallets: 1, body: (email) => changeBody(email, { oldPassword: "wrong-password", ...walletFields(2) }), status: 401 },
    { title: "PASS-3: an email without an account is 401", wallets: 0, body: () => changeBody("nobody@example.com"), status: 401 },
    { title: "PASS-3: a wrong oldPassword with a wrong sequence too is 401", wallets: 1, body: (email) => changeBody(email, { oldPassword: "wrong-password", ...walletFields(7) }), status: 401 },
    { title: "PASS-4: no wallet for an account that has one is 409", wallets: 1, body: (email) => changeBody(email), status: 409 },
    { title: "PASS-4: the stored sequence is 409", wallets: 2, body: (email) => changeBody(email, walletFields(2)), status: 409 },
    { title: "PASS-4: a skipped sequence is 409", wallets: 2, body: (email) => changeBody(email, walletFields(4)), status: 409 },
    { title: "PASS-4: a wallet for an account without one is 409", wallets: 0, body: (email) => changeBody(email, walletFields(1)), status: 409 },
    { title: "PASS-5: newPassword equal to oldPassword is 400", wallets: 1, body: (email) => changeBody(email, { newPassword: defaultPassword, ...walletFields(2) }), status: 400 },
    { title: "PASS-5: encryptedWallet alone is 400", wallets: 1, body: (email) => changeBody(email, { encryptedWallet: "w" }), status: 400 },
    { title: "PASS-5: sequence and hmac without encryptedWallet is 400", wallets: 1, body: (email) => changeBody(email, { sequence: 2, hmac: "h" }), status: 400 },
    { title: "PASS-5: encryptedWallet and sequence without hmac is 400", wallets: 1, body: (email) => changeBody(email, { encryptedWallet: "w", sequence: 2 }), status: 400 },
    { title: "PASS-5: sequence 0 is 400", wallets: 1, body: (email) => changeBody(email, { ...walletFields(2), sequence: 0 }), status: 400 },
    { title: "PASS-5: no clientSaltSeed is 400", wallets: 0, body: (email) => ({ email, oldPassword: defaultPassword, newPassword }), status: 400 },
    { title: "PASS-5: a clientSaltSeed that is not 64 hex digits is 400", wallets: 0, body: (email) => changeBody(email, { clientSaltSeed: "b".repeat(40) }), status: 400 },
    { title: "PASS-5: a newPassword under 8 characters is 400", wallets: 0, body: (email) => changeBody(email, { newPassword: "short" }), status: 400 },
    { title: "PASS-5: an email that is not a bare address is 400", wallets: 0, body: (email) => changeBody(`Joe <${email}>`), status: 400 },
    { title: "PASS-5, VAL-5: an unknown field is 400", wallets: 1, body: (email) => changeBody(email, { ...walletFields(2), token: "x" }), status: 400 },
  ];
  for (const refusal of refusals) {
    it(`${refusal.title}; password, salt seed, wallet and tokens stay`, async () => {
      const { email, phone, laptop } = await account(refusal.wallets);
      const before = await state(email, phone, laptop);
      expect(before.oldLogsIn).toBe(true);
      const reply = conforming(await client.changePassword(refusal.body(email)));
      expect(reply.status, reply.text).toBe(refusal.status);
      errorText(reply);
      expect(await state(email, phone, laptop)).toEqual(before);
    });
  }
});

describe("a password change is one write in the account's sequence chain (PASS-1)", () => {
  it("PASS-1: of a change and concurrent POSTs of the same sequence at most one is accepted, and the password moved only with the change", async () => {
    for (let round = 0; round < 12; round++) {
      const { email, phone } = await account(2);
      const changing = client.changePassword(changeBody(email, walletFields(3)));
      // Sent a little later each round, so that they come before, during and after the change's hashing.
      const posts = Array.from({ length: 4 }, (_, i) => delay((round % 6) + i).then(() => client.postWallet(phone, 3, `post-${i}`)));
      const [change, ...answers] = await Promise.all([changing, ...posts]);
      const accepted = [change!, ...answers].filter((reply) => reply.status === 200);
      expect(accepted.length, `round ${round}`).toBe(1);
      const changed = change!.status === 200;
      if (!changed) expect(change!.status).toBe(409);
      const password = changed ? newPassword : defaultPassword;
      const reader = await client.tokenFor(email, "reader", password);
      const stored = (await client.getWallet(reader)).json as { encryptedWallet: string; sequence: number };
      expect(stored.sequence).toBe(3);
      expect(stored.encryptedWallet.startsWith(changed ? "re-encrypted" : "post-")).toBe(true);
      expect(await logsIn(email, changed ? defaultPassword : newPassword)).toBe(false);
    }
  });

  it("PASS-1, PASS-2: POSTs after an accepted change with the old tokens are 401, so no version lands on top with the old key", async () => {
    const { email, phone, laptop } = await account(1);
    const changing = client.changePassword(changeBody(email, walletFields(2)));
    const late = Array.from({ length: 6 }, (_, i) => delay(i * 3).then(() => client.postWallet(i % 2 ? phone : laptop, 3, `late-${i}`)));
    expect((await changing).status).toBe(200);
    for (const reply of await Promise.all(late)) expect([401, 409]).toContain(reply.status);
    const reader = await client.tokenFor(email, "reader", newPassword);
    expect((await client.getWallet(reader)).json).toMatchObject({ sequence: 2, encryptedWallet: "re-encrypted-2" });
  });
});
