// A small language for hand-made histories in tests: one line per request,
// with its client, its [sent, answered] times and its answer.
import {
  historyFormat,
  tokensIssuedBefore,
  walletShownBefore,
  versionOf,
  type AuthOperation,
  type ContentModel,
  type GetOperation,
  type History,
  type HistoryProfile,
  type Operation,
  type Outcome,
  type PasswordOperation,
  type PostedWallet,
  type PostOperation,
  type SocketClose,
  type SocketFrame,
  type SocketOperation,
  type WalletVersion,
} from "../../src/history/history.js";

export type Interval = [sent: number, answered: number];

/** How a request was answered, before the builder fills in a POST's own echo. */
export type Answer = Outcome | { type: "accepted" };

export const accepted: Answer = { type: "accepted" };
export const timeout: Answer = { type: "indeterminate", cause: "timeout" };
export const lostConnection: Answer = { type: "indeterminate", cause: "connection" };
export const serverError = (status = 500): Answer => ({ type: "indeterminate", cause: "server-error", status });
export const conflict = (wallet?: WalletVersion): Answer =>
  wallet ? { type: "refused", status: 409, wallet } : { type: "refused", status: 409 };
export const unauthorized: Answer = { type: "refused", status: 401 };
export const notFound: Answer = { type: "refused", status: 404 };
export const returns = (wallet: WalletVersion): Answer => ({ type: "ok", status: 200, wallet });
export const authorized: Answer = { type: "ok", status: 200 };
export const upgraded: Answer = { type: "ok", status: 101 };
/** A password change's 200 (api3: `{}`, no wallet). */
export const changed: Answer = { type: "ok", status: 200 };

/** The hmac a client of this account computes: the same for the same (sequence, content). */
export function hmacOf(account: string, sequence: number, content: string): string {
  return `hmac(${account}|${sequence}|${content})`;
}

/** A version as a client of `account` would have posted it. */
export function version(sequence: number, content: string, account = "acct"): WalletVersion {
  return { encryptedWallet: content, sequence, hmac: hmacOf(account, sequence, content) };
}

export { versionOf };

interface Options {
  account?: string;
  /** The sequence of the client's base; default: sequence - 1 (an honest POST). */
  base?: number;
  /** The token generation used (GET, POST) or issued (auth); default 1. */
  gen?: number;
  /** The POST whose version the client built on, recorded as baseHmac (as the suite's devices record it). */
  builtOn?: PostOperation;
  /** An auth's password label (api3). */
  password?: string;
}

/** A password change: labels of its passwords, and the wallet it sends (sequence, content) when its client has seen one. */
export interface PasswordChange {
  from: string;
  to: string;
  wallet?: { sequence: number; content: string };
}

/** A socket's life after its upgrade: frames as [arrival time, text], and how it ended. */
export interface SocketLife {
  frames?: Array<[at: number, text: string]>;
  closed?: SocketClose;
  framesDropped?: number;
}

export class HistoryBuilder {
  private readonly operations: Operation[] = [];

  constructor(
    private readonly contentModel: ContentModel = "append-log",
    private readonly profile?: HistoryProfile,
  ) {}

  post(client: string, sequence: number, content: string, at: Interval, answer: Answer, options: Options = {}): PostOperation {
    const account = options.account ?? "acct";
    const request = {
      ...version(sequence, content, account),
      baseSequence: options.base ?? sequence - 1,
      ...(options.builtOn ? { baseHmac: options.builtOn.request.hmac } : {}),
    };
    const outcome: Outcome =
      answer.type === "accepted" ? { type: "ok", status: 200, wallet: versionOf({ request } as PostOperation) } : answer;
    return this.add({ ...this.common(client, at, outcome, account), kind: "post", tokenGeneration: options.gen ?? 1, request });
  }

  get(client: string, at: Interval, answer: Answer, options: Options = {}): GetOperation {
    if (answer.type === "accepted") throw new Error("a GET is not accepted; use returns(wallet)");
    const account = options.account ?? "acct";
    return this.add({ ...this.common(client, at, answer, account), kind: "get", tokenGeneration: options.gen ?? 1 });
  }

  auth(client: string, at: Interval, answer: Answer = authorized, options: Options = {}): AuthOperation {
    if (answer.type === "accepted") throw new Error("use authorized");
    const account = options.account ?? "acct";
    const password = options.password !== undefined ? { password: options.password } : {};
    return this.add({ ...this.common(client, at, answer, account), kind: "auth", tokenGeneration: options.gen ?? 1, ...password });
  }

  /** A password change; it ends the tokens of auths answered before it was sent (as the recorder lists them). */
  password(client: string, change: PasswordChange, at: Interval, answer: Answer, options: Options = {}): PasswordOperation {
    if (answer.type === "accepted") throw new Error("use changed");
    const account = options.account ?? "acct";
    const wallet = change.wallet;
    const request: PostedWallet | undefined = wallet && {
      ...version(wallet.sequence, wallet.content, account),
      baseSequence: options.base ?? wallet.sequence - 1,
      move: "password-change",
    };
    return this.add({
      ...this.common(client, at, answer, account),
      kind: "password",
      oldPassword: change.from,
      newPassword: change.to,
      ...(request ? { request } : {}),
      endsTokens: tokensIssuedBefore(this.operations, account, at[0]),
      ...shownBy(walletShownBefore(this.operations, account, at[0])),
    });
  }

  socket(client: string, at: Interval, answer: Answer, life: SocketLife = {}, options: Options = {}): SocketOperation {
    if (answer.type === "accepted") throw new Error("use upgraded");
    const account = options.account ?? "acct";
    const frames: SocketFrame[] = (life.frames ?? []).map(([time, text]) => ({ at: time, text }));
    return this.add({
      ...this.common(client, at, answer, account),
      kind: "socket",
      tokenGeneration: options.gen ?? 1,
      frames,
      ...(life.framesDropped !== undefined ? { framesDropped: life.framesDropped } : {}),
      ...(life.closed ? { closed: life.closed } : {}),
    });
  }

  build(): History {
    return {
      format: historyFormat,
      ...(this.profile ? { profile: this.profile } : {}),
      contentModel: this.contentModel,
      operations: [...this.operations],
    };
  }

  private common(client: string, at: Interval, outcome: Outcome, account: string) {
    return { id: this.operations.length + 1, account, client, invokedAt: at[0], completedAt: at[1], outcome };
  }

  private add<T extends Operation>(operation: T): T {
    this.operations.push(operation);
    return operation;
  }
}

function shownBy(id: number | undefined): { walletShownBy?: number } {
  return id === undefined ? {} : { walletShownBy: id };
}
