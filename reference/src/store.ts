// The server's state behind an async interface, so that a store backed by a
// database fits the same handlers. MemoryStore is the reference: state lives in
// protected fields and every rule in a small method, so that a subclass can
// change exactly one behaviour.
import { PasswordHasher, type PasswordHash } from "./passwords.js";
import { newToken, tokenDigest, tokenLifetimeMs } from "./tokens.js";
import type { WalletVersion } from "../../spec/index.js";

/** One wallet version as stored: opaque strings and their sequence (SEQ-8). */
export type { WalletVersion };

export type UserId = number;

export type SignupOutcome = "created" | "duplicate";

export interface IssuedToken {
  token: string;
  /** Milliseconds since the epoch, on the store's clock. */
  expiresAt: number;
}

export interface TokenOwner {
  userId: UserId;
  deviceId: string;
}

export type SetWalletOutcome =
  | { stored: true; wallet: WalletVersion }
  /**
   * `current` is the stored wallet: MemoryStore reads it in the same atomic
   * step as the refusal, PostgresStore right after it (a later version at
   * most, as wallets only move forward).
   */
  | { stored: false; current: WalletVersion | undefined };

export interface WalletStore {
  /** Creates the account unless the email has one; of concurrent signups of one email, one is created. */
  createAccount(email: string, password: string): Promise<SignupOutcome>;
  /** The account's id when the email and password match, else undefined. */
  authenticate(email: string, password: string): Promise<UserId | undefined>;
  /** A new token for (userId, deviceId), replacing that pair's previous token. */
  issueToken(userId: UserId, deviceId: string): Promise<IssuedToken>;
  /** The owner of a live token; undefined for unknown, replaced or expired ones. */
  resolveToken(token: string): Promise<TokenOwner | undefined>;
  getWallet(userId: UserId): Promise<WalletVersion | undefined>;
  /** Stores the wallet if, and only if, its sequence is the stored one plus one (1 when there is none). */
  setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome>;
}

/**
 * The store could not do its work (its database is unreachable, a query
 * failed): the request is answered 503, and the server goes on.
 */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch; tests inject one to reach token expiry. */
  clock?: () => number;
  /** scrypt N; defaults to a real cost (16384). */
  scryptCost?: number;
}

export interface Account {
  readonly userId: UserId;
  readonly password: PasswordHash;
}

export interface TokenRecord {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly expiresAt: number;
}

export class MemoryStore implements WalletStore {
  protected readonly clock: () => number;
  protected readonly passwords: PasswordHasher;
  /** By email, compared exactly as sent. */
  protected readonly accounts = new Map<string, Account>();
  /** By token digest (see tokens.ts). */
  protected readonly tokens = new Map<string, TokenRecord>();
  /** The live token digest of each (account, device), by deviceKey(). */
  protected readonly deviceTokens = new Map<string, string>();
  protected readonly wallets = new Map<UserId, WalletVersion>();
  protected nextUserId: UserId = 1;

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.passwords = new PasswordHasher(options.scryptCost);
  }

  async createAccount(email: string, password: string): Promise<SignupOutcome> {
    if (this.accounts.has(email)) return "duplicate";
    const hashed = await this.passwords.hash(password);
    // Another signup of this email may have completed while this one hashed:
    // check again, then insert without yielding.
    if (this.accounts.has(email)) return "duplicate";
    this.accounts.set(email, { userId: this.nextUserId++, password: hashed });
    return "created";
  }

  async authenticate(email: string, password: string): Promise<UserId | undefined> {
    const account = this.accounts.get(email);
    const matches = await this.passwords.verify(password, account?.password);
    return matches ? account?.userId : undefined;
  }

  async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    const token = newToken();
    const expiresAt = this.clock() + tokenLifetimeMs;
    const key = this.deviceKey(userId, deviceId);
    const previous = this.deviceTokens.get(key);
    if (previous !== undefined) this.tokens.delete(previous);
    const digest = tokenDigest(token);
    this.tokens.set(digest, { userId, deviceId, expiresAt });
    this.deviceTokens.set(key, digest);
    return { token, expiresAt };
  }

  async resolveToken(token: string): Promise<TokenOwner | undefined> {
    const digest = tokenDigest(token);
    const record = this.tokens.get(digest);
    if (record === undefined) return undefined;
    if (this.isExpired(record)) {
      this.forgetToken(digest, record);
      return undefined;
    }
    return { userId: record.userId, deviceId: record.deviceId };
  }

  async getWallet(userId: UserId): Promise<WalletVersion | undefined> {
    return this.wallets.get(userId);
  }

  async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    // The check and the write run with no await between them, so in Node's
    // single thread they are one atomic step (SEQ-6).
    const current = this.wallets.get(userId);
    if (!this.followsSequence(current, wallet.sequence)) return { stored: false, current };
    const stored = copyWallet(wallet);
    this.wallets.set(userId, stored);
    return { stored: true, wallet: stored };
  }

  /** The sequence rule: the first version is 1, every later one the stored one plus one. */
  protected followsSequence(current: WalletVersion | undefined, sequence: number): boolean {
    return sequence === (current?.sequence ?? 0) + 1;
  }

  /** Tokens are kept per (account, device), never per device alone (TOKEN-4). */
  protected deviceKey(userId: UserId, deviceId: string): string {
    return `${userId}:${deviceId}`;
  }

  protected isExpired(record: TokenRecord): boolean {
    return this.clock() >= record.expiresAt;
  }

  protected forgetToken(digest: string, record: TokenRecord): void {
    this.tokens.delete(digest);
    const key = this.deviceKey(record.userId, record.deviceId);
    if (this.deviceTokens.get(key) === digest) this.deviceTokens.delete(key);
  }
}

/** A frozen copy holding only the stored fields, so no caller can change the store's state. */
function copyWallet(wallet: WalletVersion): WalletVersion {
  return Object.freeze({ encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac });
}
