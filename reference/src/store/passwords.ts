// Login passwords are kept as salted scrypt hashes (SEC-1) and compared in
// constant time (SEC-2). The parameters travel with each hash so that a change
// of cost never breaks the verification of existing accounts.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** The scrypt cost (N) of a real deployment; tests may lower it for speed. */
export const defaultScryptCost = 16384;

/** Lowers the cost of every server made without one (the command lines' too), for test runs: hashing at the real cost is most of their CPU. */
export const scryptCostVariable = "WALLET_SYNC_SCRYPT_COST";

/** What scrypt takes as its cost N: a power of two above 1. */
function isScryptCost(cost: number): boolean {
  return Number.isInteger(cost) && cost >= 2 && (cost & (cost - 1)) === 0;
}

/** The cost a server uses when none is given: $WALLET_SYNC_SCRYPT_COST, else the real one. */
export function scryptCostByDefault(environment: NodeJS.ProcessEnv = process.env): number {
  const given = environment[scryptCostVariable];
  if (given === undefined || given === "") return defaultScryptCost;
  if (!isScryptCost(Number(given))) throw new RangeError(`${scryptCostVariable} must be a power of two above 1, got ${given}`);
  return Number(given);
}

const blockSize = 8;
const parallelization = 1;
const keyLength = 32;
const saltLength = 16;

export interface PasswordHash {
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly cost: number;
}

function derive(password: string, salt: Buffer, cost: number): Promise<Buffer> {
  // scrypt needs 128 * r * (N + p + 2) bytes (its table and buffers): twice that leaves headroom, the smallest costs included.
  const maxmem = 2 * 128 * blockSize * (cost + parallelization + 2);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, { N: cost, r: blockSize, p: parallelization, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export class PasswordHasher {
  readonly cost: number;
  /** Verified against for unknown emails, so that they take as long as known ones. */
  private decoy: Promise<PasswordHash> | undefined;

  constructor(cost: number = scryptCostByDefault()) {
    if (!isScryptCost(cost)) throw new RangeError(`scrypt cost must be a power of two above 1, got ${cost}`);
    this.cost = cost;
  }

  async hash(password: string): Promise<PasswordHash> {
    const salt = randomBytes(saltLength);
    return { salt, hash: await derive(password, salt, this.cost), cost: this.cost };
  }

  /** Whether the password matches; with no stored hash, spends the same work and answers false. */
  async verify(password: string, stored: PasswordHash | undefined): Promise<boolean> {
    const reference = stored ?? (await this.decoyHash());
    const candidate = await derive(password, reference.salt, reference.cost);
    const matches = timingSafeEqual(candidate, reference.hash);
    return stored !== undefined && matches;
  }

  private decoyHash(): Promise<PasswordHash> {
    this.decoy ??= this.hash(randomBytes(16).toString("hex"));
    return this.decoy;
  }
}
