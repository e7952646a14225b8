// A small language for hand-made histories in tests: one line per request,
// with its client, its [sent, answered] times and its answer.
import {
  historyFormat,
  versionOf,
  type AuthOperation,
  type ContentModel,
  type GetOperation,
  type History,
  type Operation,
  type Outcome,
  type PostOperation,
  type WalletVersion,
} from "../../src/interleavings/history/history.js";

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
}

export class HistoryBuilder {
  private readonly operations: Operation[] = [];

  constructor(private readonly contentModel: ContentModel = "append-log") {}

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
    return this.add({ ...this.common(client, at, answer, account), kind: "auth", tokenGeneration: options.gen ?? 1 });
  }

  build(): History {
    return { format: historyFormat, contentModel: this.contentModel, operations: [...this.operations] };
  }

  private common(client: string, at: Interval, outcome: Outcome, account: string) {
    return { id: this.operations.length + 1, account, client, invokedAt: at[0], completedAt: at[1], outcome };
  }

  private add<T extends Operation>(operation: T): T {
    this.operations.push(operation);
    return operation;
  }
}
