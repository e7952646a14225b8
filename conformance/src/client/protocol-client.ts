// A protocol client over undici that never throws on what a server does:
// every call resolves to an Exchange that records the request and either the
// response or the transport failure, for checks, histories and reports.
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import { defaultProfile, specProfile, type AuthRequest, type ProfileName, type WalletVersion } from "../../../spec/index.js";
import type { Api3PasswordChangeRequest } from "../../../spec/api3.js";
import { RateLimits, sendRateLimited, type LimitedResponse } from "./rate-limit.js";
import { maxJsonDepth, maxResponseBytes } from "../defaults.js";
import { BodyTooLarge, jsonDepthExceeds } from "./bounded-body.js";
import { boundedRequest } from "./bounded-request.js";
import { connectionDispatcher, directConnection } from "./connection.js";
import { detachedCopy } from "./detached-copy.js";
import { shareWalletIn, type SharedWallets } from "./shared-wallets.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS";

export interface SentRequest {
  method: HttpMethod;
  /** Path with query string, as sent. */
  path: string;
  headers: Record<string, string>;
  /** The body as sent (text); for very large bodies only a prefix and the size. */
  body?: string;
  bodyBytes?: number;
}

export interface ReceivedResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, by content whatever the Content-Type; undefined when it is not JSON. */
  json: unknown;
}

export type TransportFailure = {
  /**
   * timeout: no complete answer in time (the message says whether headers came);
   * connection: refused, reset or closed early;
   * unreadable: an answer the suite will not read: not HTTP, headers or body
   * past the suite's limits, JSON nested too deep.
   */
  kind: "timeout" | "connection" | "unreadable";
  message: string;
};

export interface Exchange {
  request: SentRequest;
  response?: ReceivedResponse;
  failure?: TransportFailure;
  /** performance.now() milliseconds: invocation and completion. */
  startedAt: number;
  endedAt: number;
}

/** A signup body of either profile: api3 adds the account's client salt seed. */
export interface SignupBody {
  email: string;
  password: string;
  clientSaltSeed?: string;
}

/** A well-formed POST /wallet: the seed profile's body also carries `version` 1, which the client adds. */
export type WalletPost = WalletVersion & { token: string };

export interface ProtocolClientOptions {
  /** The server's root (a gateway's path prefix included); the profile adds its own prefix to every path. */
  baseUrl: string;
  /** The profile whose paths and bodies the typed calls use; the seed profile by default. */
  profile?: ProfileName;
  /** Per-request timeout in milliseconds (headers and body alike). */
  timeoutMs?: number;
  /** Called with every exchange, for reports. */
  onExchange?: (exchange: Exchange) => void;
  /** Shared connection pool; one is made per client when absent. */
  dispatcher?: Dispatcher;
  /** The run's rate-limit state (pace, counts); one is made per client when absent. */
  rateLimits?: RateLimits;
  /** Headers added to each request as it is sent (the request's own win); asked again for every request. */
  requestHeaders?: () => Record<string, string>;
  /** Where the large wallets it reads are shared (shared-wallets.ts), by whoever outlives them (a workload's execution); none when absent. */
  sharedWallets?: SharedWallets;
}

export interface RawRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  /** A string or bytes sent as is; an object is sent as JSON. */
  body?: string | Uint8Array | object;
  headers?: Record<string, string>;
}

const recordedBodyLimit = 4096;

export class ProtocolClient {
  readonly baseUrl: string;
  readonly profile: ProfileName;
  /** The profile's path prefix ("" or "/api/3"), put before every path sent. */
  readonly pathPrefix: string;
  readonly timeoutMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly onExchange: ((exchange: Exchange) => void) | undefined;
  private readonly rateLimits: RateLimits;
  private readonly requestHeaders: (() => Record<string, string>) | undefined;
  private readonly sharedWallets: SharedWallets | undefined;

  constructor(options: ProtocolClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.profile = options.profile ?? defaultProfile;
    this.pathPrefix = specProfile(this.profile).pathPrefix;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.onExchange = options.onExchange;
    this.rateLimits = options.rateLimits ?? new RateLimits();
    this.requestHeaders = options.requestHeaders;
    this.sharedWallets = options.sharedWallets;
    this.dispatcher =
      options.dispatcher ??
      connectionDispatcher(directConnection, { timeoutMs: this.timeoutMs, connections: 64, pipelining: 0 });
  }

  /** A client over the same connections, rate limits and reporting that adds `headers()` to every request. */
  withRequestHeaders(headers: () => Record<string, string>): ProtocolClient {
    return this.derived({ requestHeaders: headers });
  }

  /** The same client (rate limits, reporting, headers) over other connections. */
  withDispatcher(dispatcher: Dispatcher): ProtocolClient {
    return this.derived({ dispatcher });
  }

  /** The same client, sharing the large wallets it reads in `wallets`. */
  withSharedWallets(wallets: SharedWallets): ProtocolClient {
    return this.derived({ sharedWallets: wallets });
  }

  private derived(changes: Pick<ProtocolClientOptions, "dispatcher" | "requestHeaders" | "sharedWallets">): ProtocolClient {
    return new ProtocolClient({
      baseUrl: this.baseUrl,
      profile: this.profile,
      timeoutMs: this.timeoutMs,
      dispatcher: this.dispatcher,
      rateLimits: this.rateLimits,
      ...(this.sharedWallets ? { sharedWallets: this.sharedWallets } : {}),
      ...(this.requestHeaders ? { requestHeaders: this.requestHeaders } : {}),
      ...(this.onExchange ? { onExchange: this.onExchange } : {}),
      ...changes,
    });
  }

  signup(body: SignupBody): Promise<Exchange> {
    return this.send({ method: "POST", path: "/signup", body });
  }

  auth(body: AuthRequest): Promise<Exchange> {
    return this.send({ method: "POST", path: "/auth/full", body });
  }

  getWallet(token: string): Promise<Exchange> {
    return this.send({ method: "GET", path: "/wallet", query: { token } });
  }

  postWallet(body: WalletPost): Promise<Exchange> {
    return this.send({ method: "POST", path: "/wallet", body: walletPostBody(this.profile, body) });
  }

  /** api3: the account's client salt seed; the email travels as standard base64. */
  getClientSaltSeed(email: string): Promise<Exchange> {
    return this.send({ method: "GET", path: "/client-salt-seed", query: { email: Buffer.from(email, "utf8").toString("base64") } });
  }

  /** api3: a password change, with the wallet re-encrypted when the account has one. */
  changePassword(body: Api3PasswordChangeRequest): Promise<Exchange> {
    return this.send({ method: "POST", path: "/password", body });
  }

  /**
   * Does `send` again while its answer is a rate limit, paced and bounded as
   * this client's requests are: for what it sends outside `send()` (the
   * WebSocket upgrade). The last result is returned.
   */
  untilNotRateLimited<T>(send: () => Promise<T>, responseOf: (result: T) => LimitedResponse | undefined): Promise<T> {
    return sendRateLimited(this.rateLimits, send, responseOf);
  }

  /**
   * api3: the path (with its query) the account's notification socket is
   * opened at, the profile's prefix included: with a token, or with any
   * query a check sends (none at all, to see it refused).
   */
  socketPath(query: string | Record<string, string>): string {
    const parameters = new URLSearchParams(typeof query === "string" ? { token: query } : query).toString();
    return `${this.pathPrefix}/websocket${parameters === "" ? "" : `?${parameters}`}`;
  }

  /**
   * Sends anything, including bodies the spec forbids. A rate limit is not
   * an answer: the request is sent again after the wait it asks for (every
   * attempt is an exchange of its own), and only the last one is returned.
   * `path` is the protocol's ("/wallet"): the profile's prefix goes before it.
   */
  send(raw: RawRequest): Promise<Exchange> {
    return sendRateLimited(this.rateLimits, () => this.sendOnce(raw), (exchange) => exchange.response);
  }

  private async sendOnce(raw: RawRequest): Promise<Exchange> {
    const query = raw.query ? `?${new URLSearchParams(raw.query).toString()}` : "";
    const path = `${this.pathPrefix}${raw.path}${query}`;
    const headers: Record<string, string> = { ...this.requestHeaders?.(), ...raw.headers };
    let payload: string | Uint8Array | undefined;
    if (typeof raw.body === "string" || raw.body instanceof Uint8Array) payload = raw.body;
    else if (raw.body !== undefined) {
      payload = JSON.stringify(raw.body);
      headers["content-type"] ??= "application/json";
    }
    const sent: SentRequest = { method: raw.method, path, headers, ...describeBody(payload) };
    const startedAt = performance.now();
    const exchange: Exchange = { request: sent, startedAt, endedAt: startedAt };
    const answer = await boundedRequest(
      this.dispatcher,
      { url: `${this.baseUrl}${path}`, method: raw.method, headers, ...(payload !== undefined ? { body: payload } : {}) },
      { timeoutMs: this.timeoutMs, maxBytes: maxResponseBytes },
    );
    if (!answer.ok) {
      exchange.failure = classifyFailure(answer.error, { aborted: answer.timedOut, timeoutMs: this.timeoutMs, status: answer.status });
    } else if (jsonDepthExceeds(answer.text, maxJsonDepth)) {
      exchange.failure = {
        kind: "unreadable",
        message: `the ${answer.status} answer's body nests arrays or objects deeper than ${maxJsonDepth} levels, deeper than the suite parses`,
      };
    } else {
      const json = parseJson(answer.text);
      if (this.sharedWallets) shareWalletIn(json, this.sharedWallets);
      exchange.response = { status: answer.status, headers: flattenHeaders(answer.headers), text: answer.text, json };
    }
    exchange.endedAt = performance.now();
    this.onExchange?.(exchange);
    return exchange;
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** The `version` field of a profile's wallet bodies (POST, GET): 1 in the seed profile; api3's have none. */
export function walletBodyVersion(profile: ProfileName): 1 | undefined {
  return profile === "seed" ? 1 : undefined;
}

/** The body of a well-formed POST /wallet in a profile: the seed profile's carries `version` 1 first, api3's has no such field. */
export function walletPostBody(profile: ProfileName, body: WalletPost): object {
  const version = walletBodyVersion(profile);
  return version === undefined ? body : { version, ...body };
}

/** Whether the recorded body is the whole body sent, not a prefix that ends with the size. */
export function bodyRecordedWhole(request: SentRequest): boolean {
  return request.body === undefined || request.body.length <= recordedBodyLimit;
}

function describeBody(payload: string | Uint8Array | undefined): Pick<SentRequest, "body" | "bodyBytes"> {
  if (payload === undefined) return {};
  const bytes = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
  const text = typeof payload === "string" ? payload : Buffer.from(payload).toString("utf8");
  const body = text.length > recordedBodyLimit ? `${detachedCopy(text.slice(0, recordedBodyLimit))}… (${bytes} bytes)` : text;
  return { body, bodyBytes: bytes };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** `status` is set once the headers came: what went wrong after them is about the body. */
function classifyFailure(
  error: unknown,
  { aborted, timeoutMs, status }: { aborted: boolean; timeoutMs: number; status: number | undefined },
): TransportFailure {
  const code = (error as { code?: string } | null)?.code ?? "";
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BodyTooLarge) return { kind: "unreadable", message: `the ${status} answer: ${message}` };
  if (aborted || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    if (status !== undefined) {
      return { kind: "timeout", message: `the ${status} answer's headers came but its body did not end within ${timeoutMs} ms` };
    }
    return { kind: "timeout", message: `no answer within ${timeoutMs} ms` };
  }
  if (code === "UND_ERR_HEADERS_OVERFLOW") {
    return { kind: "unreadable", message: `${code}: the answer's headers are larger than the suite reads` };
  }
  if ((error as Error | null)?.name === "HTTPParserError") {
    return { kind: "unreadable", message: `not HTTP: the answer does not parse as HTTP/1.1 (${message})` };
  }
  return { kind: "connection", message: code ? `${code}: ${message}` : message };
}

/** Whether an exchange got an HTTP answer with this status. */
export function hasStatus(exchange: Exchange, ...statuses: number[]): boolean {
  return exchange.response !== undefined && statuses.includes(exchange.response.status);
}

/** One line for reports: "POST /wallet -> 409" or "POST /wallet -> connection: ECONNRESET". */
export function summarizeExchange(exchange: Exchange): string {
  const outcome = exchange.response
    ? String(exchange.response.status)
    : `${exchange.failure?.kind ?? "no answer"}: ${exchange.failure?.message ?? ""}`;
  return `${exchange.request.method} ${exchange.request.path} -> ${outcome}`;
}
