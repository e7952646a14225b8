// One handler per endpoint: parsed input and the store in, status and body
// out. Bodies are validated with the schemas of spec/openapi.yaml, checked in
// the original server's order: fields (400), token (401), sequence (409).
import type { AuthRequest, AuthResponse, SignupRequest, WalletRequest } from "../../spec/index.js";
import { validateSchema } from "../../spec/schemas.js";
import { isBareEmail } from "./email.js";
import { errorResult, walletBody, type HandlerResult } from "./responses.js";
import type { WalletStore } from "./store.js";

export interface RequestInput {
  query: URLSearchParams;
  /** The request body parsed as JSON; undefined for endpoints that take none. */
  body: unknown;
}

export type Handler = (input: RequestInput, store: WalletStore) => Promise<HandlerResult>;

type Checked<T> = { ok: true; value: T } | { ok: false; result: HandlerResult };

function checkBody<T>(schemaName: string, body: unknown): Checked<T> {
  const validation = validateSchema(schemaName, body);
  if (!validation.valid) {
    const firstError = validation.errors[0] ?? "invalid body";
    return { ok: false, result: errorResult(400, `Request failed validation: ${firstError}`) };
  }
  return { ok: true, value: body as T };
}

function checkEmail(email: string): HandlerResult | undefined {
  return isBareEmail(email) ? undefined : errorResult(400, "Request failed validation: /email must be a bare address");
}

const tokenNotFound = (): HandlerResult => errorResult(401, "Token Not Found");

export const handleSignup: Handler = async ({ body }, store) => {
  const checked = checkBody<SignupRequest>("SignupRequest", body);
  if (!checked.ok) return checked.result;
  const { email, password } = checked.value;
  const badEmail = checkEmail(email);
  if (badEmail) return badEmail;
  const outcome = await store.createAccount(email, password);
  return outcome === "created" ? { status: 201, body: {} } : errorResult(409, "Error registering");
};

export const handleAuth: Handler = async ({ body }, store) => {
  const checked = checkBody<AuthRequest>("AuthRequest", body);
  if (!checked.ok) return checked.result;
  const { email, password, deviceId } = checked.value;
  const badEmail = checkEmail(email);
  if (badEmail) return badEmail;
  const userId = await store.authenticate(email, password);
  if (userId === undefined) return errorResult(401, "No match for email and password");
  const issued = await store.issueToken(userId, deviceId);
  const answer: AuthResponse = {
    token: issued.token,
    deviceId,
    scope: "*",
    userId,
    expiration: new Date(issued.expiresAt).toISOString(),
  };
  return { status: 200, body: answer };
};

export const handleGetWallet: Handler = async ({ query }, store) => {
  const token = query.get("token");
  if (token === null) return errorResult(400, "Missing token parameter");
  const owner = await store.resolveToken(token);
  if (!owner) return tokenNotFound();
  const wallet = await store.getWallet(owner.userId);
  return wallet ? { status: 200, body: walletBody(wallet) } : errorResult(404, "No wallet");
};

export const handlePostWallet: Handler = async ({ body }, store) => {
  const checked = checkBody<WalletRequest>("WalletRequest", body);
  if (!checked.ok) return checked.result;
  const { token, encryptedWallet, sequence, hmac } = checked.value;
  const owner = await store.resolveToken(token);
  if (!owner) return tokenNotFound();
  const outcome = await store.setWallet(owner.userId, { encryptedWallet, sequence, hmac });
  if (outcome.stored) return { status: 200, body: walletBody(outcome.wallet) };
  if (outcome.current) return { status: 409, body: { ...walletBody(outcome.current), error: "Bad sequence number" } };
  return errorResult(409, "Bad sequence number (No existing wallet)");
};
