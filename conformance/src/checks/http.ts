// HTTP behaviour (HTTP-*): methods, bodies against the spec's schemas,
// Content-Type both ways, oversized and malformed requests.
import { loadOpenApi, profileNames, specProfile, type JsonObject, type ProfileName } from "../../../spec/index.js";
import { documentedStatuses, type Method } from "../../../spec/schemas.js";
import { walletPostBody, type Exchange, type RawRequest } from "../client/protocol-client.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import type { CheckContext } from "../model/context.js";
import { describeRequest, describeResponse } from "../model/describe.js";
import { accountState, expectSaltSeed, nextWallet, passwordChangeBody, refusedPasswordChange } from "./support/account-steps.js";
import { expectStatus, jsonObject, requireSetupStatus } from "./support/expect.js";
import { withSockets } from "./support/sockets.js";
import { loginBody, randomHex, Steps, stepsTaken, walletBody, walletOf, walletRequest, type Device } from "./support/steps.js";

// ---- HTTP-1: methods a path does not take ----

async function expectMethodRefused(ctx: CheckContext, request: RawRequest): Promise<void> {
  const exchange = await ctx.client.send(request);
  expectStatus(ctx, exchange, { requirement: "HTTP-1", status: 405, doing: `${request.method} ${request.path}` });
}

const signupMethods = defineCheck({
  requirement: "HTTP-1",
  slug: "signup-methods",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "GET, PUT, PATCH and DELETE /signup are answered 405 and create no account",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = steps.credentials();
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      await expectMethodRefused(ctx, { method, path: "/signup", body: account });
    }
    await expectMethodRefused(ctx, { method: "GET", path: "/signup", query: { ...account } });
    await steps.noAccountYet(account, "HTTP-1", "those requests");
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
    const body = loginBody(device.account, device.deviceId);
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
          ctx.client.send({ method, path: "/wallet", body: walletBody(ctx.profile, device.token, sequence) }),
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

const saltSeedMethods = defineCheck({
  requirement: "HTTP-1",
  slug: "salt-seed-methods",
  profiles: ["api3"],
  file: import.meta.url,
  alsoChecks: stepsTaken("signup", "saltSeed"),
  title: "POST, PUT, PATCH and DELETE /client-salt-seed are answered 405 and leave the salt seed as it was",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = await steps.signup();
    const query = { email: Buffer.from(account.email, "utf8").toString("base64") };
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      await expectMethodRefused(ctx, { method, path: "/client-salt-seed", query, body: { clientSaltSeed: randomHex(32) } });
    }
    await expectSaltSeed(steps, account, account.clientSaltSeed as string, { requirement: "HTTP-1", doing: "reading the salt seed after those requests" });
  },
});

const passwordMethods = defineCheck({
  requirement: "HTTP-1",
  slug: "password-methods",
  profiles: ["api3"],
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "accountUnchanged"),
  title: "GET, PUT, PATCH and DELETE /password are answered 405 and change neither password, salt seed, wallet nor tokens",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const before = await accountState(steps, device);
    const body = passwordChangeBody(device.account);
    const requests: RawRequest[] = [
      ...(["PUT", "PATCH", "DELETE"] as const).map((method): RawRequest => ({ method, path: "/password", body })),
      { method: "GET", path: "/password", query: { email: body.email, oldPassword: body.oldPassword, newPassword: body.newPassword, clientSaltSeed: body.clientSaltSeed } },
    ];
    for (const request of requests) {
      await refusedPasswordChange(steps, before, { requirement: "HTTP-1", status: 405, doing: `${request.method} /password` }, () => ctx.client.send(request), body.newPassword);
    }
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
const wrong = (device: Device) => ({ ...device.account, password: `${device.account.password}x` });
const freshAccount = (ctx: CheckContext) => new Steps(ctx).credentials("schema");
const upgrade = (ctx: CheckContext, query: Record<string, string>) => withSockets(ctx, async (sockets) => (await sockets.open(query)).exchange);

/** An operation's recipes; `profiles` when only some profiles have the operation. */
interface OperationRecipes {
  path: string;
  method: Method;
  profiles?: readonly ProfileName[];
  recipes: Recipes;
}

const operationRecipes: OperationRecipes[] = [
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
      recipe(200, "AUTH-1", "a login", (ctx, d) => ctx.client.auth(loginBody(d.account, ctx.unique("device")))),
      recipe(400, "AUTH-3", "a login without a deviceId", (ctx, d) =>
        postRaw(ctx, "/auth/full", { email: d.account.email, password: d.account.password }),
      ),
      recipe(401, "AUTH-2", "a login with a wrong password", (ctx, d) => ctx.client.auth(loginBody(wrong(d), d.deviceId))),
      recipe(405, "HTTP-1", "PUT /auth/full", (ctx, d) =>
        ctx.client.send({ method: "PUT", path: "/auth/full", body: loginBody(d.account, d.deviceId) }),
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
      recipe(400, "VAL-2", "sequence 0", (ctx, d) => postRaw(ctx, "/wallet", walletBody(ctx.profile, d.token, 0))),
      recipe(401, "WGET-4", "an unknown token", (ctx) => ctx.client.postWallet(walletRequest(randomHex(32), 1))),
      recipe(405, "HTTP-1", "PUT /wallet", (ctx, d) =>
        ctx.client.send({ method: "PUT", path: "/wallet", body: walletBody(ctx.profile, d.token, 2) }),
      ),
    ],
  },
  {
    path: "/client-salt-seed",
    method: "get",
    profiles: ["api3"],
    recipes: [
      recipe(200, "SALT-1", "reading an account's salt seed", (ctx, d) => ctx.client.getClientSaltSeed(d.account.email)),
      recipe(400, "SALT-2", "GET /client-salt-seed without an email", (ctx) => ctx.client.send({ method: "GET", path: "/client-salt-seed" })),
      recipe(404, "SALT-2", "the salt seed of an email without an account", (ctx) => ctx.client.getClientSaltSeed(ctx.uniqueEmail("unknown"))),
      recipe(405, "HTTP-1", "DELETE /client-salt-seed", (ctx, d) =>
        ctx.client.send({ method: "DELETE", path: "/client-salt-seed", query: { email: Buffer.from(d.account.email, "utf8").toString("base64") } }),
      ),
    ],
  },
  {
    path: "/password",
    method: "post",
    profiles: ["api3"],
    recipes: [
      recipe(400, "PASS-5", "a password change to the same password", (ctx, d) =>
        ctx.client.changePassword({ ...passwordChangeBody(d.account), newPassword: d.account.password }),
      ),
      recipe(401, "PASS-3", "a password change with a wrong old password", (ctx, d) => ctx.client.changePassword(passwordChangeBody(wrong(d)))),
      recipe(409, "PASS-4", "a password change with a wallet, for an account without one", (ctx, d) =>
        ctx.client.changePassword(passwordChangeBody(d.account, nextWallet(undefined))),
      ),
      recipe(405, "HTTP-1", "PUT /password", (ctx, d) => ctx.client.send({ method: "PUT", path: "/password", body: passwordChangeBody(d.account) })),
      // Last: it ends the device's token.
      recipe(200, "PASS-1", "a password change", (ctx, d) => ctx.client.changePassword(passwordChangeBody(d.account))),
    ],
  },
  {
    path: "/websocket",
    method: "get",
    profiles: ["api3"],
    recipes: [
      recipe(101, "NOTIFY-1", "an upgrade with a live token", (ctx, d) => upgrade(ctx, { token: d.token })),
      recipe(400, "NOTIFY-1", "an upgrade without a token", (ctx) => upgrade(ctx, {})),
      recipe(401, "NOTIFY-1", "an upgrade with an unknown token", (ctx) => upgrade(ctx, { token: randomHex(32) })),
    ],
  },
];

/** The profiles an operation runs in. */
const profilesOf = (operation: OperationRecipes): readonly ProfileName[] => operation.profiles ?? profileNames;

/** Refuses to load when the spec documents a status no recipe makes, so a spec change cannot go unchecked. */
function assertRecipesCoverSpec(): void {
  for (const operation of operationRecipes) {
    const { path, method, recipes } = operation;
    const made = new Set([...recipes.map((r) => r.status), ...unrecipedStatuses]);
    for (const profile of profilesOf(operation)) {
      const missing = documentedStatuses(`${specProfile(profile).pathPrefix}${path}`, method, profile).filter((status) => !made.has(status));
      if (missing.length > 0) {
        throw new Error(`HTTP-2 checks have no request for ${method.toUpperCase()} ${path} ${missing.join(", ")} (${profile} profile)`);
      }
    }
  }
}
assertRecipesCoverSpec();

const statusesOf = (recipes: Recipes) => [...new Set(recipes.map((r) => r.status))].join(", ");

const schemaChecks = operationRecipes.map(({ path, method, recipes, profiles }) =>
  defineCheck({
    requirement: "HTTP-2",
    slug: `${method}-${path.replace(/^\//, "").replace(/\//g, "-")}-responses`,
    ...(profiles ? { profiles } : {}),
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
    const account = new Steps(ctx).credentials("content-type");
    keep(await ctx.client.signup(account));
    const login = keep(await ctx.client.auth(loginBody(account, ctx.unique("device"))));
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
  alsoChecks: stepsTaken("signup"),
  title: "An oversized POST /signup is answered 413 and creates no account",
  async run(ctx) {
    const account = new Steps(ctx).credentials("oversized");
    const oversized = { ...account, password: "p".repeat(oversizedBytes) };
    const exchange = await ctx.client.sendWellFormed({ method: "POST", path: "/signup", body: oversized });
    if (!expectStatus(ctx, exchange, { requirement: "HTTP-4", status: 413, doing: oversizedDoing("/signup") })) return;
    await new Steps(ctx).noAccountYet(account, "HTTP-4", "the 413");
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
      body: loginBody(device.account, `${device.deviceId}${"d".repeat(oversizedBytes)}`),
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
      body: walletBody(ctx.profile, device.token, 2, { encryptedWallet: "A".repeat(oversizedBytes) }),
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
    alsoChecks: stepsTaken("signup"),
    title: `Request bodies sent ${described} are parsed as JSON`,
    async run(ctx) {
      const headers: Record<string, string> = header === undefined ? {} : { "content-type": header };
      const post = (path: string, value: object) =>
        ctx.client.sendWellFormed({ method: "POST", path, body: JSON.stringify(value), headers });
      const doing = (what: string) => `${what} ${described}`;
      const account = new Steps(ctx).credentials("content-type");
      const signup = await post("/signup", account);
      // Another 2xx than 201: the body was read as JSON, and the status is the signup's own failure (SIGNUP-1).
      if (signup.response && signup.response.status < 300) requireSetupStatus(ctx, signup, { requirement: "SIGNUP-1", status: 201, doing: doing("a signup") });
      if (!expectStatus(ctx, signup, { requirement: "HTTP-5", status: 201, doing: doing("a signup") })) return;
      const login = await post("/auth/full", loginBody(account, ctx.unique("device")));
      if (!expectStatus(ctx, login, { requirement: "HTTP-5", status: 200, doing: doing("a login") })) return;
      const token = String(jsonObject(login)?.["token"]);
      const body = walletRequest(token, 1);
      const stored = await post("/wallet", walletPostBody(ctx.profile, body));
      if (!expectStatus(ctx, stored, { requirement: "HTTP-5", status: 200, doing: doing("a POST /wallet") })) return;
      const read = await ctx.client.getWallet(token);
      const wallet = walletOf(read);
      if (wallet?.encryptedWallet !== body.encryptedWallet || wallet.sequence !== 1) {
        ctx.report({
          requirement: "HTTP-5",
          message: doing("the wallet read back is not the one posted"),
          sent: describeRequest(stored.request),
          received: describeResponse(read),
          expected: `the wallet posted: ${JSON.stringify(walletPostBody(ctx.profile, body))}`,
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

/** The protocol's paths (without the profile's prefix) that take POST, from the profile's OpenAPI document. */
function postPaths(profile: ProfileName): string[] {
  const prefix = specProfile(profile).pathPrefix;
  const paths = (loadOpenApi(profile)["paths"] ?? {}) as JsonObject;
  return Object.entries(paths)
    .filter(([, operations]) => (operations as JsonObject)["post"] !== undefined)
    .map(([path]) => path.slice(prefix.length));
}

/** Query strings that are no valid URL encoding, or far longer than any token or email; the WebSocket path is NOTIFY-1's. */
const walletQueries = ["/wallet?token=%ZZ", "/wallet?token=%", `/wallet?token=${"f".repeat(4096)}`];
const malformedQueries: Record<ProfileName, readonly string[]> = {
  seed: walletQueries,
  api3: [...walletQueries, "/client-salt-seed?email=%ZZ", "/client-salt-seed?email=%", `/client-salt-seed?email=${"f".repeat(4096)}`],
};

const malformedRequests = defineCheck({
  requirement: "HTTP-6",
  slug: "malformed-requests",
  file: import.meta.url,
  title: "Malformed requests to every endpoint get a 4xx with an error body, never a 5xx or a dropped connection",
  async run(ctx) {
    for (const path of postPaths(ctx.profile)) {
      for (const { body, what } of malformedBodies) {
        const exchange = await ctx.client.send({ method: "POST", path, body });
        expectStatus(ctx, exchange, { requirement: "HTTP-6", status: "4xx", doing: `a POST ${path} with ${what}` });
      }
    }
    for (const path of malformedQueries[ctx.profile]) {
      const exchange = await ctx.client.send({ method: "GET", path });
      expectStatus(ctx, exchange, { requirement: "HTTP-6", status: "4xx", doing: `GET ${path.slice(0, 40)}` });
    }
  },
});

export const httpChecks: CheckCase[] = [
  signupMethods,
  authMethods,
  walletMethods,
  saltSeedMethods,
  passwordMethods,
  ...schemaChecks,
  contentType,
  oversizedSignup,
  oversizedAuth,
  oversizedWallet,
  contentTypeCheck("no-content-type", undefined, "without a Content-Type"),
  contentTypeCheck("text-plain", "text/plain", "as text/plain"),
  malformedRequests,
];
