// Reading the wallet out of a parsed response body (GET 200, POST 200 echo,
// 409), for the test client, the contract checks and the history recorder.
import type { WalletVersion } from "../../../spec/index.js";

/**
 * The wallet triple a parsed body carries: string `encryptedWallet` and
 * `hmac` and a number `sequence`; undefined when the body carries none.
 * Other fields (`version`, `error`) are the caller's to read.
 */
export function walletInBody(json: unknown): WalletVersion | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { encryptedWallet, sequence, hmac } = json as Record<string, unknown>;
  if (typeof encryptedWallet !== "string" || typeof sequence !== "number" || typeof hmac !== "string") return undefined;
  return { encryptedWallet, sequence, hmac };
}
