// The reference server on node:http: a request listener that routes, reads
// and parses bodies and runs the handlers of a profile, and a server around
// it that can be started on any port and closed gracefully. In the api3
// profile the server also takes WebSocket upgrades (the notification channel).
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultProfile, type ProfileName } from "../../../spec/index.js";
import { defaultBodyLimitBytes, defaultDrainAllowanceBytes, parseJsonBody, readBody, type BodyLimits } from "./body.js";
import type { RequestInput } from "./handlers.js";
import { NotificationHub, type NotificationLimits } from "./notifications.js";
import { errorResult, failureResult, type HandlerResult } from "./responses.js";
import { createRouter, routeTables, type Router } from "./routes.js";
import { answerClientError, endWithResult, sendResult } from "./send.js";
import { SharedNotificationHub } from "./shared-notifications.js";
import type { StoreEventFeed } from "../store/postgres-events.js";
import { openPostgresStore, PostgresStore } from "../store/postgres-store.js";
import { isApi3Store, MemoryStore, StoreUnavailableError, type WalletStore } from "../store/store.js";
import { createUpgradeListener, type UpgradeListener } from "./upgrade.js";

export interface ReferenceHandlerOptions {
  /** The protocol served: "seed" (the default; no path prefix) or "api3" (under /api/3, with notifications). */
  protocol?: ProfileName;
  /** Defaults to a new MemoryStore built from `clock` and `scryptCost`. The api3 profile needs an Api3Store. */
  store?: WalletStore;
  /** Milliseconds since the epoch; only used when no store is given. */
  clock?: () => number;
  /** scrypt N; only used when no store is given. */
  scryptCost?: number;
  /** Largest request body accepted; larger ones are answered 413. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** How much of an oversized body is drained before the connection is dropped. Default 8 MiB. */
  drainAllowanceBytes?: number;
  /**
   * The api3 profile's sockets; defaults to a new NotificationHub with
   * `notificationLimits` (startReferenceServer over PostgreSQL: a
   * SharedNotificationHub, which it must be there).
   */
  notifications?: NotificationHub;
  /** Caps of open sockets; only used when no `notifications` is given. */
  notificationLimits?: Partial<NotificationLimits>;
  /** Told of every exception a handler throws (answered 500, or 503 when the store is unavailable); defaults to printing it on stderr. */
  onError?: (error: unknown) => void;
}

/**
 * The request listener, with what a server around it needs besides: the
 * listener of upgrade requests (api3 only; without one node answers them as
 * plain requests) and the open sockets, which close() must close.
 */
export type ReferenceHandler = RequestListener & {
  upgrade: UpgradeListener | undefined;
  notifications: NotificationHub;
};

/** An answer, or undefined when the client left before there was anything to answer. */
type Answer = { result: HandlerResult; closeConnection: boolean } | undefined;

export function createReferenceHandler(options: ReferenceHandlerOptions = {}): ReferenceHandler {
  const protocol = options.protocol ?? defaultProfile;
  const store = options.store ?? new MemoryStore({ clock: options.clock, scryptCost: options.scryptCost });
  const notifications = options.notifications ?? new NotificationHub(options.notificationLimits);
  const limits: BodyLimits = {
    limitBytes: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    drainAllowanceBytes: options.drainAllowanceBytes ?? defaultDrainAllowanceBytes,
  };
  const onError = options.onError ?? logHandlerError;
  const router = profileRouter(protocol, store, notifications);

  const listener: RequestListener = (request, response) => {
    answer(request, router, limits)
      .then((outcome) => {
        if (outcome) deliver(request, response, outcome.result, outcome.closeConnection);
      })
      .catch((error: unknown) => {
        onError(error);
        failWith(request, response, error);
      });
  };
  const upgrade = protocol === "api3" ? createUpgradeListener(router, notifications, onError) : undefined;
  return Object.assign(listener, { upgrade, notifications });
}

function profileRouter(protocol: ProfileName, store: WalletStore, notifications: NotificationHub): Router {
  if (protocol === "seed") return createRouter(routeTables.seed, { store, notifications });
  if (!isApi3Store(store)) throw new TypeError(`the ${protocol} protocol needs a store with salt seeds and password changes (an Api3Store)`);
  return createRouter(routeTables.api3, { store, notifications });
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
  try {
    if (!response.headersSent) return deliver(request, response, failureResult(error), false);
  } catch {
    // fall through: the connection cannot carry an answer any more
  }
  response.destroy();
}

async function answer(request: IncomingMessage, router: Router, limits: BodyLimits): Promise<Answer> {
  const routing = router(request.method, request.url);
  if ("answer" in routing) return { result: routing.answer, closeConnection: false };
  const { endpoint, query } = routing;
  const input: RequestInput = { query, body: undefined };
  if (endpoint.readsBody) {
    const reading = await readBody(request, limits);
    if (reading.kind === "aborted") return undefined;
    if (reading.kind === "too-large") return { result: errorResult(413), closeConnection: !reading.drained };
    const parsed = parseJsonBody(reading.bytes);
    if (!parsed.ok) return { result: errorResult(400, "Malformed request body JSON"), closeConnection: false };
    input.body = parsed.value;
  }
  return { result: await endpoint.handle(input), closeConnection: false };
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
  /** Stops accepting, ends idle keep-alive connections and open WebSockets, and waits (bounded) for requests in flight. */
  close(): Promise<void>;
  store: WalletStore;
  protocol: ProfileName;
  /** The open WebSockets of the notification channel (api3). */
  notifications: NotificationHub;
}

export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const host = options.host ?? "127.0.0.1";
  if (options.store && options.databaseUrl !== undefined) throw new TypeError("startReferenceServer takes a store or a databaseUrl, not both");
  const announceWrites = options.protocol === "api3";
  const database = options.databaseUrl === undefined ? undefined : await openPostgresStore(options.databaseUrl, { ...options, announceWrites });
  try {
    const store = database ?? options.store ?? new MemoryStore({ clock: options.clock, scryptCost: options.scryptCost });
    return await serve(options, host, store, database);
  } catch (error) {
    await database?.close();
    throw error;
  }
}

/**
 * The sockets of an api3 server over PostgreSQL hear every process's writes
 * from the store: a SharedNotificationHub, listening before the server does.
 */
async function sharedNotifications(options: ReferenceServerOptions, store: WalletStore): Promise<{ hub: SharedNotificationHub; feed: StoreEventFeed } | undefined> {
  if (options.protocol !== "api3" || !(store instanceof PostgresStore)) return undefined;
  const hub = options.notifications ?? new SharedNotificationHub(options.notificationLimits);
  if (!(hub instanceof SharedNotificationHub)) throw new TypeError("an api3 server over PostgreSQL needs a SharedNotificationHub, which hears other processes' writes");
  return { hub, feed: await store.listen(hub) };
}

/** Listens with the store; `owned` is the store that close() closes after the last answer. */
async function serve(options: ReferenceServerOptions, host: string, store: WalletStore, owned: PostgresStore | undefined): Promise<ReferenceServer> {
  const shared = await sharedNotifications(options, store);
  try {
    return await listen(options, host, store, owned, shared);
  } catch (error) {
    await shared?.feed.close();
    throw error;
  }
}

async function listen(
  options: ReferenceServerOptions,
  host: string,
  store: WalletStore,
  owned: PostgresStore | undefined,
  shared: { hub: SharedNotificationHub; feed: StoreEventFeed } | undefined,
): Promise<ReferenceServer> {
  const handler = createReferenceHandler({ ...options, store, ...(shared ? { notifications: shared.hub } : {}) });
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
  const { upgrade, notifications } = handler;
  if (upgrade) server.on("upgrade", (request, socket, head) => (closing ? endWithResult(socket, errorResult(503, "The server is closing")) : upgrade(request, socket, head)));

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
      // Upgraded connections are no longer node:http's: the server waits for them, so they are closed here.
      notifications.closeAll();
      const cutOff = setTimeout(() => {
        server.closeAllConnections();
        notifications.terminateAll();
      }, options.closeGraceMs ?? 5000);
      cutOff.unref();
      server.close(() => {
        clearTimeout(cutOff);
        resolve(shared?.feed.close().then(() => owned?.close()) ?? owned?.close());
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  return { url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`, port, host, close, store, protocol: options.protocol ?? defaultProfile, notifications };
}
