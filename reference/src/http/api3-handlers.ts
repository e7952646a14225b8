// The handlers of the api3 profile (spec/api3/openapi.yaml): the seed
// profile's endpoints with this profile's bodies, and the salt seed, the
// password change and the notification channel. Every request schema of the
// document refuses unknown fields (VAL-5).
import type { Api3PasswordChangeRequest, Api3SignupRequest, Api3Wallet, Api3SignupResponse, Api3SaltSeedResponse } from "../../../spec/api3.js";
import { isBareEmail } from "./email.js";
import { authHandler, checkBody, checkEmail, getWalletHandler, postWalletHandler, tokenNotFound, tokenParameter, type Handler, type RequestInput, type Services } from "./handlers.js";
import { errorResult, type HandlerResult } from "./responses.js";
import type { Api3Store, PasswordChangeRefusal, TokenOwner, WalletStore, WalletVersion } from "../store/store.js";

const profile = "api3";

type Api3Handler = Handler<Api3Store>;

/** Emails are compared ignoring case in this profile, as the original does: an account is kept under its lower-cased email. */
export function accountEmail(email: string): string {
  return email.toLowerCase();
}

export const handleApi3Signup: Api3Handler = async ({ body }, { store }) => {
  const checked = checkBody<Api3SignupRequest>("SignupRequest", body, profile);
  if (!checked.ok) return checked.result;
  const { email, password, clientSaltSeed } = checked.value;
  const badEmail = checkEmail(email);
  if (badEmail) return badEmail;
  const outcome = await store.createAccount(accountEmail(email), password, clientSaltSeed);
  // Signups are verified at once: e-mail verification is not part of the profile.
  const created: Api3SignupResponse = { verified: true };
  return outcome === "created" ? { status: 201, body: created } : errorResult(409, "Error registering");
};

export const handleApi3Auth: Api3Handler = authHandler(profile, accountEmail);

function api3WalletBody(wallet: WalletVersion): Api3Wallet {
  return { encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac };
}

export const handleApi3GetWallet: Api3Handler = getWalletHandler(api3WalletBody);

/** A 200 carries no wallet and a 409 only the error: the client GETs the latest version (CLIENT-7). */
export const handleApi3PostWallet: Api3Handler = postWalletHandler(profile, {
  stored: () => ({ status: 200, body: {} }),
  refused: () => errorResult(409, "Bad sequence number"),
});

const passwordChangeRefusals: Readonly<Record<PasswordChangeRefusal, () => HandlerResult>> = {
  "wrong-credentials": () => errorResult(401, "No match for email and/or password"),
  "wallet-required": () => errorResult(409, "Wallet exists; need an updated wallet when changing password"),
  "bad-sequence": () => errorResult(409, "Bad sequence number or wallet does not exist"),
};

export const handlePasswordChange: Api3Handler = async ({ body }, { store, notifications }) => {
  // The schema requires the wallet fields all together or none (PASS-5).
  const checked = checkBody<Api3PasswordChangeRequest>("PasswordChangeRequest", body, profile);
  if (!checked.ok) return checked.result;
  const { email, oldPassword, newPassword, clientSaltSeed, encryptedWallet, sequence, hmac } = checked.value;
  const badEmail = checkEmail(email);
  if (badEmail) return badEmail;
  if (newPassword === oldPassword) return errorResult(400, "Request failed validation: newPassword must differ from oldPassword");
  const wallet = encryptedWallet !== undefined && sequence !== undefined && hmac !== undefined ? { encryptedWallet, sequence, hmac } : undefined;
  const outcome = await store.changePassword({ email: accountEmail(email), oldPassword, newPassword, clientSaltSeed, ...(wallet ? { wallet } : {}) });
  if (!outcome.changed) return passwordChangeRefusals[outcome.reason]();
  // The tokens are ended: so are the sockets opened with them (NOTIFY-4).
  notifications.endAccount(outcome.userId);
  return { status: 200, body: {} };
};

/** Standard base64 with its padding, as the original decodes it. */
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The email an `email` query parameter carries, or undefined when it is not the base64 of a bare address. */
export function decodeEmailParameter(parameter: string): string | undefined {
  if (parameter === "" || !base64.test(parameter)) return undefined;
  try {
    const email = strictUtf8.decode(Buffer.from(parameter, "base64"));
    return isBareEmail(email) ? email : undefined;
  } catch {
    return undefined;
  }
}

export const handleSaltSeed: Api3Handler = async ({ query }, { store }) => {
  const parameter = query.get("email");
  if (parameter === null) return errorResult(400, "Missing email parameter");
  const email = decodeEmailParameter(parameter);
  if (email === undefined) return errorResult(400, "Invalid email");
  const clientSaltSeed = await store.clientSaltSeed(accountEmail(email));
  if (clientSaltSeed === undefined) return errorResult(404, "No match for email");
  const answer: Api3SaltSeedResponse = { clientSaltSeed };
  return { status: 200, body: answer };
};

/**
 * Whether a socket may be opened: refused with the answer to send instead
 * of the upgrade, or accepted for the token's owner. `stillLive` is asked
 * once the socket is open, since a password change may have ended the token
 * while the upgrade ran (NOTIFY-4).
 */
export type SocketDecision = { refuse: HandlerResult } | { accept: TokenOwner; stillLive: () => Promise<boolean> };

export type SocketOpener<Store extends WalletStore = WalletStore> = (input: RequestInput, services: Services<Store>) => Promise<SocketDecision>;

const socketRefusals = {
  "account-full": () => errorResult(429, "Too many sockets for this account"),
  "server-full": () => errorResult(503, "Too many sockets"),
  unavailable: () => errorResult(503, "Notifications are unavailable"),
} as const;

/** GET /websocket asking for an upgrade: the token must be live and there must be room (NOTIFY-1). */
export const openNotificationSocket: SocketOpener = async ({ query }, { store, notifications }) => {
  const token = tokenParameter(query);
  if (token === undefined) return { refuse: errorResult(400, "Missing token parameter") };
  const owner = await store.resolveToken(token);
  if (!owner) return { refuse: tokenNotFound() };
  const refusal = notifications.refusal(owner.userId);
  if (refusal) return { refuse: socketRefusals[refusal]() };
  return { accept: owner, stillLive: async () => (await store.resolveToken(token))?.userId === owner.userId };
};

/** GET /websocket without an upgrade: the token is checked as for one, then the missing upgrade is a 400. */
export const handleNotificationsWithoutUpgrade: Api3Handler = async (input, services) => {
  const decision = await openNotificationSocket(input, services);
  return "refuse" in decision ? decision.refuse : errorResult(400, "Expected a WebSocket upgrade");
};
