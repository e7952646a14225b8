// One or more tests per server requirement of spec/protocol.md, named by ID.
// Every answer is also checked against the schema openapi.yaml gives for it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { validateResponse, validateSchema, type Method } from "../../spec/schemas.js";
import { contentType, day, errorText, startTestServer, type Reply, type TestServer } from "./helpers.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.server.close();
});

let accountNumber = 0;
/** A fresh account name per test, so tests share the server without sharing state. */
function freshEmail(): string {
  return `user${++accountNumber}@example.com`;
}

/** Asserts HTTP-2 and HTTP-3 for one answer and returns it. */
function conforming(reply: Reply, path: string, method: Method): Reply {
  const validation = validateResponse(path, method, reply.status, reply.json);
  expect(validation.errors, `${method.toUpperCase()} ${path} -> ${reply.status} ${reply.text}`).toEqual([]);
  if (reply.status >= 400 && reply.status < 500) errorText(reply);
  expect(contentType(reply)).toMatch(/^application\/json/);
  return reply;
}

async function walletOf(token: string): Promise<Reply> {
  return t.client.getWallet(token);
}

describe("2. HTTP", () => {
  const wrongMethods: Array<[string, string[]]> = [
    ["/signup", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]],
    ["/auth/full", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"]],
    ["/wallet", ["PUT", "DELETE", "PATCH", "OPTIONS"]],
  ];
  for (const [path, methods] of wrongMethods) {
    for (const method of methods) {
      it(`HTTP-1: ${method} ${path} is answered 405 with an error body and an Allow header`, async () => {
        const reply = await t.client.send(method, path, "{}");
        expect(reply.status).toBe(405);
        expect(reply.json).toEqual({ error: "Method Not Allowed" });
        expect(reply.headers["allow"]).toBe(path === "/wallet" ? "GET, POST" : "POST");
        expect(contentType(reply)).toBe("application/json; charset=utf-8");
      });
    }
  }

  it("HTTP-1: HEAD /wallet is answered 405", async () => {
    const reply = await t.client.send("HEAD", "/wallet?token=x");
    expect(reply.status).toBe(405);
  });

  it("HTTP-1: a wrong method carrying a valid body changes nothing", async () => {
    const email = freshEmail();
    const token = await t.client.tokenFor(email);
    const body = JSON.stringify({ version: 1, token, encryptedWallet: "w", sequence: 1, hmac: "h" });
    for (const method of ["PUT", "PATCH", "DELETE"]) expect((await t.client.send(method, "/wallet", body)).status).toBe(405);
    expect((await walletOf(token)).status).toBe(404);
    const accounts = t.store.accountCount();
    expect((await t.client.send("PUT", "/signup", JSON.stringify({ email: freshEmail(), password: "p" }))).status).toBe(405);
    expect(t.store.accountCount()).toBe(accounts);
  });

  it("HTTP-2: every answer of a full flow matches the schema of its path and status", async () => {
    const email = freshEmail();
    conforming(await t.client.signup(email, "pw"), "/signup", "post");
    conforming(await t.client.signup(email, "pw"), "/signup", "post");
    conforming(await t.client.signup("", "pw"), "/signup", "post");
    conforming(await t.client.auth(email, "wrong", "d"), "/auth/full", "post");
    const auth = conforming(await t.client.auth(email, "pw", "d"), "/auth/full", "post");
    const token = (auth.json as { token: string }).token;
    conforming(await t.client.get("/wallet"), "/wallet", "get");
    conforming(await t.client.getWallet("unknown"), "/wallet", "get");
    conforming(await walletOf(token), "/wallet", "get");
    conforming(await t.client.postWallet(token, 2, "w"), "/wallet", "post");
    conforming(await t.client.postWallet(token, 1, "w"), "/wallet", "post");
    conforming(await walletOf(token), "/wallet", "get");
    conforming(await t.client.postWallet(token, 1, "w"), "/wallet", "post");
    conforming(await t.client.post("/wallet", { version: 2 }), "/wallet", "post");
    conforming(await t.client.send("DELETE", "/wallet"), "/wallet", "get");
  });

  it("HTTP-2: unknown paths are answered 404 with an error body", async () => {
    for (const path of ["/", "/nope", "/wallet/", "/signup/x", "/WALLET"]) {
      const reply = await t.client.get(path);
      expect(reply.status).toBe(404);
      expect(validateSchema("Error", reply.json).valid).toBe(true);
    }
  });

  it("HTTP-3: every answer, success or error, is sent as application/json", async () => {
    const replies = [
      await t.client.signup(freshEmail(), "pw"),
      await t.client.get("/nope"),
      await t.client.send("PUT", "/wallet"),
      await t.client.send("POST", "/wallet", "not json"),
      await t.client.get("/wallet"),
    ];
    for (const reply of replies) expect(contentType(reply)).toBe("application/json; charset=utf-8");
  });

  it("HTTP-4: a body over the limit is answered 413 and changes nothing", async () => {
    const small = await startTestServer({ bodyLimitBytes: 256 });
    try {
      const token = await small.client.tokenFor("big@example.com");
      const reply = await small.client.postWallet(token, 1, "x".repeat(300));
      expect(reply.status).toBe(413);
      expect(reply.json).toEqual({ error: "Request Entity Too Large" });
      expect((await small.client.getWallet(token)).status).toBe(404);
      expect((await small.client.post("/signup", { email: "x@example.com", password: "p".repeat(300) })).status).toBe(413);
      expect(small.store.accountCount()).toBe(1);
    } finally {
      await small.server.close();
    }
  });

  it("HTTP-7: a POST /wallet body of 100,000 bytes is accepted and its wallet kept whole", async () => {
    const token = await t.client.tokenFor(freshEmail());
    const overhead = JSON.stringify({ version: 1, token, encryptedWallet: "", sequence: 1, hmac: "mac" }).length;
    const wallet = "w".repeat(100_000 - overhead);
    const reply = await t.client.post("/wallet", { version: 1, token, encryptedWallet: wallet, sequence: 1, hmac: "mac" });
    expect(reply.status).toBe(200);
    expect((await walletOf(token)).json).toEqual({ version: 1, encryptedWallet: wallet, sequence: 1, hmac: "mac" });
  });

  const contentTypes = [undefined, "text/plain", "application/x-www-form-urlencoded", "application/octet-stream", "application/json"];
  for (const type of contentTypes) {
    it(`HTTP-5: a JSON body is parsed whatever its Content-Type (${type ?? "none"})`, async () => {
      const email = freshEmail();
      const headers: Record<string, string> = type ? { "content-type": type } : {};
      const reply = await t.client.send("POST", "/signup", JSON.stringify({ email, password: "pw" }), headers);
      expect(reply.status).toBe(201);
    });
  }

  it("HTTP-6: malformed requests get a 4xx answer on a connection that stays open", async () => {
    for (const body of ["", "{", "nul", "[1,]", "{'a':1}", "\u0000"]) {
      const reply = await t.client.send("POST", "/wallet", body);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ error: "Bad Request: Malformed request body JSON" });
    }
    expect((await t.client.get("/wallet")).status).toBe(400);
  });
});

describe("3. Accounts", () => {
  it("SIGNUP-1: a new bare email with a password is answered 201 with a JSON object", async () => {
    const reply = await t.client.signup(freshEmail(), "pw");
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({});
  });

  it("SIGNUP-2: a second signup of an email is answered 409 and keeps the first password", async () => {
    const email = freshEmail();
    await t.client.signup(email, "first");
    const reply = await t.client.signup(email, "second");
    expect(reply.status).toBe(409);
    expect(reply.json).toEqual({ error: "Conflict: Error registering" });
    expect((await t.client.auth(email, "first", "d")).status).toBe(200);
    expect((await t.client.auth(email, "second", "d")).status).toBe(401);
  });

  it("SIGNUP-3: a body that is not an object, or a missing, empty or non-string field, is answered 400", async () => {
    const before = t.store.accountCount();
    const bodies: unknown[] = [null, [], "s", 1, true, {}, { email: freshEmail() }, { password: "p" }];
    bodies.push({ email: "", password: "p" }, { email: freshEmail(), password: "" }, { email: 1, password: "p" });
    bodies.push({ email: freshEmail(), password: null });
    for (const body of bodies) {
      const reply = await t.client.post("/signup", body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(errorText(reply)).toMatch(/^Bad Request: Request failed validation: /);
    }
    expect(t.store.accountCount()).toBe(before);
  });

  it("SIGNUP-4: an email that is not a bare address is answered 400", async () => {
    const before = t.store.accountCount();
    for (const email of ["Joe <joe@example.com>", "joe @example.com", "joe@example.com ", "joeexample.com", "@example.com", "joe@", "a@b@example.com", "<joe@example.com>", "joe\t@example.com"]) {
      const reply = await t.client.signup(email, "pw");
      expect(reply.status, email).toBe(400);
      expect(errorText(reply)).toBe("Bad Request: Request failed validation: /email must be a bare address");
    }
    expect(t.store.accountCount()).toBe(before);
  });

  it("AUTH-1: the right email and password with a deviceId get a token for that device", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const reply = await t.client.auth(email, "pw", "my-device");
    expect(reply.status).toBe(200);
    expect(typeof (reply.json as Record<string, unknown>)["token"]).toBe("string");
  });

  it("AUTH-6: the token body echoes the deviceId and carries scope '*' and an integer userId", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const body = (await t.client.auth(email, "pw", "my-device")).json as Record<string, unknown>;
    expect(body).toMatchObject({ deviceId: "my-device", scope: "*" });
    expect(Number.isInteger(body["userId"])).toBe(true);
  });

  it("AUTH-2: an unknown email or a wrong password is answered 401 and issues no token", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const tokens = t.store.tokenCount();
    for (const [user, password] of [[email, "wrong"], [freshEmail(), "pw"], [email, "PW"], [email.toUpperCase(), "pw"]] as const) {
      const reply = await t.client.auth(user, password, "d");
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ error: "Unauthorized: No match for email and password" });
    }
    expect(t.store.tokenCount()).toBe(tokens);
  });

  it("AUTH-3: a body that is not an object, or a missing, empty or non-string field, is answered 400", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const tokens = t.store.tokenCount();
    const valid = { email, password: "pw", deviceId: "d" };
    const bodies: unknown[] = [null, [], "s", 1, true, {}];
    for (const field of ["email", "password", "deviceId"] as const) {
      for (const value of [undefined, "", null, 1, true, [], {}]) bodies.push({ ...valid, [field]: value });
    }
    for (const body of bodies) expect((await t.client.post("/auth/full", body)).status, JSON.stringify(body)).toBe(400);
    expect(t.store.tokenCount()).toBe(tokens);
  });

  it("AUTH-4: an email that is not a bare address is answered 400", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const reply = await t.client.auth(`Joe <${email}>`, "pw", "d");
    expect(reply.status).toBe(400);
  });

  it("AUTH-5: the expiration is the RFC 3339 time 14 days after issue", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const reply = await t.client.auth(email, "pw", "d");
    const expiration = (reply.json as { expiration: string }).expiration;
    expect(expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(expiration)).toBe(t.clock.nowMs + 14 * day);
  });
});

describe("4. Tokens", () => {
  it("TOKEN-1: a token reads and writes only its own account's wallet", async () => {
    const alice = await t.client.tokenFor(freshEmail());
    const bob = await t.client.tokenFor(freshEmail());
    expect((await t.client.postWallet(alice, 1, "alice-1")).status).toBe(200);
    expect((await walletOf(bob)).status).toBe(404);
    expect((await t.client.postWallet(bob, 1, "bob-1")).status).toBe(200);
    expect((await t.client.postWallet(bob, 2, "bob-2")).status).toBe(200);
    expect((await walletOf(alice)).json).toMatchObject({ sequence: 1, encryptedWallet: "alice-1" });
    expect((await walletOf(bob)).json).toMatchObject({ sequence: 2, encryptedWallet: "bob-2" });
  });

  it("TOKEN-2: a new token for a device replaces its previous one, which is then answered 401", async () => {
    const email = freshEmail();
    const first = await t.client.tokenFor(email, "phone");
    await t.client.postWallet(first, 1, "w1");
    const second = await t.client.tokenFor(email, "phone");
    expect(second).not.toBe(first);
    expect((await walletOf(first)).status).toBe(401);
    expect((await t.client.postWallet(first, 2, "w2")).status).toBe(401);
    expect((await walletOf(second)).json).toMatchObject({ sequence: 1, encryptedWallet: "w1" });
  });

  it("TOKEN-3: tokens of two devices of one account work at the same time", async () => {
    const email = freshEmail();
    const phone = await t.client.tokenFor(email, "phone");
    const laptop = await t.client.tokenFor(email, "laptop");
    expect((await t.client.postWallet(phone, 1, "from-phone")).status).toBe(200);
    expect((await t.client.postWallet(laptop, 2, "from-laptop")).status).toBe(200);
    expect((await walletOf(phone)).json).toMatchObject({ sequence: 2, encryptedWallet: "from-laptop" });
  });

  it("TOKEN-4: the same deviceId in two accounts gets two independent tokens", async () => {
    const alice = await t.client.tokenFor(freshEmail(), "shared-device");
    const bob = await t.client.tokenFor(freshEmail(), "shared-device");
    expect((await t.client.postWallet(alice, 1, "alice")).status).toBe(200);
    expect((await t.client.postWallet(bob, 1, "bob")).status).toBe(200);
    expect((await walletOf(alice)).json).toMatchObject({ encryptedWallet: "alice" });
    expect((await walletOf(bob)).json).toMatchObject({ encryptedWallet: "bob" });
  });

  it("TOKEN-5, TOKEN-7: tokens are 64 hex digits (URL-safe) and all different", async () => {
    const email = freshEmail();
    await t.client.signup(email, "pw");
    const tokens = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const token = ((await t.client.auth(email, "pw", `device-${i % 4}`)).json as { token: string }).token;
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      tokens.add(token);
    }
    expect(tokens.size).toBe(40);
  });

  it("TOKEN-6: a token works until 14 days after issue and is answered 401 from then on", async () => {
    const own = await startTestServer();
    try {
      const token = await own.client.tokenFor("expiry@example.com");
      await own.client.postWallet(token, 1, "w");
      own.clock.advance(14 * day - 1);
      expect((await own.client.getWallet(token)).status).toBe(200);
      own.clock.advance(1);
      expect((await own.client.getWallet(token)).status).toBe(401);
      expect((await own.client.postWallet(token, 2, "w2")).status).toBe(401);
      // A new token works again and sees the wallet unchanged.
      const renewed = await own.client.tokenFor("expiry@example.com");
      expect((await own.client.getWallet(renewed)).json).toMatchObject({ sequence: 1, encryptedWallet: "w" });
    } finally {
      await own.server.close();
    }
  });
});

describe("5. Reading the wallet", () => {
  it("WGET-1: a valid token of an account with a wallet reads it exactly as stored, with version 1", async () => {
    const token = await t.client.tokenFor(freshEmail());
    const opaque = "  base64/+==\u00e9\u{1F600}\\\"\n ";
    await t.client.postWallet(token, 1, opaque, "HMAC with spaces ");
    const reply = await walletOf(token);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ version: 1, encryptedWallet: opaque, sequence: 1, hmac: "HMAC with spaces " });
  });

  it("WGET-2: an account without a wallet is answered 404 with an error body", async () => {
    const reply = await walletOf(await t.client.tokenFor(freshEmail()));
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ error: "Not Found: No wallet" });
  });

  it("WGET-3: a GET without a token parameter is answered 400", async () => {
    for (const path of ["/wallet", "/wallet?", "/wallet?tokens=x", "/wallet?Token=x"]) {
      const reply = await t.client.get(path);
      expect(reply.status, path).toBe(400);
      expect(reply.json).toEqual({ error: "Bad Request: Missing token parameter" });
    }
  });

  it("WGET-4: unknown, empty, replaced and expired tokens are answered 401 and change nothing", async () => {
    const email = freshEmail();
    const replaced = await t.client.tokenFor(email, "d");
    const current = await t.client.tokenFor(email, "d");
    await t.client.postWallet(current, 1, "w");
    for (const token of ["", "x", "0".repeat(64), replaced, current.toUpperCase(), `${current} `]) {
      const read = await walletOf(token);
      expect(read.status, token).toBe(401);
      expect(read.json).toEqual({ error: "Unauthorized: Token Not Found" });
      if (token !== "") expect((await t.client.postWallet(token, 2, "evil")).status).toBe(401);
    }
    expect((await walletOf(current)).json).toMatchObject({ sequence: 1, encryptedWallet: "w" });
  });
});

describe("6. The sequence rule", () => {
  let token: string;
  beforeEach(async () => {
    token = await t.client.tokenFor(freshEmail());
  });

  it("SEQ-1: sequence 1 on an account without a wallet is stored and answered 200", async () => {
    const reply = await t.client.postWallet(token, 1, "first");
    expect(reply.status).toBe(200);
    expect((await walletOf(token)).json).toMatchObject({ sequence: 1, encryptedWallet: "first" });
  });

  it("SEQ-2: sequence n > 1 is stored if and only if the stored sequence is n - 1", async () => {
    for (let n = 1; n <= 20; n++) expect((await t.client.postWallet(token, n, `v${n}`)).status).toBe(200);
    expect((await t.client.postWallet(token, 22, "skip")).status).toBe(409);
    expect((await t.client.postWallet(token, 21, "v21")).status).toBe(200);
    expect((await walletOf(token)).json).toMatchObject({ sequence: 21, encryptedWallet: "v21" });
  });

  it("SEQ-3: a sequence ahead, equal, below, or 1 over an existing wallet is answered 409 and changes nothing", async () => {
    for (let n = 1; n <= 3; n++) await t.client.postWallet(token, n, `v${n}`);
    for (const sequence of [5, 4294967295, 3, 2, 1]) {
      const reply = await t.client.postWallet(token, sequence, "intruder");
      expect(reply.status, String(sequence)).toBe(409);
    }
    expect((await walletOf(token)).json).toEqual({ version: 1, encryptedWallet: "v3", sequence: 3, hmac: "hmac-3" });
  });

  it("SEQ-4: a 409 carries the stored wallet as GET returns it, with an error", async () => {
    await t.client.postWallet(token, 1, "v1");
    await t.client.postWallet(token, 2, "v2");
    const conflict = await t.client.postWallet(token, 2, "late");
    expect(conflict.status).toBe(409);
    const read = (await walletOf(token)).json as Record<string, unknown>;
    expect(conflict.json).toEqual({ ...read, error: "Bad sequence number" });
  });

  it("SEQ-5: a sequence other than 1 without a wallet is answered 409 and leaves no wallet", async () => {
    for (const sequence of [2, 3, 4294967295]) {
      const reply = await t.client.postWallet(token, sequence, "w");
      expect(reply.status).toBe(409);
      expect(reply.json).toEqual({ error: "Conflict: Bad sequence number (No existing wallet)" });
    }
    expect((await walletOf(token)).status).toBe(404);
  });

  it("SEQ-6: of concurrent POSTs of the next sequence exactly one is stored", async () => {
    await t.client.postWallet(token, 1, "base");
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.client.postWallet(token, 2, `contender-${i}`)),
    );
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(19);
  });

  it("SEQ-7: a 200 carries the wallet just stored", async () => {
    const reply = await t.client.postWallet(token, 1, "stored", "mac");
    expect(reply.json).toEqual({ version: 1, encryptedWallet: "stored", sequence: 1, hmac: "mac" });
  });

  it("SEQ-8: encryptedWallet and hmac are stored and returned unchanged; the hmac is not checked", async () => {
    const strings = ["a", "not-a-hex-hmac", " x ", "\u0000\u001f", "\ud83d\ude00", "\\u0041", "<script>", "💾".repeat(1000)];
    let sequence = 0;
    for (const value of strings) {
      sequence++;
      const posted = await t.client.postWallet(token, sequence, value, value);
      expect(posted.json).toEqual({ version: 1, encryptedWallet: value, sequence, hmac: value });
      expect((await walletOf(token)).json).toEqual({ version: 1, encryptedWallet: value, sequence, hmac: value });
    }
  });
});

describe("7. Validation", () => {
  let token: string;
  beforeEach(async () => {
    token = await t.client.tokenFor(freshEmail());
    await t.client.postWallet(token, 1, "v1");
  });
  const valid = (): Record<string, unknown> => ({ version: 1, token, encryptedWallet: "v2", sequence: 2, hmac: "h" });

  async function expectRefused(body: unknown, status = 400): Promise<void> {
    const reply = await t.client.post("/wallet", body);
    expect(reply.status, JSON.stringify(body)).toBe(status);
    errorText(reply);
    expect((await walletOf(token)).json).toMatchObject({ sequence: 1, encryptedWallet: "v1" });
  }

  it("VAL-1: a body that is not JSON, not an object, or with a field missing or of the wrong type is answered 400", async () => {
    for (const raw of ["", "{", "[", "v1"]) {
      expect((await t.client.send("POST", "/wallet", raw)).status).toBe(400);
    }
    for (const body of [null, true, 1, "s", [], {}]) await expectRefused(body);
    for (const field of ["version", "token", "encryptedWallet", "sequence", "hmac"]) {
      const missing = valid();
      delete missing[field];
      await expectRefused(missing);
      await expectRefused({ ...valid(), [field]: field === "version" || field === "sequence" ? "2" : 2 });
    }
  });

  it("VAL-2: version not 1, empty strings, or a sequence that is not an integer of at least 1 is answered 400", async () => {
    for (const version of [0, 2, -1, 1.5]) await expectRefused({ ...valid(), version });
    for (const field of ["token", "encryptedWallet", "hmac"]) await expectRefused({ ...valid(), [field]: "" });
    for (const sequence of [0, -1, 1.5, 2.000001]) await expectRefused({ ...valid(), sequence });
  });

  it("VAL-3: a sequence above 4294967295 is refused with a 4xx", async () => {
    await expectRefused({ ...valid(), sequence: 4294967296 });
    await expectRefused({ ...valid(), sequence: Number.MAX_SAFE_INTEGER });
  });

  it("VAL-4: a sequence above 4294967295 is answered 400 as a malformed body", async () => {
    const reply = await t.client.post("/wallet", { ...valid(), sequence: 4294967296 });
    expect(reply.json).toEqual({ error: "Bad Request: Request failed validation: /sequence must be <= 4294967295" });
    // Beyond double precision too.
    expect((await t.client.send("POST", "/wallet", JSON.stringify(valid()).replace('"sequence":2', '"sequence":1e400'))).status).toBe(400);
  });

  it("VAL-1: fields are checked before the token (400 beats 401), the token before the sequence (401 beats 409)", async () => {
    const reply = await t.client.post("/wallet", { ...valid(), token: "unknown", sequence: 0 });
    expect(reply.status).toBe(400);
    expect((await t.client.post("/wallet", { ...valid(), token: "unknown", sequence: 7 })).status).toBe(401);
  });
});

describe("10. Security", () => {
  it("SEC-1: login passwords are stored as salted scrypt hashes, never as the password or a bare hash", async () => {
    const own = await startTestServer({});
    try {
      await own.client.signup("a@example.com", "same-password");
      await own.client.signup("b@example.com", "same-password");
      const a = own.store.storedPassword("a@example.com");
      const b = own.store.storedPassword("b@example.com");
      expect(a && b).toBeTruthy();
      expect(a!.salt.equals(b!.salt)).toBe(false);
      expect(a!.hash.equals(b!.hash)).toBe(false);
      expect(a!.hash.toString("utf8")).not.toContain("same-password");
    } finally {
      await own.server.close();
    }
  });
});
