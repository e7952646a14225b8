// Turns the Exchanges of the protocol client into history operations, so a
// workload runner records what it did without interpreting answers itself.
import type { WalletVersion } from "../../../../spec/index.js";
import type { Exchange } from "../../client/protocol-client.js";
import { walletInBody } from "../../client/wallet-body.js";
import { faultHeader } from "../../faults/fault-kinds.js";
import { noteBodySize } from "./collect-garbage.js";
import { heldCompactly } from "./padded-wallets.js";
import {
  historyFormat,
  tokensIssuedBefore,
  walletShownBefore,
  type AuthOperation,
  type ContentModel,
  type GetOperation,
  type History,
  type Operation,
  type HistoryProfile,
  type OperationKind,
  type Outcome,
  type PasswordOperation,
  type PostedWallet,
  type PostOperation,
  type ServerEvent,
  type SignupOperation,
  type SocketOperation,
  type TokenRef,
} from "../../history/history.js";
import { defaultHorizon } from "../../history/online/carry.js";

/** The status that means success for each kind of request. */
export const successStatus: Readonly<Record<OperationKind, number>> = { signup: 201, auth: 200, get: 200, post: 200, password: 200, socket: 101 };

/** The wallet a history records from a body: the body's wallet triple, with a whole-number sequence. */
function recordedWallet(json: unknown): WalletVersion | undefined {
  const wallet = walletInBody(json);
  return wallet && Number.isInteger(wallet.sequence) ? wallet : undefined;
}

/**
 * Classifies an exchange: the kind's success status is "ok", another 4xx (or
 * 3xx) is "refused", and a 5xx or a transport failure is "indeterminate",
 * since the request may have taken effect before the server or the
 * connection failed. A 429 that is still there after the client's retries is
 * "refused": a rate limit is applied before a request is handled (RFC 6585),
 * so treating it as indeterminate would only hide lost updates behind it.
 */
export function outcomeOf(kind: OperationKind, exchange: Exchange): Outcome {
  const response = exchange.response;
  if (!response) {
    const failure = exchange.failure;
    return failedOutcome(failure?.kind === "timeout" ? "timeout" : "connection", failure?.message ?? "no answer");
  }
  const outcome = statusOutcome(kind, response.status);
  if (outcome.type === "indeterminate" || (kind !== "get" && kind !== "post")) return outcome;
  const { type } = outcome;
  const wallet = recordedWallet(response.json);
  if (wallet) return { type, status: response.status, wallet };
  if (hasWalletFields(response.json)) return { type, status: response.status, unreadableWallet: true };
  return { type, status: response.status };
}

/** A request that got no answer: it may or may not have taken effect. */
export function failedOutcome(cause: "timeout" | "connection", message: string): Outcome {
  return { type: "indeterminate", cause, message };
}

/** What a status alone says: the kind's success is "ok", a 5xx settles nothing, anything else is "refused". */
export function statusOutcome(kind: OperationKind, status: number): Outcome {
  if (status >= 500) return { type: "indeterminate", cause: "server-error", status };
  return { type: status === successStatus[kind] ? "ok" : "refused", status };
}

/** Whether a body meant to carry a wallet: it has one of the wallet's fields. */
function hasWalletFields(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  return "encryptedWallet" in json || "sequence" in json || "hmac" in json;
}

/** What a recorder is told and tells while it records (--restarts), and where it streams to (a soak's long-lived accounts). */
export interface RecorderWatch {
  /** The server's crashes and restarts so far; a history holds those within its time. */
  serverEvents?: () => readonly ServerEvent[];
  /** Called with every operation as it is recorded. */
  onRecorded?: (operation: Operation) => void;
  /**
   * Streaming: every operation goes here as it is recorded and the recorder
   * keeps none of them (a soak's long-lived accounts, judged online), only
   * each device's newest tokens, which a password change names as ended.
   */
  sink?: (operation: Operation) => void;
}

/** Tokens per device a streaming recorder remembers for the password changes it records: as many as the online checker keeps (carry.ts). */
const streamedTokensPerDevice = defaultHorizon.keepTokens;

export interface OperationLabels {
  account: string;
  client: string;
  /** The node of a deployment the request went to; absent for a single server. */
  node?: string;
}

/** Token generations are counted per account and client: NUL joins them, which neither name holds. */
const generationKey = (account: string, client: string): string => `${account}\u0000${client}`;

/**
 * Collects operations in the order they are recorded and numbers them (or
 * streams them to its sink, keeping none). Token
 * generations are counted per (account, client): the runner keeps, with each
 * token it got, the generation of the auth operation that issued it.
 */
export class HistoryRecorder {
  private readonly recorded: Operation[] = [];
  private readonly generations = new Map<string, number>();
  /** Operations recorded so far, streamed or kept: the next one's id is one more. */
  private count = 0;
  /** Streaming: per account, per client, the newest tokens issued (answered 200), oldest first. */
  private readonly issued = new Map<string, Map<string, Array<{ tokenGeneration: number; completedAt: number }>>>();

  constructor(
    private readonly contentModel: ContentModel = "append-log",
    private readonly meta?: History["meta"],
    private readonly watch: RecorderWatch = {},
    private readonly profile?: HistoryProfile,
  ) {}

  // Operations are written out as whole object literals, not spread from a
  // common part: spread objects are many times slower to read, and a history
  // of a million operations is read many times over.

  signup(labels: OperationLabels, exchange: Exchange): SignupOperation {
    const { id, outcome } = this.next("signup", exchange);
    const { account, client } = labels;
    const { startedAt: invokedAt, endedAt: completedAt } = exchange;
    return this.add({ id, account, client, invokedAt, completedAt, outcome, kind: "signup" }, labels, exchange);
  }

  /** Records an auth request; its tokenGeneration names the token it issued, if it did. `password`: the label of the password it gave (api3). */
  auth(labels: OperationLabels, exchange: Exchange, password?: string): AuthOperation {
    const key = generationKey(labels.account, labels.client);
    const tokenGeneration = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, tokenGeneration);
    const { id, outcome } = this.next("auth", exchange);
    const { account, client } = labels;
    const { startedAt: invokedAt, endedAt: completedAt } = exchange;
    const operation: AuthOperation = { id, account, client, invokedAt, completedAt, outcome, kind: "auth", tokenGeneration };
    if (password !== undefined) operation.password = password;
    return this.add(operation, labels, exchange);
  }

  get(labels: OperationLabels, tokenGeneration: number, exchange: Exchange): GetOperation {
    const { id, outcome } = this.next("get", exchange);
    const { account, client } = labels;
    const { startedAt: invokedAt, endedAt: completedAt } = exchange;
    return this.add({ id, account, client, invokedAt, completedAt, outcome, kind: "get", tokenGeneration }, labels, exchange);
  }

  /**
   * Records a POST /wallet. `sent` is the version as the runner built it (the
   * exchange may hold only a prefix of a large body) with the base it built on.
   */
  post(labels: OperationLabels, tokenGeneration: number, sent: PostedWallet, exchange: Exchange): PostOperation {
    const request: PostedWallet = {
      encryptedWallet: sent.encryptedWallet,
      sequence: sent.sequence,
      hmac: sent.hmac,
      baseSequence: sent.baseSequence,
    };
    if (sent.baseHmac !== undefined) request.baseHmac = sent.baseHmac;
    if (sent.move !== undefined) request.move = sent.move;
    heldCompactly(request);
    const { id, outcome } = this.next("post", exchange);
    const { account, client } = labels;
    const { startedAt: invokedAt, endedAt: completedAt } = exchange;
    return this.add({ id, account, client, invokedAt, completedAt, outcome, kind: "post", tokenGeneration, request }, labels, exchange);
  }

  /**
   * Records a password change (api3): the labels of its passwords, the wallet
   * it sent with the base its client had seen, and the tokens of the account
   * issued before it was sent, which a 200 ends.
   */
  password(labels: OperationLabels, change: { oldPassword: string; newPassword: string; request?: PostedWallet }, exchange: Exchange): PasswordOperation {
    const { id, outcome } = this.next("password", exchange);
    const { account, client } = labels;
    const { startedAt: invokedAt, endedAt: completedAt } = exchange;
    const { oldPassword, newPassword } = change;
    const endsTokens = this.watch.sink ? this.streamedTokensBefore(account, invokedAt) : tokensIssuedBefore(this.recorded, account, invokedAt);
    const operation: PasswordOperation = { id, account, client, invokedAt, completedAt, outcome, kind: "password", oldPassword, newPassword, endsTokens };
    const walletShownBy = walletShownBefore(this.recorded, account, invokedAt);
    if (walletShownBy !== undefined) operation.walletShownBy = walletShownBy;
    if (change.request) operation.request = heldCompactly({ ...change.request });
    return this.add(operation, labels, exchange);
  }

  /**
   * Records a socket once its upgrade is answered (api3). The socket goes on
   * receiving: its holder appends frames and sets how it closed on the
   * returned operation until the history is taken.
   */
  socket(labels: OperationLabels, tokenGeneration: number, upgrade: { invokedAt: number; completedAt: number; outcome: Outcome }): SocketOperation {
    const { account, client } = labels;
    const { invokedAt, completedAt, outcome } = upgrade;
    const id = ++this.count;
    const operation: SocketOperation = { id, account, client, invokedAt, completedAt, outcome, kind: "socket", tokenGeneration, frames: [] };
    if (labels.node !== undefined) operation.node = labels.node;
    return this.keep(operation);
  }

  /**
   * Drops what the recorder holds of an account that records nothing more
   * (a soak's newcomer, judged to its end): its token generations and the
   * tokens it remembers, so that a run of thousands of accounts keeps none
   * of them. An operation of it recorded later starts it anew.
   */
  forgetAccount(account: string): void {
    const prefix = generationKey(account, "");
    for (const key of this.generations.keys()) if (key.startsWith(prefix)) this.generations.delete(key);
    this.issued.delete(account);
  }

  /** The operations kept: all of them, none when streaming. */
  get operations(): readonly Operation[] {
    return this.recorded;
  }

  /** Operations recorded so far, streamed ones included. */
  get recordedCount(): number {
    return this.count;
  }

  toHistory(): History {
    const events = this.eventsWithin();
    return {
      format: historyFormat,
      ...(this.profile !== undefined && this.profile !== "seed" ? { profile: this.profile } : {}),
      contentModel: this.contentModel,
      operations: [...this.recorded],
      ...(this.meta ? { meta: this.meta } : {}),
      ...(events.length > 0 ? { events } : {}),
    };
  }

  /** The server events between the first request and the last answer. */
  private eventsWithin(): ServerEvent[] {
    const all = this.watch.serverEvents?.() ?? [];
    if (all.length === 0 || this.recorded.length === 0) return [];
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const op of this.recorded) {
      from = Math.min(from, op.invokedAt);
      to = Math.max(to, op.completedAt);
    }
    return all.filter((event) => event.at >= from && event.at <= to).map((event) => ({ ...event }));
  }

  private next(kind: OperationKind, exchange: Exchange): { id: number; outcome: Outcome } {
    return { id: ++this.count, outcome: outcomeOf(kind, exchange) };
  }

  /** Labels the operation with its node, and notes the fault the request named for the proxy, if any. */
  private add<T extends Operation>(operation: T, labels: OperationLabels, exchange: Exchange): T {
    if (labels.node !== undefined) operation.node = labels.node;
    const fault = exchange.request.headers[faultHeader];
    if (fault !== undefined) operation.fault = fault;
    noteBodySize(Math.max(exchange.request.bodyBytes ?? 0, exchange.response?.text.length ?? 0));
    return this.keep(operation);
  }

  /** Keeps the operation, or hands it to the sink; tells the watcher either way. */
  private keep<T extends Operation>(operation: T): T {
    const sink = this.watch.sink;
    if (sink) {
      if (operation.kind === "auth" && operation.outcome.type === "ok") this.noteIssued(operation);
      sink(operation);
    } else this.recorded.push(operation);
    this.watch.onRecorded?.(operation);
    return operation;
  }

  private noteIssued(auth: AuthOperation): void {
    let byClient = this.issued.get(auth.account);
    if (!byClient) this.issued.set(auth.account, (byClient = new Map()));
    const tokens = byClient.get(auth.client) ?? [];
    tokens.push({ tokenGeneration: auth.tokenGeneration, completedAt: auth.completedAt });
    if (tokens.length > streamedTokensPerDevice) tokens.shift();
    byClient.set(auth.client, tokens);
  }

  /** tokensIssuedBefore for a streaming recorder: of the newest tokens it remembers. */
  private streamedTokensBefore(account: string, time: number): TokenRef[] {
    const tokens: TokenRef[] = [];
    for (const [client, issued] of this.issued.get(account) ?? []) {
      for (const token of issued) if (token.completedAt < time) tokens.push({ client, tokenGeneration: token.tokenGeneration });
    }
    return tokens;
  }
}
