// Bad input of every kind is answered 4xx with a JSON error body and changes
// nothing: checked by table for the shapes the spec names, and by property
// for arbitrary JSON (VAL-1, VAL-2, SIGNUP-3, AUTH-3, HTTP-4, HTTP-6).
import { Readable } from "node:stream";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateSchema } from "../../spec/schemas.js";
import { errorText, startTestServer, type Reply, type TestServer } from "./helpers.js";

const everyJsonType: unknown[] = [null, true, 1, "s", [], {}];

let t: TestServer;
let token: string;
const email = "owner@example.com";
const password = "login-password";

/** What the server must still hold after any refused request. */
const storedWallet = { version: 1, encryptedWallet: "-:aaaa", sequence: 3, hmac: "hmac-3" };

beforeAll(async () => {
  t = await startTestServer({ bodyLimitBytes: 4096 });
  token = await t.client.tokenFor(email, "device-1", password);
  for (const [sequence, wallet] of [[1, "-"], [2, "-"], [3, "-:aaaa"]] as const) {
    await t.client.postWallet(token, sequence, wallet);
  }
});
afterAll(async () => {
  await t.server.close();
});

interface Snapshot {
  wallet: unknown;
  accounts: number;
  tokens: number;
}

async function snapshot(): Promise<Snapshot> {
  return { wallet: (await t.client.getWallet(token)).json, accounts: t.store.accountCount(), tokens: t.store.tokenCount() };
}

/** Sends, expects the status and a JSON error body, and that nothing changed. */
async function expectRefused(send: () => Promise<Reply>, status: number, label: string): Promise<Reply> {
  const before = await snapshot();
  const reply = await send();
  expect(reply.status, `${label}: ${reply.text}`).toBe(status);
  expect(errorText(reply)).toBeTruthy();
  expect(String(reply.headers["content-type"])).toMatch(/^application\/json/);
  expect(await snapshot(), label).toEqual(before);
  expect(before.wallet).toEqual(storedWallet);
  return reply;
}

const label = (value: unknown): string => (value === undefined ? "missing" : JSON.stringify(value));

const validWalletRequest = (): Record<string, unknown> => ({
  version: 1,
  token,
  encryptedWallet: "-:aaaa:bbbb",
  sequence: 4,
  hmac: "hmac-4",
});

/** Values that are wrong for each field of POST /wallet: every other JSON type, and wrong values of the right type. */
const wrongWalletFields: Record<string, unknown[]> = {
  version: [undefined, null, true, "s", [], {}, "1", 0, 2, -1, 1.5],
  token: [undefined, null, true, 1, [], {}, ""],
  encryptedWallet: [undefined, null, true, 1, [], {}, ""],
  sequence: [undefined, null, true, "s", [], {}, "2", "4", 0, -1, 1.5, 3.5, 4294967296, 1e300],
  hmac: [undefined, null, true, 1, [], {}, ""],
};

describe("POST /wallet refuses bad bodies (VAL-1, VAL-2, VAL-3)", () => {
  for (const body of everyJsonType) {
    it(`VAL-1: ${label(body)} as the whole body is answered 400`, async () => {
      const reply = await expectRefused(() => t.client.post("/wallet", body), 400, label(body));
      expect(errorText(reply)).toMatch(/^Bad Request: Request failed validation: /);
    });
  }

  for (const [field, values] of Object.entries(wrongWalletFields)) {
    it(`VAL-1, VAL-2: every wrong ${field} is answered 400`, async () => {
      for (const value of values) {
        const body = { ...validWalletRequest(), [field]: value };
        if (value === undefined) delete body[field];
        await expectRefused(() => t.client.post("/wallet", body), 400, `${field}=${label(value)}`);
      }
    });
  }

  it("VAL-1: malformed JSON, an empty body and bytes that are not UTF-8 are answered 400", async () => {
    const raws: Array<string | Uint8Array> = ["", " ", "{", "}", "[1,", '{"version":}', "undefined", "NaN", "{'a':1}"];
    raws.push(JSON.stringify(validWalletRequest()).slice(0, -1), Uint8Array.from([0xff, 0xfe, 0x7b, 0x7d]));
    raws.push(Buffer.concat([Buffer.from('{"version":1,"token":"'), Buffer.from([0xc3]), Buffer.from('"}')]));
    for (const raw of raws) {
      const reply = await expectRefused(() => t.client.send("POST", "/wallet", raw), 400, String(raw));
      expect(reply.json).toEqual({ error: "Bad Request: Malformed request body JSON" });
    }
  });

  it("WGET-4: a well-formed body with an unknown token is answered 401", async () => {
    await expectRefused(() => t.client.post("/wallet", { ...validWalletRequest(), token: "f".repeat(64) }), 401, "unknown");
  });

  it("SEQ-3: well-formed bodies with a wrong sequence are answered 409", async () => {
    for (const sequence of [1, 2, 3, 5, 4294967295]) {
      await expectRefused(() => t.client.post("/wallet", { ...validWalletRequest(), sequence }), 409, String(sequence));
    }
  });

  it("HTTP-4: an oversized body is answered 413, whether its length is declared or chunked", async () => {
    const big = JSON.stringify({ ...validWalletRequest(), encryptedWallet: "x".repeat(5000) });
    await expectRefused(() => t.client.send("POST", "/wallet", big), 413, "declared");
    const chunks = (): Readable => Readable.from(Array.from({ length: 10 }, () => Buffer.from(" ".repeat(1000))));
    await expectRefused(() => t.client.send("POST", "/wallet", chunks()), 413, "chunked");
  });

  it("HTTP-4: a body of exactly the limit is read (whitespace counts, the wallet is not stored as it is a conflict)", async () => {
    const text = JSON.stringify({ ...validWalletRequest(), sequence: 3 });
    const padded = text + " ".repeat(4096 - Buffer.byteLength(text));
    await expectRefused(() => t.client.send("POST", "/wallet", padded), 409, "exactly at limit");
    await expectRefused(() => t.client.send("POST", "/wallet", `${padded} `), 413, "one byte over");
  });
});

describe("POST /signup and POST /auth/full refuse bad bodies (SIGNUP-3, SIGNUP-4, AUTH-3, AUTH-4)", () => {
  const wrongStrings = [undefined, null, true, 1, [], {}, ""];
  const notBare = ["Joe <joe@example.com>", "joe @example.com", " joe@example.com", "joe", "joe@", "@example.com", "a@b@c", "joe@exa\nmple.com"];

  for (const body of everyJsonType) {
    it(`SIGNUP-3, AUTH-3: ${label(body)} as the whole body is answered 400`, async () => {
      await expectRefused(() => t.client.post("/signup", body), 400, `signup ${label(body)}`);
      await expectRefused(() => t.client.post("/auth/full", body), 400, `auth ${label(body)}`);
    });
  }

  it("SIGNUP-3, SIGNUP-4: a wrong email or password is answered 400 and creates no account", async () => {
    const valid = { email: "new@example.com", password: "pw" };
    for (const [field, values] of [["email", [...wrongStrings, ...notBare]], ["password", wrongStrings]] as const) {
      for (const value of values) {
        const body: Record<string, unknown> = { ...valid, [field]: value };
        if (value === undefined) delete body[field];
        await expectRefused(() => t.client.post("/signup", body), 400, `${field}=${label(value)}`);
      }
    }
  });

  it("AUTH-3, AUTH-4: a wrong email, password or deviceId is answered 400 and issues no token", async () => {
    const valid = { email, password, deviceId: "device-2" };
    const cases = [
      ["email", [...wrongStrings, ...notBare]],
      ["password", wrongStrings],
      ["deviceId", wrongStrings],
    ] as const;
    for (const [field, values] of cases) {
      for (const value of values) {
        const body: Record<string, unknown> = { ...valid, [field]: value };
        if (value === undefined) delete body[field];
        await expectRefused(() => t.client.post("/auth/full", body), 400, `${field}=${label(value)}`);
      }
    }
  });

  it("SIGNUP-2, AUTH-2: a duplicate signup is 409 and wrong credentials are 401, changing nothing", async () => {
    await expectRefused(() => t.client.signup(email, "other"), 409, "duplicate");
    await expectRefused(() => t.client.auth(email, "wrong", "device-2"), 401, "wrong password");
    await expectRefused(() => t.client.auth("nobody@example.com", password, "device-2"), 401, "unknown email");
  });

  it("HTTP-4: oversized signup and auth bodies are answered 413", async () => {
    const long = "p".repeat(5000);
    await expectRefused(() => t.client.signup("long@example.com", long), 413, "signup");
    await expectRefused(() => t.client.auth(email, long, "device-2"), 413, "auth");
  });

  it("HTTP-1: wrong methods are answered 405 and change nothing", async () => {
    const body = JSON.stringify({ email: "m@example.com", password: "pw", deviceId: "d" });
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      await expectRefused(() => t.client.send(method, "/signup", body), 405, `${method} /signup`);
      await expectRefused(() => t.client.send(method, "/auth/full", body), 405, `${method} /auth/full`);
    }
    await expectRefused(() => t.client.send("DELETE", `/wallet?token=${token}`), 405, "DELETE /wallet");
  });
});

describe("arbitrary input never causes a 5xx or a change (fast-check)", () => {
  const endpoints = ["/signup", "/auth/full", "/wallet"] as const;

  it("HTTP-6: any JSON value as the body of any POST is answered 400 and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), fc.jsonValue({ maxDepth: 3 }), async (path, body) => {
        await expectRefused(() => t.client.post(path, body), 400, `${path} ${JSON.stringify(body)}`);
      }),
      { numRuns: 150 },
    );
  });

  it("HTTP-6: any bytes as the body of any POST are answered 400 and change nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 })),
        async (path, raw) => {
          await expectRefused(() => t.client.send("POST", path, raw), 400, `${path} ${String(raw)}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("HTTP-6: any token parameter of GET /wallet other than a live token is answered 401", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (guess) => {
        fc.pre(guess !== token);
        await expectRefused(() => t.client.getWallet(guess), 401, guess);
      }),
      { numRuns: 100 },
    );
  });
});

describe("POST /wallet agrees with the spec's schema and the sequence rule on mixed bodies (fast-check)", () => {
  it("VAL-1, SEQ-2, SEQ-3: invalid bodies are 400, valid ones 200 exactly when the sequence is next, else 409", async () => {
    const own = await startTestServer();
    try {
      const ownToken = await own.client.tokenFor("model@example.com");
      let model: { encryptedWallet: string; sequence: number; hmac: string } | undefined;

      // Mostly valid fields, so that every outcome (400, 401, 200, 409) occurs often.
      const anything = fc.jsonValue({ maxDepth: 2 });
      const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
        fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: anything, weight: 1 });
      const sequenceChoice = fc.oneof(
        { arbitrary: fc.record({ offset: fc.constantFrom(0, 0, 0, -1, 1, -2, 2) }), weight: 5 },
        { arbitrary: fc.record({ raw: fc.oneof(anything, fc.integer(), fc.double()) }), weight: 1 },
      );
      const body = fc.record(
        {
          version: mostly(fc.constant(1)),
          token: fc.oneof({ arbitrary: fc.constant(ownToken), weight: 6 }, { arbitrary: fc.string(), weight: 1 }, { arbitrary: anything, weight: 1 }),
          encryptedWallet: mostly(fc.string({ minLength: 1 })),
          sequence: sequenceChoice,
          hmac: mostly(fc.string({ minLength: 1 })),
        },
        { requiredKeys: ["version", "token", "encryptedWallet", "hmac"] },
      );
      const outcomes = new Set<number>();

      await fc.assert(
        fc.asyncProperty(body, async (generated) => {
          const { sequence: choice, ...rest } = generated;
          const request: Record<string, unknown> = { ...rest };
          if (choice !== undefined) {
            request["sequence"] = "offset" in choice ? (model?.sequence ?? 0) + 1 + choice.offset : choice.raw;
          }
          const reply = await own.client.post("/wallet", request);
          outcomes.add(reply.status);
          const before = model;
          const schemaValid = validateSchema("WalletRequest", JSON.parse(JSON.stringify(request))).valid;
          if (!schemaValid) expect(reply.status).toBe(400);
          else if (request["token"] !== ownToken) expect(reply.status).toBe(401);
          else if (request["sequence"] === (model?.sequence ?? 0) + 1) {
            expect(reply.status).toBe(200);
            model = {
              encryptedWallet: request["encryptedWallet"] as string,
              sequence: request["sequence"] as number,
              hmac: request["hmac"] as string,
            };
          } else {
            expect(reply.status).toBe(409);
            expect(reply.json).toEqual(
              before ? { version: 1, ...before, error: "Bad sequence number" } : { error: "Conflict: Bad sequence number (No existing wallet)" },
            );
          }
          const read = await own.client.getWallet(ownToken);
          if (model) expect(read.json).toEqual({ version: 1, ...model });
          else expect(read.status).toBe(404);
        }),
        { numRuns: 300 },
      );
      expect([...outcomes].sort()).toEqual([200, 400, 401, 409]);
    } finally {
      await own.server.close();
    }
  });
});
