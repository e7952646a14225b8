// The client salt seed (SALT-*, api3): GET /client-salt-seed serves the seed
// the account's signup or latest password change stored, 404 for an email
// without an account, 400 for a missing or undecodable email.
import { defineCheck, type CheckCase } from "../model/case.js";
import { changePassword, expectSaltSeed } from "./support/account-steps.js";
import { expectStatus } from "./support/expect.js";
import { Steps, stepsTaken } from "./support/steps.js";

const signupSeed = defineCheck({
  requirement: "SALT-1",
  slug: "signup-seed",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup"),
  title: "GET /client-salt-seed answers 200 with exactly the clientSaltSeed the account signed up with, each account its own",
  async run(ctx) {
    const steps = new Steps(ctx);
    const [first, second] = await Promise.all([steps.signup("first"), steps.signup("second")]);
    for (const [account, doing] of [[first, "the first account"], [second, "the second account"], [first, "the first account again"]] as const) {
      await expectSaltSeed(steps, account, account.clientSaltSeed as string, { requirement: "SALT-1", doing: `reading the salt seed of ${doing}` });
    }
  },
});

const latestChange = defineCheck({
  requirement: "SALT-1",
  slug: "latest-password-change",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "changePassword"),
  title: "GET /client-salt-seed answers the clientSaltSeed of the latest password change",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const once = await changePassword(steps, device.account, undefined);
    const twice = await changePassword(steps, once.account, undefined);
    await expectSaltSeed(steps, twice.account, twice.account.clientSaltSeed as string, {
      requirement: "SALT-1",
      doing: "reading the salt seed after two password changes",
    });
  },
});

const unknownEmail = defineCheck({
  requirement: "SALT-2",
  slug: "unknown-email",
  file: import.meta.url,
  title: "GET /client-salt-seed for an email without an account is answered 404",
  async run(ctx) {
    const exchange = await ctx.client.getClientSaltSeed(new Steps(ctx).credentials("unknown").email);
    expectStatus(ctx, exchange, { requirement: "SALT-2", status: 404, doing: "reading the salt seed of an email without an account" });
  },
});

const badEmail = defineCheck({
  requirement: "SALT-2",
  slug: "missing-or-not-base64",
  file: import.meta.url,
  title: "GET /client-salt-seed without an email parameter, or with one that is not base64, is answered 400",
  async run(ctx) {
    const email = Buffer.from(ctx.uniqueEmail("salt"), "utf8").toString("base64");
    const requests: Array<[Record<string, string> | undefined, string]> = [
      [undefined, "without an email parameter"],
      [{ emails: email }, "with `emails` instead of `email`"],
      [{ email: "not*base64!" }, "with an email of characters no base64 has"],
      [{ email: "@@@@" }, "with the email `@@@@`"],
    ];
    for (const [query, what] of requests) {
      const exchange = await ctx.client.send({ method: "GET", path: "/client-salt-seed", ...(query ? { query } : {}) });
      expectStatus(ctx, exchange, { requirement: "SALT-2", status: 400, doing: `GET /client-salt-seed ${what}` });
    }
  },
});

export const saltSeedChecks: CheckCase[] = [signupSeed, latestChange, unknownEmail, badEmail];
