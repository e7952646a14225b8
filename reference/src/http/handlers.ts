// One handler per endpoint: parsed input and the server's services in, status
// and body out. Bodies are validated with the schemas of the profile's OpenAPI
// document, checked in the original server's order: fields (400), token
// (401), sequence (409). This module holds the seed profile's handlers and
// what the api3 profile's (api3-handlers.ts) share with them.
import type { AuthRequest, AuthResponse, ProfileName, SignupRequest, WalletRequest } from "../../../spec/index.js";
import { validateSchema } from "../../../spec/schemas.js";
import { isBareEmail } from "./email.js";
import type { NotificationHub } from "./notifications.js";
import { errorResult, walletBody, type HandlerResult } from "./responses.js";
import type { WalletStore, WalletVersion } from "../store/store.js";

export interface RequestInput {
  query: URLSearchParams;
  /** The request body parsed as JSON; undefined for endpoints that take none. */
  body: unknown;
}

/** What handlers work with: the state, and the notification channel's sockets (none in the seed profile). */
export interface Services<Store extends WalletStore = WalletStore> {
  store: Store;
  notifications: NotificationHub;
}

export type Handler<Store extends WalletStore = WalletStore> = (input: RequestInput, services: Services<Store>) => Promise<HandlerResult>;

export type Checked<T> = { ok: true; value: T } | { ok: false; result: HandlerResult };

export function checkBody<T>(schemaName: string, body: unknown, profile: ProfileName = "seed"): Checked<T> {
  const validation = validateSchema(schemaName, body, profile);
  if (!validation.valid) {
    const firstError = validation.errors[0] ?? "invalid body";
    return { ok: false, result: errorResult(400, `Request failed validation: ${firstError}`) };
  }
  return { ok: true, value: body as T };
}

export function checkEmail(email: string): HandlerResult | undefined {
  return isBareEmail(email) ? undefined : errorResult(400, "Request failed validation: /email must be a bare address");
}

export const tokenNotFound = (): HandlerResult => errorResult(401, "Token Not Found");

/** The first `token` query parameter; undefined (answered 400) when there is none. */
export function tokenParameter(query: URLSearchParams): string | undefined {
  return query.get("token") ?? undefined;
}

export const handleSignup: Handler = async ({ body }, { store }) => {
  const checked = checkBody<SignupRequest>("SignupRequest", body);
  if (!checked.ok) return checked.result;
  const { email, password } = checked.value;
  const badEmail = checkEmail(email);
  if (badEmail) return badEmail;
  const outcome = await store.createAccount(email, password);
  return outcome === "created" ? { status: 201, body: {} } : errorResult(409, "Error registering");
};

/** POST /auth/full of a profile, whose accounts are found by `accountEmail(email)`. */
export function authHandler(profile: ProfileName, accountEmail: (email: string) => string): Handler {
  return async ({ body }, { store }) => {
    const checked = checkBody<AuthRequest>("AuthRequest", body, profile);
    if (!checked.ok) return checked.result;
    const { email, password, deviceId } = checked.value;
    const badEmail = checkEmail(email);
    if (badEmail) return badEmail;
    const issued = await store.logIn(accountEmail(email), password, deviceId);
    if (issued === undefined) return errorResult(401, "No match for email and password");
    const answer: AuthResponse = {
      token: issued.token,
      deviceId,
      scope: "*",
      userId: issued.userId,
      expiration: new Date(issued.expiresAt).toISOString(),
    };
    return { status: 200, body: answer };
  };
}

export const handleAuth: Handler = authHandler("seed", (email) => email);

/** GET /wallet of a profile, which sends a stored wallet as `body` makes it. */
export function getWalletHandler(body: (wallet: WalletVersion) => object): Handler {
  return async ({ query }, { store }) => {
    const token = tokenParameter(query);
    if (token === undefined) return errorResult(400, "Missing token parameter");
    const owner = await store.resolveToken(token);
    if (!owner) return tokenNotFound();
    const wallet = await store.getWallet(owner.userId);
    return wallet ? { status: 200, body: body(wallet) } : errorResult(404, "No wallet");
  };
}

export const handleGetWallet: Handler = getWalletHandler(walletBody);

/** How a profile answers a POST /wallet that stored its wallet, or that was refused (409) while `current` is stored. */
export interface WalletPostAnswers {
  stored(wallet: WalletVersion): HandlerResult;
  refused(current: WalletVersion | undefined): HandlerResult;
}

/** POST /wallet of a profile. The outcome goes to the notification channel too, in the order the store decided. */
export function postWalletHandler(profile: ProfileName, answers: WalletPostAnswers): Handler {
  return async ({ body }, { store, notifications }) => {
    const checked = checkBody<Pick<WalletRequest, "token" | "encryptedWallet" | "sequence" | "hmac">>("WalletRequest", body, profile);
    if (!checked.ok) return checked.result;
    const { token, encryptedWallet, sequence, hmac } = checked.value;
    const posted = { encryptedWallet, sequence, hmac };
    const write = await store.setWalletWithToken(token, posted);
    if (!write) return tokenNotFound();
    const { owner, outcome } = write;
    // Nothing may come between the store's decision and this call: for
    // MemoryStore that keeps the announcements in the order of the writes.
    notifications.walletPosted(owner, posted, outcome);
    return outcome.stored ? answers.stored(outcome.wallet) : answers.refused(outcome.current);
  };
}

export const handlePostWallet: Handler = postWalletHandler("seed", {
  stored: (wallet) => ({ status: 200, body: walletBody(wallet) }),
  refused: (current) =>
    current
      ? { status: 409, body: { ...walletBody(current), error: "Bad sequence number" } }
      : errorResult(409, "Bad sequence number (No existing wallet)"),
});
