// The walkthrough's test client in TypeScript: one device of one account,
// following the client algorithm of spec/protocol.md section 9 in the profile
// of the ProtocolClient it talks through. It prints the lines of its
// profile's walkthrough, so the executable walkthrough can compare them, and
// returns structured results for the interleaving workload.
import { createHash, hash, randomBytes, randomUUID } from "node:crypto";
import { specProfile, type ProfileName, type WalletRequest, type WalletVersion } from "../../../spec/index.js";
import { validateSchema } from "../../../spec/schemas.js";
import { notificationWaitMs } from "../defaults.js";
import { openSocket, type NotificationSocket } from "./notification-socket.js";
import type { Exchange, ProtocolClient, WalletPost } from "./protocol-client.js";
import { walletInBody } from "./wallet-body.js";
import { changeLogOf, largeWalletLength, padWallet, type WalletSize } from "./wallet-size.js";

export const protocolVersion = 1;

export interface WalletState {
  sequence: number;
  encryptedWallet: string;
}

function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}

/**
 * The three secrets the walkthrough's client derives: from the root password
 * alone in the seed profile (sha256 of it, hex, cut in three); in api3
 * (CLIENT-8) the same cut of sha256(clientSaltSeed + ":" + rootPassword), so
 * that a new salt seed gives new secrets. The login password is 10 hex digits
 * either way, over api3's minimum of 8 characters.
 */
export interface DerivedSecrets {
  loginPassword: string;
  sdkPassword: string;
  hmacKey: string;
}

export function deriveSecrets(rootPassword: string, clientSaltSeed?: string): DerivedSecrets {
  const digest = sha256Hex(clientSaltSeed === undefined ? rootPassword : `${clientSaltSeed}:${rootPassword}`);
  return { loginPassword: digest.slice(0, 10), sdkPassword: digest.slice(10, 20), hmacKey: digest.slice(20) };
}

/** A new client salt seed: 32 random bytes as hex, drawn from `random` when given (reproducible runs). */
export function newClientSaltSeed(random?: () => number): string {
  if (!random) return randomBytes(32).toString("hex");
  let seed = "";
  for (let i = 0; i < 32; i++) seed += Math.floor(random() * 256).toString(16).padStart(2, "0");
  return seed;
}

/** What the client algorithm does differently per profile. */
interface ClientAlgorithm {
  /** CLIENT-8: secrets come from the root password and the account's salt seed, which signup stores and login fetches. */
  saltSeeds: boolean;
  /** CLIENT-2/CLIENT-3: a POST's 200 echoes the wallet and its 409 carries the stored one; without, the client GETs on 409 (CLIENT-7). */
  walletInPostAnswers: boolean;
}

const clientAlgorithms: Readonly<Record<ProfileName, ClientAlgorithm>> = {
  seed: { saltSeeds: false, walletInPostAnswers: true },
  api3: { saltSeeds: true, walletInPostAnswers: false },
};

/** hex(sha256(hmacKey + ":" + sequence + ":" + encryptedWallet)), as the walkthrough's client computes it. */
export function walletHmac(state: WalletState, hmacKey: string): string {
  const prefix = `${hmacKey}:${state.sequence}:`;
  const wallet = state.encryptedWallet;
  if (wallet.length < hashedInPlaceFromLength) return sha256Hex(prefix + wallet);
  // Joined to its prefix, a large wallet would first be copied whole into the heap.
  return createHash("sha256").update(prefix).update(wallet).digest("hex");
}

/** Wallets this long are hashed where they lie; shorter ones are joined to their prefix, which hashes them faster. */
const hashedInPlaceFromLength = 16 * 1024;

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

/**
 * What a POST /wallet came to; `exchange` is always the POST's. In api3 a 409
 * carries no wallet, so the client GETs the latest one: `read` is that GET.
 */
export type PostOutcome =
  /** 200 and the echo checked (seed) or no echo (api3): the posted state is the new base. */
  | { kind: "accepted"; state: WalletState; exchange: Exchange }
  /** 409 and a valid newer wallet, returned with it (seed) or read after it (api3): it is the new base, local changes kept for a retry. */
  | { kind: "conflict"; state: WalletState; exchange: Exchange; read?: Exchange }
  /** An answer the client refuses (bad hmac, sequence going backwards, a body that is no wallet), to the POST or to the GET after a 409. */
  | { kind: "invalid"; reason: string; exchange: Exchange; read?: Exchange }
  /** Any other status, or no answer at all; in api3 also a 409 whose GET got no wallet (`read` says why). */
  | { kind: "error"; exchange: Exchange; read?: Exchange }
  | { kind: "no-state" };

/** What an api3 password change sent: the new salt seed, and the re-encrypted wallet when the client had a base. */
export interface PasswordChangeSent {
  clientSaltSeed: string;
  wallet: WalletVersion | undefined;
}

/** What an api3 password change came to. */
export type PasswordChangeOutcome =
  /** 200: the new password and salt seed are the client's; `state`, the re-encrypted wallet posted with them, is the new base. */
  | { kind: "changed"; state: WalletState | undefined; exchange: Exchange; sent: PasswordChangeSent }
  /** Not sent: local changes must be posted first, so that the change does not have to merge. */
  | { kind: "local-changes" }
  /** Any other answer, or none: the client keeps its password, salt seed and base. */
  | { kind: "error"; exchange: Exchange; sent: PasswordChangeSent };

export type GetOutcome =
  | { kind: "got"; state: WalletState; exchange: Exchange }
  | { kind: "invalid"; reason: string; exchange: Exchange }
  | { kind: "error"; exchange: Exchange };

export interface WalletClientOptions {
  deviceId?: string;
  /** Where printed lines go; the walkthrough runner collects them. */
  print?: (line: string) => void;
  /** Source of randomness for change ids and salt seeds (tests and replays pass a seeded one). */
  random?: () => number;
}

/** Versions whose hmacs a client keeps: its base, what it posted last, and the answers to them. */
const recentHmacsKept = 4;

const noSaltSeed = "No client salt seed: register, or update the derived secrets (update_derived_secrets()) first.";

export class WalletClient {
  readonly deviceId: string;
  authToken = "bad token";
  email = "";
  rootPassword = "";
  /** The merge base: the last wallet got from or successfully posted to the server. */
  walletState: WalletState | undefined;
  /** Local changes on top of the merge base, rebased when the base moves. */
  localChanges = "";
  /** The size the versions it posts are padded to (wallet-size.ts); their change log alone when undefined. */
  walletSize: WalletSize | undefined;
  /** api3: the account's client salt seed the secrets are derived from; undefined until registered or fetched. */
  clientSaltSeed: string | undefined = undefined;
  private readonly print: (line: string) => void;
  /** Whether printed lines go anywhere: a wallet is formatted for printing only then. */
  private readonly printing: boolean;
  private derived: { rootPassword: string; saltSeed: string | undefined; secrets: DerivedSecrets } | undefined;
  private readonly recentHmacs: Array<WalletState & { key: string; hmac: string }> = [];
  private readonly random: () => number;
  /** The injected randomness, if any: salt seeds otherwise come from the system's random bytes. */
  private readonly seedRandom: (() => number) | undefined;
  /** api3: the notification socket the client holds open, if any, and how many of its frames were read. */
  private notifications: { socket: NotificationSocket; read: number } | undefined;

  constructor(
    /** The server it talks to; a device of a deployment points it at another node per request. */
    public protocol: ProtocolClient,
    options: WalletClientOptions = {},
  ) {
    this.deviceId = options.deviceId ?? randomUUID();
    this.print = options.print ?? (() => undefined);
    this.printing = options.print !== undefined;
    this.random = options.random ?? Math.random;
    this.seedRandom = options.random;
  }

  /** The profile of the server it talks to. */
  get profile(): ProfileName {
    return this.protocol.profile;
  }

  private get algorithm(): ClientAlgorithm {
    return clientAlgorithms[this.profile];
  }

  setAccount(email: string, rootPassword: string): void {
    this.email = email;
    this.rootPassword = rootPassword;
  }

  private get secrets(): DerivedSecrets {
    if (this.algorithm.saltSeeds && this.clientSaltSeed === undefined) throw new Error(noSaltSeed);
    const saltSeed = this.algorithm.saltSeeds ? this.clientSaltSeed : undefined;
    // Every POST and every wallet read needs them: derived again only when the password or salt seed changed.
    const derived = this.derived;
    if (derived && derived.rootPassword === this.rootPassword && derived.saltSeed === saltSeed) return derived.secrets;
    const secrets = deriveSecrets(this.rootPassword, saltSeed);
    this.derived = { rootPassword: this.rootPassword, saltSeed, secrets };
    return secrets;
  }

  /**
   * Signs up. In api3 with a salt seed of the client's making, kept across
   * attempts: a retry after a lost answer proposes the seed the first one may
   * have stored.
   */
  async register(): Promise<Exchange> {
    const seedField = this.algorithm.saltSeeds ? { clientSaltSeed: (this.clientSaltSeed ??= newClientSaltSeed(this.seedRandom)) } : {};
    const exchange = await this.protocol.signup({ email: this.email, password: this.secrets.loginPassword, ...seedField });
    if (exchange.response?.status === 201) this.print("Registered");
    else this.printError(exchange);
    return exchange;
  }

  /**
   * api3 (CLIENT-8): fetches the account's salt seed, from which the secrets
   * derive. Nothing to fetch in the seed profile (undefined).
   */
  async updateDerivedSecrets(): Promise<Exchange | undefined> {
    if (!this.algorithm.saltSeeds) return undefined;
    const exchange = await this.protocol.getClientSaltSeed(this.email);
    if (exchange.response?.status !== 200) {
      this.printError(exchange);
      return exchange;
    }
    if (!validateSchema("SaltSeedResponse", exchange.response.json, this.profile).valid) {
      this.refuse("Error - the answer is not a salt seed", exchange);
      return exchange;
    }
    this.clientSaltSeed = (exchange.response.json as { clientSaltSeed: string }).clientSaltSeed;
    return exchange;
  }

  /** Takes a root password changed on another device; in api3 with the salt seed that change stored. */
  async setLocalPassword(rootPassword: string): Promise<Exchange | undefined> {
    this.rootPassword = rootPassword;
    return this.updateDerivedSecrets();
  }

  /**
   * Logs in. In api3 a client without a salt seed fetches it first; when that
   * fails, the exchange returned is the salt seed's.
   */
  async getAuthToken(): Promise<Exchange> {
    if (this.algorithm.saltSeeds && this.clientSaltSeed === undefined) {
      const fetched = await this.updateDerivedSecrets();
      if (this.clientSaltSeed === undefined && fetched) return fetched;
    }
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
    this.printState(received);
    return { kind: "got", state: received, exchange };
  }

  /** The hmac of the version the client builds on (the one a server returned or it posted); undefined before it has one. */
  baseHmac(): string | undefined {
    const base = this.walletState;
    return base && base.sequence > 0 ? this.hmacOf(base) : undefined;
  }

  /** The seed profile's request body for the next version: base sequence + 1 with base + local changes. */
  nextWalletRequest(sequence?: number): WalletRequest {
    return { version: protocolVersion, ...this.nextWalletPost(sequence) };
  }

  /** The next version as any profile posts it (the ProtocolClient adds what its profile's body has more). */
  nextWalletPost(sequence = (this.walletState?.sequence ?? 0) + 1): WalletPost {
    return this.walletPost({ sequence, encryptedWallet: this.curEncryptedWallet() ?? "-" });
  }

  /** A POST of the given version with the client's token and its hmac, whatever the client's base. */
  walletPost(state: WalletState): WalletPost {
    return { token: this.authToken, encryptedWallet: state.encryptedWallet, sequence: state.sequence, hmac: this.hmacOf(state) };
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
    const body = this.nextWalletPost(sequence);
    const submitted: WalletState = { sequence: body.sequence, encryptedWallet: body.encryptedWallet };
    const exchange = await this.protocol.postWallet(body);
    const status = exchange.response?.status;
    if (status === 200) this.print("Successfully updated wallet state on server");
    else if (status === 409) {
      this.print("Wallet state out of date. Getting updated wallet state. Try posting again after this.");
    } else {
      this.printError(exchange);
      return { kind: "error", exchange };
    }
    if (!this.algorithm.walletInPostAnswers) return this.settleWithoutWallet(status, submitted, exchange);
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
    this.printState(received);
    return status === 200
      ? { kind: "accepted", state: received, exchange }
      : { kind: "conflict", state: received, exchange };
  }

  /**
   * api3: a 200 carries no echo, so the posted version is the new base
   * (CLIENT-2); a 409 carries no wallet, so the client GETs the latest one and
   * rebases its local changes on it (CLIENT-7).
   */
  private async settleWithoutWallet(status: 200 | 409, submitted: WalletState, exchange: Exchange): Promise<PostOutcome> {
    if (status === 200) {
      this.localChanges = "";
      this.takeBase(submitted);
      return { kind: "accepted", state: submitted, exchange };
    }
    const read = await this.getWallet();
    if (read.kind === "got") return { kind: "conflict", state: read.state, exchange, read: read.exchange };
    if (read.kind === "invalid") return { kind: "invalid", reason: read.reason, exchange, read: read.exchange };
    return { kind: "error", exchange, read: read.exchange };
  }

  /**
   * api3: changes the root password, with a new salt seed, and when the
   * client has a base on the server re-encrypts it for the new secrets as
   * base + 1 in the same request (PASS-1). Refused while local changes wait
   * to be posted. The tokens of the account end (PASS-2): log in again.
   * `withoutWallet` sends no wallet fields even over a base, as a broken
   * client would: a server must refuse it (PASS-4).
   */
  async changePassword(newRootPassword: string, { withoutWallet = false } = {}): Promise<PasswordChangeOutcome> {
    if (!this.algorithm.saltSeeds) throw new Error(`the ${this.profile} profile has no password change`);
    if (this.localChanges !== "") {
      this.print("Local changes not posted yet: post the wallet before changing the password.");
      return { kind: "local-changes" };
    }
    const clientSaltSeed = newClientSaltSeed(this.seedRandom);
    const next = deriveSecrets(newRootPassword, clientSaltSeed);
    const base = this.walletState;
    const state = base && base.sequence > 0 && !withoutWallet ? { sequence: base.sequence + 1, encryptedWallet: base.encryptedWallet } : undefined;
    const wallet = state && { ...state, hmac: walletHmac(state, next.hmacKey) };
    const sent = { clientSaltSeed, wallet };
    const exchange = await this.protocol.changePassword({
      email: this.email,
      oldPassword: this.secrets.loginPassword,
      newPassword: next.loginPassword,
      clientSaltSeed,
      ...wallet,
    });
    if (exchange.response?.status !== 200) {
      this.printError(exchange);
      return { kind: "error", exchange, sent };
    }
    this.rootPassword = newRootPassword;
    this.clientSaltSeed = clientSaltSeed;
    this.print("Successfully changed the password on server");
    if (state) this.takeBase(state);
    return { kind: "changed", state, exchange, sent };
  }

  /** A version the client wrote itself becomes its base. */
  private takeBase(state: WalletState): void {
    this.walletState = state;
    this.print("New base walletState:");
    this.printState(state);
  }

  /** api3: opens the notification socket with the client's token (NOTIFY-1); one at a time. */
  async startNotifications(): Promise<Exchange> {
    // A profile has notifications when it has a document for their channel.
    if (specProfile(this.profile).asyncapiFile === undefined) throw new Error(`the ${this.profile} profile has no notifications`);
    await this.stopNotifications();
    const path = this.protocol.socketPath(this.authToken);
    const opening = await openSocket({ baseUrl: this.protocol.baseUrl, path, openTimeoutMs: this.protocol.timeoutMs });
    if (!opening.socket) this.printError(opening.exchange);
    else {
      this.notifications = { socket: opening.socket, read: 0 };
      this.print("Listening for wallet updates");
    }
    return opening.exchange;
  }

  /**
   * api3: the next notification frame the socket received, waiting up to
   * `waitMs`; undefined (and a line saying why) when none came, the socket
   * ended or the frame is binary.
   */
  async nextNotification(waitMs = notificationWaitMs): Promise<string | undefined> {
    const held = this.notifications;
    if (!held) {
      this.print("No notification socket: start notifications first.");
      return undefined;
    }
    const { socket } = held;
    await socket.waitUntil(() => socket.frames.length > held.read, waitMs);
    const frame = socket.frames[held.read];
    if (frame) {
      held.read++;
      if (!frame.binary) return frame.text;
      this.print(`Error - a binary frame: ${pythonRepr(frame.text)}`);
    } else if (socket.ended) {
      this.print("The server closed the notification socket");
    } else {
      this.print(`No notification within ${waitMs} ms`);
    }
    return undefined;
  }

  /** Closes the notification socket, if one is open. */
  async stopNotifications(): Promise<void> {
    const held = this.notifications;
    this.notifications = undefined;
    await held?.socket.close();
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

  /** The local changes on top of the merge base's change log, padded to walletSize. */
  curEncryptedWallet(): string | undefined {
    if (!this.walletState) {
      this.print("No wallet state, so no encrypted wallet.");
      return undefined;
    }
    return padWallet(changeLogOf(this.walletState.encryptedWallet) + this.localChanges, this.walletSize);
  }

  /** Parses and checks a wallet body (CLIENT-4, CLIENT-6); a string is the reason it was refused. */
  private readWallet(exchange: Exchange): WalletState | string {
    const wallet = walletInBody(exchange.response?.json);
    if (!wallet) return "Error - the answer is not a wallet";
    const state = { sequence: wallet.sequence, encryptedWallet: wallet.encryptedWallet };
    if (wallet.hmac !== this.hmacOf(state)) return "Error - bad hmac on new wallet";
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

  /**
   * The hmac of a version under the client's key. A version's hmac is asked
   * for again and again (posted, echoed, read as the base), so the last few
   * are kept; comparing the wallets costs far less than hashing them.
   */
  private hmacOf(state: WalletState): string {
    const key = this.secrets.hmacKey;
    const known = this.recentHmacs.find((entry) => entry.key === key && entry.sequence === state.sequence && entry.encryptedWallet === state.encryptedWallet);
    if (known) return known.hmac;
    const hmac = walletHmac(state, key);
    // A large wallet is hashed again when asked: kept here, the versions a device lost races with would outlive their use.
    if (state.encryptedWallet.length >= largeWalletLength) return hmac;
    this.recentHmacs.unshift({ key, sequence: state.sequence, encryptedWallet: state.encryptedWallet, hmac });
    if (this.recentHmacs.length > recentHmacsKept) this.recentHmacs.pop();
    return hmac;
  }

  private printState(state: WalletState): void {
    if (this.printing) this.print(formatWalletState(state));
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
