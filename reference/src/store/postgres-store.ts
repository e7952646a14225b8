// The reference's state in PostgreSQL, so that several reference processes
// over one database form one deployment: nothing is cached in a process, and
// every rule is one SQL statement that decides it atomically at PostgreSQL's
// default isolation (READ COMMITTED), with no read-then-write race.
import pg from "pg";
import { isPostgresUrl, redactPassword } from "./database-url.js";
import { errorText } from "../error-text.js";
import { PasswordHasher, type PasswordHash } from "./passwords.js";
import { createSchema } from "./postgres-schema.js";
import { fromColumn, toColumn } from "./postgres-text.js";
import {
  StoreUnavailableError,
  type IssuedToken,
  type SetWalletOutcome,
  type SignupOutcome,
  type TokenOwner,
  type UserId,
  type WalletVersion,
  type WalletStore,
} from "./store.js";
import { newToken, tokenDigest, tokenLifetimeMs } from "./tokens.js";

export interface PostgresStoreOptions {
  /** Milliseconds since the epoch; tests inject one to reach token expiry. Expiry is decided on this clock, not the database's. */
  clock?: () => number;
  /** scrypt N; defaults to a real cost (16384). */
  scryptCost?: number;
  /** Connections kept open at most. Default 10. */
  maxConnections?: number;
  /**
   * Told when an idle pooled connection fails (the database restarted, an
   * administrator ended it); the pool drops it and opens a new one when
   * needed. Defaults to one line on stderr.
   */
  onIdleError?: (error: Error) => void;
}

/** The database cannot be used: unreachable, refused credentials, not a postgres:// URL. The message is one line. */
export class StoreOpenError extends Error {
  override name = "StoreOpenError";
}

/** How long a request waits for a connection before it is answered 503. */
const connectTimeoutMs = 5000;

/** Connects, creates the missing tables, and returns the store; throws StoreOpenError when the database cannot be used. */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const shown = redactPassword(url);
  if (!isPostgresUrl(url)) throw new StoreOpenError(`not a postgres:// URL: ${shown}`);
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10, connectionTimeoutMillis: connectTimeoutMs });
  // Without a listener, an idle connection's error would end the process.
  pool.on("error", options.onIdleError ?? ((error) => console.error(`wallet-sync-reference: idle database connection lost: ${errorText(error)}`)));
  try {
    await createSchema(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw new StoreOpenError(`cannot use the database ${shown}: ${errorText(error)}`, { cause: error });
  }
  return new PostgresStore(pool, options);
}

interface AccountRow {
  user_id: UserId;
  password_salt: Buffer;
  password_hash: Buffer;
  scrypt_cost: number;
}

interface WalletRow {
  encrypted_wallet: string;
  /** bigint, which pg hands over as text. */
  sequence: string;
  hmac: string;
}

const walletColumns = "encrypted_wallet, sequence, hmac";

export class PostgresStore implements WalletStore {
  private readonly clock: () => number;
  private readonly passwords: PasswordHasher;

  /** Use openPostgresStore(), which creates the schema first. */
  constructor(
    private readonly pool: pg.Pool,
    options: PostgresStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.passwords = new PasswordHasher(options.scryptCost);
  }

  /** Closes every connection; the store cannot be used afterwards. */
  close(): Promise<void> {
    return this.pool.end();
  }

  async createAccount(email: string, password: string): Promise<SignupOutcome> {
    const hashed = await this.passwords.hash(password);
    // The unique email decides: of concurrent signups, one inserts.
    const inserted = await this.query(
      `INSERT INTO accounts (email, password_salt, password_hash, scrypt_cost) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING user_id`,
      [toColumn(email), hashed.salt, hashed.hash, hashed.cost],
    );
    return inserted.length === 1 ? "created" : "duplicate";
  }

  async authenticate(email: string, password: string): Promise<UserId | undefined> {
    const [account] = await this.query<AccountRow>(
      "SELECT user_id, password_salt, password_hash, scrypt_cost FROM accounts WHERE email = $1",
      [toColumn(email)],
    );
    const stored: PasswordHash | undefined = account && { salt: account.password_salt, hash: account.password_hash, cost: account.scrypt_cost };
    return (await this.passwords.verify(password, stored)) ? account?.user_id : undefined;
  }

  async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    const token = newToken();
    const expiresAt = this.clock() + tokenLifetimeMs;
    // One row per (account, device): the new token replaces the old one in the same statement.
    await this.query(
      `INSERT INTO tokens (user_id, device_id, digest, expires_at_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, device_id) DO UPDATE SET digest = excluded.digest, expires_at_ms = excluded.expires_at_ms`,
      [userId, toColumn(deviceId), tokenDigest(token), expiresAt],
    );
    return { token, expiresAt };
  }

  async resolveToken(token: string): Promise<TokenOwner | undefined> {
    // An expired row stays until the device's next login replaces it; it never resolves again.
    const [owner] = await this.query<{ user_id: UserId; device_id: string }>(
      "SELECT user_id, device_id FROM tokens WHERE digest = $1 AND expires_at_ms > $2",
      [tokenDigest(token), this.clock()],
    );
    return owner && { userId: owner.user_id, deviceId: fromColumn(owner.device_id) };
  }

  async getWallet(userId: UserId): Promise<WalletVersion | undefined> {
    const [row] = await this.query<WalletRow>(`SELECT ${walletColumns} FROM wallets WHERE user_id = $1`, [userId]);
    return row && walletFrom(row);
  }

  async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const [stored] = Number.isSafeInteger(wallet.sequence) && wallet.sequence >= 1 ? await this.storeNext(userId, wallet) : [];
    if (stored) return { stored: true, wallet: walletFrom(stored) };
    // Refused. The wallet is read in a second statement, so it may be newer
    // than the one the refusal was decided against. The refusal stays right:
    // a wallet only moves forward, and a 409 carries the latest version,
    // which is the one the client must rebase on.
    return { stored: false, current: await this.getWallet(userId) };
  }

  /**
   * The sequence rule as one statement. A first version is an insert that
   * only one of concurrent inserts can win; a later one updates the row only
   * while it holds the previous sequence. Under READ COMMITTED a concurrent
   * update waits for the row and then re-checks the condition against the
   * committed row, so of two updates from one sequence only one matches.
   */
  private storeNext(userId: UserId, wallet: WalletVersion): Promise<WalletRow[]> {
    const values = [userId, toColumn(wallet.encryptedWallet), wallet.sequence, toColumn(wallet.hmac)];
    if (wallet.sequence === 1) {
      return this.query<WalletRow>(
        `INSERT INTO wallets (user_id, encrypted_wallet, sequence, hmac) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO NOTHING RETURNING ${walletColumns}`,
        values,
      );
    }
    return this.query<WalletRow>(
      `UPDATE wallets SET encrypted_wallet = $2, sequence = $3::bigint, hmac = $4
       WHERE user_id = $1 AND sequence = $3::bigint - 1 RETURNING ${walletColumns}`,
      values,
    );
  }

  /** Runs one statement on a pooled connection; any failure of the database is a StoreUnavailableError (503). */
  protected async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw new StoreUnavailableError(`database query failed: ${errorText(error)}`, { cause: error });
    }
  }
}

/** A frozen wallet holding exactly the three stored fields (SEQ-8). */
function walletFrom(row: WalletRow): WalletVersion {
  return Object.freeze({ encryptedWallet: fromColumn(row.encrypted_wallet), sequence: Number(row.sequence), hmac: fromColumn(row.hmac) });
}
