// Deployments with one defect each that no single node shows: several
// reference servers (nodes, each on its own port) over one shared state, as
// processes behind a load balancer over one database. Through any one node
// each behaves as a correct server; the suite must fail each when given all
// nodes (--url several times) and name the nodes involved. The api3 ones are
// reference processes over PostgreSQL, each with one thing of its own.
import pg from "pg";
import type { ProfileName } from "../../../spec/index.js";
import {
  MemoryStore,
  NotificationHub,
  PostgresStore,
  SharedNotificationHub,
  startReferenceServer,
  tokenDigest,
  logInInSteps,
  setWalletWithTokenInSteps,
  type IssuedToken,
  type LogIn,
  type PasswordChange,
  type PasswordChangeOutcome,
  type StoreEvent,
  type TokenWalletWrite,
  type ReferenceServer,
  type SetWalletOutcome,
  type SignupOutcome,
  type TokenOwner,
  type TokenRecord,
  type UserId,
  type WalletStore,
  type WalletVersion,
} from "../../../reference/src/index.js";
import { createSchema } from "../../../reference/src/store/postgres-schema.js";
import { toColumn } from "../../../reference/src/store/postgres-text.js";

export interface BrokenDeploymentOptions {
  /** Nodes to start; default 3. */
  nodes?: number;
  host?: string;
  /** scrypt N of the stores; tests lower it for speed. */
  scryptCost?: number;
  /** A postgres:// URL of an empty database, for deployments over PostgreSQL. */
  databaseUrl?: string;
}

export interface RunningDeployment {
  /** One URL per node, in order. */
  urls: string[];
  close(): Promise<void>;
}

export interface BrokenDeployment {
  /** The protocol its nodes serve (give the suite the same --protocol). */
  protocol: ProfileName;
  /** The defect, in one sentence. */
  defect: string;
  /** Requirement IDs the suite must report as failed when given every node. */
  breaks: readonly string[];
  /** Whether it needs `databaseUrl`. */
  needsPostgres: boolean;
  start(options?: BrokenDeploymentOptions): Promise<RunningDeployment>;
}

/** The shared state of an in-memory deployment, and how each node's store sees it. */
type NodeStores = (shared: SharedState, nodes: number, options: BrokenDeploymentOptions) => WalletStore[];

/** The state every node of an in-memory deployment shares; it tells who listens of every version stored. */
class SharedState extends MemoryStore {
  private readonly listeners: Array<(userId: UserId, wallet: WalletVersion) => void> = [];

  onStored(listener: (userId: UserId, wallet: WalletVersion) => void): void {
    this.listeners.push(listener);
  }

  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const outcome = await super.setWallet(userId, wallet);
    if (outcome.stored) for (const listener of this.listeners) listener(userId, outcome.wallet);
    return outcome;
  }

  /** Stores the wallet whatever the stored sequence: for a node that decided the rule itself. */
  overwrite(userId: UserId, wallet: WalletVersion): WalletVersion {
    const stored = Object.freeze({ encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac });
    this.wallets.set(userId, stored);
    for (const listener of this.listeners) listener(userId, stored);
    return stored;
  }

  /** A token issued elsewhere, made known here without ending the device's previous one. */
  adoptToken(digest: string, record: TokenRecord): void {
    this.tokens.set(digest, record);
  }
}

/** A node that hands every call to the shared state; each defect overrides the one thing its node does on its own. */
class NodeStore implements WalletStore {
  constructor(protected readonly shared: SharedState) {}
  createAccount(email: string, password: string): Promise<SignupOutcome> {
    return this.shared.createAccount(email, password);
  }
  authenticate(email: string, password: string): Promise<UserId | undefined> {
    return this.shared.authenticate(email, password);
  }
  issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    return this.shared.issueToken(userId, deviceId);
  }
  resolveToken(token: string): Promise<TokenOwner | undefined> {
    return this.shared.resolveToken(token);
  }
  getWallet(userId: UserId): Promise<WalletVersion | undefined> {
    return this.shared.getWallet(userId);
  }
  setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    return this.shared.setWallet(userId, wallet);
  }
  logIn(email: string, password: string, deviceId: string): Promise<LogIn | undefined> {
    return logInInSteps(this, email, password, deviceId);
  }
  setWalletWithToken(token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined> {
    return setWalletWithTokenInSteps(this, token, wallet);
  }
}

/** How long a node trusts its own copy of a wallet before reading the shared one again. */
export const sequenceCacheMs = 100;

/**
 * Checks the sequence against its own copy of each wallet, read again from
 * the shared state at most every sequenceCacheMs and updated by its own
 * writes: alone it is right, but two nodes can accept the same sequence.
 */
class SequenceCacheNode extends NodeStore {
  private readonly copies = new Map<UserId, { wallet: WalletVersion | undefined; readAt: number }>();

  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const current = await this.copyOf(userId);
    if (wallet.sequence !== (current?.sequence ?? 0) + 1) return { stored: false, current };
    const stored = this.shared.overwrite(userId, wallet);
    this.copies.set(userId, { wallet: stored, readAt: Date.now() });
    return { stored: true, wallet: stored };
  }

  private async copyOf(userId: UserId): Promise<WalletVersion | undefined> {
    const copy = this.copies.get(userId);
    if (copy && Date.now() - copy.readAt < sequenceCacheMs) return copy.wallet;
    const wallet = await this.shared.getWallet(userId);
    this.copies.set(userId, { wallet, readAt: Date.now() });
    return wallet;
  }
}

/** How late a replica node learns of versions stored through other nodes. */
export const replicaLagMs = 200;

/**
 * A read replica: writes go to the primary (the shared state) and are
 * acknowledged by it; reads come from a copy that learns of its own writes
 * at once and of every other node's replicaLagMs later.
 */
class ReplicaNode extends NodeStore {
  private readonly copy = new Map<UserId, WalletVersion>();

  constructor(shared: SharedState) {
    super(shared);
    shared.onStored((userId, wallet) => setTimeout(() => this.apply(userId, wallet), replicaLagMs).unref());
  }

  override async getWallet(userId: UserId): Promise<WalletVersion | undefined> {
    return this.copy.get(userId);
  }

  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const outcome = await this.shared.setWallet(userId, wallet);
    if (outcome.stored) this.apply(userId, outcome.wallet);
    return outcome;
  }

  private apply(userId: UserId, wallet: WalletVersion): void {
    const held = this.copy.get(userId);
    if (!held || held.sequence < wallet.sequence) this.copy.set(userId, wallet);
  }
}

/**
 * Keeps its own token table: a token it issues is copied to every other
 * node's table, but the device's previous token is ended only in its own.
 */
class TokenTableNode extends NodeStore {
  /** Every node's token table, this one's included; set once all are made. */
  peers: TokenTableNode[] = [];

  constructor(
    shared: SharedState,
    readonly tokens: SharedState,
  ) {
    super(shared);
  }

  override async issueToken(userId: UserId, deviceId: string): Promise<IssuedToken> {
    const issued = await this.tokens.issueToken(userId, deviceId);
    const record = await this.tokens.resolveToken(issued.token);
    if (record) {
      const digest = tokenDigest(issued.token);
      for (const peer of this.peers) if (peer !== this) peer.tokens.adoptToken(digest, { ...record, expiresAt: issued.expiresAt });
    }
    return issued;
  }

  override resolveToken(token: string): Promise<TokenOwner | undefined> {
    return this.tokens.resolveToken(token);
  }
}

/** The one-statement-per-rule PostgreSQL store with its sequence rule split in two statements. */
class ReadThenWriteStore extends PostgresStore {
  /** Writes of this process, one account at a time: what makes one node alone correct. */
  private readonly queues = new Map<UserId, Promise<unknown>>();

  override setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const next = previous.then(() => this.readThenWrite(userId, wallet));
    const settled = next.catch(() => undefined);
    this.queues.set(userId, settled);
    void settled.then(() => {
      if (this.queues.get(userId) === settled) this.queues.delete(userId);
    });
    return next;
  }

  /** The token resolved, then the broken write: the one-statement check of PostgresStore would hide the defect. */
  override setWalletWithToken(token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined> {
    return setWalletWithTokenInSteps(this, token, wallet);
  }

  /** SELECT the sequence, decide, then write without the sequence in the WHERE clause: READ COMMITTED lets another process in between. */
  private async readThenWrite(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    const current = await this.getWallet(userId);
    if (wallet.sequence !== (current?.sequence ?? 0) + 1) return { stored: false, current };
    await this.query(
      `INSERT INTO wallets (user_id, encrypted_wallet, sequence, hmac) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE SET encrypted_wallet = excluded.encrypted_wallet, sequence = excluded.sequence, hmac = excluded.hmac`,
      [userId, toColumn(wallet.encryptedWallet), wallet.sequence, toColumn(wallet.hmac)],
    );
    return { stored: true, wallet: Object.freeze({ ...wallet }) };
  }
}

/** An api3 node that tells its sockets only of the versions POSTed through itself, not of those it hears other nodes stored. */
class OwnPostsOnlyHub extends SharedNotificationHub {
  override walletPosted(owner: TokenOwner, posted: WalletVersion, outcome: SetWalletOutcome): void {
    NotificationHub.prototype.walletPosted.call(this, owner, posted, outcome);
  }

  override event(event: StoreEvent): void {
    if (event.kind !== "wallet-stored") super.event(event);
  }
}

/** How long an api3 node trusts what it learnt of a token. */
export const tokenCacheMs = 10_000;

/**
 * Keeps the owner of each token it resolved for tokenCacheMs, forgetting
 * only what its own logins and password changes end: a token that a change
 * or a login on another node ended still works here for a while, and a
 * POST with it lands. Its own changes and POSTs take turns, and a lookup
 * that a change or login overtook is not kept: alone, it is correct.
 */
class TokenCacheStore extends PostgresStore {
  private readonly owners = new Map<string, { owner: TokenOwner; until: number }>();
  /** Counts what this node ended, so that a lookup begun before is not cached after. */
  private endings = 0;
  private turns: Promise<unknown> = Promise.resolve();

  override async resolveToken(token: string): Promise<TokenOwner | undefined> {
    const cached = this.owners.get(token);
    if (cached && Date.now() < cached.until) return cached.owner;
    const endings = this.endings;
    const owner = await super.resolveToken(token);
    if (owner && endings === this.endings) this.owners.set(token, { owner, until: Date.now() + tokenCacheMs });
    return owner;
  }

  override setWalletWithToken(token: string, wallet: WalletVersion): Promise<TokenWalletWrite | undefined> {
    return this.inTurn(() => setWalletWithTokenInSteps(this, token, wallet));
  }

  override async logIn(email: string, password: string, deviceId: string): Promise<LogIn | undefined> {
    const issued = await super.logIn(email, password, deviceId);
    if (issued) this.forget((owner) => owner.userId === issued.userId && owner.deviceId === deviceId);
    return issued;
  }

  override changePassword(change: PasswordChange): Promise<PasswordChangeOutcome> {
    return this.inTurn(async () => {
      const outcome = await super.changePassword(change);
      if (outcome.changed) this.forget((owner) => owner.userId === outcome.userId);
      return outcome;
    });
  }

  private forget(ended: (owner: TokenOwner) => boolean): void {
    this.endings++;
    for (const [token, cached] of this.owners) if (ended(cached.owner)) this.owners.delete(token);
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const next = this.turns.then(work);
    this.turns = next.catch(() => undefined);
    return next;
  }
}

/** A node over its own pool of the deployment's database: its store, and the hub of its sockets (api3). */
interface PostgresNode {
  store: PostgresStore;
  notifications?: SharedNotificationHub;
}

/** An api3 deployment over PostgreSQL whose nodes `node` makes from their pools. */
function api3OverPostgres(defect: string, breaks: readonly string[], node: (pool: pg.Pool, options: BrokenDeploymentOptions) => PostgresNode): BrokenDeployment {
  return {
    protocol: "api3",
    defect,
    breaks,
    needsPostgres: true,
    start: (options = {}) => startOverPostgres(options, "api3", node),
  };
}

async function startOverPostgres(
  options: BrokenDeploymentOptions,
  protocol: ProfileName,
  node: (pool: pg.Pool, options: BrokenDeploymentOptions) => PostgresNode,
): Promise<RunningDeployment> {
  if (options.databaseUrl === undefined) throw new Error("this deployment needs a PostgreSQL database (databaseUrl)");
  const pools: pg.Pool[] = [];
  const nodes: PostgresNode[] = [];
  for (let index = 0; index < (options.nodes ?? 3); index++) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
    pool.on("error", () => undefined);
    pools.push(pool);
    nodes.push(node(pool, options));
  }
  await createSchema(pools[0]!);
  return startNodes(nodes, options, async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  }, protocol);
}

async function startNodes(
  nodes: ReadonlyArray<WalletStore | PostgresNode>,
  options: BrokenDeploymentOptions,
  closeState: () => Promise<void>,
  protocol: ProfileName = "seed",
): Promise<RunningDeployment> {
  const servers: ReferenceServer[] = [];
  try {
    for (const node of nodes) {
      const { store, notifications } = "store" in node ? node : { store: node, notifications: undefined };
      servers.push(await startReferenceServer({ host: options.host, protocol, store, ...(notifications ? { notifications } : {}), onError: () => undefined }));
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.close()));
    await closeState();
    throw error;
  }
  return {
    urls: servers.map((server) => server.url),
    close: async () => {
      await Promise.all(servers.map((server) => server.close()));
      await closeState();
    },
  };
}

function inMemory(defect: string, breaks: readonly string[], nodeStores: NodeStores): BrokenDeployment {
  return {
    protocol: "seed",
    defect,
    breaks,
    needsPostgres: false,
    start: (options = {}) => {
      const shared = new SharedState({ scryptCost: options.scryptCost });
      return startNodes(nodeStores(shared, options.nodes ?? 3, options), options, async () => undefined);
    },
  };
}

export const brokenDeployments: Record<string, BrokenDeployment> = {
  "per-node-sequence-cache": inMemory(
    `each node checks the sequence against its own copy of the wallet, read again every ${sequenceCacheMs} ms: two nodes accept the same sequence`,
    // DEPLOY-1's case shows it too when its requests come within the cache's lifetime: timing, so not promised here.
    ["LIN-2"],
    (shared, nodes) => Array.from({ length: nodes }, () => new SequenceCacheNode(shared)),
  ),
  "lagging-read-replica": inMemory(
    `the last node answers GET /wallet from a replica that learns of other nodes' writes ${replicaLagMs} ms late`,
    // DEPLOY-1's case shows it too when its read comes within the lag: timing, so not promised here.
    ["LIN-4"],
    (shared, nodes) => Array.from({ length: nodes }, (_node, index) => (index === nodes - 1 ? new ReplicaNode(shared) : new NodeStore(shared))),
  ),
  "per-node-token-tables": inMemory(
    "each node keeps its own token table: a new login ends the old token only on the node it went to",
    ["TOKEN-2", "DEPLOY-2"],
    (shared, nodes, options) => {
      const stores = Array.from({ length: nodes }, () => new TokenTableNode(shared, new SharedState({ scryptCost: options.scryptCost })));
      for (const store of stores) store.peers = stores;
      return stores;
    },
  ),
  "postgres-read-then-write": {
    protocol: "seed",
    defect: "each node serializes its own writes, then SELECTs the sequence and UPDATEs without it in a second statement (READ COMMITTED): nodes overwrite each other",
    breaks: ["LIN-2"],
    needsPostgres: true,
    start: (options = {}) => startOverPostgres(options, "seed", (pool) => ({ store: new ReadThenWriteStore(pool, { scryptCost: options.scryptCost }) })),
  },
  "api3-own-sockets-only": api3OverPostgres(
    "api3 over PostgreSQL: each node tells its sockets only of the versions POSTed through itself, not of those other nodes stored",
    ["NOTIFY-2"],
    (pool, options) => ({ store: new PostgresStore(pool, { scryptCost: options.scryptCost, announceWrites: true }), notifications: new OwnPostsOnlyHub() }),
  ),
  "api3-cached-tokens": api3OverPostgres(
    `api3 over PostgreSQL: each node trusts a token it resolved for ${tokenCacheMs / 1000} s, so one that a password change or a login on another node ended still works there`,
    // DEPLOY-2 too when its case's token was resolved on another node within the cache's time; PASS-2 always.
    ["PASS-2"],
    (pool, options) => ({ store: new TokenCacheStore(pool, { scryptCost: options.scryptCost, announceWrites: true }) }),
  ),
};
