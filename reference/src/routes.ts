// The protocol's paths and the methods each one takes.
import { handleAuth, handleGetWallet, handlePostWallet, handleSignup, type Handler } from "./handlers.js";

export interface Endpoint {
  /** Whether the request body is read and parsed as JSON before the handler runs. */
  readsBody: boolean;
  handle: Handler;
}

export type Route = Readonly<Partial<Record<string, Endpoint>>>;

export const routes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ["/signup", { POST: { readsBody: true, handle: handleSignup } }],
  ["/auth/full", { POST: { readsBody: true, handle: handleAuth } }],
  [
    "/wallet",
    {
      GET: { readsBody: false, handle: handleGetWallet },
      POST: { readsBody: true, handle: handlePostWallet },
    },
  ],
]);

/** The endpoint for a method, looking only at the route's own methods (never at Object.prototype). */
export function endpointFor(route: Route, method: string): Endpoint | undefined {
  return Object.hasOwn(route, method) ? route[method] : undefined;
}

/** The value of the Allow header of a 405 on this route. */
export function allowedMethods(route: Route): string {
  return Object.keys(route).join(", ");
}
