// Accounts and tokens for devices (SIGNUP-*, AUTH-*): what is created or
// issued, what is refused, and that a refusal creates or issues nothing.
import { defineCheck, type CheckCase } from "../model/case.js";
import type { CheckContext } from "../model/context.js";
import { exchangeFinding } from "../model/describe.js";
import {
  emptyStringBodies,
  missingFieldBodies,
  notAnObjectBodies,
  withField,
  withoutField,
  wrongTypeBodies,
  type BodyCase,
} from "./support/bodies.js";
import { expectSaltSeed } from "./support/account-steps.js";
import { expectStatus, jsonObject } from "./support/expect.js";
import { loginBody, Steps, stepsTaken, type Device } from "./support/steps.js";

async function sendEach(ctx: CheckContext, path: string, bodies: BodyCase[], requirement: string, status: number): Promise<void> {
  for (const body of bodies) {
    const exchange = await ctx.client.send({ method: "POST", path, body: body.text });
    expectStatus(ctx, exchange, { requirement, status, doing: `a POST ${path} with ${body.what}` });
  }
}

const signupCreates = defineCheck({
  requirement: "SIGNUP-1",
  slug: "creates-account",
  file: import.meta.url,
  title: "POST /signup creates the account: 201 with a JSON object, and the account can log in",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = await steps.signup();
    const exchange = await ctx.client.auth(loginBody(account, ctx.unique("device")));
    expectStatus(ctx, exchange, { requirement: "SIGNUP-1", status: 200, doing: "logging in to the account just created" });
  },
});

const signupDuplicate = defineCheck({
  requirement: "SIGNUP-2",
  slug: "duplicate-email",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup", "saltSeed"),
  title: "POST /signup for an existing email is refused with 409 and the account keeps its password (and in api3 its salt seed)",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = await steps.signup();
    // Another password, and in api3 another salt seed: the second signup is a whole other account's.
    const other = { ...steps.credentials(), email: account.email };
    const again = await ctx.client.signup(other);
    expectStatus(ctx, again, {
      requirement: "SIGNUP-2",
      status: 409,
      doing: "signing up an email that has an account, with another password",
    });
    const same = await ctx.client.signup(account);
    expectStatus(ctx, same, {
      requirement: "SIGNUP-2",
      status: 409,
      doing: "signing up an email that has an account, with its password",
    });
    const original = await ctx.client.auth(loginBody(account, ctx.unique("device")));
    expectStatus(ctx, original, {
      requirement: "SIGNUP-2",
      status: 200,
      doing: "logging in with the first password after a second signup",
      expected: "200: the account kept its password",
    });
    const replaced = await ctx.client.auth(loginBody(other, ctx.unique("device")));
    expectStatus(ctx, replaced, {
      requirement: "SIGNUP-2",
      status: 401,
      doing: "logging in with the second signup's password",
      expected: "401: the second signup changed nothing",
    });
    if (account.clientSaltSeed === undefined) return;
    await expectSaltSeed(steps, account, account.clientSaltSeed, { requirement: "SIGNUP-2", doing: "reading the salt seed after a second signup" });
  },
});

const signupMalformed = defineCheck({
  requirement: "SIGNUP-3",
  slug: "not-an-object",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "A POST /signup body that is not a JSON object, or not JSON at all, is refused with 400",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = steps.credentials();
    await sendEach(ctx, "/signup", notAnObjectBodies(account), "SIGNUP-3", 400);
    await steps.noAccountYet(account, "SIGNUP-3", "malformed signups");
  },
});

const signupFields = defineCheck({
  requirement: "SIGNUP-3",
  slug: "bad-fields",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "A POST /signup whose email or password is missing, empty or not a string is refused with 400",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = steps.credentials();
    const bodies = [
      ...missingFieldBodies(account, ["email", "password"]),
      ...wrongTypeBodies(account, { email: "string", password: "string" }),
      ...emptyStringBodies(account, ["email", "password"]),
    ];
    await sendEach(ctx, "/signup", bodies, "SIGNUP-3", 400);
    await steps.noAccountYet(account, "SIGNUP-3", "signups with bad fields");
  },
});

const signupNotBare = defineCheck({
  requirement: "SIGNUP-4",
  slug: "not-a-bare-address",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "A POST /signup whose email is not a bare address is refused with 400",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = steps.credentials();
    const [local, domain] = account.email.split("@") as [string, string];
    const named = await ctx.client.signup({ ...account, email: `Joe <${account.email}>` });
    expectStatus(ctx, named, { requirement: "SIGNUP-4", status: 400, doing: "signing up `Joe <address>`" });
    const spaced = await ctx.client.signup({ ...account, email: `${local} x@${domain}` });
    expectStatus(ctx, spaced, { requirement: "SIGNUP-4", status: 400, doing: "signing up an address with a space" });
    if (named.response?.status === 400) await steps.noAccountYet(account, "SIGNUP-4", "a refused `Joe <address>` signup");
  },
});

const signupSaltSeed = defineCheck({
  requirement: "SIGNUP-5",
  slug: "bad-client-salt-seed",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "A POST /signup whose clientSaltSeed is missing or not exactly 64 hex digits is refused with 400 and creates no account",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = steps.credentials();
    const seed = account.clientSaltSeed ?? "";
    const withSeed = (json: string, what: string): BodyCase => ({ text: withField(account, "clientSaltSeed", json), what });
    const bodies = [
      withoutField(account, "clientSaltSeed"),
      ...wrongTypeBodies(account, { clientSaltSeed: "string" }),
      ...emptyStringBodies(account, ["clientSaltSeed"]),
      withSeed(JSON.stringify(seed.slice(1)), "a clientSaltSeed of 63 hex digits"),
      withSeed(JSON.stringify(`${seed}0`), "a clientSaltSeed of 65 hex digits"),
      withSeed(JSON.stringify("g".repeat(64)), "a clientSaltSeed of 64 characters that are not hex digits"),
      withSeed(JSON.stringify(`0x${seed.slice(2)}`), "a clientSaltSeed of 64 characters starting 0x"),
      withSeed(JSON.stringify(`${seed.slice(0, 32)} ${seed.slice(33)}`), "a clientSaltSeed with a space in its middle"),
    ];
    await sendEach(ctx, "/signup", bodies, "SIGNUP-5", 400);
    await steps.noAccountYet(account, "SIGNUP-5", "signups with a bad clientSaltSeed");
  },
});

const authIssues = defineCheck({
  requirement: "AUTH-1",
  slug: "issues-token",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "POST /auth/full answers 200 with a working token for the device",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = await steps.signup();
    const deviceId = ctx.unique("device");
    const exchange = await ctx.client.auth(loginBody(account, deviceId));
    const doing = "logging in with the account's email and password";
    if (!expectStatus(ctx, exchange, { requirement: "AUTH-1", status: 200, doing })) return;
    const token = jsonObject(exchange)?.["token"];
    if (typeof token !== "string" || token === "") {
      ctx.report(exchangeFinding(exchange, {
        requirement: "AUTH-1",
        message: "the 200 carries no token",
        expected: "a string `token`",
      }));
      return;
    }
    await steps.tokenWorks({ account, deviceId, token }, "AUTH-1", "reading the wallet with the token just issued");
  },
});

const authRefused = defineCheck({
  requirement: "AUTH-2",
  slug: "no-match",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "POST /auth/full with an unknown email or a wrong password is answered 401 and issues no token",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const unknown = await ctx.client.auth(loginBody(steps.credentials("unknown"), device.deviceId));
    expectStatus(ctx, unknown, { requirement: "AUTH-2", status: 401, doing: "logging in with an email that has no account" });
    const wrongPassword = `${device.account.password}x`;
    const wrong = await ctx.client.auth(loginBody({ ...device.account, password: wrongPassword }, device.deviceId));
    expectStatus(ctx, wrong, { requirement: "AUTH-2", status: 401, doing: "logging in with a wrong password" });
    // A token issued for this device would have replaced the device's token.
    await steps.tokenWorks(device, "AUTH-2", "reading the wallet with the device's token after a refused login");
  },
});

async function authRefusals(ctx: CheckContext, pick: (valid: object) => BodyCase[]): Promise<void> {
  const steps = new Steps(ctx);
  const device: Device = await steps.device();
  const valid = loginBody(device.account, device.deviceId);
  await sendEach(ctx, "/auth/full", pick(valid), "AUTH-3", 400);
  await steps.tokenWorks(device, "AUTH-3", "reading the wallet with the device's token after refused logins");
}

const authMalformed = defineCheck({
  requirement: "AUTH-3",
  slug: "not-an-object",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "A POST /auth/full body that is not a JSON object, or not JSON at all, is refused with 400",
  run: (ctx) => authRefusals(ctx, notAnObjectBodies),
});

const authFields = defineCheck({
  requirement: "AUTH-3",
  slug: "bad-fields",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "A POST /auth/full whose email, password or deviceId is missing, empty or not a string is refused with 400",
  run: (ctx) =>
    authRefusals(ctx, (valid) => [
      ...missingFieldBodies(valid),
      ...wrongTypeBodies(valid, { email: "string", password: "string", deviceId: "string" }),
      ...emptyStringBodies(valid, ["email", "password", "deviceId"]),
    ]),
});

const authNotBare = defineCheck({
  requirement: "AUTH-4",
  slug: "not-a-bare-address",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "A POST /auth/full whose email is not a bare address is answered 400",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const named = `Joe <${device.account.email}>`;
    const exchange = await ctx.client.auth(loginBody({ ...device.account, email: named }, device.deviceId));
    expectStatus(ctx, exchange, { requirement: "AUTH-4", status: 400, doing: "logging in as `Joe <address>`, right password" });
    await steps.tokenWorks(device, "AUTH-4", "reading the wallet with the device's token after that login");
  },
});

const authExpiration = defineCheck({
  requirement: "AUTH-5",
  slug: "expiration",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("signup"), "AUTH-1"],
  title: "The token body's expiration is an RFC 3339 time in the future, not null",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = await steps.signup();
    const exchange = await ctx.client.auth(loginBody(account, ctx.unique("device")));
    if (!expectStatus(ctx, exchange, { requirement: "AUTH-1", status: 200, doing: "logging in" })) return;
    const expiration = jsonObject(exchange)?.["expiration"];
    const time = typeof expiration === "string" ? Date.parse(expiration) : Number.NaN;
    const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
    if (typeof expiration === "string" && rfc3339.test(expiration) && time > Date.now()) return;
    ctx.report(exchangeFinding(exchange, {
      requirement: "AUTH-5",
      message:
        typeof expiration === "string" && rfc3339.test(expiration)
          ? `the token expires in the past (${expiration})`
          : `the token body's expiration is ${JSON.stringify(expiration) ?? "missing"}`,
      expected: 'an RFC 3339 time in the future, e.g. "expiration": "2026-12-10T12:00:00Z"',
    }));
  },
});

const authOriginalFields = defineCheck({
  requirement: "AUTH-6",
  slug: "original-fields",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "The token body echoes the deviceId and carries scope \"*\" and an integer userId, as the original's",
  async run(ctx) {
    // scope and userId are the AuthResponse schema's x-should part (AUTH-6), judged as the answer arrives.
    const account = await new Steps(ctx).signup();
    const deviceId = ctx.unique("device");
    const exchange = await ctx.client.auth(loginBody(account, deviceId));
    if (!expectStatus(ctx, exchange, { requirement: "AUTH-1", status: 200, doing: "logging in" })) return;
    if (jsonObject(exchange)?.["deviceId"] === deviceId) return;
    ctx.report(
      exchangeFinding(exchange, {
        requirement: "AUTH-6",
        message: "the token body does not echo the deviceId",
        expected: `"deviceId": ${JSON.stringify(deviceId)}`,
      }),
    );
  },
});

export const accountChecks: CheckCase[] = [
  signupCreates,
  signupDuplicate,
  signupMalformed,
  signupFields,
  signupNotBare,
  signupSaltSeed,
  authIssues,
  authRefused,
  authMalformed,
  authFields,
  authNotBare,
  authExpiration,
  authOriginalFields,
];
