// The api3 steps on accounts: reading the client salt seed, changing the
// password, and proving that a refused change left the account as it was
// (password, salt seed, wallet and tokens).
import type { WalletVersion } from "../../../../spec/index.js";
import type { Api3PasswordChangeRequest } from "../../../../spec/api3.js";
import type { Exchange } from "../../client/protocol-client.js";
import { CheckAborted } from "../../model/context.js";
import { describeRequest, describeResponse, exchangeFinding } from "../../model/describe.js";
import { expectStatus, jsonObject, requireStatus, type StatusExpectation } from "./expect.js";
import {
  clientSaltSeed,
  describeWallet,
  loginBody,
  randomHex,
  sameWallet,
  walletContent,
  walletOf,
  storedPart,
  type Account,
  type Device,
  type Refusal,
  type Steps,
} from "./steps.js";

/** GET /client-salt-seed of the account: the seed it answers (SALT-1). The check cannot go on without one. */
export async function readSaltSeed(steps: Steps, account: Account): Promise<{ seed: string; exchange: Exchange }> {
  const exchange = await steps.ctx.client.getClientSaltSeed(account.email);
  requireStatus(steps.ctx, exchange, { requirement: "SALT-1", status: 200, doing: "reading the salt seed of an account" });
  const seed = jsonObject(exchange)?.["clientSaltSeed"];
  if (typeof seed !== "string") {
    steps.ctx.report(exchangeFinding(exchange, {
      requirement: "SALT-1",
      message: "the 200 to GET /client-salt-seed carries no clientSaltSeed",
      expected: 'a body {"clientSaltSeed": "<64 hex digits>"}',
    }));
    throw new CheckAborted("no salt seed");
  }
  return { seed, exchange };
}

/** Reports under `requirement` unless the account's salt seed is `expected`, and says whether it is. */
export async function expectSaltSeed(
  steps: Steps,
  account: Account,
  expected: string,
  about: { requirement: string; doing: string },
): Promise<boolean> {
  const { seed, exchange } = await readSaltSeed(steps, account);
  if (seed === expected) return true;
  steps.ctx.report(exchangeFinding(exchange, {
    requirement: about.requirement,
    message: `${about.doing}: GET /client-salt-seed answers ${JSON.stringify(seed)}`,
    expected: `{"clientSaltSeed": ${JSON.stringify(expected)}}`,
  }));
  return false;
}

/** The wallet fields of a password change: the next version after `stored` (or `sequence`), re-encrypted. */
export function nextWallet(stored: WalletVersion | undefined, sequence = (stored?.sequence ?? 0) + 1): WalletVersion {
  return { encryptedWallet: walletContent(), sequence, hmac: randomHex(32) };
}

/** A password change of the account to a fresh password and salt seed, carrying `wallet` when given. */
export function passwordChangeBody(account: Account, wallet?: WalletVersion): Api3PasswordChangeRequest {
  return {
    email: account.email,
    oldPassword: account.password,
    newPassword: `pw-${randomHex(8)}`,
    clientSaltSeed: clientSaltSeed(),
    ...(wallet ? storedPart(wallet) : {}),
  };
}

/** The credentials a password change gives the account. */
export function changedAccount(body: Api3PasswordChangeRequest): Account {
  return { email: body.email, password: body.newPassword, clientSaltSeed: body.clientSaltSeed };
}

export interface PasswordChanged {
  /** The account's new credentials and salt seed. */
  account: Account;
  /** The wallet the change stored, when the account had one. */
  wallet: WalletVersion | undefined;
  exchange: Exchange;
}

/**
 * A password change that must be accepted (PASS-1): a fresh password and
 * salt seed and, when the account has a wallet, `wallet` (its next version).
 */
export async function changePassword(steps: Steps, account: Account, wallet: WalletVersion | undefined): Promise<PasswordChanged> {
  const body = passwordChangeBody(account, wallet);
  const exchange = await steps.ctx.client.changePassword(body);
  requireStatus(steps.ctx, exchange, {
    requirement: "PASS-1",
    status: 200,
    doing: wallet
      ? `changing the password with the wallet re-encrypted as sequence ${wallet.sequence}`
      : "changing the password of an account without a wallet",
  });
  return { account: changedAccount(body), wallet, exchange };
}

/** What a refused password change must leave as it was. */
export interface AccountState {
  /** A device of the account whose token must keep working. */
  device: Device;
  wallet: WalletVersion | undefined;
  seed: string;
}

/** The account's salt seed and wallet as they are now, read through the device. */
export async function accountState(steps: Steps, device: Device): Promise<AccountState> {
  const { seed } = await readSaltSeed(steps, device.account);
  const { wallet } = await steps.read(device);
  return { device, wallet, seed };
}

/**
 * Sends a password change that must be refused with `expectation.status`,
 * then checks that it changed nothing: the device's token still reads the
 * same wallet, the salt seed is the same, the old password logs in and the
 * new one (`attempted`, when the body named one) does not. The check stops
 * when the change was accepted: the state its later steps rely on is gone.
 */
export async function refusedPasswordChange(
  steps: Steps,
  before: AccountState,
  expectation: StatusExpectation,
  send: () => Promise<Exchange>,
  attempted?: string,
): Promise<Exchange> {
  const exchange = await send();
  expectStatus(steps.ctx, exchange, expectation);
  if (exchange.response !== undefined && exchange.response.status < 300) throw new CheckAborted("a refusal was accepted");
  await accountUnchanged(steps, before, { requirement: expectation.requirement, exchange, doing: expectation.doing }, attempted);
  return exchange;
}

/** Reports under the refusal's requirement each part of the account that is not as it was. */
export async function accountUnchanged(steps: Steps, before: AccountState, refusal: Refusal, attempted?: string): Promise<void> {
  const { ctx } = steps;
  const answer = refusal.exchange.response ? `answered ${refusal.exchange.response.status}` : "not answered";
  const changed = (what: string, check: Exchange, expected: string) =>
    ctx.report({
      requirement: refusal.requirement,
      message: `${refusal.doing}: ${what} although the request was ${answer}`,
      sent: describeRequest(refusal.exchange.request),
      received: `${describeResponse(refusal.exchange)}; then ${check.request.method} ${check.request.path.split("?")[0]} -> ${describeResponse(check)}`,
      expected: `nothing changed: ${expected}`,
      exchanges: [refusal.exchange, check],
    });

  const read = await ctx.client.getWallet(before.device.token);
  const status = read.response?.status;
  if (status === 200 || status === 404) {
    const wallet = status === 404 ? undefined : walletOf(read);
    if (!sameWallet(wallet && storedPart(wallet), before.wallet)) {
      changed("the wallet changed", read, `GET /wallet -> ${describeWallet(ctx.profile, before.wallet)}`);
    }
  } else if (status === 401) changed("the device's token was ended", read, "the token still works (200 or 404, not 401)");
  else expectStatus(ctx, read, { requirement: "WGET-1", status: [200, 404], doing: "reading the wallet back with a valid token" });

  const seed = await ctx.client.getClientSaltSeed(before.device.account.email);
  if (seed.response?.status !== 200 || jsonObject(seed)?.["clientSaltSeed"] !== before.seed) {
    changed("the salt seed is not the one before", seed, `GET /client-salt-seed -> 200 {"clientSaltSeed": ${JSON.stringify(before.seed)}}`);
  }

  const oldLogin = await ctx.client.auth(loginBody(before.device.account, ctx.unique("device")));
  if (oldLogin.response?.status !== 200) changed("the old password no longer logs in", oldLogin, "logging in with the old password -> 200");

  if (attempted !== undefined && attempted !== before.device.account.password) {
    const newLogin = await ctx.client.auth(loginBody({ ...before.device.account, password: attempted }, ctx.unique("device")));
    if (newLogin.response?.status !== 401) changed("the new password logs in", newLogin, "logging in with the refused new password -> 401");
  }
}
