// The tables of the PostgreSQL store, created on start when missing. The
// client-given strings (email, device_id, encrypted_wallet, hmac) are kept as
// JSON string literals (postgres-text.ts says why).
import type { Pool } from "pg";

export const schemaStatements: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS accounts (
     user_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     email text NOT NULL UNIQUE,
     password_salt bytea NOT NULL,
     password_hash bytea NOT NULL,
     scrypt_cost integer NOT NULL
   )`,
  // The api3 profile's salt seed (SALT-1); added to tables made before it was.
  `ALTER TABLE accounts ADD COLUMN IF NOT EXISTS client_salt_seed text`,
  // One row per (account, device): issuing a token replaces the device's row (TOKEN-2, TOKEN-4).
  `CREATE TABLE IF NOT EXISTS tokens (
     user_id integer NOT NULL REFERENCES accounts (user_id),
     device_id text NOT NULL,
     digest text NOT NULL UNIQUE,
     expires_at_ms bigint NOT NULL,
     PRIMARY KEY (user_id, device_id)
   )`,
  `CREATE TABLE IF NOT EXISTS wallets (
     user_id integer PRIMARY KEY REFERENCES accounts (user_id),
     encrypted_wallet text NOT NULL,
     sequence bigint NOT NULL CHECK (sequence >= 1),
     hmac text NOT NULL
   )`,
];

/** Any constant will do, as long as no other program on the database uses it for another purpose. */
const schemaLockKey = 0x77616c6c; // "wall"

/**
 * Creates the tables that are missing. Concurrent CREATE TABLE IF NOT EXISTS
 * of one table can still fail on a unique index of the catalog, so processes
 * starting at once take turns under a transaction-scoped advisory lock.
 */
export async function createSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [schemaLockKey]);
    for (const statement of schemaStatements) await client.query(statement);
    await client.query("COMMIT");
    client.release();
  } catch (error) {
    // The connection may be broken: drop it rather than return it to the pool.
    client.release(true);
    throw error;
  }
}
