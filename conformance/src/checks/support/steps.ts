// The protocol steps contract checks are made of: fresh accounts, devices
// with tokens, stored wallets and read-backs, each with its expectation. A
// step a check depends on aborts the check when it fails, naming the
// requirement that step relies on; a refused signup, login or first wallet
// blocks the case (the case owning that requirement reports it).
import { randomBytes } from "node:crypto";
import { requirementById, type AuthRequest, type ProfileName, type WalletVersion } from "../../../../spec/index.js";
import { walletBodyVersion, walletPostBody, type Exchange, type WalletPost } from "../../client/protocol-client.js";
import { walletInBody } from "../../client/wallet-body.js";
import { CheckAborted, SetupRefused, type CheckContext } from "../../model/context.js";
import { describeRequest, describeResponse, exchangeFinding } from "../../model/describe.js";
import { expectStatus, jsonObject, requireSetupStatus, requireStatus, type StatusExpectation } from "./expect.js";
import { firstDifference } from "../../history/text-difference.js";

export interface Account {
  email: string;
  password: string;
  /** api3: the salt seed the account was signed up with (64 hex digits). */
  clientSaltSeed?: string;
}

export interface Device {
  account: Account;
  deviceId: string;
  token: string;
}

/** Wallet content as real clients send it: base64, never '%' (the original writes bodies with a format function). */
export function walletContent(): string {
  return randomBytes(16).toString("base64");
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** A client salt seed as api3 clients make it: 32 random bytes, hex-encoded. */
export function clientSaltSeed(): string {
  return randomHex(32);
}

/** The POST /auth/full body for a device of the account: its credentials only (api3 refuses unknown fields). */
export function loginBody(account: Account, deviceId: string): AuthRequest {
  return { email: account.email, password: account.password, deviceId };
}

/** A well-formed POST /wallet for the typed client, which adds what the profile's body needs; `fields` overrides any part. */
export function walletRequest(token: string, sequence: number, fields: Partial<WalletPost> = {}): WalletPost {
  return { token, encryptedWallet: walletContent(), sequence, hmac: randomHex(32), ...fields };
}

/** A well-formed POST /wallet body of the profile, to send raw (the seed profile's carries `version` 1). */
export function walletBody(profile: ProfileName, token: string, sequence: number, fields: Partial<WalletPost> = {}): object {
  return walletPostBody(profile, walletRequest(token, sequence, fields));
}

/** Whether a requirement binds the profile: a step checks a part only its profiles have (SEQ-4, SEQ-7) only there. */
export function binds(profile: ProfileName, requirement: string): boolean {
  return requirementById(requirement).profiles.includes(profile);
}

export function storedPart(wallet: WalletVersion): WalletVersion {
  return { encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac };
}

/** The wallet a body carries (GET, a 200 or a 409), or undefined when it carries none. */
export function walletOf(exchange: Exchange): (WalletVersion & { version: unknown }) | undefined {
  const body = jsonObject(exchange);
  const wallet = walletInBody(body);
  return wallet && { version: body?.["version"], ...wallet };
}

export function sameWallet(a: WalletVersion | undefined, b: WalletVersion | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.encryptedWallet === b.encryptedWallet && a.sequence === b.sequence && a.hmac === b.hmac;
}

/** The wallet as the profile's GET /wallet returns it: the seed profile's body carries `version` 1. */
export function walletAnswer(profile: ProfileName, wallet: WalletVersion): string {
  const version = walletBodyVersion(profile);
  return JSON.stringify(version === undefined ? storedPart(wallet) : { version, ...storedPart(wallet) });
}

/** How a carried wallet differs from the one expected: the first differing field, and for a string its first differing character. */
export function walletDifference(expected: WalletVersion, carried: WalletVersion): string | undefined {
  for (const field of ["encryptedWallet", "hmac"] as const) {
    const difference = firstDifference(expected[field], carried[field]);
    if (difference) return `${field}, ${difference}`;
  }
  return carried.sequence === expected.sequence ? undefined : `sequence ${carried.sequence}, not ${expected.sequence}`;
}

/** Past this many characters an expected wallet is shown in part: the message already names where it differs. */
const shownAnswerLength = 400;

export function describeWallet(profile: ProfileName, wallet: WalletVersion | undefined): string {
  return wallet === undefined ? "no wallet (404)" : `200 with ${walletAnswer(profile, wallet)}`;
}

/**
 * The requirements each step reports on its own account, whatever the case
 * that takes it: a case lists the steps it takes (`alsoChecks:
 * stepsTaken("device", "store")`) and traceability names it under them.
 */
export const stepRequirements = {
  signup: ["SIGNUP-1"],
  login: ["AUTH-1"],
  device: ["SIGNUP-1", "AUTH-1"],
  store: ["SEQ-1", "SEQ-2", "SEQ-7"],
  read: ["WGET-1"],
  /** refused() and unchanged() read the wallet back. */
  refused: ["WGET-1"],
  /** api3: readSaltSeed() (account-steps.ts). */
  saltSeed: ["SALT-1"],
  /** api3: changePassword() (account-steps.ts). */
  changePassword: ["PASS-1"],
  /** api3: accountState() and refusedPasswordChange() read the salt seed and the wallet back. */
  accountUnchanged: ["SALT-1", "WGET-1"],
} as const satisfies Record<string, readonly string[]>;

export type StepName = keyof typeof stepRequirements;

/** The requirements the given steps report besides the case's own. */
export function stepsTaken(...steps: StepName[]): string[] {
  return steps.flatMap((step) => stepRequirements[step]);
}

/** How a step checks the echo of a stored wallet: the requirement a different one breaks (default SEQ-7), and what the wallet holds. */
export interface Echo {
  requirement?: string;
  what?: string;
}

export interface Refusal {
  requirement: string;
  exchange: Exchange;
  doing: string;
}

export class Steps {
  constructor(readonly ctx: CheckContext) {}

  /** Credentials no other check uses; in api3 with a fresh client salt seed, which its signup body carries. */
  credentials(label = "account"): Account {
    const account = { email: this.ctx.uniqueEmail(label), password: `pw-${randomHex(8)}` };
    return this.ctx.profile === "api3" ? { ...account, clientSaltSeed: clientSaltSeed() } : account;
  }

  /** Signs up a fresh account (SIGNUP-1). */
  async signup(label = "account"): Promise<Account> {
    const account = this.credentials(label);
    const exchange = await this.ctx.client.signup(account);
    requireSetupStatus(this.ctx, exchange, { requirement: "SIGNUP-1", status: 201, doing: "signing up a fresh account" });
    return account;
  }

  /** Gets a token for a device of the account (AUTH-1). */
  async login(account: Account, deviceId: string = this.ctx.unique("device")): Promise<Device> {
    const exchange = await this.ctx.client.auth(loginBody(account, deviceId));
    requireSetupStatus(this.ctx, exchange, { requirement: "AUTH-1", status: 200, doing: "getting a token for a device" });
    const token = jsonObject(exchange)?.["token"];
    if (typeof token !== "string" || token === "") {
      this.ctx.report(exchangeFinding(exchange, {
        requirement: "AUTH-1",
        message: "the 200 to POST /auth/full carries no token",
        expected: "a body with a string `token`",
      }));
      throw new SetupRefused("AUTH-1", "no token");
    }
    return { account, deviceId, token };
  }

  /** A fresh account and a token for one of its devices. */
  async device(label = "account"): Promise<Device> {
    return this.login(await this.signup(label));
  }

  /**
   * Stores a wallet version that must be accepted (SEQ-1 for the first, SEQ-2
   * after) and, in the seed profile, checks that the 200 echoes it (SEQ-7, or
   * as `echo` says); api3's 200 carries no wallet.
   */
  async store(device: Device, sequence: number, fields: Partial<WalletPost> = {}, echo: Echo = {}): Promise<WalletVersion> {
    const body = walletRequest(device.token, sequence, fields);
    const exchange = await this.ctx.client.postWallet(body);
    const requirement = sequence === 1 ? "SEQ-1" : "SEQ-2";
    // The first wallet is set-up many cases share; a later version is the case's own step.
    (sequence === 1 ? requireSetupStatus : requireStatus)(this.ctx, exchange, {
      requirement,
      status: 200,
      doing: sequence === 1 ? "storing the first wallet (sequence 1)" : `storing sequence ${sequence} on top of ${sequence - 1}`,
    });
    const stored = storedPart(body);
    this.expectEcho(exchange, stored, echo);
    return stored;
  }

  /** Reports unless the body carries exactly this wallet: the stored strings, byte for byte (and in the seed profile version 1). */
  expectWallet(exchange: Exchange, wallet: WalletVersion, about: { requirement: string; doing: string; expected: string }) {
    const carried = walletOf(exchange);
    const version = walletBodyVersion(this.ctx.profile);
    if (carried && (version === undefined || carried.version === version) && sameWallet(carried, wallet)) return true;
    const difference = carried && (walletDifference(wallet, carried) ?? `version ${JSON.stringify(carried.version)}, not ${version}`);
    const answer = walletAnswer(this.ctx.profile, wallet);
    const shown = answer.length > shownAnswerLength ? `${answer.slice(0, shownAnswerLength)}… (${answer.length} characters)` : answer;
    this.ctx.report(exchangeFinding(exchange, {
      requirement: about.requirement,
      message: `${about.doing} ${difference ? `carries a different wallet: ${difference}` : "carries no wallet"}`,
      expected: `${about.expected}: ${shown}`,
    }));
    return false;
  }

  /** In the seed profile, reports unless the 200 to a POST echoes the wallet just stored (SEQ-7, or as `echo` says); api3's 200 carries none. */
  expectEcho(exchange: Exchange, stored: WalletVersion, echo: Echo = {}): void {
    if (!binds(this.ctx.profile, "SEQ-7")) return;
    const doing = echo.what === undefined ? "the 200 to POST /wallet" : `the 200 to POST /wallet of ${echo.what}`;
    this.expectWallet(exchange, stored, { requirement: echo.requirement ?? "SEQ-7", doing, expected: "the wallet just stored" });
  }

  /** Stores sequences 1..count and returns the last. */
  async storeVersions(device: Device, count: number): Promise<WalletVersion> {
    let wallet: WalletVersion | undefined;
    for (let sequence = 1; sequence <= count; sequence++) wallet = await this.store(device, sequence);
    return wallet as WalletVersion;
  }

  /** GET /wallet: the stored wallet, or undefined on 404 (WGET-1, WGET-2). */
  async read(device: Device): Promise<{ wallet: WalletVersion | undefined; exchange: Exchange }> {
    const exchange = await this.ctx.client.getWallet(device.token);
    requireStatus(this.ctx, exchange, {
      requirement: "WGET-1",
      status: [200, 404],
      doing: "reading the wallet back with a valid token",
      expected: "200 with the wallet, or 404 when there is none",
    });
    if (exchange.response?.status === 404) return { wallet: undefined, exchange };
    const wallet = walletOf(exchange);
    if (!wallet) {
      this.ctx.report(exchangeFinding(exchange, {
        requirement: "WGET-1",
        message: "the 200 to GET /wallet carries no wallet",
        expected: "a wallet body",
      }));
      throw new CheckAborted("no wallet in a 200");
    }
    return { wallet: storedPart(wallet), exchange };
  }

  /**
   * Sends a request that must be refused with one of `status`, then reads back
   * that nothing changed. The check stops when the request was accepted.
   */
  async refused(
    device: Device,
    before: WalletVersion | undefined,
    expectation: StatusExpectation,
    send: () => Promise<Exchange>,
  ): Promise<Exchange> {
    const exchange = await send();
    expectStatus(this.ctx, exchange, expectation);
    // Accepted instead of refused: the finding says it all, and the state every later step
    // of the check relies on is gone, so a read-back or further steps would only add noise.
    if (exchange.response !== undefined && exchange.response.status < 300) throw new CheckAborted("a refusal was accepted");
    await this.unchanged(device, before, { requirement: expectation.requirement, exchange, doing: expectation.doing });
    return exchange;
  }

  /** Reads back after a refusal: the account's wallet must be what it was before. */
  async unchanged(device: Device, before: WalletVersion | undefined, refusal: Refusal): Promise<void> {
    const { wallet, exchange } = await this.read(device);
    if (sameWallet(wallet, before)) return;
    const answer = refusal.exchange.response ? `answered ${refusal.exchange.response.status}` : "not answered";
    this.ctx.report({
      requirement: refusal.requirement,
      message: `${refusal.doing}: the wallet changed although the request was ${answer}`,
      sent: describeRequest(refusal.exchange.request),
      received: `${describeResponse(refusal.exchange)}; then GET /wallet -> ${describeResponse(exchange)}`,
      expected: `nothing changed: GET /wallet -> ${describeWallet(this.ctx.profile, before)}`,
      exchanges: [refusal.exchange, exchange],
    });
  }

  /**
   * Signing up these credentials now succeeds: proof that nothing before
   * created the account. Only a 409 says something did; any other refusal is
   * the signup's own failure, which blocks the case.
   */
  async noAccountYet(account: Account, requirement: string, doing: string): Promise<void> {
    const exchange = await this.ctx.client.signup(account);
    if (exchange.response?.status !== 409) {
      requireSetupStatus(this.ctx, exchange, { requirement: "SIGNUP-1", status: 201, doing: `signing up after ${doing}` });
      return;
    }
    expectStatus(this.ctx, exchange, {
      requirement,
      status: 201,
      doing: `signing up after ${doing}`,
      expected: "201: the refused requests created no account",
    });
  }

  /** A token works: GET /wallet is answered 200 or 404 (not 401). */
  async tokenWorks(device: Device, requirement: string, doing: string): Promise<boolean> {
    const exchange = await this.ctx.client.getWallet(device.token);
    return expectStatus(this.ctx, exchange, {
      requirement,
      status: [200, 404],
      doing,
      expected: "the token works: 200 or 404, not 401",
    });
  }
}
