// Tokens are 32 bytes from the CSPRNG, hex-encoded (TOKEN-5). The store keeps
// only their SHA-256 digests, so a lookup's timing depends on the digest and
// not on how much of a guessed token is right (SEC-2), and a dump of the store
// holds no usable token.
import { hash, randomBytes } from "node:crypto";

/** Tokens stop working this long after they are issued (TOKEN-6). */
export const tokenLifetimeMs = 14 * 24 * 60 * 60 * 1000;

export function newToken(): string {
  return randomBytes(32).toString("hex");
}

export function tokenDigest(token: string): string {
  return hash("sha256", token, "hex");
}
