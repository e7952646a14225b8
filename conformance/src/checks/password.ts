// Password changes (PASS-*, api3): an accepted change stores password, salt
// seed and wallet together and ends every token of the account; a refused
// one changes nothing at all (password, salt seed, wallet, tokens).
import type { WalletVersion } from "../../../spec/index.js";
import type { Api3PasswordChangeRequest } from "../../../spec/api3.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { CheckAborted, type CheckContext } from "../model/context.js";
import { walletPostBody, type Exchange } from "../client/protocol-client.js";
import { describeRequest, describeResponse } from "../model/describe.js";
import {
  accountState,
  accountUnchanged,
  changedAccount,
  changePassword,
  expectSaltSeed,
  nextWallet,
  passwordChangeBody,
  refusedPasswordChange,
  type AccountState,
} from "./support/account-steps.js";
import { emptyStringBodies, notAnObjectBodies, withField, withoutField, wrongTypeBodies, type BodyCase } from "./support/bodies.js";
import { expectStatus, jsonObject, type ExpectedStatus } from "./support/expect.js";
import { withSockets } from "./support/sockets.js";
import { loginBody, Steps, stepsTaken, storedPart, walletRequest, type Device } from "./support/steps.js";
import { walletContents, type WalletContent } from "./wallet-content.js";

/** Logs in with the credentials: the token, or undefined after reporting under `requirement` that it did not work. */
async function expectLogin(ctx: CheckContext, account: Device["account"], requirement: string, doing: string): Promise<Device | undefined> {
  const deviceId = ctx.unique("device");
  const exchange = await ctx.client.auth(loginBody(account, deviceId));
  if (!expectStatus(ctx, exchange, { requirement, status: 200, doing })) return undefined;
  const token = jsonObject(exchange)?.["token"];
  return typeof token === "string" ? { account, deviceId, token } : undefined;
}

const withoutWallet = defineCheck({
  requirement: "PASS-1",
  slug: "without-wallet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "saltSeed"),
  title: "A password change of an account without a wallet is answered 200: the new password logs in, the new salt seed is served, no wallet appears",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const { account } = await changePassword(steps, device.account, undefined);
    await expectSaltSeed(steps, account, account.clientSaltSeed as string, { requirement: "PASS-1", doing: "after the password change" });
    const renewed = await expectLogin(ctx, account, "PASS-1", "logging in with the new password");
    if (!renewed) return;
    const read = await ctx.client.getWallet(renewed.token);
    expectStatus(ctx, read, {
      requirement: "PASS-1",
      status: 404,
      doing: "reading the wallet after a password change without wallet fields",
      expected: "404: the account still has no wallet",
    });
  },
});

const withWallet = defineCheck({
  requirement: "PASS-1",
  slug: "with-wallet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "saltSeed", "read"),
  title: "A password change with the wallet as stored + 1 is answered 200: the wallet is stored exactly, with the new password and salt seed, and the chain goes on from it",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.storeVersions(device, 2);
    // Strings a server might re-encode: the wallet must come back byte for byte.
    const wallet: WalletVersion = { ...nextWallet(stored), encryptedWallet: (walletContents[0] as WalletContent).text, hmac: (walletContents[1] as WalletContent).text };
    const { account } = await changePassword(steps, device.account, wallet);
    await expectSaltSeed(steps, account, account.clientSaltSeed as string, { requirement: "PASS-1", doing: "after the password change" });
    const renewed = await expectLogin(ctx, account, "PASS-1", "logging in with the new password");
    if (!renewed) return;
    const { exchange } = await steps.read(renewed);
    if (!steps.expectWallet(exchange, wallet, { requirement: "PASS-1", doing: "GET /wallet after the password change", expected: "the wallet the change carried" })) return;
    // The change's version is the stored one: the next POST builds on it.
    await steps.store(renewed, wallet.sequence + 1);
  },
});

/**
 * When the race below sends its POST, as fractions of how long a password
 * change takes here: spread over the whole change, the likeliest moments of a
 * check-then-write gap (a third to a half in) first. One attempt per fraction.
 */
const raceMoments = [0.3, 0.45, 0.2, 0.4, 0.55, 0.35, 0.25, 0.5, 0.65, 0.1, 0.6, 0.75, 0.15, 0.85, 0.05, 1];

/** Waits until `target` (performance.now() milliseconds), finer than a timer's millisecond. */
async function until(target: number): Promise<void> {
  while (performance.now() < target) await new Promise((resolve) => setImmediate(resolve));
}

const concurrentPost = defineCheck({
  requirement: "PASS-1",
  slug: "concurrent-post",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "changePassword", "read"),
  title: "Of a password change with the wallet as stored + 1 and a POST /wallet of that sequence sent while it runs, at most one is accepted, and its wallet is the one stored",
  async run(ctx) {
    const steps = new Steps(ctx);
    // Only a POST that lands between the change's check of the sequence and its write shows a change that is
    // not one atomic step, so the POST goes out at moments spread over how long a change takes here: the
    // shortest change seen so far, as the first ones are slowed by a cold start.
    const timed = await steps.device("race");
    const { exchange: solo } = await changePassword(steps, timed.account, nextWallet(await steps.store(timed, 1)));
    let changeMs = solo.endedAt - solo.startedAt;
    for (const moment of raceMoments) {
      const device = await steps.device("race");
      const wallet = nextWallet(await steps.store(device, 1));
      const body = passwordChangeBody(device.account, wallet);
      const post = walletRequest(device.token, wallet.sequence);
      const started = performance.now();
      // Raw sends: a retried request would blur which attempt was stored.
      const changing = ctx.client.send({ method: "POST", path: "/password", body });
      await until(started + changeMs * moment);
      const [change, posted] = await Promise.all([changing, ctx.client.send({ method: "POST", path: "/wallet", body: walletPostBody(ctx.profile, post) })]);
      changeMs = Math.min(changeMs, change.endedAt - change.startedAt);
      if (change.response?.status === 200 && posted.response?.status === 200) {
        ctx.report({
          requirement: "PASS-1",
          message: `both a password change with sequence ${wallet.sequence} and a POST /wallet of sequence ${wallet.sequence} sent ${Math.round(posted.startedAt - started)} ms into it were answered 200`,
          sent: `${describeRequest(change.request)}; and while it ran ${describeRequest(posted.request)}`,
          received: `${describeResponse(change)}; ${describeResponse(posted)}`,
          expected: "at most one of them answered 200: the change is one atomic step under the sequence rule",
          exchanges: [change, posted],
        });
        return;
      }
      // The winner's wallet is the one stored: read through the new password, or through the device when the change lost.
      const winner = change.response?.status === 200 ? wallet : posted.response?.status === 200 ? storedPart(post) : undefined;
      if (!winner) continue;
      const reader = change.response?.status === 200 ? await expectLogin(ctx, changedAccount(body), "PASS-1", "logging in with the new password") : device;
      if (!reader) return;
      const { exchange } = await steps.read(reader);
      if (!steps.expectWallet(exchange, winner, { requirement: "PASS-1", doing: "GET /wallet after the race", expected: "the wallet of the request answered 200" })) return;
    }
  },
});

const oldTokensEnded = defineCheck({
  requirement: "PASS-2",
  slug: "old-tokens-ended",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "login", "store", "changePassword", "refused")],
  title: "After a password change every earlier token is answered 401 (GET, POST, websocket), the old password is refused and the new one logs in",
  async run(ctx) {
    const steps = new Steps(ctx);
    const laptop = await steps.device();
    const phone = await steps.login(laptop.account);
    const stored = await steps.store(laptop, 1);
    const changed = await changePassword(steps, laptop.account, nextWallet(stored));
    const renewed = await expectLogin(ctx, changed.account, "PASS-2", "logging in with the new password");
    const oldLogin = await ctx.client.auth(loginBody(laptop.account, ctx.unique("device")));
    expectStatus(ctx, oldLogin, { requirement: "PASS-2", status: 401, doing: "logging in with the old password after the change" });
    if (!renewed) return;
    await withSockets(ctx, async (sockets) => {
      for (const [old, name] of [[laptop, "the first device's"], [phone, "the second device's"]] as const) {
        const read = await ctx.client.getWallet(old.token);
        expectStatus(ctx, read, { requirement: "PASS-2", status: 401, doing: `reading the wallet with ${name} token from before the change` });
        await steps.refused(renewed, changed.wallet, { requirement: "PASS-2", status: 401, doing: `a POST /wallet with ${name} token from before the change` }, () =>
          ctx.client.postWallet(walletRequest(old.token, (changed.wallet?.sequence ?? 0) + 1)),
        );
        await sockets.expectRefused({ token: old.token }, { requirement: "PASS-2", status: 401, doing: `an upgrade with ${name} token from before the change` });
      }
    });
  },
});

const unknownEmail = defineCheck({
  requirement: "PASS-3",
  slug: "unknown-email",
  file: import.meta.url,
  title: "A password change for an email without an account is answered 401 and creates no account",
  async run(ctx) {
    const account = new Steps(ctx).credentials("unknown");
    const change = await ctx.client.changePassword(passwordChangeBody(account));
    expectStatus(ctx, change, { requirement: "PASS-3", status: 401, doing: "a password change for an email without an account" });
    const signup = await ctx.client.signup(account);
    expectStatus(ctx, signup, { requirement: "PASS-3", status: 201, doing: "signing up that email afterwards", expected: "201: the change created no account" });
  },
});

/** An account whose wallet is at `versions` (none for 0), and its state. */
async function accountWith(steps: Steps, versions: number): Promise<AccountState & { stored: WalletVersion | undefined }> {
  const device = await steps.device();
  const stored = versions > 0 ? await steps.storeVersions(device, versions) : undefined;
  return { ...(await accountState(steps, device)), stored };
}

type Before = Awaited<ReturnType<typeof accountWith>>;

/**
 * A case whose password changes must each be refused with `status` and leave
 * the account (with a wallet at `versions`, none for 0) as it was.
 */
function refusedChangesCheck(definition: {
  requirement: string;
  slug: string;
  title: string;
  status: number;
  versions: number;
  changes(before: Before): Array<{ body: Api3PasswordChangeRequest; what: string }>;
}): CheckCase {
  const { requirement, status, versions } = definition;
  return defineCheck({
    requirement,
    slug: definition.slug,
    file: import.meta.url,
    alsoChecks: stepsTaken("device", ...(versions > 0 ? (["store"] as const) : []), "accountUnchanged"),
    title: definition.title,
    async run(ctx) {
      const steps = new Steps(ctx);
      const before = await accountWith(steps, versions);
      for (const { body, what } of definition.changes(before)) {
        const doing = `a password change ${what}`;
        await refusedPasswordChange(steps, before, { requirement, status, doing }, () => ctx.client.changePassword(body), body.newPassword);
      }
    },
  });
}

const wrongOldPassword = refusedChangesCheck({
  requirement: "PASS-3",
  slug: "wrong-old-password",
  title: "A password change with a wrong oldPassword is answered 401 and changes nothing",
  status: 401,
  versions: 1,
  changes: ({ device, stored }) => [
    { body: passwordChangeBody({ ...device.account, password: `${device.account.password}x` }, nextWallet(stored)), what: "with a wrong oldPassword" },
  ],
});

const walletMissing = refusedChangesCheck({
  requirement: "PASS-4",
  slug: "wallet-missing",
  title: "A password change without wallet fields for an account that has a wallet is answered 409 and changes nothing",
  status: 409,
  versions: 1,
  changes: ({ device }) => [{ body: passwordChangeBody(device.account), what: "without wallet fields, for an account with a wallet" }],
});

const wrongSequence = refusedChangesCheck({
  requirement: "PASS-4",
  slug: "wrong-sequence",
  title: "A password change whose wallet sequence is not stored + 1 is answered 409 and changes nothing",
  status: 409,
  versions: 2,
  changes: ({ device, stored }) =>
    [2, 4, 1].map((sequence) => ({
      body: passwordChangeBody(device.account, nextWallet(stored, sequence)),
      what: `with a wallet of sequence ${sequence} onto stored 2`,
    })),
});

const walletForNone = refusedChangesCheck({
  requirement: "PASS-4",
  slug: "wallet-for-account-without-one",
  title: "A password change with any wallet for an account without one is answered 409 and changes nothing",
  status: 409,
  versions: 0,
  changes: ({ device }) =>
    [1, 2].map((sequence) => ({
      body: passwordChangeBody(device.account, nextWallet(undefined, sequence)),
      what: `with a wallet of sequence ${sequence}, for an account without a wallet`,
    })),
});

const passwordFieldTypes = {
  email: "string",
  oldPassword: "string",
  newPassword: "string",
  clientSaltSeed: "string",
  encryptedWallet: "string",
  sequence: "number",
  hmac: "string",
} as const;

/** A malformed body and what it must be answered: 400, or 400 or 401 where it also names no credentials that match. */
type MalformedBody = BodyCase & { status: ExpectedStatus };

/**
 * Sends each body, which must be refused, and then checks once that the
 * account is as it was; a body that was accepted stops the check.
 */
async function expectMalformedRefused(steps: Steps, before: AccountState, attempted: string, bodies: readonly MalformedBody[]): Promise<void> {
  const { ctx } = steps;
  let last: Exchange | undefined;
  for (const body of bodies) {
    last = await ctx.client.send({ method: "POST", path: "/password", body: body.text });
    expectStatus(ctx, last, { requirement: "PASS-5", status: body.status, doing: `a POST /password with ${body.what}` });
    if (last.response !== undefined && last.response.status < 300) throw new CheckAborted("a malformed password change was accepted");
  }
  if (last) await accountUnchanged(steps, before, { requirement: "PASS-5", exchange: last, doing: `${bodies.length} POSTs /password with malformed bodies` }, attempted);
}

/**
 * A body without an email or old password, or with an empty one, is malformed
 * (PASS-5, 400) and also names no account whose password matches (PASS-3,
 * 401): a server may answer either.
 */
const credentialFields: readonly string[] = ["email", "oldPassword"];

const malformed = defineCheck({
  requirement: "PASS-5",
  slug: "malformed",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "accountUnchanged"),
  title: "A password change whose body is not a JSON object, lacks a field, has one of the wrong type or an empty or invalid value is refused (400) and changes nothing",
  async run(ctx) {
    const steps = new Steps(ctx);
    const before = await accountWith(steps, 1);
    // Right credentials and the right next wallet: each body is wrong in one way only.
    const valid = passwordChangeBody(before.device.account, nextWallet(before.stored));
    const status = (field: string): ExpectedStatus => (credentialFields.includes(field) ? [400, 401] : 400);
    const replaced = (field: keyof typeof passwordFieldTypes, json: string, what: string): MalformedBody => ({ text: withField(valid, field, json), what, status: 400 });
    await expectMalformedRefused(steps, before, valid.newPassword, [
      ...notAnObjectBodies(valid).map((body) => ({ ...body, status: 400 })),
      { text: "{}", what: "an empty object", status: [400, 401] },
      ...["email", "oldPassword", "newPassword", "clientSaltSeed"].map((field) => ({ ...withoutField(valid, field), status: status(field) })),
      ...wrongTypeBodies(valid, passwordFieldTypes).map((body) => ({ ...body, status: 400 })),
      ...["email", "oldPassword", "newPassword", "clientSaltSeed", "encryptedWallet", "hmac"].flatMap((field) =>
        emptyStringBodies(valid, [field]).map((body) => ({ ...body, status: status(field) })),
      ),
      replaced("clientSaltSeed", JSON.stringify("z".repeat(64)), "a clientSaltSeed of 64 characters that are not hex digits"),
      replaced("clientSaltSeed", JSON.stringify(valid.clientSaltSeed.slice(1)), "a clientSaltSeed of 63 hex digits"),
      ...["0", "-1", "1.5"].map((json) => replaced("sequence", json, `\`sequence\` ${json}`)),
    ]);
  },
});

const samePassword = refusedChangesCheck({
  requirement: "PASS-5",
  slug: "same-password",
  title: "A password change whose newPassword equals its oldPassword is answered 400 and changes nothing",
  status: 400,
  versions: 1,
  changes: ({ device, stored }) => [
    { body: { ...passwordChangeBody(device.account, nextWallet(stored)), newPassword: device.account.password }, what: "whose newPassword is the old one" },
  ],
});

const walletFields = ["encryptedWallet", "sequence", "hmac"] as const;

/** Every non-empty proper subset of the wallet fields. */
const partialWalletFields = [[0], [1], [2], [0, 1], [0, 2], [1, 2]].map((kept) => walletFields.filter((_, index) => kept.includes(index)));

const partialWallet = refusedChangesCheck({
  requirement: "PASS-5",
  slug: "partial-wallet",
  title: "A password change that gives only some of encryptedWallet, sequence and hmac is answered 400 and changes nothing",
  status: 400,
  versions: 1,
  changes: ({ device, stored }) => {
    // The right next sequence where it is given: only the missing fields are wrong.
    const full = passwordChangeBody(device.account, nextWallet(stored));
    return partialWalletFields.map((kept) => {
      const dropped = walletFields.filter((field) => !kept.includes(field));
      const body = Object.fromEntries(Object.entries(full).filter(([field]) => !(dropped as readonly string[]).includes(field)));
      return { body: body as Api3PasswordChangeRequest, what: `with ${kept.join(" and ")} but no ${dropped.join(" or ")}` };
    });
  },
});

export const passwordChecks: CheckCase[] = [
  withoutWallet,
  withWallet,
  concurrentPost,
  oldTokensEnded,
  wrongOldPassword,
  unknownEmail,
  walletMissing,
  wrongSequence,
  walletForNone,
  malformed,
  samePassword,
  partialWallet,
];
