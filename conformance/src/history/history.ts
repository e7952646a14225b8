// The recorded history of a concurrent workload: every request a client made,
// when it was sent and answered, and what came of it. Plain JSON (no Maps, no
// classes) so that it can be saved into reports and replay files and checked
// again later.

export const historyFormat = "wallet-sync-history/2";

/**
 * Every format the checker reads: /1 is /2 without password changes,
 * sockets and `profile`, so a /1 history is read as it is.
 */
export const readableHistoryFormats = ["wallet-sync-history/1", historyFormat] as const;
export type HistoryFormat = (typeof readableHistoryFormats)[number];

export function isReadableHistoryFormat(format: unknown): format is HistoryFormat {
  return readableHistoryFormats.includes(format as HistoryFormat);
}

/** Milliseconds on one monotonic clock: performance.now() of the recording process. */
export type Millis = number;

/**
 * A wallet version as the protocol names it: the triple a POST sends and a
 * server returns. It is spec/index.ts's WalletVersion, declared here so that
 * the checker core imports nothing outside its folder; a type test keeps the
 * two the same.
 */
export interface WalletVersion {
  encryptedWallet: string;
  sequence: number;
  hmac: string;
}

export type OperationKind = "signup" | "auth" | "get" | "post" | "password" | "socket";

/** The request got the answer that means success: 201 for signup, 101 for a socket's upgrade, 200 otherwise. */
export interface OkOutcome {
  type: "ok";
  status: number;
  /** The wallet in the body (GET 200, POST 200 echo), when the body carried one. */
  wallet?: WalletVersion;
  /** The body had wallet fields that do not make a wallet (a schema matter): the answer shows nothing. */
  unreadableWallet?: true;
}

/** The server answered with a 4xx: the request took no effect. */
export interface RefusedOutcome {
  type: "refused";
  status: number;
  /** The wallet in the body: the stored wallet a 409 carries. Absent for 401, 404, or a 409 of an account without a wallet. */
  wallet?: WalletVersion;
  /** The body had wallet fields that do not make a wallet (a schema matter): the answer shows nothing. */
  unreadableWallet?: true;
}

/**
 * No answer that settles it: a timeout, a lost connection or a 5xx. The
 * request may or may not have taken effect, so it is never counted as either.
 */
export interface IndeterminateOutcome {
  type: "indeterminate";
  cause: "timeout" | "connection" | "server-error";
  /** The status of a server-error answer. */
  status?: number;
  message?: string;
}

export type Outcome = OkOutcome | RefusedOutcome | IndeterminateOutcome;

interface OperationCommon {
  /** Unique within the history; violations name operations by it. */
  id: number;
  /** Label of the account (unique per account within a history). */
  account: string;
  /** Label of the client, that is the device (deviceId) within its account. */
  client: string;
  /** The node of a deployment it went to ("n2"); absent when the server is one process. The checks do not look at it. */
  node?: string;
  /** When the request was sent and when its answer (or failure) was complete. */
  invokedAt: Millis;
  completedAt: Millis;
  outcome: Outcome;
  /**
   * A fault injected into this request on purpose (a hangup after sending, a
   * dropped answer...): reports mark it. The outcome is what the client saw.
   */
  fault?: string;
}

export interface SignupOperation extends OperationCommon {
  kind: "signup";
}

export interface AuthOperation extends OperationCommon {
  kind: "auth";
  /** The generation of this device's token that this request asked for: 1, 2, ... per (account, client). */
  tokenGeneration: number;
  /**
   * Which of the account's passwords it logged in with, as the history labels
   * them (PasswordOperation); absent where passwords never change.
   */
  password?: string;
}

export interface GetOperation extends OperationCommon {
  kind: "get";
  /** Which of the device's tokens (by auth generation) the request carried. */
  tokenGeneration: number;
}

/** What a POST sent, and what its client had seen when it built it. */
export interface PostedWallet extends WalletVersion {
  /**
   * The sequence of the base the client had actually seen when it built this
   * version (0: it had seen no wallet). An honest client posts baseSequence + 1;
   * a hostile move (skipping ahead, posting stale) posts something else.
   */
  baseSequence: number;
  /**
   * The hmac of the version the client built on (absent when it had seen no
   * wallet, or when the recording tool does not know it). A version's hmac
   * names its content (the protocol's hmac covers sequence and content), so
   * with it the checker follows what each version was built on without
   * comparing whole contents, which grow with every change.
   */
  baseHmac?: string;
  /** What the workload meant by this POST ("honest", "skip-ahead", "stale"...), for reports only. */
  move?: string;
}

export interface PostOperation extends OperationCommon {
  kind: "post";
  tokenGeneration: number;
  request: PostedWallet;
}

/** One token of the account: the one a device's auth of that generation issued. */
export interface TokenRef {
  client: string;
  tokenGeneration: number;
}

/**
 * POST /password (api3): the account's password changed from `oldPassword`
 * to `newPassword` (labels, not the passwords: "p0" is the signup's, each
 * change names the one it sets). With a wallet, re-encrypted under the new
 * password, it is a write in the account's sequence chain like a POST.
 */
export interface PasswordOperation extends OperationCommon {
  kind: "password";
  oldPassword: string;
  newPassword: string;
  /** The wallet it sent, with the base its client had seen; absent when its client had seen no wallet. */
  request?: PostedWallet;
  /**
   * The account's tokens issued (auth answered 200) before it was sent: a 200
   * ends them all (PASS-2). Tokens issued while it ran are not listed: the
   * server may have processed their auth before or after the change.
   */
  endsTokens: TokenRef[];
  /**
   * The first operation whose answer showed the account's wallet (a write or
   * a GET answered 200) before this change was sent; absent when none had.
   * Wallets are never deleted: a change without one sent after it must be
   * refused (PASS-4).
   */
  walletShownBy?: number;
}

/** A frame a socket received, when it arrived; a binary one is written "(a binary frame) …", so it announces nothing. */
export interface SocketFrame {
  at: Millis;
  text: string;
}

/** How a socket ended: a close frame from the server, the connection dropped without one, or closed by its client at the end of the run. */
export interface SocketClose {
  by: "server" | "drop" | "client";
  at: Millis;
  /** The close frame's status code, if one came. */
  code?: number;
}

/**
 * A device's WebSocket (api3), opened with one of its tokens. invokedAt and
 * completedAt are when the upgrade was asked and answered; the outcome is
 * "ok" for 101. What it received afterwards, and how it ended, follow.
 */
export interface SocketOperation extends OperationCommon {
  kind: "socket";
  tokenGeneration: number;
  /** Text frames in order of arrival. */
  frames: SocketFrame[];
  /** Frames that came after the recorder's cap and were not kept: none of the socket's frames is then known to be missing. */
  framesDropped?: number;
  /** Absent when the upgrade failed, or when the recording tool does not know how the socket ended. */
  closed?: SocketClose;
}

export type Operation = SignupOperation | AuthOperation | GetOperation | PostOperation | PasswordOperation | SocketOperation;

/** A password change that sent a wallet: a write of that version, as a POST is. */
export type WalletPasswordOperation = PasswordOperation & { request: PostedWallet };

/** A request that writes a version of the wallet if it takes effect: every pass of the sequence chain reads writes through this one type. */
export type WriteOperation = PostOperation | WalletPasswordOperation;

/** Requests that carry one of the device's tokens. */
export type TokenOperation = GetOperation | PostOperation | SocketOperation;

export function isWrite(operation: Operation): operation is WriteOperation {
  return operation.kind === "post" || (operation.kind === "password" && operation.request !== undefined);
}

/** The profiles a history may come from (spec/profiles.ts names them; a type test keeps the two the same). */
export type HistoryProfile = "seed" | "api3";

/**
 * Whether a 409 to a POST carries the stored wallet (seed: SEQ-4). In api3
 * its body is an error only, so a 409 without a wallet says nothing about
 * what is stored.
 */
export function conflictsCarryWallet(history: Pick<History, "profile">): boolean {
  return (history.profile ?? "seed") === "seed";
}

/**
 * How wallet contents relate across versions. "append-log": the demo wallet of
 * the walkthrough's client, where each version extends its base's change log
 * with ":xxxx" segments, so a lost update is visible in the content; a
 * version may end in "~" and padding that the next one drops (bases.ts), and
 * a client may write a version anew (a "move" of "advance"), which the
 * history follows through the base it records (baseHmac). "opaque":
 * contents are only compared for equality.
 */
export type ContentModel = "append-log" | "opaque";

export interface History {
  format: HistoryFormat;
  /** The protocol the history was recorded with; absent: seed. */
  profile?: HistoryProfile;
  contentModel: ContentModel;
  /** Every request made to the history's accounts, in any order. */
  operations: Operation[];
  /** Free-form facts about the run (server, seed, workload) carried into reports. */
  meta?: Record<string, string | number | boolean>;
  /** What happened to the server during the history: crashes and restarts, on the operations' clock. */
  events?: ServerEvent[];
}

/** "crash": the server process was killed (SIGKILL); "restart": it answered again after being started anew. */
export interface ServerEvent {
  kind: "crash" | "restart";
  at: Millis;
  /** The node of a deployment it happened to ("n2"); absent when the server is one process. */
  node?: string;
}

/** An honest write claims exactly what its client had seen: base + 1. */
export function isHonestPost(post: WriteOperation): boolean {
  return post.request.sequence === post.request.baseSequence + 1;
}

export function sameVersion(a: WalletVersion, b: WalletVersion): boolean {
  return a.sequence === b.sequence && a.hmac === b.hmac && a.encryptedWallet === b.encryptedWallet;
}

/** The version a write stored if it took effect. */
export function versionOf(post: WriteOperation): WalletVersion {
  const { encryptedWallet, sequence, hmac } = post.request;
  return { encryptedWallet, sequence, hmac };
}

/** The first operation of `account` whose answer showed its wallet before `time` (PasswordOperation.walletShownBy). */
export function walletShownBefore(operations: readonly Operation[], account: string, time: Millis): number | undefined {
  let first: Operation | undefined;
  for (const op of operations) {
    if (op.account !== account || (op.kind !== "get" && !isWrite(op)) || op.outcome.type !== "ok" || !(op.completedAt < time)) continue;
    if (!first || op.completedAt < first.completedAt) first = op;
  }
  return first?.id;
}

/**
 * The tokens of `account` issued before `time`: auths answered 200 by then.
 * What a password change sent at `time` ends (PasswordOperation.endsTokens).
 */
export function tokensIssuedBefore(operations: readonly Operation[], account: string, time: Millis): TokenRef[] {
  const tokens: TokenRef[] = [];
  for (const op of operations) {
    if (op.kind === "auth" && op.account === account && op.outcome.type === "ok" && op.completedAt < time) {
      tokens.push({ client: op.client, tokenGeneration: op.tokenGeneration });
    }
  }
  return tokens;
}
