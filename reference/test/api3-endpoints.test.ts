// The api3 profile's endpoints over HTTP, one or more tests per requirement:
// every success and failure status, answers checked against
// spec/api3/openapi.yaml, and nothing changed by a refused request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateResponse, type Method } from "../../spec/schemas.js";
import { contentType, errorText, startTestServer, TestClient, type Reply, type TestServer } from "./helpers.js";
import { Api3TestClient, defaultPassword, saltSeedOf } from "./support/api3-client.js";

let t: TestServer;
let client: Api3TestClient;
beforeAll(async () => {
  t = await startTestServer({ protocol: "api3", bodyLimitBytes: 4096 });
  client = new Api3TestClient(t.server.url);
});
afterAll(async () => {
  await t.server.close();
});

let accountNumber = 0;
const freshEmail = (): string => `user${++accountNumber}@example.com`;

/** Checks the answer against the api3 document's schema for it, and the JSON content type (HTTP-2, HTTP-3). */
function conforming(reply: Reply, path: string, method: Method): Reply {
  const validation = validateResponse(`/api/3${path}`, method, reply.status, reply.json, "api3");
  expect(validation.errors, `${method.toUpperCase()} ${path} -> ${reply.status} ${reply.text}`).toEqual([]);
  if (reply.status >= 400) errorText(reply);
  expect(contentType(reply)).toBe("application/json; charset=utf-8");
  return reply;
}

function conforming404(reply: Reply): Reply {
  expect(reply.status).toBe(404);
  expect(contentType(reply)).toBe("application/json; charset=utf-8");
  return reply;
}

/** What any refused request must leave as it was. */
async function snapshot(token: string, email: string) {
  return {
    accounts: t.store.accountCount(),
    tokens: t.store.tokenCount(),
    wallets: t.store.walletCount(),
    wallet: (await client.getWallet(token)).json,
    seed: (await client.saltSeed(email)).json,
  };
}

async function expectRefused(token: string, email: string, send: () => Promise<Reply>, status: number, path: string, method: Method): Promise<Reply> {
  const before = await snapshot(token, email);
  const reply = conforming(await send(), path, method);
  expect(reply.status, reply.text).toBe(status);
  expect(await snapshot(token, email)).toEqual(before);
  return reply;
}

/** An account with a token and `wallets` versions stored. */
async function account(wallets = 0): Promise<{ email: string; token: string }> {
  const email = freshEmail();
  const token = await client.tokenFor(email);
  for (let sequence = 1; sequence <= wallets; sequence++) expect((await client.postWallet(token, sequence, `w${sequence}`)).status).toBe(200);
  return { email, token };
}

describe("paths and methods (HTTP-1, HTTP-2, HTTP-3)", () => {
  const routes: Array<[string, string[]]> = [
    ["/client-salt-seed", ["GET"]],
    ["/signup", ["POST"]],
    ["/auth/full", ["POST"]],
    ["/wallet", ["GET", "POST"]],
    ["/password", ["POST"]],
    ["/websocket", ["GET"]],
  ];
  for (const [path, allowed] of routes) {
    it(`HTTP-1: a method ${path} does not take is 405 with Allow: ${allowed.join(", ")}`, async () => {
      for (const method of ["PUT", "DELETE", "PATCH", "GET", "POST"].filter((method) => !allowed.includes(method))) {
        const reply = await client.send(method, path, method === "GET" ? undefined : "{}");
        expect(reply.status).toBe(405);
        expect(reply.json).toEqual({ error: "Method Not Allowed" });
        expect(reply.headers["allow"]).toBe(allowed.join(", "));
        expect(contentType(reply)).toBe("application/json; charset=utf-8");
      }
    });
  }

  it("HTTP-2: an unknown path under /api/3/ is 404 Unknown Endpoint; one under another version names the current one", async () => {
    const root = new TestClient(t.server.url);
    for (const path of ["/api/3/nope", "/api/3/", "/api/3", "/api/3/verify", "/api/3/wallet/extra"]) {
      const reply = conforming404(await root.get(path));
      expect(reply.json, path).toEqual({ error: "Not Found: Unknown Endpoint" });
    }
    for (const path of ["/api/2/wallet", "/api/4/signup", "/api/", "/api/30/wallet"]) {
      const reply = conforming404(await root.send("POST", path, "{}"));
      expect(reply.json, path).toEqual({ error: "Not Found: Wrong API version. Current version is 3." });
    }
    for (const path of ["/wallet", "/signup", "/"]) expect(conforming404(await root.get(path)).json, path).toEqual({ error: "Not Found" });
  });
});

describe("POST /api/3/signup (SIGNUP-1 .. SIGNUP-5)", () => {
  it("SIGNUP-1: a new email is 201 {verified: true}, and the account logs in", async () => {
    const email = freshEmail();
    const reply = conforming(await client.signup(email, defaultPassword), "/signup", "post");
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ verified: true });
    expect((await client.auth(email, defaultPassword, "d")).status).toBe(200);
  });

  it("SIGNUP-2: an email that has an account is 409, also in another case, and the first password stays", async () => {
    const { email, token } = await account();
    for (const again of [email, email.toUpperCase(), `User${email.slice(4)}`]) {
      const reply = await expectRefused(token, email, () => client.signup(again, "other-password", saltSeedOf("c")), 409, "/signup", "post");
      expect(errorText(reply)).toBe("Conflict: Error registering");
    }
    expect((await client.auth(email, "other-password", "d")).status).toBe(401);
  });

  const badSignups: Array<[string, Record<string, unknown>]> = [
    ["SIGNUP-5: no clientSaltSeed", { password: defaultPassword }],
    ["SIGNUP-5: a clientSaltSeed of 63 hex digits", { password: defaultPassword, clientSaltSeed: "a".repeat(63) }],
    ["SIGNUP-5: a clientSaltSeed of 65 hex digits", { password: defaultPassword, clientSaltSeed: "a".repeat(65) }],
    ["SIGNUP-5: a clientSaltSeed that is not hex", { password: defaultPassword, clientSaltSeed: "g".repeat(64) }],
    ["SIGNUP-5: a clientSaltSeed that is a number", { password: defaultPassword, clientSaltSeed: 1 }],
    ["SIGNUP-3: no password", { clientSaltSeed: saltSeedOf("a") }],
    ["SIGNUP-3: a password under 8 characters", { password: "short", clientSaltSeed: saltSeedOf("a") }],
    ["VAL-5: an unknown field", { password: defaultPassword, clientSaltSeed: saltSeedOf("a"), nickname: "x" }],
  ];
  for (const [title, fields] of badSignups) {
    it(`${title} is 400 and creates no account`, async () => {
      const { email: existing, token } = await account();
      const email = freshEmail();
      await expectRefused(token, existing, () => client.post("/signup", { email, ...fields }), 400, "/signup", "post");
      expect((await client.saltSeed(email)).status).toBe(404);
    });
  }

  it("SIGNUP-4: an email that is not a bare address is 400", async () => {
    const { email, token } = await account();
    await expectRefused(token, email, () => client.signup("Joe <joe@example.com>", defaultPassword), 400, "/signup", "post");
  });
});

describe("POST /api/3/auth/full (AUTH-1 .. AUTH-4)", () => {
  it("AUTH-1: the right password is 200 with a token, in any case of the email", async () => {
    const email = freshEmail();
    await client.signup(email, defaultPassword);
    for (const spelled of [email, email.toUpperCase()]) {
      const reply = conforming(await client.auth(spelled, defaultPassword, "d"), "/auth/full", "post");
      expect(reply.status).toBe(200);
      expect((reply.json as { token: string }).token).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("AUTH-2: a wrong password or an unknown email is 401 and issues no token", async () => {
    const { email, token } = await account();
    await expectRefused(token, email, () => client.auth(email, "wrong-password", "d"), 401, "/auth/full", "post");
    await expectRefused(token, email, () => client.auth(freshEmail(), defaultPassword, "d"), 401, "/auth/full", "post");
  });

  it("AUTH-3, VAL-5: a missing deviceId or an unknown field is 400", async () => {
    const { email, token } = await account();
    await expectRefused(token, email, () => client.post("/auth/full", { email, password: defaultPassword }), 400, "/auth/full", "post");
    await expectRefused(token, email, () => client.post("/auth/full", { email, password: defaultPassword, deviceId: "d", scope: "*" }), 400, "/auth/full", "post");
  });
});

describe("GET and POST /api/3/wallet (WGET-1 .. WGET-4, SEQ-1 .. SEQ-6, VAL-1 .. VAL-5)", () => {
  it("WGET-1, SEQ-1: POST of sequence 1 is 200 {} and GET returns the wallet without a version", async () => {
    const { token } = await account();
    const posted = conforming(await client.postWallet(token, 1, "first", "mac-1"), "/wallet", "post");
    expect(posted.status).toBe(200);
    expect(posted.json).toEqual({});
    const read = conforming(await client.getWallet(token), "/wallet", "get");
    expect(read.json).toEqual({ encryptedWallet: "first", sequence: 1, hmac: "mac-1" });
  });

  it("WGET-2, WGET-3: GET without a token is 400, with an unknown token 401, without a wallet 404", async () => {
    const { token } = await account();
    expect(conforming(await client.get("/wallet"), "/wallet", "get").status).toBe(400);
    expect(errorText(conforming(await client.getWallet("0".repeat(64)), "/wallet", "get"))).toBe("Unauthorized: Token Not Found");
    expect(conforming(await client.getWallet(token), "/wallet", "get").status).toBe(404);
  });

  it("SEQ-2, SEQ-3, SEQ-5: a sequence other than stored + 1 is 409 with an error body only, and changes nothing", async () => {
    const { email, token } = await account(2);
    for (const sequence of [1, 2, 4]) {
      const reply = await expectRefused(token, email, () => client.postWallet(token, sequence, "stale"), 409, "/wallet", "post");
      expect(reply.json).toEqual({ error: "Conflict: Bad sequence number" });
    }
    const empty = await account();
    const reply = await expectRefused(empty.token, empty.email, () => client.postWallet(empty.token, 2, "early"), 409, "/wallet", "post");
    expect(reply.json).toEqual({ error: "Conflict: Bad sequence number" });
  });

  it("TOKEN-1: POST with an unknown token is 401 and stores nothing", async () => {
    const { email, token } = await account(1);
    await expectRefused(token, email, () => client.postWallet("f".repeat(64), 2, "intruder"), 401, "/wallet", "post");
  });

  const badWalletBodies: Array<[string, (token: string) => unknown]> = [
    ["VAL-5: a version field, which this profile does not define", (token) => ({ version: 1, token, encryptedWallet: "w", sequence: 2, hmac: "h" })],
    ["VAL-5: an unknown field", (token) => ({ token, encryptedWallet: "w", sequence: 2, hmac: "h", note: "x" })],
    ["VAL-3: sequence 0", (token) => ({ token, encryptedWallet: "w", sequence: 0, hmac: "h" })],
    ["VAL-3: a sequence that is a string", (token) => ({ token, encryptedWallet: "w", sequence: "2", hmac: "h" })],
    ["VAL-4: an empty encryptedWallet", (token) => ({ token, encryptedWallet: "", sequence: 2, hmac: "h" })],
    ["VAL-4: no hmac", (token) => ({ token, encryptedWallet: "w", sequence: 2 })],
  ];
  for (const [title, body] of badWalletBodies) {
    it(`${title} is 400 and changes nothing`, async () => {
      const { email, token } = await account(1);
      await expectRefused(token, email, () => client.post("/wallet", body(token)), 400, "/wallet", "post");
    });
  }
});

describe("bodies every POST refuses (VAL-1, HTTP-4, HTTP-6)", () => {
  for (const path of ["/signup", "/auth/full", "/wallet", "/password"]) {
    it(`VAL-1, HTTP-6: null, other JSON types and malformed JSON as the body of POST ${path} are 400 (the original drops the connection on null)`, async () => {
      const { email, token } = await account(1);
      for (const text of ["null", "true", "1", '"s"', "[]", "{", "", "\u00ff"]) {
        const reply = await expectRefused(token, email, () => client.send("POST", path, text), 400, path, "post");
        expect(errorText(reply)).toMatch(/^Bad Request: /);
      }
    });

    it(`HTTP-4: a body over the server's limit to POST ${path} is 413 and changes nothing`, async () => {
      const { email, token } = await account(1);
      await expectRefused(token, email, () => client.send("POST", path, JSON.stringify({ token, filler: "x".repeat(5000) })), 413, path, "post");
    });
  }
});

describe("GET /api/3/client-salt-seed (SALT-1, SALT-2)", () => {
  it("SALT-1: the standard base64 of an account's email, in any case, is 200 with the signup's salt seed", async () => {
    const email = freshEmail();
    await client.signup(email, defaultPassword, saltSeedOf("7"));
    for (const spelled of [email, email.toUpperCase()]) {
      const reply = conforming(await client.saltSeed(spelled), "/client-salt-seed", "get");
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ clientSaltSeed: saltSeedOf("7") });
    }
  });

  it("SALT-1: an email whose base64 has + and / is read when the query percent-encodes them", async () => {
    const email = "{_??|~@example.com";
    expect(Buffer.from(email).toString("base64")).toMatch(/[+/]/);
    await client.signup(email, defaultPassword, saltSeedOf("8"));
    expect((await client.saltSeed(email)).json).toEqual({ clientSaltSeed: saltSeedOf("8") });
  });

  it("SALT-2: an email without an account is 404", async () => {
    const reply = conforming(await client.saltSeed(freshEmail()), "/client-salt-seed", "get");
    expect(reply.status).toBe(404);
    expect(errorText(reply)).toBe("Not Found: No match for email");
  });

  it("SALT-2: no email, an empty one, one that is not base64 and base64 of no bare address are 400", async () => {
    const notBase64 = ["", "not base64!", "YWJj%3D%3D%3D", "YWJjZA", "%FF", encodeURIComponent(Buffer.from("no-at-sign").toString("base64"))];
    expect(conforming(await client.get("/client-salt-seed"), "/client-salt-seed", "get").status).toBe(400);
    for (const parameter of notBase64) {
      const reply = conforming(await client.get(`/client-salt-seed?email=${parameter}`), "/client-salt-seed", "get");
      expect(reply.status, parameter).toBe(400);
    }
  });
});
