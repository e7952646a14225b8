// Tokens (TOKEN-*): per (account, device), replaced by a new login of the
// same device, and never reaching another account's wallet.
import type { WalletVersion } from "../../../spec/index.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { exchangeFinding } from "../model/describe.js";
import { expectStatus } from "./support/expect.js";
import { describeWallet, sameWallet, Steps, stepsTaken, walletRequest, type Device } from "./support/steps.js";

/** Reports under `requirement` unless the token reads exactly `expected` (undefined: no wallet). */
async function expectReads(
  steps: Steps,
  device: Device,
  expected: WalletVersion | undefined,
  requirement: string,
  doing: string,
): Promise<void> {
  const { wallet, exchange } = await steps.read(device);
  if (sameWallet(wallet, expected)) return;
  steps.ctx.report(exchangeFinding(exchange, {
    requirement,
    message: `${doing}: read ${describeWallet(steps.ctx.profile, wallet)}`,
    expected: describeWallet(steps.ctx.profile, expected),
  }));
}

/** The stale token is refused for reading and writing; the live one reads back that nothing changed. */
async function expectTokenRefused(steps: Steps, stale: Device, live: Device, before: WalletVersion | undefined, doing: string) {
  const ctx = steps.ctx;
  const read = await ctx.client.getWallet(stale.token);
  expectStatus(ctx, read, { requirement: "TOKEN-2", status: 401, doing: `reading the wallet with ${doing}` });
  await steps.refused(live, before, { requirement: "TOKEN-2", status: 401, doing: `a POST /wallet with ${doing}` }, () =>
    ctx.client.postWallet(walletRequest(stale.token, (before?.sequence ?? 0) + 1)),
  );
}

const isolation = defineCheck({
  requirement: "TOKEN-1",
  slug: "account-isolation",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "read"),
  title: "A token reads and writes only its own account's wallet",
  async run(ctx) {
    const steps = new Steps(ctx);
    const [alice, bob] = await Promise.all([steps.device("alice"), steps.device("bob")]);
    const alice1 = await steps.store(alice, 1);
    await expectReads(steps, bob, undefined, "TOKEN-1", "reading with the second account's token (no wallet yet)");
    const bob1 = await steps.store(bob, 1);
    await expectReads(steps, alice, alice1, "TOKEN-1", "reading with the first account's token");
    await expectReads(steps, bob, bob1, "TOKEN-1", "reading with the second account's token");
    const bob2 = await steps.store(bob, 2);
    await expectReads(steps, alice, alice1, "TOKEN-1", "reading with the first account's token after the second stored 2");
    // Sequence 2 is next for the first account only if the second account's POST did not reach it.
    const alice2 = await steps.store(alice, 2);
    await expectReads(steps, bob, bob2, "TOKEN-1", "reading with the second account's token after the first stored 2");
    await expectReads(steps, alice, alice2, "TOKEN-1", "reading with the first account's token");
  },
});

const replaced = defineCheck({
  requirement: "TOKEN-2",
  slug: "replaced-by-new-login",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "login", "store", "refused"),
  title: "A new login of the same device replaces its token; the old one is answered 401",
  async run(ctx) {
    const steps = new Steps(ctx);
    const first = await steps.device();
    const second = await steps.login(first.account, first.deviceId);
    if (second.token === first.token) {
      ctx.report({
        requirement: "TOKEN-2",
        message: "a second login of the same device got the same token",
        expected: "a new token",
      });
      return;
    }
    await expectTokenRefused(steps, first, second, undefined, "the device's replaced token");
    const stored = await steps.store(second, 1);
    await expectTokenRefused(steps, first, second, stored, "the device's replaced token, once a wallet exists");
  },
});

const twoDevices = defineCheck({
  requirement: "TOKEN-3",
  slug: "two-devices",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "login", "store", "read"),
  title: "Tokens of two devices of one account work at the same time",
  async run(ctx) {
    const steps = new Steps(ctx);
    const laptop = await steps.device();
    const phone = await steps.login(laptop.account);
    const firstStillWorks = await steps.tokenWorks(laptop, "TOKEN-3", "reading with the first device's token after the second logged in");
    if (!firstStillWorks) return;
    const first = await steps.store(laptop, 1);
    await expectReads(steps, phone, first, "TOKEN-3", "reading with the second device's token");
    const second = await steps.store(phone, 2);
    await expectReads(steps, laptop, second, "TOKEN-3", "reading with the first device's token");
  },
});

const sameDeviceIdTwoAccounts = defineCheck({
  requirement: "TOKEN-4",
  slug: "same-device-id-two-accounts",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup", "login", "store", "read"),
  title: "One deviceId used in two accounts gets two independent tokens",
  async run(ctx) {
    const steps = new Steps(ctx);
    const deviceId = ctx.unique("shared-device");
    const [aliceAccount, bobAccount] = await Promise.all([steps.signup("alice"), steps.signup("bob")]);
    const alice = await steps.login(aliceAccount, deviceId);
    const bob = await steps.login(bobAccount, deviceId);
    const doing = "reading with the first account's token after the second account's login from the same deviceId";
    if (!(await steps.tokenWorks(alice, "TOKEN-4", doing))) return;
    const stored = await steps.store(alice, 1);
    await expectReads(steps, bob, undefined, "TOKEN-4", "reading with the second account's token (same deviceId)");
    const aliceAgain = await steps.login(aliceAccount, deviceId);
    await steps.tokenWorks(bob, "TOKEN-4", "reading with the second account's token after the first account's new login");
    await expectReads(steps, aliceAgain, stored, "TOKEN-4", "reading with the first account's new token");
  },
});

const urlSafeToken = /^[A-Za-z0-9._~-]+$/;

const formatAndDistinct = defineCheck({
  requirement: "TOKEN-5",
  slug: "format-and-distinct",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup", "login"),
  title: "Tokens are URL-safe, look random and are all different",
  async run(ctx) {
    const steps = new Steps(ctx);
    const account = await steps.signup();
    const devices: Device[] = [];
    for (const deviceId of [ctx.unique("device"), ctx.unique("device")]) {
      devices.push(await steps.login(account, deviceId), await steps.login(account, deviceId));
    }
    devices.push(await steps.login(await steps.signup("other"), devices[0]?.deviceId));
    const tokens = devices.map((d) => d.token);
    const malformed = tokens.filter((t) => !urlSafeToken.test(t));
    // A random token of any common encoding (hex, base64url, UUID) has 16 or more characters and
    // shows many distinct ones; a short or uniform one is a counter, a timestamp or padding.
    const lowEntropy = tokens.filter((t) => urlSafeToken.test(t) && (t.length < 16 || new Set(t).size < 8));
    const repeated = tokens.filter((t, i) => tokens.indexOf(t) !== i);
    const problems = [
      ...malformed.map((t) => `token ${JSON.stringify(t)} is empty or has characters that are not URL-safe`),
      ...lowEntropy.map((t) => `token ${t} is shorter than 16 characters or uses fewer than 8 distinct ones`),
      ...repeated.map((t) => `token ${t} was issued twice`),
    ];
    if (problems.length > 0) {
      ctx.report({
        requirement: "TOKEN-5",
        message: problems.join("; "),
        sent: `${tokens.length} logins: two devices twice each, and the first deviceId in a second account`,
        received: tokens.join(", "),
        expected: "URL-safe characters (letters, digits, - . _ ~) from a secure random source, no two equal",
      });
    }
  },
});

const originalFormat = defineCheck({
  requirement: "TOKEN-7",
  slug: "original-format",
  file: import.meta.url,
  alsoChecks: stepsTaken("signup", "login"),
  title: "Tokens are 64 hex digits (32 random bytes), as the original's",
  async run(ctx) {
    // The token schema's x-should part (TOKEN-7) judges the login's answer as it arrives.
    await new Steps(ctx).device();
  },
});

export const tokenChecks: CheckCase[] = [isolation, replaced, twoDevices, sameDeviceIdTwoAccounts, formatAndDistinct, originalFormat];
