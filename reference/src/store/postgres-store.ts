// The reference's state in PostgreSQL, so that several reference processes
// over one database form one deployment: nothing is cached in a process, and
// every rule is one SQL statement (a password change: one transaction) that
// decides it atomically at PostgreSQL's default isolation (READ COMMITTED),
// with no read-then-write race. With `announceWrites`, every stored version
// and every password change is NOTIFYed (postgres-events.ts), for the
// api3 profile's sockets held by other processes.
import pg from "pg";
import { isPostgresUrl, redactPassword } from "./database-url.js";
import { errorText } from "../error-text.js";
import { PasswordHasher, type PasswordHash } from "./passwords.js";
import { createSchema } from "./postgres-schema.js";
import { listenToStoreEvents, storeEventChannel, tokensEndedPayload, walletStoredPayload, type StoreEventFeed, type StoreEventListener } from "./postgres-events.js";
import { fromColumn, toColumn } from "./postgres-text.js";
import {
  passwordChangeRefusal,
  StoreUnavailableError,
  type Api3Store,
  type IssuedToken,
  type LogIn,
  type PasswordChange,
  type PasswordChangeOutcome,
  type SetWalletOutcome,
  type SignupOutcome,
  type TokenOwner,
  type TokenWalletWrite,
  type UserId,
  type WalletVersion,
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
  /** NOTIFY every stored version and password change, for listeners in other processes (the api3 profile's sockets). Default false. */
  announceWrites?: boolean;
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

/** One statement of a transaction. */
type Run = <Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]) => Promise<Row[]>;

/** What a transaction's work decided: commit it or roll it back, and what to return. */
type Decision<T> = { commit: boolean; value: T };

export class PostgresStore implements Api3Store {
  private readonly clock: () => number;
  private readonly passwords: PasswordHasher;
  private readonly announceWrites: boolean;

  /** Use openPostgresStore(), which creates the schema first. */
  constructor(
    private readonly pool: pg.Pool,
    options: PostgresStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.passwords = new PasswordHasher(options.scryptCost);
    this.announceWrites = options.announceWrites ?? false;
  }

  /** Listens, on a connection of its own, to the versions and password changes every process announces (announceWrites). */
  listen(listener: StoreEventListener): Promise<StoreEventFeed> {
    return listenToStoreEvents(this.pool.options, listener).catch((error: unknown) => {
      throw new StoreUnavailableError(`cannot listen to the database: ${errorText(error)}`, { cause: error });
    });
  }

  /** Closes every connection; the store cannot be used afterwards. */
  close(): Promise<void> {
    return this.pool.end();
  }

  async createAccount(email: string, password: string, clientSaltSeed?: string): Promise<SignupOutcome> {
    const hashed = await this.passwords.hash(password);
    // The unique email decides: of concurrent signups, one inserts.
    const inserted = await this.query(
      `INSERT INTO accounts (email, password_salt, password_hash, scrypt_cost, client_salt_seed) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING user_id`,
      [toColumn(email), hashed.salt, hashed.hash, hashed.cost, clientSaltSeed === undefined ? null : toColumn(clientSaltSeed)],
    );
    return inserted.length === 1 ? "created" : "duplicate";
  }

  async authenticate(email: string, password: string): Promise<UserId | undefined> {
    return (await this.verifiedAccount(email, password))?.user_id;
  }

  async clientSaltSeed(email: string): Promise<string | undefined> {
    const [account] = await this.query<{ client_salt_seed: string | null }>("SELECT client_salt_seed FROM accounts WHERE email = $1", [toColumn(email)]);
    return account?.client_salt_seed == null ? undefined : fromColumn(account.client_salt_seed);
  }

  /**
   * The token is stored only while the account's password is still the hash
   * it was checked against: a password change locks the account row and
   * replaces the hash, so the insert either comes before the change, whose
   * DELETE then ends the token, or finds the hash gone and issues nothing.
   */
  async logIn(email: string, password: string, deviceId: string): Promise<LogIn | undefined> {
    const account = await this.verifiedAccount(email, password);
    if (!account) return undefined;
    const token = newToken();
    const expiresAt = this.clock() + tokenLifetimeMs;
    const issued = await this.query(
      `WITH account AS (SELECT user_id FROM accounts WHERE user_id = $1 AND password_hash = $5 FOR SHARE)
       INSERT INTO tokens (user_id, device_id, digest, expires_at_ms) SELECT user_id, $2, $3, $4 FROM account
       ON CONFLICT (user_id, device_id) DO UPDATE SET digest = excluded.digest, expires_at_ms = excluded.expires_at_ms
       RETURNING user_id`,
      [account.user_id, toColumn(deviceId), tokenDigest(token), expiresAt, account.password_hash],
    );
    return issued.length === 1 ? { userId: account.user_id, token, expiresAt } : undefined;
  }

  /**
   * Checks the old password, then in one transaction: locks the account row
   * while it still holds that password, ends the account's tokens, locks the
   * wallet row, applies the sequence rule, and writes the wallet, the new
   * password and salt seed. Tokens are locked before the wallet, as a POST
   * does (setWalletWithToken), so the two never wait for each other in a cycle.
   */
  async changePassword(change: PasswordChange): Promise<PasswordChangeOutcome> {
    const account = await this.verifiedAccount(change.email, change.oldPassword);
    if (!account) return { changed: false, reason: "wrong-credentials" };
    const password = await this.passwords.hash(change.newPassword);
    const userId = account.user_id;
    return this.transaction<PasswordChangeOutcome>(async (run) => {
      const locked = await run("SELECT user_id FROM accounts WHERE user_id = $1 AND password_hash = $2 FOR UPDATE", [userId, account.password_hash]);
      // Another change replaced the password since it was checked.
      if (locked.length === 0) return { commit: false, value: { changed: false, reason: "wrong-credentials" } };
      await run("DELETE FROM tokens WHERE user_id = $1", [userId]);
      const [current] = await run<{ sequence: string }>("SELECT sequence FROM wallets WHERE user_id = $1 FOR UPDATE", [userId]);
      const refusal = passwordChangeRefusal(current && { sequence: Number(current.sequence) }, change.wallet);
      if (refusal) return { commit: false, value: { changed: false, reason: refusal } };
      if (change.wallet) {
        await run("UPDATE wallets SET encrypted_wallet = $2, sequence = $3, hmac = $4 WHERE user_id = $1", [
          userId,
          toColumn(change.wallet.encryptedWallet),
          change.wallet.sequence,
          toColumn(change.wallet.hmac),
        ]);
      }
      await run("UPDATE accounts SET password_salt = $2, password_hash = $3, scrypt_cost = $4, client_salt_seed = $5 WHERE user_id = $1", [
        userId,
        password.salt,
        password.hash,
        password.cost,
        toColumn(change.clientSaltSeed),
      ]);
      if (this.announceWrites) await run("SELECT pg_notify($1, $2)", [storeEventChannel, tokensEndedPayload(userId)]);
      return { commit: true, value: { changed: true, userId } };
    });
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
    const [row] = await this.storeNext("SELECT $1::integer AS user_id, $2::text AS device_id", [userId, null], wallet);
    return this.outcomeOf(userId, row);
  }

  /** The token's check and the write are one statement: the token row is locked for it, so a password change's DELETE of it comes wholly before or after. */
  async setWalletWithToken(token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined> {
    const [row] = await this.storeNext(
      "SELECT user_id, device_id FROM tokens WHERE digest = $1 AND expires_at_ms > $2 FOR SHARE",
      [tokenDigest(token), this.clock()],
      wallet,
    );
    if (!row) return undefined;
    return { owner: { userId: row.user_id, deviceId: fromColumn(row.device_id) }, outcome: await this.outcomeOf(row.user_id, row) };
  }

  /**
   * Refused when the row has no stored version. The wallet is then read in a
   * second statement, so it may be newer than the one the refusal was
   * decided against. The refusal stays right: a wallet only moves forward,
   * and a 409 carries the latest version, which the client must rebase on.
   */
  private async outcomeOf(userId: UserId, row: Partial<WalletRow> | undefined): Promise<SetWalletOutcome> {
    if (row?.sequence != null) return { stored: true, wallet: walletFrom(row as WalletRow) };
    return { stored: false, current: await this.getWallet(userId) };
  }

  /**
   * The sequence rule as one statement, for the owner `ownerQuery` selects
   * (with `ownerValues` as $1 and $2): a row per owner found, with the stored
   * version's columns null when nothing was stored. A first version is an
   * insert that only one of concurrent inserts can win; a later one updates
   * the row only while it holds the previous sequence. Under READ COMMITTED
   * a concurrent update waits for the row and then re-checks the condition
   * against the committed row, so of two updates from one sequence only one
   * matches.
   */
  private storeNext(ownerQuery: string, ownerValues: [unknown, unknown], wallet: WalletVersion): Promise<Array<Partial<WalletRow> & { user_id: UserId; device_id: string }>> {
    const values = [...ownerValues, toColumn(wallet.encryptedWallet), Number.isSafeInteger(wallet.sequence) ? wallet.sequence : -1, toColumn(wallet.hmac)];
    const announce = this.announceWrites ? `, pg_notify('${storeEventChannel}', ${walletStoredPayload("wallets.user_id::text", "wallets.sequence::text")}) AS announced` : "";
    const write =
      wallet.sequence === 1
        ? `INSERT INTO wallets (user_id, encrypted_wallet, sequence, hmac) SELECT user_id, $3, $4, $5 FROM owner
           ON CONFLICT (user_id) DO NOTHING RETURNING wallets.user_id, ${walletColumns}${announce}`
        : `UPDATE wallets SET encrypted_wallet = $3, sequence = $4::bigint, hmac = $5 FROM owner
           WHERE wallets.user_id = owner.user_id AND wallets.sequence = $4::bigint - 1 RETURNING wallets.user_id, ${walletColumns}${announce}`;
    return this.query(
      `WITH owner AS (${ownerQuery}), stored AS (${write})
       SELECT owner.user_id, owner.device_id, stored.encrypted_wallet, stored.sequence, stored.hmac FROM owner LEFT JOIN stored ON stored.user_id = owner.user_id`,
      values,
    );
  }

  /** The account when the password is its password. */
  private async verifiedAccount(email: string, password: string): Promise<AccountRow | undefined> {
    const [account] = await this.query<AccountRow>("SELECT user_id, password_salt, password_hash, scrypt_cost FROM accounts WHERE email = $1", [toColumn(email)]);
    const stored: PasswordHash | undefined = account && { salt: account.password_salt, hash: account.password_hash, cost: account.scrypt_cost };
    return (await this.passwords.verify(password, stored)) ? account : undefined;
  }

  /** Runs `work` in one transaction, committed or rolled back as it decides; any failure of the database is a StoreUnavailableError (503). */
  protected async transaction<T>(work: (run: Run) => Promise<Decision<T>>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw unavailable(error);
    }
    const run: Run = async (text, values) => (await client.query(text, values)).rows;
    try {
      await client.query("BEGIN");
      const decision = await work(run);
      await client.query(decision.commit ? "COMMIT" : "ROLLBACK");
      client.release();
      return decision.value;
    } catch (error) {
      // The connection may be broken: drop it rather than return it to the pool.
      client.release(true);
      throw unavailable(error);
    }
  }

  /** Runs one statement on a pooled connection; any failure of the database is a StoreUnavailableError (503). */
  protected async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(text, values)).rows;
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): StoreUnavailableError {
  return new StoreUnavailableError(`database query failed: ${errorText(error)}`, { cause: error });
}

/** A frozen wallet holding exactly the three stored fields (SEQ-8). */
function walletFrom(row: WalletRow): WalletVersion {
  return Object.freeze({ encryptedWallet: fromColumn(row.encrypted_wallet), sequence: Number(row.sequence), hmac: fromColumn(row.hmac) });
}
