// The reference server on node:http: a request listener that routes, reads
// and parses bodies and runs the handlers, and a server around it that can be
// started on any port and closed gracefully.
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultBodyLimitBytes, defaultDrainAllowanceBytes, parseJsonBody, readBody, type BodyLimits } from "./body.js";
import type { RequestInput } from "./handlers.js";
import { errorResult, type HandlerResult } from "./responses.js";
import { allowedMethods, endpointFor, routes } from "./routes.js";
import { answerClientError, sendResult } from "./send.js";
import { openPostgresStore, type PostgresStore } from "./postgres-store.js";
import { MemoryStore, StoreUnavailableError, type WalletStore } from "./store.js";

export interface ReferenceHandlerOptions {
  /** Defaults to a new MemoryStore built from `clock` and `scryptCost`. */
  store?: WalletStore;
  /** Milliseconds since the epoch; only used when no store is given. */
  clock?: () => number;
  /** scrypt N; only used when no store is given. */
  scryptCost?: number;
  /** Largest request body accepted; larger ones are answered 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** How much of an oversized body is drained before the connection is dropped. Default 8 MiB. */
  drainAllowanceBytes?: number;
  /** Told of every exception a handler throws (answered 500, or 503 when the store is unavailable); defaults to printing it on stderr. */
  onError?: (error: unknown) => void;
}

/** An answer, or undefined when the client left before there was anything to answer. */
type Answer = { result: HandlerResult; closeConnection: boolean } | undefined;

export function createReferenceHandler(options: ReferenceHandlerOptions = {}): RequestListener {
  const store = options.store ?? new MemoryStore({ clock: options.clock, scryptCost: options.scryptCost });
  const limits: BodyLimits = {
    limitBytes: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    drainAllowanceBytes: options.drainAllowanceBytes ?? defaultDrainAllowanceBytes,
  };
  const onError = options.onError ?? logHandlerError;

  return (request, response) => {
    answer(request, store, limits)
      .then((outcome) => {
        if (outcome) deliver(request, response, outcome.result, outcome.closeConnection);
      })
      .catch((error: unknown) => {
        onError(error);
        failWith(request, response, error);
      });
  };
}

/** A store that is unavailable is one line per request (its reason); anything else, with its stack. */
function logHandlerError(error: unknown): void {
  if (error instanceof StoreUnavailableError) console.error(`wallet-sync-reference: ${error.message}`);
  else console.error("wallet-sync-reference: handler failed:", error);
}

/**
 * Never lets an exception escape the listener: if the answer has not begun,
 * a 503 when the store is unavailable (the request may succeed later) and a
 * 500 for anything else; otherwise the connection ends.
 */
function failWith(request: IncomingMessage, response: ServerResponse, error: unknown): void {
  const result = error instanceof StoreUnavailableError ? errorResult(503, "The store is unavailable") : errorResult(500);
  try {
    if (!response.headersSent) return deliver(request, response, result, false);
  } catch {
    // fall through: the connection cannot carry an answer any more
  }
  response.destroy();
}

async function answer(request: IncomingMessage, store: WalletStore, limits: BodyLimits): Promise<Answer> {
  const url = parseRequestUrl(request.url);
  if (!url) return { result: errorResult(400, "Malformed request target"), closeConnection: false };
  const route = routes.get(url.pathname);
  if (!route) return { result: errorResult(404), closeConnection: false };
  const endpoint = endpointFor(route, request.method ?? "");
  if (!endpoint) return { result: errorResult(405, undefined, { allow: allowedMethods(route) }), closeConnection: false };

  const input: RequestInput = { query: url.searchParams, body: undefined };
  if (endpoint.readsBody) {
    const reading = await readBody(request, limits);
    if (reading.kind === "aborted") return undefined;
    if (reading.kind === "too-large") return { result: errorResult(413), closeConnection: !reading.drained };
    const parsed = parseJsonBody(reading.bytes);
    if (!parsed.ok) return { result: errorResult(400, "Malformed request body JSON"), closeConnection: false };
    input.body = parsed.value;
  }
  return { result: await endpoint.handle(input, store), closeConnection: false };
}

function parseRequestUrl(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? "/", "http://reference.invalid");
  } catch {
    return undefined;
  }
}

function deliver(request: IncomingMessage, response: ServerResponse, result: HandlerResult, closeConnection: boolean): void {
  if (response.destroyed) return;
  sendResult(response, result, closeConnection);
  // The rest of an oversized body was never read; the connection cannot carry another request.
  if (closeConnection) response.once("finish", () => request.destroy());
}

export interface ReferenceServerOptions extends ReferenceHandlerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Wraps the request listener, for example to build a deliberately broken server around the reference. */
  wrapHandler?: (listener: RequestListener) => RequestListener;
  /** How long close() waits for requests in flight before cutting their connections. Default 5000 ms. */
  closeGraceMs?: number;
  /**
   * A postgres:// URL: the server keeps its state there (a PostgresStore
   * built from `clock` and `scryptCost`), opened before it listens and closed
   * by close(). Not together with `store`, which stays the caller's to close.
   */
  databaseUrl?: string;
}

export interface ReferenceServer {
  /** http://host:port, without a trailing slash. */
  url: string;
  port: number;
  host: string;
  /** Stops accepting, ends idle keep-alive connections and waits (bounded) for requests in flight. */
  close(): Promise<void>;
  store: WalletStore;
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? "127.0.0.1";
  if (options.store && options.databaseUrl !== undefined) throw new TypeError("startReferenceServer takes a store or a databaseUrl, not both");
  const database = options.databaseUrl === undefined ? undefined : await openPostgresStore(options.databaseUrl, options);
  try {
    const store = database ?? options.store ?? new MemoryStore({ clock: options.clock, scryptCost: options.scryptCost });
    return await serve(options, host, store, database);
  } catch (error) {
    await database?.close();
    throw error;
  }
}

/** Listens with the store; `owned` is the store that close() closes after the last answer. */
async function serve(options: ReferenceServerOptions, host: string, store: WalletStore, owned: PostgresStore | undefined): Promise<ReferenceServer> {
  const handler = createReferenceHandler({ ...options, store });
  const listener = options.wrapHandler ? options.wrapHandler(handler) : handler;

  const unanswered = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;
  const server = createServer((request, response) => {
    if (closing) response.setHeader("connection", "close");
    unanswered.add(response);
    response.once("close", () => {
      unanswered.delete(response);
      // Once closing, a connection whose last answer is out is closed, not kept alive.
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    listener(request, response);
  });
  server.on("clientError", answerClientError);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const response of unanswered) if (!response.headersSent) response.setHeader("connection", "close");
      const cutOff = setTimeout(() => server.closeAllConnections(), options.closeGraceMs ?? 5000);
      cutOff.unref();
      server.close(() => {
        clearTimeout(cutOff);
        resolve(owned?.close());
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port, host, close, store };
}
