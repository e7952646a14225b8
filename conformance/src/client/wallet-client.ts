// The walkthrough's test client in TypeScript: one device of one account,
// following the client algorithm of spec/protocol.md section 9. It prints the
// same lines as the walkthrough's client, so the executable walkthrough can
// compare them, and returns structured results for the interleaving workload.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Exchange, ProtocolClient, WalletPost } from "./protocol-client.js";
import { walletInBody } from "./wallet-body.js";

export interface WalletState {
  sequence: number;
  encryptedWallet: string;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * The three secrets the walkthrough's client derives from the root password;
 * in api3 from the root password and the account's client salt seed
 * (CLIENT-8), so that a new seed makes new secrets.
 */
export function deriveSecrets(rootPassword: string, clientSaltSeed?: string): { loginPassword: string; sdkPassword: string; hmacKey: string } {
  const digest = sha256Hex(clientSaltSeed === undefined ? rootPassword : `${clientSaltSeed}:${rootPassword}`);
  return { loginPassword: digest.slice(0, 10), sdkPassword: digest.slice(10, 20), hmacKey: digest.slice(20) };
}

/** A new client salt seed: 64 hex digits (SIGNUP-5). */
export function newClientSaltSeed(): string {
  return randomBytes(32).toString("hex");
}

/** hex(sha256(hmacKey + ":" + sequence + ":" + encryptedWallet)), as the walkthrough's client computes it. */
export function walletHmac(state: WalletState, hmacKey: string): string {
  return sha256Hex(`${hmacKey}:${state.sequence}:${state.encryptedWallet}`);
}

/** Python's repr of the walkthrough's WalletState named tuple. */
export function formatWalletState(state: WalletState): string {
  return `WalletState(sequence=${state.sequence}, encrypted_wallet=${pythonRepr(state.encryptedWallet)})`;
}

/** Python's repr of a str, for the characters the demo wallet uses. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(new RegExp(quote, "g"), `\\${quote}`);
  return `${quote}${escaped}${quote}`;
}

/** Four random hex digits of either case, like the walkthrough's string.hexdigits choice. */
export function randomChangeId(random: () => number = Math.random): string {
  const hexDigits = "0123456789abcdefABCDEF";
  let id = "";
  for (let i = 0; i < 4; i++) id += hexDigits[Math.floor(random() * hexDigits.length)];
  return id;
}

export type PostOutcome =
  /** 200 and the echo checked (api3: no echo): the posted state is the new base. */
  | { kind: "accepted"; state: WalletState; exchange: Exchange }
  /** 409 with a valid newer wallet: it is the new base, local changes kept for a retry. */
  | { kind: "conflict"; state: WalletState; exchange: Exchange }
  /** api3: 409, which carries no wallet: the client GETs the latest and rebases before posting again (CLIENT-7). */
  | { kind: "outdated"; exchange: Exchange }
  /** An answer the client refuses (bad hmac, sequence going backwards, a body that is no wallet). */
  | { kind: "invalid"; reason: string; exchange: Exchange }
  /** Any other status, or no answer at all. */
  | { kind: "error"; exchange: Exchange }
  | { kind: "no-state" };

export type GetOutcome =
  | { kind: "got"; state: WalletState; exchange: Exchange }
  | { kind: "invalid"; reason: string; exchange: Exchange }
  | { kind: "error"; exchange: Exchange };

export interface WalletClientOptions {
  deviceId?: string;
  /** Where printed lines go; the walkthrough runner collects them. */
  print?: (line: string) => void;
  /** Source of randomness for change ids (tests and replays pass a seeded one). */
  random?: () => number;
}

export class WalletClient {
  readonly deviceId: string;
  authToken = "bad token";
  email = "";
  rootPassword = "";
  /** api3: the account's salt seed the secrets are derived with (CLIENT-8); undefined in the seed profile. */
  clientSaltSeed: string | undefined;
  /** The merge base: the last wallet got from or successfully posted to the server. */
  walletState: WalletState | undefined;
  /** Local changes on top of the merge base, rebased when the base moves. */
  localChanges = "";
  private readonly print: (line: string) => void;
  private readonly random: () => number;

  constructor(
    /** The server it talks to; a device of a deployment points it at another node per request. */
    public protocol: ProtocolClient,
    options: WalletClientOptions = {},
  ) {
    this.deviceId = options.deviceId ?? randomUUID();
    this.print = options.print ?? (() => undefined);
    this.random = options.random ?? Math.random;
  }

  setAccount(email: string, rootPassword: string): void {
    this.email = email;
    this.rootPassword = rootPassword;
  }

  private get secrets() {
    return deriveSecrets(this.rootPassword, this.clientSaltSeed);
  }

  private get api3(): boolean {
    return this.protocol.profile === "api3";
  }

  async register(): Promise<Exchange> {
    // One seed per account: a signup sent again after a lost answer sends the same.
    if (this.api3) this.clientSaltSeed ??= newClientSaltSeed();
    const seed = this.clientSaltSeed !== undefined ? { clientSaltSeed: this.clientSaltSeed } : {};
    const exchange = await this.protocol.signup({ email: this.email, password: this.secrets.loginPassword, ...seed });
    if (exchange.response?.status === 201) this.print("Registered");
    else this.printError(exchange);
    return exchange;
  }

  async getAuthToken(): Promise<Exchange> {
    const exchange = await this.protocol.auth({
      email: this.email,
      password: this.secrets.loginPassword,
      deviceId: this.deviceId,
    });
    const token = (exchange.response?.json as { token?: unknown } | undefined)?.token;
    if (exchange.response?.status !== 200 || typeof token !== "string") {
      this.printError(exchange);
      return exchange;
    }
    this.authToken = token;
    this.print(`Got auth token: ${token}`);
    return exchange;
  }

  /** api3: GET /client-salt-seed; a 200's seed is the one the secrets are derived with from then on. */
  async fetchClientSaltSeed(): Promise<Exchange> {
    const exchange = await this.protocol.getClientSaltSeed(this.email);
    const seed = (exchange.response?.json as { clientSaltSeed?: unknown } | undefined)?.clientSaltSeed;
    if (exchange.response?.status === 200 && typeof seed === "string") this.clientSaltSeed = seed;
    else this.printError(exchange);
    return exchange;
  }

  /**
   * api3: POST /password to `newRootPassword` with a new salt seed, and, when
   * the client has seen a wallet, base + local changes as base + 1 under the
   * new keys. A 200 makes the new password, seed and version the client's.
   */
  async changePassword(newRootPassword: string): Promise<{ exchange: Exchange; sent: WalletPost | undefined; clientSaltSeed: string }> {
    const old = this.secrets;
    const clientSaltSeed = newClientSaltSeed();
    const previous = { rootPassword: this.rootPassword, clientSaltSeed: this.clientSaltSeed };
    this.rootPassword = newRootPassword;
    this.clientSaltSeed = clientSaltSeed;
    const sent = this.walletState && this.walletState.sequence > 0 ? this.nextWalletRequest() : undefined;
    const wallet = sent ? { encryptedWallet: sent.encryptedWallet, sequence: sent.sequence, hmac: sent.hmac } : {};
    const exchange = await this.protocol.changePassword({
      email: this.email,
      oldPassword: old.loginPassword,
      newPassword: this.secrets.loginPassword,
      clientSaltSeed,
      ...wallet,
    });
    if (exchange.response?.status === 200) {
      this.print("Successfully updated password and wallet state on server");
      if (sent) {
        this.walletState = { sequence: sent.sequence, encryptedWallet: sent.encryptedWallet };
        this.localChanges = "";
      }
    } else {
      this.printError(exchange);
      this.rootPassword = previous.rootPassword;
      this.clientSaltSeed = previous.clientSaltSeed;
    }
    return { exchange, sent, clientSaltSeed };
  }

  newWalletState(): void {
    this.walletState = { sequence: 0, encryptedWallet: "-" };
    this.localChanges = "";
  }

  async getWallet(): Promise<GetOutcome> {
    const exchange = await this.protocol.getWallet(this.authToken);
    if (exchange.response?.status !== 200) {
      this.printError(exchange);
      return { kind: "error", exchange };
    }
    const received = this.readWallet(exchange);
    if (typeof received === "string") return this.refuse(received, exchange);
    if (!sameState(this.walletState, received) && !this.isNewer(received)) {
      return this.refuse("Error - new wallet does not validate", exchange);
    }
    if (this.walletState === undefined) this.localChanges = "";
    this.walletState = received;
    this.print("Got latest walletState:");
    this.print(formatWalletState(received));
    return { kind: "got", state: received, exchange };
  }

  /** The hmac of the version the client builds on (the one a server returned or it posted); undefined before it has one. */
  baseHmac(): string | undefined {
    const base = this.walletState;
    return base && base.sequence > 0 ? walletHmac(base, this.secrets.hmacKey) : undefined;
  }

  /** The request body for the next version: base sequence + 1 with base + local changes (the seed profile's `version` is added by the protocol client). */
  nextWalletRequest(sequence = (this.walletState?.sequence ?? 0) + 1): WalletPost {
    const state = { sequence, encryptedWallet: this.curEncryptedWallet() ?? "-" };
    return {
      token: this.authToken,
      encryptedWallet: state.encryptedWallet,
      sequence: state.sequence,
      hmac: walletHmac(state, this.secrets.hmacKey),
    };
  }

  /**
   * Posts base + local changes as base.sequence + 1 (or, for a deliberately
   * misbehaving client, as the given sequence).
   */
  async postWallet(sequence?: number): Promise<PostOutcome> {
    if (!this.walletState) {
      this.print("No wallet state to post.");
      return { kind: "no-state" };
    }
    const body = this.nextWalletRequest(sequence);
    const submitted: WalletState = { sequence: body.sequence, encryptedWallet: body.encryptedWallet };
    const exchange = await this.protocol.postWallet(body);
    const status = exchange.response?.status;
    if (this.api3 && (status === 200 || status === 409)) return this.settleApi3Post(submitted, exchange);
    if (status === 200) this.print("Successfully updated wallet state on server");
    else if (status === 409) {
      this.print("Wallet state out of date. Getting updated wallet state. Try posting again after this.");
    } else {
      this.printError(exchange);
      return { kind: "error", exchange };
    }
    const received = this.readWallet(exchange);
    if (typeof received === "string") return this.refuse(received, exchange);
    if (status === 200 && !sameState(submitted, received)) {
      return this.refuse("Error - the server's echo differs from the posted wallet", exchange);
    }
    if (!sameState(submitted, received) && !this.isNewer(received)) {
      return this.refuse("Error - new wallet does not validate", exchange);
    }
    // Accepted: the local changes are on the server now. On 409 they stay, rebased on the new base.
    if (status === 200) this.localChanges = "";
    this.walletState = received;
    this.print("Got new walletState:");
    this.print(formatWalletState(received));
    return status === 200
      ? { kind: "accepted", state: received, exchange }
      : { kind: "conflict", state: received, exchange };
  }

  /** api3: a 200 carries no wallet, so the posted state is the new base; a 409 carries none either. */
  private settleApi3Post(submitted: WalletState, exchange: Exchange): PostOutcome {
    if (exchange.response?.status === 409) {
      this.print("Submitted wallet is out of date.");
      return { kind: "outdated", exchange };
    }
    this.print("Successfully updated wallet state on server");
    this.localChanges = "";
    this.walletState = submitted;
    this.print("Synced walletState:");
    this.print(formatWalletState(submitted));
    return { kind: "accepted", state: submitted, exchange };
  }

  /** Appends one change (":" and four hex digits, or the given id) to the local changes. */
  changeEncryptedWallet(changeId: string = randomChangeId(this.random)): string | undefined {
    if (!this.walletState) {
      this.print("No wallet state, so we can't add to it yet.");
      return undefined;
    }
    this.localChanges += `:${changeId}`;
    return changeId;
  }

  /** The local changes on top of the merge base. */
  curEncryptedWallet(): string | undefined {
    if (!this.walletState) {
      this.print("No wallet state, so no encrypted wallet.");
      return undefined;
    }
    return this.walletState.encryptedWallet + this.localChanges;
  }

  /** Parses and checks a wallet body (CLIENT-4, CLIENT-6); a string is the reason it was refused. */
  private readWallet(exchange: Exchange): WalletState | string {
    const wallet = walletInBody(exchange.response?.json);
    if (!wallet) return "Error - the answer is not a wallet";
    const state = { sequence: wallet.sequence, encryptedWallet: wallet.encryptedWallet };
    if (wallet.hmac !== walletHmac(state, this.secrets.hmacKey)) return "Error - bad hmac on new wallet";
    return state;
  }

  /** CLIENT-5: a new base must be later than the current one. */
  private isNewer(state: WalletState): boolean {
    return this.walletState === undefined || state.sequence > this.walletState.sequence;
  }

  private refuse(reason: string, exchange: Exchange): { kind: "invalid"; reason: string; exchange: Exchange } {
    this.print(reason);
    if (exchange.response) this.print(exchange.response.text.trimEnd());
    return { kind: "invalid", reason, exchange };
  }

  private printError(exchange: Exchange): void {
    if (exchange.response) {
      this.print(`Error ${exchange.response.status}`);
      this.print(exchange.response.text.trimEnd());
    } else {
      this.print(`Error ${exchange.failure?.kind ?? "no answer"}: ${exchange.failure?.message ?? ""}`);
    }
  }
}

function sameState(a: WalletState | undefined, b: WalletState | undefined): boolean {
  return a !== undefined && b !== undefined && a.sequence === b.sequence && a.encryptedWallet === b.encryptedWallet;
}
