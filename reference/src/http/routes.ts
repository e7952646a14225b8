// The paths of each profile and the methods each one takes, as data, and the
// router that finds the endpoint of a request.
import type { ProfileName } from "../../../spec/index.js";
import {
  handleApi3Auth,
  handleApi3GetWallet,
  handleApi3PostWallet,
  handleApi3Signup,
  handleNotificationsWithoutUpgrade,
  handlePasswordChange,
  handleSaltSeed,
  openNotificationSocket,
  type SocketDecision,
  type SocketOpener,
} from "./api3-handlers.js";
import { handleAuth, handleGetWallet, handlePostWallet, handleSignup, type Handler, type RequestInput, type Services } from "./handlers.js";
import { errorResult, type HandlerResult } from "./responses.js";
import type { Api3Store, WalletStore } from "../store/store.js";

export interface Endpoint<Store extends WalletStore = WalletStore> {
  /** Whether the request body is read and parsed as JSON before the handler runs. */
  readsBody: boolean;
  handle: Handler<Store>;
  /** Present on the notification channel: decides a request that asks to upgrade to a WebSocket. */
  openSocket?: SocketOpener<Store>;
}

export type Route<Store extends WalletStore = WalletStore> = Readonly<Partial<Record<string, Endpoint<Store>>>>;

export interface RouteTable<Store extends WalletStore = WalletStore> {
  paths: ReadonlyMap<string, Route<Store>>;
  /** The answer to a path that no route has. */
  notFound(pathname: string): HandlerResult;
}

export const seedRoutes: RouteTable = {
  paths: new Map<string, Route>([
    ["/signup", { POST: { readsBody: true, handle: handleSignup } }],
    ["/auth/full", { POST: { readsBody: true, handle: handleAuth } }],
    [
      "/wallet",
      {
        GET: { readsBody: false, handle: handleGetWallet },
        POST: { readsBody: true, handle: handlePostWallet },
      },
    ],
  ]),
  notFound: () => errorResult(404),
};

export const api3Routes: RouteTable<Api3Store> = {
  paths: new Map<string, Route<Api3Store>>([
    ["/api/3/client-salt-seed", { GET: { readsBody: false, handle: handleSaltSeed } }],
    ["/api/3/signup", { POST: { readsBody: true, handle: handleApi3Signup } }],
    ["/api/3/auth/full", { POST: { readsBody: true, handle: handleApi3Auth } }],
    [
      "/api/3/wallet",
      {
        GET: { readsBody: false, handle: handleApi3GetWallet },
        POST: { readsBody: true, handle: handleApi3PostWallet },
      },
    ],
    ["/api/3/password", { POST: { readsBody: true, handle: handlePasswordChange } }],
    ["/api/3/websocket", { GET: { readsBody: false, handle: handleNotificationsWithoutUpgrade, openSocket: openNotificationSocket } }],
  ]),
  // As the original: its version's prefix knows no such endpoint; another version's is not served here.
  notFound: (pathname) =>
    pathname === "/api/3" || pathname.startsWith("/api/3/")
      ? errorResult(404, "Unknown Endpoint")
      : pathname === "/api" || pathname.startsWith("/api/")
        ? errorResult(404, "Wrong API version. Current version is 3.")
        : errorResult(404),
};

/** An endpoint with the services bound, as the router hands it out. */
export interface BoundEndpoint {
  readsBody: boolean;
  handle(input: RequestInput): Promise<HandlerResult>;
  openSocket?(input: RequestInput): Promise<SocketDecision>;
}

/** What a request is routed to: an endpoint with the query, or an answer given without one (400, 404, 405). */
export type Routing = { endpoint: BoundEndpoint; query: URLSearchParams } | { answer: HandlerResult };

export type Router = (method: string | undefined, target: string | undefined) => Routing;

/** A router over a profile's routes whose endpoints run with `services`. */
export function createRouter<Store extends WalletStore>(table: RouteTable<Store>, services: Services<Store>): Router {
  return (method, target) => {
    const url = parseRequestTarget(target);
    if (!url) return { answer: errorResult(400, "Malformed request target") };
    const route = table.paths.get(url.pathname);
    if (!route) return { answer: table.notFound(url.pathname) };
    const endpoint = endpointFor(route, method ?? "");
    if (!endpoint) return { answer: errorResult(405, undefined, { allow: allowedMethods(route) }) };
    const { readsBody, handle, openSocket } = endpoint;
    const bound: BoundEndpoint = { readsBody, handle: (input) => handle(input, services) };
    if (openSocket) bound.openSocket = (input) => openSocket(input, services);
    return { endpoint: bound, query: url.searchParams };
  };
}

/** The routes of each profile; the api3 profile's need an Api3Store. */
export const routeTables = { seed: seedRoutes, api3: api3Routes } as const satisfies Record<ProfileName, unknown>;

function parseRequestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? "/", "http://reference.invalid");
  } catch {
    return undefined;
  }
}

/** The endpoint for a method, looking only at the route's own methods (never at Object.prototype). */
export function endpointFor<Store extends WalletStore>(route: Route<Store>, method: string): Endpoint<Store> | undefined {
  return Object.hasOwn(route, method) ? route[method] : undefined;
}

/** The value of the Allow header of a 405 on this route. */
export function allowedMethods<Store extends WalletStore>(route: Route<Store>): string {
  return Object.keys(route).join(", ");
}
