// What handlers return and the error bodies of the protocol:
// {"error": "<reason phrase>[: <detail>]"} (HTTP-2).
import { STATUS_CODES, type OutgoingHttpHeaders } from "node:http";
import type { Wallet, WalletVersion } from "../../../spec/index.js";
import { StoreUnavailableError } from "../store/store.js";

export interface HandlerResult {
  status: number;
  body: object;
  headers?: OutgoingHttpHeaders;
}

// The reason phrases of the original server (Go's), which the error bodies
// carry; node's own differ only for 413 ("Payload Too Large").
const phraseOverrides: Readonly<Record<number, string>> = { 413: "Request Entity Too Large" };

export function reasonPhrase(status: number): string {
  return phraseOverrides[status] ?? STATUS_CODES[status] ?? `HTTP ${status}`;
}

export function errorResult(status: number, detail?: string, headers?: OutgoingHttpHeaders): HandlerResult {
  const phrase = reasonPhrase(status);
  const result: HandlerResult = { status, body: { error: detail ? `${phrase}: ${detail}` : phrase } };
  if (headers) result.headers = headers;
  return result;
}

/** A stored wallet as GET /wallet sends it. */
export function walletBody(wallet: WalletVersion): Wallet {
  return { version: 1, encryptedWallet: wallet.encryptedWallet, sequence: wallet.sequence, hmac: wallet.hmac };
}

/** The answer to a handler that threw: 503 when the store is unavailable (the request may succeed later), else 500. */
export function failureResult(error: unknown): HandlerResult {
  return error instanceof StoreUnavailableError ? errorResult(503, "The store is unavailable") : errorResult(500);
}
