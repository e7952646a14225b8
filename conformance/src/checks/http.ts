// HTTP behaviour (HTTP-*): methods, bodies against the spec's schemas,
// Content-Type both ways, oversized and malformed requests.
import { documentedStatuses, type Method } from "../../../spec/schemas.js";
import type { Exchange, RawRequest } from "../client/protocol-client.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import type { CheckContext } from "../model/context.js";
import { describeRequest, describeResponse } from "../report/describe.js";
import { expectStatus, jsonObject } from "./support/expect.js";
import { randomHex, Steps, stepsTaken, walletOf, walletRequest, type Device } from "./support/steps.js";

// ---- HTTP-1: methods a path does not take ----

async function expectMethodRefused(ctx: CheckContext, request: RawRequest): Promise<void> {
  const exchange = await ctx.client.send(request);
  expectStatus(ctx, exchange, { requirement: "HTTP-1", status: 405, doing: `${request.method} ${request.path}` });
}

const signupMethods = defineCheck({
  requirement: "HTTP-1",
  slug: "signup-methods",
  file: import.meta.url,
  title: "GET, PUT, PATCH and DELETE /signup are answered 405 and create no account",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = steps.credentials();
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      await expectMethodRefused(ctx, { method, path: "/signup", body: account });
    }
    await expectMethodRefused(ctx, { method: "GET", path: "/signup", query: { ...account } });
    const signup = await ctx.client.signup(account);
    expectStatus(ctx, signup, {
      requirement: "HTTP-1",
      status: 201,
      doing: "signing up after those requests",
      expected: "201: they created no account",
    });
  },
});

const authMethods = defineCheck({
  requirement: "HTTP-1",
  slug: "auth-methods",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "GET, PUT, PATCH and DELETE /auth/full are answered 405 and issue no token",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const body = { ...device.account, deviceId: device.deviceId };
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      await expectMethodRefused(ctx, { method, path: "/auth/full", body });
    }
    await expectMethodRefused(ctx, { method: "GET", path: "/auth/full", query: body });
    // A token issued for this device would have replaced the device's token.
    await steps.tokenWorks(device, "HTTP-1", "reading with the device's token after those requests");
  },
});

const walletMethods = defineCheck({
  requirement: "HTTP-1",
  slug: "wallet-methods",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "refused"),
  title: "PUT, PATCH and DELETE /wallet are answered 405 and change nothing",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const tryAll = async (sequence: number, before: Awaited<ReturnType<Steps["store"]>> | undefined) => {
      for (const method of ["PUT", "PATCH"] as const) {
        await steps.refused(device, before, { requirement: "HTTP-1", status: 405, doing: `${method} /wallet` }, () =>
          ctx.client.send({ method, path: "/wallet", body: walletRequest(device.token, sequence) }),
        );
      }
      await steps.refused(device, before, { requirement: "HTTP-1", status: 405, doing: "DELETE /wallet" }, () =>
        ctx.client.send({ method: "DELETE", path: "/wallet", query: { token: device.token } }),
      );
    };
    await tryAll(1, undefined);
    await tryAll(2, await steps.store(device, 1));
  },
});

// ---- HTTP-2: one request for every status the spec documents ----

/** A request meant to get one documented status, and the requirement that says it must. */
interface StatusRecipe {
  status: number;
  requirement: string;
  doing: string;
  send(ctx: CheckContext, device: Device): Promise<Exchange>;
}

/** In the order they run: each may rely on the state the ones before left. */
type Recipes = StatusRecipe[];

/** Statuses no recipe makes: 413 depends on a limit the server chooses (HTTP-4 checks it). */
const unrecipedStatuses = new Set([413]);

const recipe = (status: number, requirement: string, doing: string, send: StatusRecipe["send"]): StatusRecipe => ({
  status,
  requirement,
  doing,
  send,
});

const postRaw = (ctx: CheckContext, path: string, body: object) => ctx.client.send({ method: "POST", path, body });
const wrongPassword = (device: Device) => ({
  ...device.account,
  password: `${device.account.password}x`,
  deviceId: device.deviceId,
});
const freshAccount = (ctx: CheckContext) => ({ email: ctx.uniqueEmail("schema"), password: randomHex(5) });

const operationRecipes: Array<{ path: string; method: Method; recipes: Recipes }> = [
  {
    path: "/signup",
    method: "post",
    recipes: [
      recipe(201, "SIGNUP-1", "a signup", (ctx) => ctx.client.signup(freshAccount(ctx))),
      recipe(400, "SIGNUP-3", "a signup without a password", (ctx) => postRaw(ctx, "/signup", { email: freshAccount(ctx).email })),
      recipe(405, "HTTP-1", "PUT /signup", (ctx, d) => ctx.client.send({ method: "PUT", path: "/signup", body: d.account })),
      recipe(409, "SIGNUP-2", "a signup of an existing email", (ctx, d) => ctx.client.signup(d.account)),
    ],
  },
  {
    path: "/auth/full",
    method: "post",
    recipes: [
      recipe(200, "AUTH-1", "a login", (ctx, d) => ctx.client.auth({ ...d.account, deviceId: ctx.unique("device") })),
      recipe(400, "AUTH-3", "a login without a deviceId", (ctx, d) => postRaw(ctx, "/auth/full", d.account)),
      recipe(401, "AUTH-2", "a login with a wrong password", (ctx, d) => ctx.client.auth(wrongPassword(d))),
      recipe(405, "HTTP-1", "PUT /auth/full", (ctx, d) =>
        ctx.client.send({ method: "PUT", path: "/auth/full", body: { ...d.account, deviceId: d.deviceId } }),
      ),
    ],
  },
  {
    path: "/wallet",
    method: "get",
    recipes: [
      recipe(404, "WGET-2", "reading before the first POST", (ctx, d) => ctx.client.getWallet(d.token)),
      recipe(200, "WGET-1", "reading a stored wallet", async (ctx, d) => {
        await ctx.client.postWallet(walletRequest(d.token, 1));
        return ctx.client.getWallet(d.token);
      }),
      recipe(400, "WGET-3", "GET /wallet without a token", (ctx) => ctx.client.send({ method: "GET", path: "/wallet" })),
      recipe(401, "WGET-4", "reading with an unknown token", (ctx) => ctx.client.getWallet(randomHex(32))),
      recipe(405, "HTTP-1", "DELETE /wallet", (ctx, d) =>
        ctx.client.send({ method: "DELETE", path: "/wallet", query: { token: d.token } }),
      ),
    ],
  },
  {
    path: "/wallet",
    method: "post",
    recipes: [
      recipe(409, "SEQ-5", "sequence 2 before the first wallet", (ctx, d) => ctx.client.postWallet(walletRequest(d.token, 2))),
      recipe(200, "SEQ-1", "the first wallet", (ctx, d) => ctx.client.postWallet(walletRequest(d.token, 1))),
      recipe(409, "SEQ-3", "sequence 1 when a wallet exists", (ctx, d) => ctx.client.postWallet(walletRequest(d.token, 1))),
      recipe(400, "VAL-2", "sequence 0", (ctx, d) => postRaw(ctx, "/wallet", walletRequest(d.token, 0))),
      recipe(401, "WGET-4", "an unknown token", (ctx) => ctx.client.postWallet(walletRequest(randomHex(32), 1))),
      recipe(405, "HTTP-1", "PUT /wallet", (ctx, d) =>
        ctx.client.send({ method: "PUT", path: "/wallet", body: walletRequest(d.token, 2) }),
      ),
    ],
  },
];

/** Refuses to load when the spec documents a status no recipe makes, so a spec change cannot go unchecked. */
function assertRecipesCoverSpec(): void {
  for (const { path, method, recipes } of operationRecipes) {
    const made = new Set([...recipes.map((r) => r.status), ...unrecipedStatuses]);
    const missing = documentedStatuses(path, method).filter((status) => !made.has(status));
    if (missing.length > 0) {
      throw new Error(`HTTP-2 checks have no request for ${method.toUpperCase()} ${path} ${missing.join(", ")}`);
    }
  }
}
assertRecipesCoverSpec();

const statusesOf = (recipes: Recipes) => [...new Set(recipes.map((r) => r.status))].join(", ");

const schemaChecks = operationRecipes.map(({ path, method, recipes }) =>
  defineCheck({
    requirement: "HTTP-2",
    slug: `${method}-${path.replace(/^\//, "").replace(/\//g, "-")}-responses`,
    file: import.meta.url,
    alsoChecks: [...stepsTaken("device"), ...recipes.map((r) => r.requirement)],
    title: `Every documented response of ${method.toUpperCase()} ${path} matches its schema (${statusesOf(recipes)})`,
    schemaOperations: [`${method.toUpperCase()} ${path}`],
    async run(ctx) {
      // The recipes' responses are validated as they arrive (every exchange of every check is).
      const device = await new Steps(ctx).device("schema");
      for (const recipe of recipes) {
        const exchange = await recipe.send(ctx, device);
        expectStatus(ctx, exchange, { requirement: recipe.requirement, status: recipe.status, doing: recipe.doing });
      }
    },
  }),
);

// ---- HTTP-3: Content-Type of responses ----

const contentType = defineCheck({
  requirement: "HTTP-3",
  slug: "json-content-type",
  file: import.meta.url,
  title: "Responses are sent with Content-Type: application/json",
  async run(ctx) {
    const seen: Exchange[] = [];
    const keep = (exchange: Exchange) => (seen.push(exchange), exchange);
    const account = { email: ctx.uniqueEmail("content-type"), password: randomHex(5) };
    keep(await ctx.client.signup(account));
    const login = keep(await ctx.client.auth({ ...account, deviceId: ctx.unique("device") }));
    const token = String(jsonObject(login)?.["token"] ?? randomHex(32));
    keep(await ctx.client.getWallet(token));
    keep(await ctx.client.postWallet(walletRequest(token, 1)));
    keep(await ctx.client.getWallet(token));
    keep(await ctx.client.postWallet(walletRequest(token, 1)));
    keep(await ctx.client.send({ method: "POST", path: "/wallet", body: "not json" }));
    keep(await ctx.client.send({ method: "DELETE", path: "/wallet" }));
    const json = /^application\/json\s*(;|$)/i;
    const offenders = seen.filter((e) => e.response && !json.test(e.response.headers["content-type"] ?? ""));
    if (offenders.length === 0) return;
    const types = [...new Set(offenders.map((e) => e.response?.headers["content-type"] ?? "(none)"))];
    ctx.report({
      requirement: "HTTP-3",
      message: `${offenders.length} of ${seen.length} responses are sent with Content-Type ${types.join(", ")}`,
      sent: offenders.map((e) => `${e.request.method} ${e.request.path.split("?")[0]}`).join(", "),
      received: types.join(", "),
      expected: "Content-Type: application/json",
      exchanges: offenders,
    });
  },
});

// ---- HTTP-4: oversized bodies ----

/** Above the 1 MiB a server typically accepts, small enough to send quickly. */
export const oversizedBytes = 3 * 1024 * 1024;

function oversizedDoing(path: string): string {
  return `a POST ${path} with a ${oversizedBytes / (1024 * 1024)} MiB body`;
}

const oversizedSignup = defineCheck({
  requirement: "HTTP-4",
  slug: "oversized-signup",
  file: import.meta.url,
  title: "An oversized POST /signup is answered 413 and creates no account",
  async run(ctx) {
    const account = { email: ctx.uniqueEmail("oversized"), password: randomHex(5) };
    const oversized = { ...account, password: "p".repeat(oversizedBytes) };
    const exchange = await ctx.client.sendWellFormed({ method: "POST", path: "/signup", body: oversized });
    if (!expectStatus(ctx, exchange, { requirement: "HTTP-4", status: 413, doing: oversizedDoing("/signup") })) return;
    const signup = await ctx.client.signup(account);
    expectStatus(ctx, signup, {
      requirement: "HTTP-4",
      status: 201,
      doing: "signing up after the 413",
      expected: "201: the oversized signup created no account",
    });
  },
});

const oversizedAuth = defineCheck({
  requirement: "HTTP-4",
  slug: "oversized-auth",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "An oversized POST /auth/full is answered 413",
  async run(ctx) {
    const device = await new Steps(ctx).device();
    const exchange = await ctx.client.sendWellFormed({
      method: "POST",
      path: "/auth/full",
      body: { ...device.account, deviceId: `${device.deviceId}${"d".repeat(oversizedBytes)}` },
    });
    expectStatus(ctx, exchange, { requirement: "HTTP-4", status: 413, doing: oversizedDoing("/auth/full") });
  },
});

const oversizedWallet = defineCheck({
  requirement: "HTTP-4",
  slug: "oversized-wallet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "refused"),
  title: "An oversized POST /wallet is answered 413 and changes nothing",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.store(device, 1);
    const exchange = await ctx.client.sendWellFormed({
      method: "POST",
      path: "/wallet",
      body: walletRequest(device.token, 2, { encryptedWallet: "A".repeat(oversizedBytes) }),
    });
    if (!expectStatus(ctx, exchange, { requirement: "HTTP-4", status: 413, doing: oversizedDoing("/wallet") })) return;
    await steps.unchanged(device, stored, { requirement: "HTTP-4", exchange, doing: oversizedDoing("/wallet") });
  },
});

// ---- HTTP-5: bodies are JSON whatever the Content-Type says ----

function contentTypeCheck(slug: string, header: string | undefined, described: string): CheckCase {
  return defineCheck({
    requirement: "HTTP-5",
    slug,
    file: import.meta.url,
    title: `Request bodies sent ${described} are parsed as JSON`,
    async run(ctx) {
      const headers: Record<string, string> = header === undefined ? {} : { "content-type": header };
      const post = (path: string, value: object) =>
        ctx.client.sendWellFormed({ method: "POST", path, body: JSON.stringify(value), headers });
      const doing = (what: string) => `${what} ${described}`;
      const account = { email: ctx.uniqueEmail("content-type"), password: randomHex(5) };
      const signup = await post("/signup", account);
      if (!expectStatus(ctx, signup, { requirement: "HTTP-5", status: 201, doing: doing("a signup") })) return;
      const login = await post("/auth/full", { ...account, deviceId: ctx.unique("device") });
      if (!expectStatus(ctx, login, { requirement: "HTTP-5", status: 200, doing: doing("a login") })) return;
      const token = String(jsonObject(login)?.["token"]);
      const body = walletRequest(token, 1);
      const stored = await post("/wallet", body);
      if (!expectStatus(ctx, stored, { requirement: "HTTP-5", status: 200, doing: doing("a POST /wallet") })) return;
      const read = await ctx.client.getWallet(token);
      const wallet = walletOf(read);
      if (wallet?.encryptedWallet !== body.encryptedWallet || wallet.sequence !== 1) {
        ctx.report({
          requirement: "HTTP-5",
          message: doing("the wallet read back is not the one posted"),
          sent: describeRequest(stored.request),
          received: describeResponse(read),
          expected: `the wallet posted: ${JSON.stringify(body)}`,
          exchanges: [stored, read],
        });
      }
    },
  });
}

// ---- HTTP-6: malformed requests get a 4xx, not a 5xx or a dropped connection ----

/** Bodies no JSON parser accepts as an object, from garbage bytes to deep nesting. */
export const malformedBodies: ReadonlyArray<{ body: string | Uint8Array; what: string }> = [
  { body: "not json", what: "the text `not json`" },
  { body: "{", what: "a lone `{`" },
  { body: '{"a":}', what: '`{"a":}`' },
  { body: "[".repeat(512), what: "512 unclosed `[`" },
  { body: `${"[".repeat(512)}${"]".repeat(512)}`, what: "arrays nested 512 deep" },
  { body: new Uint8Array([0x00, 0xff, 0xfe, 0x7b]), what: "binary bytes" },
  { body: "\u{feff}\u{feff}", what: "two byte-order marks" },
];

const malformedRequests = defineCheck({
  requirement: "HTTP-6",
  slug: "malformed-requests",
  file: import.meta.url,
  title: "Malformed requests to every endpoint get a 4xx with an error body, never a 5xx or a dropped connection",
  async run(ctx) {
    for (const path of ["/signup", "/auth/full", "/wallet"]) {
      for (const { body, what } of malformedBodies) {
        const exchange = await ctx.client.send({ method: "POST", path, body });
        expectStatus(ctx, exchange, { requirement: "HTTP-6", status: "4xx", doing: `a POST ${path} with ${what}` });
      }
    }
    for (const path of ["/wallet?token=%ZZ", "/wallet?token=%", `/wallet?token=${"f".repeat(4096)}`]) {
      const exchange = await ctx.client.send({ method: "GET", path });
      expectStatus(ctx, exchange, { requirement: "HTTP-6", status: "4xx", doing: `GET ${path.slice(0, 40)}` });
    }
  },
});

export const httpChecks: CheckCase[] = [
  signupMethods,
  authMethods,
  walletMethods,
  ...schemaChecks,
  contentType,
  oversizedSignup,
  oversizedAuth,
  oversizedWallet,
  contentTypeCheck("no-content-type", undefined, "without a Content-Type"),
  contentTypeCheck("text-plain", "text/plain", "as text/plain"),
  malformedRequests,
];
