// Synthetic histories of a correct server, for the checker's benchmark and
// its property tests: per account, several clients follow the walkthrough's
// client algorithm (plus occasional hostile POSTs and re-auths) against a
// simulated linearizable server that applies each request atomically at a
// random moment between its sending and its answer, and reads a 409 body in
// a later step, as the original server does. Some answers are lost
// (timeouts, dropped connections, 5xx); such a request may or may not take
// effect, even after its client gave up. Every history it makes is valid: a
// checker that reports anything on one raises a false alarm.
import {
  historyFormat,
  type History,
  type Millis,
  type Operation,
  type OperationKind,
  type Outcome,
  type PostedWallet,
  type SignupOperation,
  type WalletVersion,
} from "../src/history/history.js";

export interface SyntheticOptions {
  accounts: number;
  operationsPerAccount: number;
  clientsPerAccount?: number;
  seed?: number;
  /** Share of requests whose answer is lost to a timeout or a dropped connection. */
  lostAnswerRate?: number;
  /** Share of requests answered 5xx (after taking effect or not). */
  serverErrorRate?: number;
  /** Share of requests that are a re-auth of the device. */
  reauthRate?: number;
  /** Share of POSTs that skip ahead of or fall behind the client's base. */
  hostileRate?: number;
  /**
   * About how many accounts run at the same time (default 32): a runner that
   * shares a bounded pool of connections starts accounts in waves, so account
   * k starts around wave floor(k / concurrentAccounts).
   */
  concurrentAccounts?: number;
  /**
   * Build each version's content onto its base's as a rope (+) instead of a
   * flat copy (join). A flat copy is what a body parsed from JSON is, but in
   * one long-lived account the copies take memory quadratic in its length;
   * ropes stay linear as long as nothing reads whole contents. Answers then
   * share their strings with the POST that sent them instead of a parsed copy:
   * comparing a returned wallet with what a POST sent costs its length only
   * when the two are separate strings, which is a cost of reading the input.
   */
  ropeContents?: boolean;
}

/** A small, fast, seeded generator (mulberry32): the same seed makes the same history. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Fate = "answered" | "timeout" | "connection" | "server-error";

interface InFlight {
  kind: Extract<OperationKind, "auth" | "get" | "post">;
  invokedAt: Millis;
  completedAt: Millis;
  /** When the simulated server applies it (if it does); for a refused POST, then when it reads the body. */
  appliedAt: Millis;
  /** A refused POST's 409 body is read in a later step, as the original server does. */
  rereads: boolean;
  /** The sequence check failed; the body is still to be read. */
  refused: boolean;
  tokenGeneration: number;
  request?: PostedWallet;
  fate: Fate;
  /** For lost answers: whether the request took effect before the answer was lost. */
  takesEffect: boolean;
}

interface SimulatedClient {
  label: string;
  index: number;
  /** The generation of the token it holds; 0 before its first auth. */
  token: number;
  generations: number;
  base: WalletVersion | undefined;
  /** Knows the account has no wallet yet (a 404 or a 409 saying so). */
  knowsEmpty: boolean;
  /** Local changes not yet in the base: segments joined by colons, built up as a rope. */
  pending: string;
  changes: number;
  /** Its last POST's answer was lost: it reads before posting again. */
  uncertain: boolean;
  /** That POST's version, to tell whether a wallet read later carries it. */
  uncertainPost: PostedWallet | undefined;
  inFlight: InFlight | undefined;
}

const timeoutMs = 40;
function eventTime(request: InFlight): Millis {
  return request.fate === "answered" ? request.appliedAt : request.completedAt;
}

/** Roughly how long one account's requests last at the default 200 operations and 8 clients. */
const accountDurationMs = 200;

export function generateHistory(options: SyntheticOptions): History {
  const random = seededRandom(options.seed ?? 1);
  const operations: Operation[] = [];
  for (let account = 0; account < options.accounts; account++) {
    new AccountSimulation(account, options, random, operations).run();
  }
  operations.sort((a, b) => a.completedAt - b.completedAt);
  return {
    format: historyFormat,
    contentModel: "append-log",
    operations: operations.map((op, index) => asRecorded(op, index, options.ropeContents ?? false)),
    meta: { generator: "synthetic", seed: options.seed ?? 1, accounts: options.accounts },
  };
}

/**
 * The operation as a runner records it when it completes: numbered in
 * completion order, made then (so operations lie in memory in the order they
 * are read), and with the wallet of its answer parsed from the wire into
 * strings of its own, not shared with the POST that sent them.
 */
function asRecorded(op: Operation, index: number, shareStrings: boolean): Operation {
  const id = index + 1;
  const { account, client, invokedAt, completedAt } = op;
  const outcome: Outcome =
    !shareStrings && op.outcome.type !== "indeterminate" && op.outcome.wallet
      ? { type: op.outcome.type, status: op.outcome.status, wallet: JSON.parse(JSON.stringify(op.outcome.wallet)) as WalletVersion }
      : op.outcome;
  switch (op.kind) {
    case "post":
      return { id, account, client, invokedAt, completedAt, outcome, kind: "post", tokenGeneration: op.tokenGeneration, request: op.request };
    case "get":
      return { id, account, client, invokedAt, completedAt, outcome, kind: "get", tokenGeneration: op.tokenGeneration };
    case "auth":
      return { id, account, client, invokedAt, completedAt, outcome, kind: "auth", tokenGeneration: op.tokenGeneration };
    case "signup":
      return { id, account, client, invokedAt, completedAt, outcome, kind: "signup" };
    case "password":
    case "socket":
      // Not simulated (api3): copied as they are.
      return { ...op, id, outcome };
  }
}

/** One account: its clients, the simulated server's state for it, and the operations they make. */
class AccountSimulation {
  private readonly account: string;
  /** Marks every change of this account, so that contents are unique across accounts. */
  private readonly tag: string;
  private readonly lostAnswerRate: number;
  private readonly serverErrorRate: number;
  private readonly reauthRate: number;
  private readonly hostileRate: number;
  private readonly ropeContents: boolean;
  private readonly clients: SimulatedClient[] = [];
  private budget: number;
  private hmacCounter = 0;
  private readonly postsByHmac = new Map<string, PostedWallet>();
  // The simulated server's state for this account.
  private stored: WalletVersion | undefined;
  private readonly currentToken: number[];
  private readonly wave: number;
  /** The server's side of requests whose answers are lost, by the time it applies them. */
  private readonly orphans: { client: SimulatedClient; request: InFlight }[] = [];

  constructor(
    accountIndex: number,
    options: SyntheticOptions,
    private readonly random: () => number,
    private readonly operations: Operation[],
  ) {
    this.account = `acct-${accountIndex}`;
    this.tag = accountIndex.toString(36);
    this.lostAnswerRate = options.lostAnswerRate ?? 0.01;
    this.serverErrorRate = options.serverErrorRate ?? 0.002;
    this.reauthRate = options.reauthRate ?? 0.01;
    this.hostileRate = options.hostileRate ?? 0.02;
    this.ropeContents = options.ropeContents ?? false;
    this.budget = options.operationsPerAccount;
    this.wave = Math.floor(accountIndex / (options.concurrentAccounts ?? 32));
    const clientCount = options.clientsPerAccount ?? 8;
    this.currentToken = new Array<number>(clientCount).fill(0);
    for (let index = 0; index < clientCount; index++) {
      this.clients.push({
        label: `c${index}`,
        index,
        token: 0,
        generations: 0,
        base: undefined,
        knowsEmpty: false,
        pending: "",
        changes: 0,
        uncertain: false,
        uncertainPost: undefined,
        inFlight: undefined,
      });
    }
  }

  run(): void {
    const start = this.wave * accountDurationMs + this.random() * accountDurationMs;
    const signedUp = start + 1 + this.random() * 5;
    const signup: SignupOperation = {
      id: 0,
      account: this.account,
      client: "c0",
      invokedAt: start,
      completedAt: signedUp,
      outcome: { type: "ok", status: 201 },
      kind: "signup",
    };
    this.operations.push(signup);
    this.budget--;
    for (const client of this.clients) if (this.budget-- > 0) client.inFlight = this.plan(client, signedUp);

    // Events in time order: an answered request when the server applies it
    // (its client learns the answer then); a request whose answer is lost,
    // when its client gives up; and the server's side of such a request,
    // which may come before or after that.
    for (;;) {
      let next: SimulatedClient | undefined;
      for (const client of this.clients) {
        if (client.inFlight && (!next || eventTime(client.inFlight) < eventTime(next.inFlight!))) next = client;
      }
      const orphan = this.orphans[0];
      if (orphan && (!next || orphan.request.appliedAt < eventTime(next.inFlight!))) {
        this.orphans.shift();
        this.serve(orphan.client, orphan.request);
        continue;
      }
      if (!next) break;
      const request = next.inFlight!;
      const outcome = request.fate === "answered" ? this.serve(next, request) : this.lostOutcome(request.fate);
      if (!outcome) continue; // served in two steps: the second is still to come
      this.operations.push(this.record(next, request, outcome));
      this.react(next, request, outcome);
      next.inFlight = this.budget-- > 0 ? this.plan(next, request.completedAt) : undefined;
    }
  }

  private plan(client: SimulatedClient, freeAt: Millis): InFlight {
    const random = this.random;
    const invokedAt = freeAt + random() * 3;
    const latency = 0.5 + random() * (random() < 0.05 ? 30 : 8);
    const roll = random();
    const fate: Fate =
      roll < this.lostAnswerRate / 2
        ? "timeout"
        : roll < this.lostAnswerRate
          ? "connection"
          : roll < this.lostAnswerRate + this.serverErrorRate
            ? "server-error"
            : "answered";
    const completedAt = fate === "timeout" ? invokedAt + Math.max(timeoutMs, latency) : invokedAt + latency;
    // A request whose answer is lost may still be in the server's queue
    // after its client gave up, and take effect later.
    const late = fate !== "answered" && random() < 0.3;
    const appliedAt = late ? completedAt + random() * 30 : invokedAt + random() * latency;
    const takesEffect = fate === "answered" || random() < 0.5;

    let kind: InFlight["kind"];
    let tokenGeneration = client.token;
    let request: PostedWallet | undefined;
    if (client.token === 0 || random() < this.reauthRate) {
      kind = "auth";
      tokenGeneration = ++client.generations;
    } else if (client.uncertain || (!client.base && !client.knowsEmpty) || random() < 0.45) {
      kind = "get";
    } else {
      kind = "post";
      request = this.buildPost(client);
    }
    const rereads = random() < 0.5;
    const planned: InFlight = { kind, invokedAt, completedAt, appliedAt, tokenGeneration, request, fate, takesEffect, rereads, refused: false };
    if (fate !== "answered" && takesEffect) this.addOrphan(client, planned);
    return planned;
  }

  /** The server's side of a request whose answer will be lost, kept in time order. */
  private addOrphan(client: SimulatedClient, request: InFlight): void {
    let index = this.orphans.length;
    while (index > 0 && this.orphans[index - 1]!.request.appliedAt > request.appliedAt) index--;
    this.orphans.splice(index, 0, { client, request });
  }

  private buildPost(client: SimulatedClient): PostedWallet {
    const random = this.random;
    // Every POST carries at least one change of its own, so its version is unique.
    const change = `${this.tag}.${client.index.toString(36)}.${(client.changes++).toString(36)}`;
    client.pending = client.pending === "" ? change : `${client.pending}:${change}`;
    const base = client.base;
    const baseSequence = base?.sequence ?? 0;
    // join() makes a flat string, as a body parsed from JSON would be; +
    // makes a rope that any reading of the whole content flattens.
    const content = this.ropeContents
      ? `${base?.encryptedWallet ?? "-"}:${client.pending}`
      : [base?.encryptedWallet ?? "-", client.pending].join(":");
    let sequence = baseSequence + 1;
    let move = "honest";
    if (random() < this.hostileRate) {
      if (baseSequence > 0 && random() < 0.5) {
        sequence = Math.max(1, baseSequence - Math.floor(random() * 2));
        move = "stale";
      } else {
        sequence = baseSequence + 2 + Math.floor(random() * 2);
        move = "skip-ahead";
      }
    }
    const hmac = `h${this.tag}.${(this.hmacCounter++).toString(36)}`;
    const posted: PostedWallet = { encryptedWallet: content, sequence, hmac, baseSequence, move };
    if (base) posted.baseHmac = base.hmac;
    this.postsByHmac.set(hmac, posted);
    return posted;
  }

  /**
   * The simulated server's answer, applying the request if it reaches the
   * server; undefined when the answer needs a second step later.
   */
  private serve(client: SimulatedClient, request: InFlight): Outcome | undefined {
    let outcome: Outcome;
    if (request.kind === "auth") {
      this.currentToken[client.index] = request.tokenGeneration;
      outcome = { type: "ok", status: 200 };
    } else if (this.currentToken[client.index] !== request.tokenGeneration) {
      outcome = { type: "refused", status: 401 };
    } else if (request.kind === "get") {
      outcome = this.stored ? { type: "ok", status: 200, wallet: this.stored } : { type: "refused", status: 404 };
    } else if (request.refused) {
      outcome = this.stored ? { type: "refused", status: 409, wallet: this.stored } : { type: "refused", status: 409 };
    } else {
      const posted = request.request!;
      if (posted.sequence === (this.stored?.sequence ?? 0) + 1) {
        this.stored = { encryptedWallet: posted.encryptedWallet, sequence: posted.sequence, hmac: posted.hmac };
        outcome = { type: "ok", status: 200, wallet: this.stored };
      } else if (request.rereads && request.fate === "answered") {
        // The original server re-reads the wallet after a failed UPDATE, so
        // the 409 body may be newer than the version that caused the refusal.
        request.refused = true;
        request.appliedAt += this.random() * (request.completedAt - request.appliedAt);
        return undefined;
      } else {
        outcome = this.stored ? { type: "refused", status: 409, wallet: this.stored } : { type: "refused", status: 409 };
      }
    }
    return outcome;
  }

  private lostOutcome(fate: Fate): Outcome {
    if (fate === "server-error") {
      return { type: "indeterminate", cause: "server-error", status: this.random() < 0.5 ? 500 : 503 };
    }
    return { type: "indeterminate", cause: fate === "timeout" ? "timeout" : "connection" };
  }

  /** Whole object literals: spread objects are many times slower to read. */
  private record(client: SimulatedClient, request: InFlight, outcome: Outcome): Operation {
    const { account } = this;
    const { label: clientLabel } = client;
    const { invokedAt, completedAt, tokenGeneration } = request;
    switch (request.kind) {
      case "post":
        return {
          id: 0,
          account,
          client: clientLabel,
          invokedAt,
          completedAt,
          outcome,
          kind: "post",
          tokenGeneration,
          request: request.request!,
        };
      case "get":
        return { id: 0, account, client: clientLabel, invokedAt, completedAt, outcome, kind: "get", tokenGeneration };
      case "auth":
        return { id: 0, account, client: clientLabel, invokedAt, completedAt, outcome, kind: "auth", tokenGeneration };
    }
  }

  private adopt(client: SimulatedClient, wallet: WalletVersion): void {
    if (!client.base || wallet.sequence >= client.base.sequence) client.base = wallet;
    client.knowsEmpty = false;
    if (client.uncertain) {
      // The lost POST took effect if the wallet was built on it: its changes are no longer local.
      if (client.uncertainPost && this.builtOn(wallet, client.uncertainPost)) client.pending = "";
      client.uncertain = false;
      client.uncertainPost = undefined;
    }
  }

  /** Whether `wallet` is `post`'s version or was built on it, followed through the bases POSTs recorded (no content is read). */
  private builtOn(wallet: WalletVersion, post: PostedWallet): boolean {
    let version: PostedWallet | undefined = this.postsByHmac.get(wallet.hmac);
    while (version && version.sequence > post.sequence) {
      version = version.baseHmac === undefined ? undefined : this.postsByHmac.get(version.baseHmac);
    }
    return version?.hmac === post.hmac;
  }

  /** The client algorithm: adopt newer versions, rebase local changes, re-auth on 401. */
  private react(client: SimulatedClient, request: InFlight, outcome: Outcome): void {
    if (outcome.type === "indeterminate") {
      if (request.kind === "post") {
        client.uncertain = true;
        client.uncertainPost = request.request;
      }
      if (request.kind === "auth") client.token = 0;
      return;
    }
    if (outcome.status === 401) {
      client.token = 0;
      return;
    }
    if (request.kind === "auth") {
      client.token = request.tokenGeneration;
      return;
    }
    if (outcome.type === "ok" && request.kind === "post") {
      client.base = outcome.wallet;
      client.pending = "";
      client.uncertain = false;
      return;
    }
    if (outcome.wallet) this.adopt(client, outcome.wallet);
    else if (outcome.status === 404 || outcome.status === 409) client.knowsEmpty = true;
  }
}

